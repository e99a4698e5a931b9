/**
 * Server-state files (src/proxy/server-state-file.ts and the keywords of
 * src/config/keywords/server-state.ts): which file each backend reads, the validation of the
 * lines and HAProxy 2.6's messages (checked against the binary with the same files).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadServerStates, validateServerState } from '../../src/proxy/server-state-file.ts';
import { decideInitAddr } from '../../src/proxy/init-addr.ts';
import { cfg, errors, parse, TIMEOUTS, warnings } from '../config/support.ts';

const LINE = (be: string, srv: string, rest = '127.0.0.1 2 0 1 1 5 6 3 4 6 0 0 0 - 80 - 0 0 - - 0') => `2 ${be} 1 ${srv} ${rest}\n`;

function files(map: Record<string, string>) {
  const read: string[] = [];
  return {
    read,
    readText: async (path: string) => {
      read.push(path);
      const text = map[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return text;
    },
  };
}

describe('server-state keywords', () => {
  it('resolves the files: global, local under server-state-base, use-backend-name, none', async () => {
    const model = await parse(
      cfg(
        'global',
        '  server-state-base /var/lib/haproxy/',
        '  server-state-file state',
        'defaults',
        '  mode http',
        ...TIMEOUTS,
        '  load-server-state-from-file global',
        'backend a',
        '  server s 127.0.0.1:80',
        'backend b',
        '  load-server-state-from-file local',
        '  server s 127.0.0.1:80',
        'backend c',
        '  load-server-state-from-file local',
        '  server-state-file-name /abs/c.state',
        '  server s 127.0.0.1:80',
        'backend d',
        '  load-server-state-from-file none',
        '  server s 127.0.0.1:80',
      ),
    );
    assert.equal(model.global.serverStateFile, '/var/lib/haproxy/state');
    assert.deepEqual(
      model.backends.map((b) => [b.name, b.loadServerState]),
      [
        ['a', { from: 'global', path: '/var/lib/haproxy/state' }],
        ['b', { from: 'local', path: '/var/lib/haproxy/b' }],
        ['c', { from: 'local', path: '/abs/c.state' }],
        ['d', undefined],
      ],
    );
  });

  it("warns when 'global' has no server-state-file, refuses an unknown mode", async () => {
    const model = await parse(cfg('defaults', '  mode http', ...TIMEOUTS, 'backend a', '  load-server-state-from-file global', '  server s 127.0.0.1:80'));
    assert.equal(model.backends[0]?.loadServerState, undefined);
    assert.deepEqual(warnings(model), [
      [6, 'load-server-state-from-file', "backend 'a' configured to load server state file from global section 'server-state-file' directive. Unfortunately, 'server-state-file' is not set!"],
    ]);
    assert.deepEqual(await errors(cfg('backend a', '  load-server-state-from-file yes')), [
      [2, 31, 'load-server-state-from-file', "'load-server-state-from-file' expects 'global', 'local' or 'none'. Got 'yes'"],
    ]);
    assert.deepEqual(await errors(cfg('global', '  server-state-file')), [[2, 3, 'server-state-file', "'server-state-file' expect one argument: a file path."]]);
  });
});

describe('server-state file contents', () => {
  it('validates each field as srv_state_srv_update, naming every bad one', () => {
    assert.equal(
      validateServerState('127.0.0.1 7 64 300 1 x 99 0 2 0 0 2 0 - 80 - 0 0 - - 0'.split(' ')),
      ", invalid srv_op_state value '7', invalid srv_uweight value '300', invalid srv_last_time_change value 'x', invalid srv_check_status value '99', invalid bk_f_forced_id value '2'",
    );
    const ok = validateServerState('10.0.0.1 2 72 5 10 3 6 3 4 6 0 0 0 www.example.com 8080 - 0 0 - - 0'.split(' '));
    assert.ok(typeof ok !== 'string');
    // HMAINT (0x40) is dropped from the admin state and kept as "FQDN set from the CLI".
    assert.deepEqual([ok.address, ok.opState, ok.adminState, ok.fqdnSetByCli, ok.userWeight, ok.initialWeight, ok.fqdn, ok.port], ['10.0.0.1', 2, 8, true, 5, 10, 'www.example.com', 8080]);
  });

  it('reads the global file once, keyed by backend and server name; the first duplicate wins', async () => {
    const model = await parse(
      cfg('global', '  server-state-file /s', 'defaults', '  mode http', ...TIMEOUTS, '  load-server-state-from-file global', 'backend a', '  server s1 127.0.0.1:80', '  server s2 127.0.0.1:80', 'backend b', '  server s1 127.0.0.1:80'),
    );
    const f = files({ '/s': `1\n# comment\n\n${LINE('a', 's1', '10.0.0.1 2 8 1 1 0 6 3 4 6 0 0 0 - 80 - 0 0 - - 0')}${LINE('a', 's1', '10.0.0.9 2 0 1 1 0 6 3 4 6 0 0 0 - 80 - 0 0 - - 0')}${LINE('b', 's1')}${LINE('zz', 's1')}` });
    const states = await loadServerStates(model, f.readText);
    assert.deepEqual(f.read, ['/s']);
    assert.deepEqual(states.warnings, []);
    assert.equal(states.byBackend.get('a')?.get('s1')?.address, '10.0.0.1');
    assert.equal(states.byBackend.get('a')?.get('s2'), undefined);
    assert.equal(states.byBackend.get('b')?.get('s1')?.opState, 2);
  });

  it("reports HAProxy's warnings: missing file, no version, corrupted line, bad values", async () => {
    const model = await parse(cfg('global', '  server-state-file /s', 'defaults', '  mode http', ...TIMEOUTS, '  load-server-state-from-file global', 'backend a', '  server s1 127.0.0.1:80'));
    assert.deepEqual((await loadServerStates(model, files({}).readText)).warnings, ["config: Can't open global server state file '/s': No such file or directory"]);
    assert.deepEqual((await loadServerStates(model, files({ '/s': '2\n' }).readText)).warnings, ["config: Can't get version of the global server state file '/s'."]);
    // A last line without its LF spoils the whole file, counted from the line after the version.
    const truncated = `1\n${LINE('a', 's1')}${LINE('a', 's1').slice(0, -1)}`;
    const t = await loadServerStates(model, files({ '/s': truncated }).readText);
    assert.deepEqual(t.warnings, ["config: corrupted global server state file '/s' at line 2."]);
    assert.equal(t.byBackend.get('a')?.size, 0);
    const short = await loadServerStates(model, files({ '/s': '1\n2 a 1 s1 127.0.0.1 2 0\n' }).readText);
    assert.deepEqual(short.warnings, ["config: corrupted global server state file '/s' at line 1."]);
    const bad = await loadServerStates(model, files({ '/s': `1\n${LINE('a', 's1', '127.0.0.1 2 13 1 1 0 6 3 4 6 0 0 0 - 80 - 0 0 - - 0')}` }).readText);
    assert.deepEqual(bad.warnings, ["server-state application failed for server 'a/s1', invalid srv_admin_state value '13'"]);
  });

  it('checks a local file against the backend id and name, and names the servers it lacks', async () => {
    const model = await parse(cfg('defaults', '  mode http', ...TIMEOUTS, 'backend a', '  load-server-state-from-file local', '  server s1 127.0.0.1:80'));
    const text = `1\n1 a 1 s1 127.0.0.1 0 0 1 1 0 6 3 4 6 0 0 0 - 80 - 0 0 - - 0\n1 a 2 old 127.0.0.1 2 0 1 1 0 6 3 4 6 0 0 0 - 80 - 0 0 - - 0\n9 other 1 x 127.0.0.1 2 0 1 1 0 6 3 4 6 0 0 0 - 80 - 0 0 - - 0\n5 a 3 y 127.0.0.1 2 0 1 1 0 6 3 4 6 0 0 0 - 80 - 0 0 - - 0\n`;
    const states = await loadServerStates(model, files({ a: text }).readText);
    assert.deepEqual(states.warnings, [
      "Proxy 'a': backend ID mismatch: from server state file: '5', from running config '1'",
      "Proxy 'a': can't find server 'old' in backend 'a'",
      "Proxy 'a': can't find server 'y' in backend 'a'",
    ]);
    assert.equal(states.byBackend.get('a')?.get('s1')?.opState, 0);
  });

  it('gives init-addr last the saved IP address, skipping anything else', () => {
    assert.deepEqual(decideInitAddr('db', ['last', 'libc'], undefined, ['10.0.0.5'], '10.0.0.9'), { address: '10.0.0.9', message: undefined });
    assert.deepEqual(decideInitAddr('db', ['last', 'libc'], undefined, ['10.0.0.5'], 'not-an-ip'), { address: '10.0.0.5', message: undefined });
  });
});
