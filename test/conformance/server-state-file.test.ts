/**
 * Server states across a restart (HAProxy 2.6's server-state file): the operator changes
 * servers at run time (drain, weight, enabling a server the configuration disables, an
 * address), saves `show servers state` to a file, and the next process started with
 * `load-server-state-from-file` resumes from it: the admin states, the weight unless the
 * configured one changed, the address through `init-addr last`, the saved port; a `local` file
 * under `server-state-base`; HAProxy's warning for a missing file. The operational states and
 * the drains it changes are told on stderr while the process starts, after "config : ", and
 * sent to no log; `-c` applies the file too, and tells them as warnings ("Warnings were found."),
 * which `zero-warning` refuses, there and at startup.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/server-state-file.test.js
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePorts } from '../support/ports.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy } from '../support/http-suite.ts';
import { cli, cliReady } from '../support/cli-client.ts';
import { runCli, writeTempConfig, type ProxyProcess } from '../support/proxy-process.ts';
import { udpSyslogReceiver } from '../support/syslog-receiver.ts';

/** `show servers state` lines as field arrays, by server name (header lines dropped). */
function stateLines(dump: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of dump.split('\n')) {
    if (line === '' || line === '1' || line.startsWith('#')) continue;
    const f = line.split(' ');
    out.set(f[3] as string, f);
  }
  return out;
}

/** The stderr lines of one level, without their level and pid: `config : ...`. */
function linesOf(stderr: string, level: 'WARNING' | 'ALERT'): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith(`[${level}]`))
    .map((l) => l.replace(/^\[[A-Z]+\] +\(\d+\) : /, ''));
}

/** The fields compared: srv_addr, op, admin, uweight, iweight, srv_port. */
function summary(fields: string[] | undefined): string {
  if (fields === undefined) return 'absent';
  return [fields[4], fields[5], fields[6], fields[7], fields[8], fields[18]].join(' ');
}

for (const target of TARGETS) {
  describe(`server-state file on ${target}`, () => {
    let dir: string;
    let sock: string;
    let web: number;
    let p1: number;
    let p2: number;
    let p3: number;
    const backends: HttpTestBackend[] = [];
    let proxy: ProxyProcess | undefined;

    function config(s3Weight: number, extraGlobal = ''): string {
      return `
global
    stats socket ${sock} level admin
    server-state-file ${join(dir, 'state')}
${extraGlobal}
${HTTP_DEFAULTS}
    load-server-state-from-file global
listen web
    bind 127.0.0.1:${web}
    balance roundrobin
    server s1 127.0.0.1:${p1}
    server s2 127.0.0.1:${p2} disabled
    server s3 127.0.0.1:${p3} weight ${s3Weight}
backend other
    server s4 localhost:${p3}
`;
    }

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'switchyard-srvstate-'));
      sock = join(dir, 'admin.sock');
      [web, p1, p2, p3] = (await freePorts(4)) as [number, number, number, number];
      backends.push(await appBackend(p1, 'one'), await appBackend(p2, 'two'), await appBackend(p3, 'three'));
    });

    after(async () => {
      destroyAllClients();
      await proxy?.stop();
      await Promise.all(backends.map((b) => b.close()));
      rmSync(dir, { recursive: true, force: true });
    });

    it('a missing state file is a warning, and the servers start as configured', async () => {
      proxy = await startProxy(target, config(10));
      assert.match(proxy.stderr, /\[WARNING\].*config: Can't open global server state file '[^']*state': No such file or directory/);
      const states = stateLines(await cli(sock, 'show servers state\n'));
      assert.equal(summary(states.get('s1')), `127.0.0.1 2 0 1 1 ${p1}`);
      // `disabled` is CMAINT|FMAINT.
      assert.equal(summary(states.get('s2')), `127.0.0.1 0 5 1 1 ${p2}`);
    });

    it('the next process resumes from the states saved at run time', async () => {
      for (const command of ['set server web/s1 state drain', 'enable server web/s2', 'set server web/s3 weight 5', 'set server other/s4 addr 127.0.0.2']) {
        await cli(sock, `${command}\n`);
      }
      const saved = await cli(sock, 'show servers state\n');
      writeFileSync(join(dir, 'state'), saved);
      await proxy?.stop();
      proxy = undefined;

      proxy = await startProxy(target, config(10));
      assert.match(proxy.stderr, /Server web\/s1 remains in forced drain mode\./);
      assert.match(proxy.stderr, /Server web\/s2 is UP\/READY \(leaving forced maintenance\)\./);
      const states = stateLines(await cli(sock, 'show servers state\n'));
      assert.equal(summary(states.get('s1')), `127.0.0.1 2 8 1 1 ${p1}`);
      assert.equal(summary(states.get('s2')), `127.0.0.1 2 4 1 1 ${p2}`);
      assert.equal(summary(states.get('s3')), `127.0.0.1 2 0 5 10 ${p3}`);
      // init-addr's default `last,libc`: the address the operator set, not what localhost resolves to.
      assert.equal(summary(states.get('s4')), `127.0.0.2 2 0 1 1 ${p3}`);

      // The drained s1 takes no new traffic; the enabled s2 takes its share beside s3.
      const seen = new Map<string, number>();
      for (let i = 0; i < 12; i++) {
        const conn = await HttpConnection.open(web);
        try {
          const res = await conn.request('GET', '/');
          assert.equal(res.status, 200);
          const name = res.header('x-backend') ?? '?';
          seen.set(name, (seen.get(name) ?? 0) + 1);
        } finally {
          conn.destroy();
        }
      }
      assert.deepEqual([...seen.keys()].sort(), ['three', 'two']);
      await proxy.stop();
      proxy = undefined;
    });

    it('a configured weight that changed wins over the saved one', async () => {
      writeFileSync(join(dir, 'state'), `1\n3 web 3 s3 127.0.0.1 2 0 5 10 0 1 0 2 0 0 0 0 - ${p3} - 0 0 - - 0\n`);
      proxy = await startProxy(target, config(20));
      let states = stateLines(await cli(sock, 'show servers state\n'));
      assert.equal(summary(states.get('s3')), `127.0.0.1 2 0 20 20 ${p3}`);
      await proxy.stop();
      proxy = undefined;
      proxy = await startProxy(target, config(10));
      states = stateLines(await cli(sock, 'show servers state\n'));
      assert.equal(summary(states.get('s3')), `127.0.0.1 2 0 5 10 ${p3}`);
      await proxy.stop();
      proxy = undefined;
    });

    it('a server saved stopping (op state 3, NOLB) resumes stopping: no new traffic', async () => {
      writeFileSync(join(dir, 'state'), `1\n3 web 1 s1 127.0.0.1 3 0 1 1 0 1 0 2 0 0 0 0 - ${p1} - 0 0 - - 0\n`);
      proxy = await startProxy(target, config(10));
      try {
        const states = stateLines(await cli(sock, 'show servers state\n'));
        assert.equal(summary(states.get('s1')), `127.0.0.1 3 0 1 1 ${p1}`);
        const row = (await cli(sock, 'show stat\n')).split('\n').find((l) => l.startsWith('web,s1,'));
        assert.equal(row?.split(',')[17], 'NOLB');
      } finally {
        // Stopped even when an assertion fails: the next test starts its own process.
        await proxy.stop();
        proxy = undefined;
      }
    });

    it('a local file under server-state-base, a corrupted file ignored with its line', async () => {
      const base = join(dir, 'states');
      rmSync(base, { recursive: true, force: true });
      const { mkdirSync } = await import('node:fs');
      mkdirSync(base);
      const [port] = (await freePorts(1)) as [number];
      writeFileSync(
        join(base, 'web2'),
        `1\n# be_id be_name srv_id srv_name ...\n3 web2 1 a 127.0.0.1 2 1 1 1 0 1 0 2 0 0 0 0 - ${p1} - 0 0 - - 0\n3 web2 9 gone 127.0.0.1 2 0 1 1 0 1 0 2 0 0 0 0 - ${p1} - 0 0 - - 0\n`,
      );
      writeFileSync(join(base, 'bad'), `1\n3 web3 1 b 127.0.0.1 2 1 1 1 0 1 0 2 0 0 0 0 - ${p1} - 0 0 - - 0`);
      proxy = await startProxy(
        target,
        `
global
    stats socket ${sock} level admin
    server-state-base ${base}
${HTTP_DEFAULTS}
listen web2
    bind 127.0.0.1:${port}
    load-server-state-from-file local
    server a 127.0.0.1:${p1}
backend web3
    load-server-state-from-file local
    server-state-file-name bad
    server b 127.0.0.1:${p1}
`,
      );
      assert.match(proxy.stderr, /Proxy 'web2': can't find server 'gone' in backend 'web2'/);
      assert.match(proxy.stderr, /Proxy 'web3': corrupted server state file '[^']*states\/bad' at line 1\./);
      const states = stateLines(await cli(sock, 'show servers state\n'));
      assert.equal(summary(states.get('a')), `127.0.0.1 0 1 1 1 ${p1}`);
      assert.equal(summary(states.get('b')), `127.0.0.1 2 0 1 1 ${p1}`);
      await proxy.stop();
      proxy = undefined;
    });

    it('srv_use_ssl turns TLS off (or on) for a server with an SSL context, as srv_set_ssl', async () => {
      const base = join(dir, 'ssl-states');
      rmSync(base, { recursive: true, force: true });
      const { mkdirSync } = await import('node:fs');
      mkdirSync(base);
      const [port] = (await freePorts(1)) as [number];
      // t: `ssl` saved as off; u: no SSL context, so a saved 1 changes nothing.
      writeFileSync(
        join(base, 'tls'),
        `1\n3 tls 1 t 127.0.0.1 2 0 1 1 0 1 0 2 0 0 0 0 - ${p1} - 0 0 - - 0\n3 tls 2 u 127.0.0.1 2 0 1 1 0 1 0 2 0 0 0 0 - ${p1} - 1 0 - - 0\n`,
      );
      proxy = await startProxy(
        target,
        `
global
    stats socket ${sock} level admin
    server-state-base ${base}
${HTTP_DEFAULTS}
listen tls
    bind 127.0.0.1:${port}
    load-server-state-from-file local
    server t 127.0.0.1:${p1} ssl verify none
    server u 127.0.0.1:${p1} disabled
`,
      );
      const states = stateLines(await cli(sock, 'show servers state\n'));
      assert.equal(states.get('t')?.[20], '0');
      assert.equal(states.get('u')?.[20], '0');
      // The plain HTTP server answers: the connection is no longer TLS.
      const conn = await HttpConnection.open(port);
      try {
        const res = await conn.request('GET', '/');
        assert.equal(res.status, 200);
        assert.equal(res.header('x-backend'), 'one');
      } finally {
        conn.destroy();
      }
      await proxy.stop();
      proxy = undefined;
    });

    it('the operational states it changes are told on stderr as HAProxy starts, and not logged', async () => {
      const syslog = await udpSyslogReceiver();
      const [port] = (await freePorts(1)) as [number];
      // a saved DOWN, b saved stopping (NOLB), c saved drained, d saved up as configured; e a backup.
      writeFileSync(
        join(dir, 'ops'),
        [
          '1',
          `3 ops 1 a 127.0.0.1 0 0 1 1 100 1 0 0 0 0 0 0 - ${p1} - 0 0 - - 0`,
          `3 ops 2 b 127.0.0.1 3 0 1 1 100 1 0 2 0 0 0 0 - ${p1} - 0 0 - - 0`,
          `3 ops 3 c 127.0.0.1 2 8 1 1 100 1 0 2 0 0 0 0 - ${p1} - 0 0 - - 0`,
          `3 ops 4 d 127.0.0.1 2 0 1 1 100 1 0 2 0 0 0 0 - ${p1} - 0 0 - - 0`,
          `3 ops 5 e 127.0.0.1 0 0 1 1 100 1 0 0 0 0 0 0 - ${p1} - 0 0 - - 0`,
          '',
        ].join('\n'),
      );
      try {
        proxy = await startProxy(
          target,
          `
global
    stats socket ${sock} level admin
    server-state-file ${join(dir, 'ops')}
    log 127.0.0.1:${syslog.port} local0
${HTTP_DEFAULTS}
    log global
listen ops
    bind 127.0.0.1:${port}
    load-server-state-from-file global
    server a 127.0.0.1:${p1}
    server b 127.0.0.1:${p1}
    server c 127.0.0.1:${p1}
    server d 127.0.0.1:${p1}
    server e 127.0.0.1:${p1} backup
`,
        );
        await cliReady(sock);
        assert.deepEqual(linesOf(proxy.stderr, 'WARNING'), [
          'config : Server ops/a is DOWN, changed from server-state after a reload. 3 active and 1 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
          'config : Server ops/b is stopping, changed from server-state after a reload. 2 active and 1 backup servers online. 0 sessions requeued, 0 total in queue.',
          'config : Server ops/c remains in forced drain mode.',
          'config : Backup Server ops/e is DOWN, changed from server-state after a reload. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
        ]);
        // The log hears a change made at run time, and none of those.
        await cli(sock, 'set server ops/a health up\n');
        const deadline = performance.now() + 5000;
        while (syslog.lines.length === 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        assert.deepEqual(
          syslog.lines.map((l) => l.replace(/^<(\d+)>.*?\]: /, '<$1> ').trimEnd()),
          ['<133> Server ops/a is UP, changed from CLI. 2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.'],
        );
      } finally {
        await proxy?.stop();
        proxy = undefined;
        syslog.socket.close();
      }
    });

    it('-c applies the file too: its changes are warnings, which zero-warning refuses (also at startup)', async () => {
      const [port] = (await freePorts(1)) as [number];
      writeFileSync(join(dir, 'check'), `1\n3 chk 1 a 127.0.0.1 0 0 1 1 100 1 0 0 0 0 0 0 - ${p1} - 0 0 - - 0\n`);
      const text = (zero: string) => `
global
    server-state-file ${join(dir, 'check')}
${zero}
${HTTP_DEFAULTS}
listen chk
    bind 127.0.0.1:${port}
    load-server-state-from-file global
    server a 127.0.0.1:${p1}
    server b 127.0.0.1:${p1}
`;
      const down = 'config : Server chk/a is DOWN, changed from server-state after a reload. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.';
      const plain = writeTempConfig(text(''));
      const strict = writeTempConfig(text('    zero-warning'));
      try {
        const checked = await runCli(target, ['-c', '-f', plain.path]);
        assert.equal(checked.code, 0, checked.stderr);
        assert.equal(checked.stdout, 'Warnings were found.\nConfiguration file is valid\n');
        assert.deepEqual(linesOf(checked.stderr, 'WARNING'), [down]);
        for (const args of [['-c', '-f', strict.path], ['-db', '-f', strict.path]]) {
          const refused = await runCli(target, args);
          assert.equal(refused.code, 1, `${args.join(' ')}\n${refused.stderr}`);
          assert.deepEqual(linesOf(refused.stderr, 'WARNING'), [down]);
          assert.deepEqual(linesOf(refused.stderr, 'ALERT'), ["config : Some warnings were found and 'zero-warning' is set. Aborting."]);
        }
      } finally {
        plain.cleanup();
        strict.cleanup();
      }
    });

    it('a server init-addr leaves without address takes its saved state first, as a running one', async () => {
      const [port] = (await freePorts(1)) as [number];
      writeFileSync(join(dir, 'unaddressed'), `1\n3 una 1 a - 0 40 1 1 100 1 0 0 0 0 0 0 localhost ${p1} - 0 0 - - 0\n`);
      const cfg = writeTempConfig(`
global
    server-state-file ${join(dir, 'unaddressed')}
${HTTP_DEFAULTS}
listen una
    bind 127.0.0.1:${port}
    load-server-state-from-file global
    server a localhost:${p1} init-addr none
    server b 127.0.0.1:${p1}
`);
      try {
        const checked = await runCli(target, ['-c', '-f', cfg.path]);
        assert.equal(checked.code, 0, checked.stderr);
        assert.deepEqual(linesOf(checked.stderr, 'WARNING'), [
          'config : Server una/a is DOWN, changed from server-state after a reload. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
          'config : Server una/a remains in forced drain mode.',
        ]);
      } finally {
        cfg.cleanup();
      }
    });
  });
}
