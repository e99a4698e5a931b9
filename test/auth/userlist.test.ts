/** A userlist as requests check it (src/auth/userlist.ts): passwords, groups, the outcome cache. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UserlistModel } from '../../src/config/model.ts';
import { NO_USERLISTS, Userlist, userlistTable } from '../../src/auth/userlist.ts';

const SOURCE = { file: 't.cfg', line: 1 };
const SHA512 = '$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1';
const MD5 = '$1$saltsalt$9xy1btjgzLYfb7hivXtC//';

const model: UserlistModel = {
  name: 'L',
  users: [
    { name: 'alice', password: { kind: 'hash', hash: SHA512 }, groups: ['ops'], source: SOURCE },
    { name: 'bob', password: { kind: 'insecure', text: 'pw' }, groups: [], source: SOURCE },
    { name: 'carol', password: undefined, groups: ['ops'], source: SOURCE },
    { name: 'dave', password: { kind: 'hash', hash: 'not-a-hash' }, groups: [], source: SOURCE },
    { name: 'jos\u00e9', password: { kind: 'insecure', text: 'p\u00e4ss' }, groups: [], source: SOURCE },
    { name: 'md5', password: { kind: 'hash', hash: MD5 }, groups: [], source: SOURCE },
  ],
  groups: ['ops'],
  source: SOURCE,
};

/** The latin1 form of a string's UTF-8 bytes, as credentials arrive. */
const wire = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

describe('Userlist.check (HAProxy check_user)', () => {
  const list = new Userlist(model);

  it('hashed and insecure passwords', () => {
    assert.equal(list.check('alice', 'secret'), true);
    assert.equal(list.check('alice', 'Secret'), false);
    assert.equal(list.check('md5', 'secret'), true);
    assert.equal(list.check('bob', 'pw'), true);
    assert.equal(list.check('bob', 'pw '), false);
    assert.equal(list.check('nobody', 'pw'), false);
  });

  it('a user without a usable password never authenticates', () => {
    assert.equal(list.check('carol', ''), false);
    assert.equal(list.check('dave', 'not-a-hash'), false);
  });

  it('names and passwords compare as UTF-8 bytes', () => {
    assert.equal(list.check(wire('jos\u00e9'), wire('p\u00e4ss')), true);
    assert.equal(list.check('jos\u00e9', 'p\u00e4ss'), false, 'the latin1 bytes of the same text are other bytes');
  });

  it('remembers outcomes: a repeated check costs no hashing', () => {
    const fresh = new Userlist(model);
    const t0 = performance.now();
    assert.equal(fresh.check('alice', 'secret'), true);
    assert.equal(fresh.check('alice', 'wrong'), false);
    const first = performance.now() - t0;
    const t1 = performance.now();
    for (let i = 0; i < 200; i++) {
      assert.equal(fresh.check('alice', 'secret'), true);
      assert.equal(fresh.check('alice', 'wrong'), false);
    }
    const repeated = performance.now() - t1;
    assert.ok(repeated < first, `200 repeated pairs (${repeated.toFixed(1)} ms) must cost less than the first one (${first.toFixed(1)} ms)`);
  });

  it('groups of a user', () => {
    assert.deepEqual(list.groupsOf('alice'), ['ops']);
    assert.deepEqual(list.groupsOf('bob'), []);
    assert.equal(list.groupsOf('nobody'), undefined);
  });
});

describe('userlistTable', () => {
  it('one Userlist per model, by name; none: the shared empty table', () => {
    const table = userlistTable([model, { ...model, name: 'M' }]);
    assert.deepEqual([...table.keys()], ['L', 'M']);
    assert.equal(userlistTable([]), NO_USERLISTS);
    assert.equal(userlistTable(undefined), NO_USERLISTS);
  });
});
