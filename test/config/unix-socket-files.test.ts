import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineConfig } from '../../src/config/define-config.ts';
import { ConfigError } from '../../src/config/errors.ts';
import type { ConfigModel } from '../../src/config/model.ts';
import { AccountFiles } from '../../src/proxy/process-identity.ts';
import { resolveSocketOwners, socketFileOptions } from '../../src/proxy/socket-owners.ts';
import { cfg, errors, parse, TIMEOUTS, warnings } from './support.ts';
import { socketPathText } from '../../src/config/address.ts';

const PASSWD = 'root:x:0:0:root:/root:/bin/bash\nhaproxy:x:101:107::/var/lib/haproxy:/usr/sbin/nologin\n';
const GROUP = 'root:x:0:\nhaproxy:x:107:\nadm:x:4:\n';

function accounts(): { files: AccountFiles; reads: string[] } {
  const reads: string[] = [];
  const files = new AccountFiles((path) => {
    reads.push(path);
    return Promise.resolve(path === '/etc/passwd' ? PASSWD : path === '/etc/group' ? GROUP : '');
  });
  return { files, reads };
}

const frontend = (...binds: string[]): string[] => ['defaults', '  mode http', ...TIMEOUTS, 'frontend fe', ...binds, '  http-request return status 200'];

describe('UNIX socket files: bind mode/user/group/uid/gid and unix-bind', () => {
  it('keeps mode and owner on a UNIX bind; the line wins over unix-bind, whose prefix goes before the path as written', async () => {
    const model = await parse(
      cfg('global', '  unix-bind prefix /run/hap mode 660 group haproxy', ...frontend('  bind /a.sock', '  bind unix@/b.sock mode 600 uid 101 gid 4', '  bind 127.0.0.1:8080')),
    );
    const [a, b, tcp] = model.frontends[0]?.binds ?? [];
    assert.equal(a?.host, '/run/hap/a.sock');
    assert.equal(a?.mode, 0o660);
    assert.deepEqual(a?.owner, { group: { name: 'haproxy', source: { file: 't.cfg', line: 2 }, unknown: "'unix-bind' : 'haproxy' unknown group." } });
    assert.equal(b?.host, '/run/hap/b.sock');
    assert.equal(b?.mode, 0o600);
    assert.deepEqual(b?.owner, { uid: 101, gid: 4 });
    // unix-bind's defaults are a UNIX socket's only, silently, as in HAProxy.
    assert.equal(tcp?.mode, undefined);
    assert.equal(tcp?.owner, undefined);
    assert.deepEqual(warnings(model), []);
  });

  it('warns when a TCP bind is given a socket file option, since nothing can apply it', async () => {
    const model = await parse(cfg(...frontend('  bind 127.0.0.1:8080 mode 600 user haproxy')));
    assert.deepEqual(
      warnings(model).map((w) => w[2]),
      [
        "'bind 127.0.0.1:8080' : 'mode' only applies to UNIX sockets; ignored on this address.",
        "'bind 127.0.0.1:8080' : 'user' only applies to UNIX sockets; ignored on this address.",
      ],
    );
    assert.equal(model.frontends[0]?.binds[0]?.owner, undefined);
  });

  it('refuses bad values with HAProxy\'s words, and numeric ids that atol() would turn into root', async () => {
    assert.deepEqual(await errors(cfg(...frontend('  bind /a.sock mode 0999'))), [
      [7, 21, 'bind', "'bind /a.sock' : 'mode' : missing or invalid mode '0999' (octal integer expected)"],
    ]);
    assert.deepEqual(await errors(cfg(...frontend('  bind /a.sock uid haproxy'))), [
      [7, 20, 'bind', "'bind /a.sock' : 'uid' : 'haproxy' is not a numeric uid (use 'user' for a name)"],
    ]);
    assert.deepEqual(await errors(cfg('global', '  unix-bind prefix /x owner me', ...frontend('  bind /a.sock'))), [
      [2, 23, 'unix-bind', "'unix-bind' only supports the 'prefix', 'mode', 'uid', 'gid', 'user' and 'group' options."],
    ]);
    // A missing value, in the words of each of HAProxy's bind keyword parsers (checked with haproxy -c).
    assert.deepEqual((await errors(cfg('global', '  stats socket /s.sock user', ...frontend('  bind /a.sock')))).map((e) => e[3]), [
      "'stats socket' : ''user' : missing user name'",
    ]);
    assert.deepEqual((await errors(cfg('global', '  stats socket /s.sock mode', ...frontend('  bind /a.sock')))).map((e) => e[3]), [
      "'stats socket' : ''mode' : missing or invalid mode '' (octal integer expected)'",
    ]);
    assert.deepEqual(await errors(cfg('global', '  stats socket /s.sock mode 8', ...frontend('  bind /a.sock'))), [
      [2, 29, 'stats', "'stats socket' : ''mode' : missing or invalid mode '8' (octal integer expected)'"],
    ]);
  });

  it('looks names up once per file at startup, ids given by number or name alike', async () => {
    const model = await parse(
      cfg(
        'global',
        '  stats socket /s.sock user haproxy group adm',
        '  unix-bind user haproxy',
        ...frontend('  bind /a.sock', '  bind /b.sock user root gid 9'),
      ),
    );
    const { files, reads } = accounts();
    const resolved = await resolveSocketOwners(model, files);
    assert.ok(!Array.isArray(resolved), String(resolved));
    assert.deepEqual(resolved.global.stats?.sockets[0]?.owner, { uid: 101, gid: 4 });
    assert.deepEqual(resolved.frontends[0]?.binds.map((b) => b.owner), [{ uid: 101 }, { uid: 0, gid: 9 }]);
    assert.deepEqual(reads.sort(), ['/etc/group', '/etc/passwd']);
    assert.deepEqual(socketFileOptions(resolved.frontends[0]?.binds[1]?.mode, resolved.frontends[0]?.binds[1]?.owner), { uid: 0, gid: 9 });
  });

  it('alerts for every unknown name in the order of the lines, unix-bind included when no bind uses it', async () => {
    const model = await parse(
      cfg(
        'global',
        '  stats socket /s.sock user nobodyx',
        '  unix-bind user nobodyy',
        ...frontend('  bind /a.sock user haproxy group nogroupz'),
      ),
    );
    assert.deepEqual(await resolveSocketOwners(model, accounts().files), [
      "parsing [t.cfg:2] : 'stats socket' : ''user' : unknown user name 'nobodyx''",
      "parsing [t.cfg:3] : 'unix-bind' : 'nobodyy' unknown user.",
      "parsing [t.cfg:10] : 'bind /a.sock' : 'group' : unknown group name 'nogroupz'",
    ]);
  });

  it('never listens with a name left unresolved: the socket would keep the wrong owner', async () => {
    const model: ConfigModel = await parse(cfg(...frontend('  bind /a.sock user haproxy')));
    const bind = model.frontends[0]?.binds[0];
    assert.throws(() => socketFileOptions(bind?.mode, bind?.owner), /socket owner 'haproxy' was not looked up/);
  });

  it('defineConfig: UNIX binds with mode and owner; refused on TCP binds', () => {
    const model = defineConfig({
      frontends: { fe: { bind: [{ address: '/run/a.sock', mode: 0o660, user: 'haproxy', gid: 4 }], defaultBackend: 'be' } },
      backends: { be: { servers: { s: '127.0.0.1:9000' } } },
    });
    const bind = model.frontends[0]?.binds[0];
    assert.equal(bind?.unix, true);
    assert.equal(bind?.mode, 0o660);
    assert.equal(bind?.owner?.gid, 4);
    assert.equal(bind?.owner?.user?.name, 'haproxy');
    assert.throws(
      () => defineConfig({ frontends: { fe: { bind: [{ address: '127.0.0.1:80', mode: 0o600 }], defaultBackend: 'be' } }, backends: { be: { servers: { s: '127.0.0.1:9000' } } } }),
      (err: unknown) => err instanceof ConfigError && /mode only apply to a UNIX socket address/.test(err.message),
    );
  });
});

describe('inherited listening sockets (bind fd@N)', () => {
  it('keeps the descriptor, every other bind option as usual; refuses what is no number with HAProxy\u2019s words', async () => {
    const model = await parse(cfg(...frontend('  bind fd@8 accept-proxy name inherited', '  bind fd@9')));
    const binds = model.frontends[0]?.binds ?? [];
    assert.deepEqual(binds.map((b) => [b.fd, b.host, b.port, b.acceptProxy === true, b.name]), [
      [8, '', 0, true, 'inherited'],
      [9, '', 0, false, undefined],
    ]);
    assert.deepEqual(await errors(cfg(...frontend('  bind fd@x', '  bind fd@'))), [
      [7, 8, 'bind', "'bind' : file descriptor 'x' is not a valid integer in 'fd@x'."],
      [8, 8, 'bind', "'bind' : file descriptor '' is not a valid integer in 'fd@'."],
    ]);
  });
});

describe('abstract UNIX sockets (abns@)', () => {
  const padded = (name: string): string => `\0${name}`.padEnd(108, '\0');

  it('bind and server take the name padded to the whole sun_path, as HAProxy binds and dials it; no unix-bind prefix', async () => {
    const model = await parse(
      cfg('global', '  unix-bind prefix /run/hap', ...frontend('  bind abns@front', '  bind abns@'), 'backend be', '  mode http', '  server s1 abns@inner send-proxy-v2'),
    );
    const [front, empty] = model.frontends[0]?.binds ?? [];
    assert.equal(front?.host, padded('front'));
    assert.equal(front?.unix, true);
    assert.equal(front?.mode, undefined);
    assert.equal(empty?.host, padded(''));
    const server = model.backends.find((b) => b.name === 'be')?.servers[0];
    assert.equal(server?.host, padded('inner'));
    assert.equal(server?.unix, true);
    assert.equal(socketPathText(front?.host ?? ''), 'abns@front');
    assert.equal(socketPathText('/run/a.sock'), '/run/a.sock');
  });

  it('refuses a name longer than sun_path holds, with HAProxy\'s words', async () => {
    const name = 'a'.repeat(108);
    assert.deepEqual(await errors(cfg(...frontend(`  bind abns@${name}`))), [[7, 8, 'bind', `'bind' : socket path 'abns@${name}' too long (max 107).`]]);
    assert.deepEqual((await parse(cfg(...frontend(`  bind abns@${name.slice(1)}`)))).frontends[0]?.binds[0]?.host, padded(name.slice(1)));
  });

  it('warns that socket file options do nothing on an abstract socket', async () => {
    const model = await parse(cfg(...frontend('  bind abns@x mode 600 user haproxy')));
    assert.deepEqual(
      warnings(model).map((w) => w[2]),
      ["'bind abns@x' : 'mode' has no effect on an abstract socket (no file); ignored.", "'bind abns@x' : 'user' has no effect on an abstract socket (no file); ignored."],
    );
    assert.equal(model.frontends[0]?.binds[0]?.owner, undefined);
  });
});
