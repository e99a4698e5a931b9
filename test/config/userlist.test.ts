/**
 * `userlist` sections, the userlist arguments of `http_auth` / `http_auth_group`, and
 * `http-request auth` in haproxy.cfg: the model, and HAProxy 2.6's errors and warnings, each at
 * its line (messages checked against /usr/sbin/haproxy -c).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TIMEOUTS, cfg, errors, parse, warnings } from './support.ts';

const SHA512 = '$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1';

/** A frontend `f` (line `at`) holding `lines`, after whatever comes before. */
const frontend = (...lines: string[]): string[] => ['frontend f', '  mode http', ...TIMEOUTS, '  bind :8080', ...lines];

describe('userlist sections: model', () => {
  it('users, groups and memberships from both sides, in declaration order', async () => {
    const model = await parse(
      cfg(
        'userlist L1',
        '  group admins users alice',
        '  group ops',
        `  user alice password ${SHA512} groups ops`,
        '  user bob insecure-password s3cret groups ops,admins',
        '  user carol',
        'userlist L2',
        ...frontend(),
      ),
    );
    assert.deepEqual(model.userlists, [
      {
        name: 'L1',
        users: [
          { name: 'alice', password: { kind: 'hash', hash: SHA512 }, groups: ['ops', 'admins'], source: { file: 't.cfg', line: 4 } },
          { name: 'bob', password: { kind: 'insecure', text: 's3cret' }, groups: ['ops', 'admins'], source: { file: 't.cfg', line: 5 } },
          { name: 'carol', password: undefined, groups: [], source: { file: 't.cfg', line: 6 } },
        ],
        groups: ['admins', 'ops'],
        source: { file: 't.cfg', line: 1 },
      },
      { name: 'L2', users: [], groups: [], source: { file: 't.cfg', line: 7 } },
    ]);
  });

  it('a configuration without userlist has none', async () => {
    assert.equal((await parse(cfg(...frontend()))).userlists, undefined);
  });

  it('duplicates are ignored with a warning; after a duplicated header, lines go to the last userlist created (as HAProxy)', async () => {
    const model = await parse(
      cfg(
        'userlist L1',
        '  user a insecure-password a',
        '  user a insecure-password other',
        '  group g',
        '  group g users a',
        'userlist L2',
        'userlist L1',
        '  user c insecure-password c',
        ...frontend(),
      ),
    );
    assert.deepEqual(
      model.userlists?.map((u) => [u.name, u.users.map((x) => [x.name, x.password]), u.groups]),
      [
        ['L1', [['a', { kind: 'insecure', text: 'a' }]], ['g']],
        ['L2', [['c', { kind: 'insecure', text: 'c' }]], []],
      ],
    );
    assert.deepEqual(
      warnings(model).filter(([, kw]) => kw === 'user' || kw === 'group' || kw === 'userlist'),
      [
        [3, 'user', "ignoring duplicated user 'a' in userlist 'L1'."],
        [5, 'group', "ignoring duplicated group 'g' in userlist 'L1'."],
        [7, 'userlist', "ignoring duplicated userlist 'L1'."],
      ],
    );
  });

  it('insecure-password sticks, as HAProxy\'s flag: a later password is then compared as text', async () => {
    const model = await parse(cfg('userlist L', `  user u insecure-password a password ${SHA512}`, ...frontend()));
    assert.deepEqual(model.userlists?.[0]?.users[0]?.password, { kind: 'insecure', text: SHA512 });
  });
});

describe('userlist sections: errors at their line', () => {
  it('section header and keywords', async () => {
    assert.deepEqual(
      await errors(
        cfg(
          'userlist',
          'userlist L3 extra',
          'userlist L!4',
          'userlist L',
          '  foo bar',
          '  user',
          '  user u password',
          '  user v pasword x',
          '  group',
          '  group g!',
          '  group h user x',
          ...frontend(),
        ),
      ),
      [
        [1, 1, 'userlist', "'userlist' expects <name> as arguments."],
        [2, 13, 'userlist', "'userlist' cannot handle unexpected argument 'extra'."],
        [3, 10, 'userlist', "character '!' is not permitted in 'userlist' name 'L!4'."],
        [5, 3, 'foo', "unknown keyword 'foo' in 'users' section"],
        [6, 3, 'user', "'user' expects <name> as arguments."],
        [8, 10, 'user', "'user' only supports 'password', 'insecure-password' and 'groups' options."],
        [9, 3, 'group', "'group' expects <name> as arguments."],
        [10, 9, 'group', "character '!' is not permitted in 'group' name 'g!'."],
        [11, 11, 'group', "'group' only supports 'users' option."],
      ],
    );
  });

  it('unknown groups and users (HAProxy\'s userlist_postinit), at the user or group line', async () => {
    assert.deepEqual(
      await errors(cfg('userlist L1', '  group G1 users alice,nobody', '  user alice insecure-password a groups G1,G9', ...frontend())),
      [
        [3, 8, 'user', "userlist 'L1': no such group 'G9' specified in user 'alice'."],
        [2, 9, 'group', "userlist 'L1': no such user 'nobody' specified in group 'G1'."],
      ],
    );
  });

  it('hash formats Switchyard cannot check are refused, strings that are no hash are warned about', async () => {
    const [[line, column, keyword, message]] = (await errors(cfg('userlist L', '  user dave password $2b$10$abcdefghijklmnopqrstuu', ...frontend()))) as [
      [number, number, string, string],
    ];
    assert.deepEqual([line, column, keyword], [2, 22, 'user']);
    assert.match(message, /^the encrypted password used for user 'dave' is not supported by crypt\(3\) here: Switchyard cannot check bcrypt \('\$2b\$'\) hashes; use SHA-512/);
    const des = await errors(cfg('userlist L', '  user hal password abNANd1rDfiNc', ...frontend()));
    assert.match(des[0]?.[3] ?? '', /cannot check DES hashes/);
    const model = await parse(cfg('userlist L', '  user carol password plaintext', '  user erin password', ...frontend()));
    assert.deepEqual(
      warnings(model)
        .filter(([, kw]) => kw === 'user')
        .map(([l, , m]) => [l, m.slice(0, 40)]),
      [
        [2, "the password of user 'carol' is not a cr"],
        [3, "the password of user 'erin' is not a cry"],
      ],
    );
  });
});

describe('userlist references', () => {
  it('a userlist may be declared after its use', async () => {
    const model = await parse(cfg(...frontend('  acl ok http_auth(L)', '  http-request auth unless ok'), 'userlist L', '  user u insecure-password p'));
    assert.equal(model.userlists?.[0]?.name, 'L');
  });

  it('an unknown userlist is an error at the line naming it: ACLs, anonymous ACLs, log-formats', async () => {
    assert.deepEqual(
      await errors(
        cfg(
          'userlist L1',
          ...frontend(
            '  acl a1 http_auth(L2)',
            '  http-request deny if { http_auth(L3) }',
            '  http-request set-header x %[http_auth_group(L4)]',
            '  acl a2 http_auth(L1)',
          ),
        ),
      ),
      [
        [8, 3, 'acl', "unable to find userlist 'L2' referenced in arg 1 of ACL keyword 'http_auth' in proxy 'f'."],
        [9, 3, 'http-request', "unable to find userlist 'L3' referenced in arg 1 of sample fetch keyword 'http_auth' in http-request expression in proxy 'f'."],
        [10, 3, 'http-request', "unable to find userlist 'L4' referenced in arg 1 of sample fetch keyword 'http_auth_group' in http-request expression in proxy 'f'."],
      ],
    );
  });

  it('a missing userlist name or extra argument', async () => {
    const found = await errors(cfg(...frontend('  acl a4 http_auth', '  acl a5 http_auth()', '  acl a6 http_auth(L1,x)')));
    assert.deepEqual(
      found.map(([line, , , message]) => [line, message]),
      [
        [7, "error detected while parsing ACL 'a4' : missing userlist name in arg 1 of sample fetch keyword 'http_auth'."],
        [8, "error detected while parsing ACL 'a5' : missing userlist name in arg 1 of sample fetch keyword 'http_auth'."],
        [9, "error detected while parsing ACL 'a6' : fetch method 'http_auth' takes exactly one argument (a userlist name)."],
      ],
    );
  });

  it("http_auth_group ACLs list groups of the userlist (HAProxy's acl_find_targets)", async () => {
    assert.deepEqual(
      await errors(
        cfg(
          'userlist L1',
          '  group G1',
          ...frontend('  acl a2 http_auth_group(L1) G1 G7', '  acl a3 http_auth_group(L1) -- ', '  http-request deny if { http_auth_group(L1) G8 }'),
        ),
      ),
      [
        [9, 0, 'acl', "proxy f: acl a2 http_auth_group(): invalid group 'G7'."],
        [10, 0, 'acl', 'proxy f: acl a3 http_auth_group(): no groups specified.'],
        [11, 0, 'acl', "proxy f: acl  http_auth_group(): invalid group 'G8'."],
      ],
    );
  });
});

describe('http-request auth', () => {
  it('realm: the one given, else the proxy name', async () => {
    const model = await parse(cfg(...frontend('  http-request auth realm "My Realm" if { path /a }', '  http-request auth')));
    assert.deepEqual(
      model.frontends[0]?.httpRequestRules?.map((r) => (r.action === 'auth' ? r.realm : r.action)),
      ['My Realm', 'f'],
    );
  });

  it("errors: a missing realm, stray words, other rule sets", async () => {
    const found = await errors(
      cfg(...frontend('  http-request auth realm', '  http-request auth realm x y', '  http-request auth foo', '  http-response auth', '  http-after-response auth')),
    );
    assert.deepEqual(
      found.slice(0, 3).map(([line, , keyword, message]) => [line, keyword, message]),
      [
        [7, 'http-request auth', "error detected in frontend 'f' while parsing 'http-request auth' rule : missing realm value."],
        [8, 'http-request auth', "'http-request auth' expects either 'if' or 'unless' followed by a condition but found 'y'."],
        [9, 'http-request auth', "'http-request auth' expects either 'if' or 'unless' followed by a condition but found 'foo'."],
      ],
    );
    // Not a response action: the lists of what these rule sets take grow with each family.
    assert.deepEqual(
      found.slice(3).map(([line, , keyword]) => [line, keyword]),
      [
        [10, 'http-response'],
        [11, 'http-after-response'],
      ],
    );
    for (const [, , , message] of found.slice(3)) assert.match(message, /^'http-(after-)?response' expects ('add-acl', )?'add-header', 'allow', .*, but got 'auth'\.$/);
  });
});
