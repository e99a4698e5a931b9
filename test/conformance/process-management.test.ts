/**
 * The global process-management keywords as their command-line counterparts: `daemon` with
 * `pidfile` (the command returns once the pid file names the daemon, as with -D -p), `user` and
 * `group` (the serving process gives up root once its listeners are bound, as HAProxy's
 * set_identity), an unknown user refused with HAProxy's alert, and `chroot` (refused on a Node
 * without node:ffi).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/process-management.test.js
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { cli } from '../support/cli-client.ts';
import { proxyCommand, repoRoot } from '../support/runtimes.ts';
import { processAlive } from '../support/proxy-process.ts';
import { unixDatagramReceiver } from '../support/unix-datagram-receiver.ts';


/** The real and effective uid and gid of a process (/proc/PID/status). */
function idsOf(pid: number): { uid: string; gid: string } {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  return { uid: /^Uid:\s+(.*)$/m.exec(status)?.[1] ?? '', gid: /^Gid:\s+(.*)$/m.exec(status)?.[1] ?? '' };
}

/** Runs the proxy (without HAProxy's -db, which would cancel `daemon`) until it exits. */
async function run(target: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  const { command, args: full } = proxyCommand(target as never, args);
  const child = spawn(command, full.filter((a) => a !== '-db'), { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  return { code, stderr };
}

async function get(port: number): Promise<string> {
  let text = '';
  await eventually(() => {
    void HttpConnection.open(port)
      .then(async (conn) => {
        try {
          text = (await conn.request('GET', '/')).text;
        } finally {
          conn.destroy();
        }
      })
      .catch(() => {});
    return text !== '';
  }, 10_000, 100);
  return text;
}

const runningAsRoot = process.getuid?.() === 0;

for (const target of TARGETS) {
  describe(`process management keywords on ${target}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-procmgmt-'));
    let pid = 0;

    after(() => {
      destroyAllClients();
      if (pid > 0 && processAlive(pid)) process.kill(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });

    it(
      "'daemon', 'pidfile', 'user' and 'group' in the configuration: a daemon serving as nobody:nogroup",
      { skip: runningAsRoot ? false : 'giving up root needs root' },
      async () => {
        const [port] = (await freePorts(1)) as [number];
        const pidFile = join(dir, 'pid');
        const cfg = join(dir, 'main.cfg');
        writeFileSync(
          cfg,
          `global\n    daemon\n    pidfile ${pidFile}\n    user nobody\n    group nogroup\n${HTTP_DEFAULTS}\nfrontend fe\n    bind 127.0.0.1:${port}\n    http-request return status 200 content-type text/plain string "as-nobody"\n`,
        );
        const { code, stderr } = await run(target, ['-f', cfg]);
        assert.equal(code, 0, stderr);
        pid = Number(readFileSync(pidFile, 'latin1').trim());
        assert.ok(pid > 0 && processAlive(pid), `pid file: ${pid}`);
        assert.equal(await get(port), 'as-nobody');
        assert.deepEqual(idsOf(pid), { uid: '65534\t65534\t65534\t65534', gid: '65534\t65534\t65534\t65534' });
        process.kill(pid, 'SIGTERM');
        assert.ok(await eventually(() => !processAlive(pid), 10_000, 50), 'the daemon stopped on SIGTERM');
        pid = 0;
      },
    );

    it('an unknown user is refused at its line', async () => {
      const cfg = join(dir, 'unknown.cfg');
      const [port] = (await freePorts(1)) as [number];
      writeFileSync(cfg, `global\n    user no-such-user-here\n${HTTP_DEFAULTS}\nfrontend fe\n    bind 127.0.0.1:${port}\n`);
      const { code, stderr } = await run(target, ['-c', '-f', cfg]);
      assert.equal(code, 1, stderr);
      assert.match(stderr, /parsing \[[^\]]*unknown\.cfg:2\] : cannot find user id for 'no-such-user-here' \(0:Success\)/);
    });

    it(
      "'chroot': the serving process's root is the directory once it listens, and it still serves (also with a stats socket)",
      { skip: !runningAsRoot ? 'chroot(2) needs root' : target === 'node-system' ? 'Node 20 has no node:ffi: refused (below)' : false },
      async () => {
        const jail = mkdtempSync(join(tmpdir(), 'switchyard-chroot-'));
        const [port, cliPort] = (await freePorts(2)) as [number, number];
        const proxy = await startProxy(
          target,
          `global
    chroot ${jail}
    stats socket 127.0.0.1:${cliPort} level admin
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${port}
    http-request return status 200 content-type text/plain string "jailed\\n"
`,
        );
        try {
          const conn = await HttpConnection.open(port);
          assert.equal((await conn.request('GET', '/')).text, 'jailed\n');
          conn.destroy();
          assert.equal(readlinkSync(`/proc/${proxy.pid}/root`), jail);
          assert.match(await cli(cliPort, 'show info\n'), /^Pid: \d+$/m);
        } finally {
          await stopProxy(target, proxy);
          rmSync(jail, { recursive: true, force: true });
        }
      },
    );

    it(
      "'chroot' with 2 threads: every thread's lines reach the jail's /dev/log",
      { skip: !runningAsRoot ? 'chroot(2) needs root' : target === 'node-system' ? 'Node 20 has no node:ffi: refused (below)' : false },
      async () => {
        const jail = mkdtempSync(join(tmpdir(), 'switchyard-chroot-'));
        mkdirSync(join(jail, 'dev'));
        const syslog = await unixDatagramReceiver(join(jail, 'dev'), 'log');
        const [port] = (await freePorts(1)) as [number];
        const proxy = await startProxy(
          target,
          `global
    nbthread 2
    chroot ${jail}
    log /dev/log local0
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${port}
    log global
    log-format "line thread=%[thread]"
    http-request return status 200
`,
        );
        try {
          // One connection each: SO_REUSEPORT spreads them over both threads.
          for (let i = 0; i < 20; i++) {
            const conn = await HttpConnection.open(port);
            assert.equal((await conn.request('GET', '/', { connection: 'close' })).status, 200);
            conn.destroy();
          }
          assert.ok(await eventually(() => syslog.lines.length >= 20, 5_000, 25), `${syslog.lines.length} lines: ${syslog.lines.join('')}`);
          const threads = new Set(syslog.lines.map((l) => /line thread=(\d+)/.exec(l)?.[1]));
          assert.deepEqual([...threads].sort(), ['0', '1']);
        } finally {
          await stopProxy(target, proxy);
          await syslog.close();
          rmSync(jail, { recursive: true, force: true });
        }
      },
    );

    it("'chroot' to a directory that does not exist: the start fails with HAProxy's alert", { skip: runningAsRoot ? (target === 'node-system' ? 'refused before (below)' : false) : 'chroot(2) needs root' }, async () => {
      const cfg = join(dir, 'chroot-missing.cfg');
      const [port] = (await freePorts(1)) as [number];
      writeFileSync(cfg, `global
    chroot ${dir}/no-such-dir
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${port}
    http-request return status 200
`);
      const { code, stderr } = await run(target, ['-db', '-f', cfg]);
      assert.equal(code, 1, stderr);
      assert.match(stderr, new RegExp(`\\[ALERT\\].*\\[(haproxy|switchyard)\\.main\\(\\)\\] Cannot chroot\\(${dir}/no-such-dir\\)\\.`));
    });

    it("'chroot' is refused on a Node without node:ffi", { skip: target === 'node-system' ? false : 'this runtime can chroot' }, async () => {
      const cfg = join(dir, 'chroot.cfg');
      const [port] = (await freePorts(1)) as [number];
      writeFileSync(cfg, `global\n    chroot /var/empty\n${HTTP_DEFAULTS}\nfrontend fe\n    bind 127.0.0.1:${port}\n`);
      const { code, stderr } = await run(target, ['-c', '-f', cfg]);
      assert.equal(code, 1, stderr);
      assert.match(stderr, /:2\] : 'chroot' is not supported on Node \(it cannot call chroot\(2\): Node has no FFI before 26\.1\)/);
    });
  });
}
