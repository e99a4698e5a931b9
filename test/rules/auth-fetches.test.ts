/** The authentication fetches (src/rules/auth-fetches.ts), alone and in ACLs, on parsed requests. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { userlistTable } from '../../src/auth/userlist.ts';
import type { UserlistModel } from '../../src/config/model.ts';
import { compileAcl } from '../../src/rules/acl.ts';
import { parseAclWords } from '../../src/rules/acl-words.ts';
import { Sample } from '../../src/rules/sample.ts';
import type { SampleContext } from '../../src/rules/sample-context.ts';
import { context, get, sample } from './support.ts';

const SOURCE = { file: 't.cfg', line: 1 };
const L1: UserlistModel = {
  name: 'L1',
  users: [
    { name: 'alice', password: { kind: 'hash', hash: '$5$saltsalt$0IyaXrmV7.sGNS6tirgqHLqX/G.FBvgkYA.lpPdS5sA' }, groups: ['ops', 'admins'], source: SOURCE },
    { name: 'bob', password: { kind: 'insecure', text: 'pw' }, groups: [], source: SOURCE },
  ],
  groups: ['admins', 'ops', 'dev'],
  source: SOURCE,
};
const userlists = userlistTable([L1]);

const basic = (credentials: string): string => `Authorization: Basic ${Buffer.from(credentials).toString('base64')}`;
const req = (...headers: string[]): SampleContext => context(get('/', 'Host: x', ...headers), { userlists });

function acl(words: string, ctx: SampleContext): boolean {
  const parsed = parseAclWords('a', words.split(' '), SOURCE);
  if (!parsed.ok) throw new Error(parsed.message);
  const compiled = compileAcl(parsed.acl, 'request');
  if (!compiled.ok) throw new Error(compiled.message);
  return compiled.acl.test(ctx, new Sample());
}

describe('http_auth_type, http_auth_user, http_auth_pass, http_auth_bearer', () => {
  it('read Basic credentials', () => {
    const ctx = req(basic('alice:se:cret'));
    assert.deepEqual(sample('http_auth_type', ctx), { type: 'str', text: 'Basic' });
    assert.deepEqual(sample('http_auth_user', ctx), { type: 'str', text: 'alice' });
    assert.deepEqual(sample('http_auth_pass', ctx), { type: 'str', text: 'se:cret' });
    assert.equal(sample('http_auth_bearer', ctx), undefined);
  });

  it('read a Bearer token, from Authorization or a named header', () => {
    const ctx = req('Authorization: Bearer   abc.def', 'X-Token: bearer tok', 'X-Other: Basic tok', 'X-Empty: Bearer');
    assert.deepEqual(sample('http_auth_type', ctx), { type: 'str', text: 'Bearer' });
    assert.deepEqual(sample('http_auth_bearer', ctx), { type: 'str', text: 'abc.def' });
    assert.equal(sample('http_auth_user', ctx), undefined);
    assert.deepEqual(sample('http_auth_bearer(X-Token)', ctx), { type: 'str', text: 'tok' });
    // HAProxy answers an empty sample when the named header holds no Bearer token.
    assert.deepEqual(sample('http_auth_bearer(X-Other)', ctx), { type: 'str', text: '' });
    assert.deepEqual(sample('http_auth_bearer(X-Empty)', ctx), { type: 'str', text: '' });
    assert.deepEqual(sample('http_auth_bearer(X-Missing)', ctx), { type: 'str', text: '' });
  });

  it('nothing without an Authorization header, or with one they cannot read', () => {
    for (const ctx of [req(), req('Authorization: Digest x'), req('Authorization: Basic !!!!')]) {
      for (const fetch of ['http_auth_type', 'http_auth_user', 'http_auth_pass', 'http_auth(L1)', 'http_auth_group(L1)']) assert.equal(sample(fetch, ctx), undefined, fetch);
    }
  });

  it('read the first Authorization value, as rules edited it', () => {
    assert.deepEqual(sample('http_auth_user', req(basic('first:x'), basic('second:y'))), { type: 'str', text: 'first' });
  });
});

describe('http_auth(USERLIST)', () => {
  it('a boolean: the credentials are valid in the userlist', () => {
    assert.deepEqual(sample('http_auth(L1)', req(basic('alice:secret'))), { type: 'bool', text: '1' });
    assert.deepEqual(sample('http_auth(L1)', req(basic('alice:nope'))), { type: 'bool', text: '0' });
    assert.deepEqual(sample('http_auth(L1)', req(basic('bob:pw'))), { type: 'bool', text: '1' });
    assert.deepEqual(sample('http_auth(L1)', req(basic('eve:pw'))), { type: 'bool', text: '0' });
    assert.equal(sample('http_auth(L1)', req('Authorization: Bearer x')), undefined);
  });

  it('as an ACL', () => {
    assert.equal(acl('http_auth(L1)', req(basic('alice:secret'))), true);
    assert.equal(acl('http_auth(L1)', req(basic('alice:x'))), false);
    assert.equal(acl('http_auth(L1)', req()), false);
  });

  it('a context without that userlist yields nothing', () => {
    assert.equal(sample('http_auth(L1)', context(get('/', 'Host: x', basic('bob:pw')))), undefined);
  });

  it('needs the request: refused in response rules', () => {
    assert.throws(() => sample('http_auth(L1)', req(), { direction: 'response' }), /may not be reliably used here/);
  });
});

describe('http_auth_group(USERLIST)', () => {
  it('the user name when the credentials are valid', () => {
    assert.deepEqual(sample('http_auth_group(L1)', req(basic('alice:secret'))), { type: 'str', text: 'alice' });
    assert.equal(sample('http_auth_group(L1)', req(basic('alice:bad'))), undefined);
  });

  it("as an ACL, matches the user's groups against the patterns (HAProxy's pat_match_auth)", () => {
    assert.equal(acl('http_auth_group(L1) admins', req(basic('alice:secret'))), true);
    assert.equal(acl('http_auth_group(L1) dev ops', req(basic('alice:secret'))), true);
    assert.equal(acl('http_auth_group(L1) dev', req(basic('alice:secret'))), false);
    assert.equal(acl('http_auth_group(L1) alice', req(basic('alice:secret'))), false, 'the user name is not a group');
    assert.equal(acl('http_auth_group(L1) admins', req(basic('alice:bad'))), false, 'wrong password');
    assert.equal(acl('http_auth_group(L1) admins', req(basic('bob:pw'))), false, 'no group');
  });
});
