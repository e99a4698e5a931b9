/** The Authorization header as HAProxy 2.6's get_http_auth and base64dec read it, quirks included. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeBase64, parseAuthorization } from '../../src/auth/basic-auth.ts';

const b64 = (text: string): string => Buffer.from(text, 'latin1').toString('base64');

describe('decodeBase64 (HAProxy base64dec)', () => {
  it('decodes standard base64, padded', () => {
    for (const text of ['', 'a', 'ab', 'abc', 'abcd', 'alice:s3cret', '\u00ff\u0000\u0080']) assert.equal(decodeBase64(b64(text)), text, text);
  });

  it('refuses lengths not multiple of 4, characters outside the alphabet, and misplaced padding', () => {
    for (const bad of ['YWJj=', 'YWJ', 'YW-j', 'YW_j', 'Y W=', '====', 'A=B=', 'YQ==YQ=', 'YWJjZA=x']) assert.equal(decodeBase64(bad), undefined, bad);
  });

  it('accepts what HAProxy accepts beyond the standard: groups after a padded one, "X==="', () => {
    assert.equal(decodeBase64('YQ==YWJj'), 'aabc');
    assert.equal(decodeBase64('Y==='), '');
  });
});

describe('parseAuthorization (HAProxy get_http_auth)', () => {
  it('Basic credentials: user before the first colon, the rest is the password', () => {
    assert.deepEqual(parseAuthorization(`Basic ${b64('alice:pa:ss')}`), { scheme: 'Basic', user: 'alice', password: 'pa:ss' });
    assert.deepEqual(parseAuthorization(`Basic ${b64(':')}`), { scheme: 'Basic', user: '', password: '' });
    assert.equal(parseAuthorization(`Basic ${b64('nocolon')}`), undefined);
  });

  it('the scheme: case-insensitive, any prefix of "Basic" (then of "Bearer"), several spaces after it', () => {
    for (const scheme of ['basic', 'BASIC', 'B', 'bas', 'Basic']) assert.equal(parseAuthorization(`${scheme}   ${b64('u:p')}`)?.scheme, 'Basic', scheme);
    for (const scheme of ['Bearer', 'bearer', 'Be', 'BEAR']) assert.deepEqual(parseAuthorization(`${scheme}  tok en`), { scheme: 'Bearer', token: 'tok en' }, scheme);
    for (const value of ['Basics dTpw', 'Digest abc', 'Basic', ' Basic dTpw', 'Basic\tdTpw', 'Token x']) assert.equal(parseAuthorization(value), undefined, value);
  });

  it('credentials are a C string: cut at the first NUL', () => {
    assert.deepEqual(parseAuthorization(`Basic ${b64('u:p\u0000rest')}`), { scheme: 'Basic', user: 'u', password: 'p' });
    assert.equal(parseAuthorization(`Basic ${b64('u\u0000:p')}`), undefined);
  });

  it('keeps bytes as latin1 characters', () => {
    assert.deepEqual(parseAuthorization(`Basic ${Buffer.from('jos\u00e9:p\u00e4ss', 'utf8').toString('base64')}`), {
      scheme: 'Basic',
      user: 'jos\u00c3\u00a9',
      password: 'p\u00c3\u00a4ss',
    });
  });
});
