import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cfg, errors, parse, TIMEOUTS, warnings } from './support.ts';

const proxy = ['defaults', ...TIMEOUTS, 'listen l', '  bind 127.0.0.1:8080', '  server s 127.0.0.1:9000'];

describe('stats socket|timeout|maxconn (global)', () => {
  it("reads VTest's two forms and HAProxy's options, with HAProxy's defaults", async () => {
    const model = await parse(
      cfg(
        'global',
        '  stats socket "/tmp/x/stats.sock" level admin mode 600',
        '  stats socket "127.0.0.1:9999" level admin',
        '  stats socket ipv4@127.0.0.1:9998 severity-output string expose-fd listeners',
        '  stats socket unix@/run/h.sock',
        ...proxy,
      ),
    );
    const stats = model.global.stats;
    assert.ok(stats);
    assert.equal(stats.timeout, 10_000);
    assert.equal(stats.maxconn, 10);
    assert.deepEqual(
      stats.sockets.map((s) => [s.address, s.level, s.mode, s.severityOutput, s.exposeFdListeners, s.source.line]),
      [
        [{ kind: 'unix', path: '/tmp/x/stats.sock' }, 'admin', 0o600, 'none', false, 2],
        [{ kind: 'tcp', host: '127.0.0.1', port: 9999 }, 'admin', undefined, 'none', false, 3],
        [{ kind: 'tcp', host: '127.0.0.1', port: 9998 }, 'operator', undefined, 'string', true, 4],
        [{ kind: 'unix', path: '/run/h.sock' }, 'operator', undefined, 'none', false, 5],
      ],
    );
    assert.equal((await parse(cfg(...proxy))).global.stats, undefined);
  });

  it('abns@NAME: the abstract namespace, the name NUL-padded to the whole sun_path as HAProxy binds it', async () => {
    const model = await parse(cfg('global', '  stats socket abns@cli level admin', ...proxy));
    const path = `\0cli`.padEnd(108, '\0');
    assert.deepEqual(model.global.stats?.sockets.map((s) => [s.address, s.level]), [[{ kind: 'unix', path }, 'admin']]);
    const long = 'n'.repeat(108);
    assert.deepEqual(await errors(cfg('global', `  stats socket abns@${long}`, ...proxy)), [
      [2, 16, 'stats', `'stats socket' : socket path 'abns@${long}' too long (max 107).`],
    ]);
  });

  it('fd@N: a listening socket inherited as descriptor N (VTest\u2019s `stats socket "fd@${cli}"`)', async () => {
    const model = await parse(cfg('global', '  stats socket fd@7 level admin', ...proxy));
    assert.deepEqual(model.global.stats?.sockets.map((s) => [s.address, s.level]), [[{ kind: 'fd', fd: 7 }, 'admin']]);
  });

  it('stats timeout and maxconn', async () => {
    const model = await parse(cfg('global', '  stats timeout 2m', '  stats maxconn 3', '  stats socket /tmp/a.sock', ...proxy));
    assert.equal(model.global.stats?.timeout, 120_000);
    assert.equal(model.global.stats?.maxconn, 3);
  });

  it('reads the socket file\'s owner: names kept for the startup lookup, ids as written', async () => {
    const model = await parse(cfg('global', '  stats socket /tmp/a.sock mode 660 user haproxy group haproxy', '  stats socket /tmp/b.sock uid 12 gid 34', ...proxy));
    assert.deepEqual(warnings(model), []);
    const [a, b] = model.global.stats?.sockets ?? [];
    assert.equal(a?.mode, 0o660);
    assert.deepEqual(a?.owner, {
      user: { name: 'haproxy', source: { file: 't.cfg', line: 2 }, unknown: "'stats socket' : ''user' : unknown user name 'haproxy''" },
      group: { name: 'haproxy', source: { file: 't.cfg', line: 2 }, unknown: "'stats socket' : ''group' : unknown group name 'haproxy''" },
    });
    assert.deepEqual(b?.owner, { uid: 12, gid: 34 });
  });

  it('refuses what it cannot honour, at the word, with HAProxy\'s messages where HAProxy has one', async () => {
    assert.deepEqual(await errors(cfg('global', '  stats socket', ...proxy)), [
      [2, 3, 'stats', "'stats socket' in global section expects an address or a path to a UNIX socket"],
    ]);
    assert.deepEqual(await errors(cfg('global', '  stats socket /a level root', ...proxy)), [
      [2, 25, 'stats', "'stats socket' : ''level' only supports 'user', 'operator', and 'admin' (got 'root')'"],
    ]);
    assert.deepEqual(await errors(cfg('global', '  stats socket fd@y level admin', ...proxy)), [
      [2, 16, 'stats', "parsing [t.cfg:2] : 'stats socket' : file descriptor 'y' is not a valid integer in 'fd@y'"],
    ]);
    assert.deepEqual(await errors(cfg('global', '  stats socket /a ssl crt x.pem', ...proxy)), [
      [
        2,
        19,
        'stats',
        "'stats socket' : 'ssl' is not supported on Switchyard's stats sockets (supported: level, mode, severity-output, expose-fd, user, group, uid, gid, thread, nice).",
      ],
    ]);
    assert.deepEqual(await errors(cfg('global', '  stats foo 1', ...proxy)), [
      [2, 9, 'stats', "'stats' only supports 'socket', 'maxconn', 'bind-process' and 'timeout' (got 'foo')"],
    ]);
    assert.deepEqual(await errors(cfg('global', '  stats maxconn 0', ...proxy)), [[2, 17, 'stats', "'stats maxconn' expects a positive value"]]);
  });
});
