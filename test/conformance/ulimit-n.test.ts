/**
 * The file descriptor limit HAProxy 2.6 sets at start (haproxy.c "ulimits"): the soft
 * RLIMIT_NOFILE is raised to `ulimit-n N`, or to global.maxsock without one, and the hard one to
 * the larger of that and the hard limit at boot; 2.6.12 never lowers either (raise_rlim_nofile).
 * `show info` shows the number asked for as Ulimit-n, Prometheus as haproxy_process_max_fds.
 * Above a hard limit the process may not raise (no CAP_SYS_RESOURCE), HAProxy's alert "Cannot
 * raise FD limit to N, limit is M." stops it (`strict-limits`, 2.6's default).
 *
 * Each process runs under `prlimit --nofile=SOFT:HARD`. Node, Bun and Deno raise their soft
 * limit to the hard one as they start, before Switchyard runs: their /proc/PID/limits shows the
 * hard limit as soft, and the alert's "limit is" the hard limit. Node before 26.1 (node-system here
 * when older) has no FFI to call setrlimit(): the limit it started with either holds what is
 * wanted (HAProxy 2.6.12 would not change it either) or cannot be had, so every case holds there too.
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/ulimit-n.test.js
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { HTTP_DEFAULTS, TARGETS } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import { ProxyProcess, writeTempConfig } from '../support/proxy-process.ts';
import { cli, cliReady } from '../support/cli-client.ts';
import { proxyCommand, repoRoot } from '../support/runtimes.ts';

const CASES: readonly { name: string; nofile: string; global: string; ulimit: number; soft: number; hard: number; changes: boolean }[] = [
  { name: 'ulimit-n 4000 raises the soft limit', nofile: '1024:8192', global: 'ulimit-n 4000\n    maxconn 100', ulimit: 4000, soft: 4000, hard: 8192, changes: true },
  // 10 + 2 listeners + the stats socket (1 + `stats maxconn` 10) + 2 * 1000 + 3 (one thread).
  { name: 'no ulimit-n: maxsock', nofile: '1024:8192', global: 'maxconn 1000', ulimit: 2026, soft: 2026, hard: 8192, changes: true },
  { name: 'ulimit-n 2000 under the soft limit: kept', nofile: '4096:8192', global: 'ulimit-n 2000\n    maxconn 100', ulimit: 2000, soft: 4096, hard: 8192, changes: false },
];

function configText(global: string, fe: readonly number[], cliPort: number): string {
  return `global
    nbthread 1
    ${global}
    stats socket 127.0.0.1:${cliPort} level admin
${HTTP_DEFAULTS}
frontend f
    bind 127.0.0.1:${fe[0]}
    bind 127.0.0.1:${fe[1]}
    http-request use-service prometheus-exporter if { path /metrics }
    http-request return status 200
`;
}

function maxOpenFiles(pid: number): [number, number] {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8').split('\n').find((l) => l.startsWith('Max open files')) ?? '';
  const [soft, hard] = line.slice('Max open files'.length).trim().split(/\s+/);
  return [Number(soft), Number(hard)];
}

for (const target of TARGETS) {
  for (const c of CASES) {
    describe(`${c.name} (nofile ${c.nofile}) on ${target}`, () => {
      let proxy: ProxyProcess | undefined;
      let fe: number[];
      let cliPort: number;
      let cfg: { path: string; cleanup: () => void };

      before(async () => {
        const ports = await freePorts(3);
        fe = ports.slice(0, 2);
        cliPort = ports[2] as number;
        cfg = writeTempConfig(configText(c.global, fe, cliPort));
        const { command, args } = proxyCommand(target, ['-f', cfg.path]);
        proxy = await ProxyProcess.startExecutable(target, 'prlimit', [`--nofile=${c.nofile}`, command, ...args], 20_000, fe[1]);
        await cliReady(cliPort);
      });

      after(async () => {
        await proxy?.stop();
        cfg.cleanup();
      });

      it('show info: Ulimit-n; /proc/PID/limits: the limits the process has', async () => {
        const info = new Map((await cli(cliPort, 'show info\n')).split('\n').map((l) => l.split(': ') as [string, string]));
        assert.equal(info.get('Ulimit-n'), String(c.ulimit));
        if (c.global === 'maxconn 1000') assert.equal(info.get('Maxsock'), String(c.ulimit));
        // Node, Bun and Deno raise their soft limit to the hard one before any script runs.
        assert.deepEqual(maxOpenFiles(Number(info.get('Pid'))), target === 'haproxy' ? [c.soft, c.hard] : [c.hard, c.hard]);
      });

      it('Prometheus: haproxy_process_max_fds', async () => {
        const text = await (await fetch(`http://127.0.0.1:${fe[0]}/metrics`)).text();
        assert.match(text, new RegExp(`^haproxy_process_max_fds ${c.ulimit}$`, 'm'));
      });
    });
  }

  // Without FFI the same: the limit the process has is the most it may have.
  describe(`ulimit-n above the hard limit, without CAP_SYS_RESOURCE, on ${target}`, () => {
    for (const strict of [true, false]) {
      const name = strict ? 'strict-limits: the alert, exit 1' : 'no strict-limits: the warning, the process takes its hard limit';
      it(name, async () => {
        const [port, cliPort] = await freePorts(2);
        const cfg = writeTempConfig(configText(`ulimit-n 10000\n    maxconn 100${strict ? '' : '\n    no strict-limits'}`, [port as number, port as number], cliPort as number).replace(/    bind .*\n(?=    bind)/, ''));
        try {
          const { command, args } = proxyCommand(target, ['-c', '-f', cfg.path]);
          if (strict) {
            // -c stops before the limits: start it for real, it exits at once.
            const run = await runUnder(['setpriv', '--bounding-set=-sys_resource', 'prlimit', '--nofile=1024:8192', command, ...args.filter((a) => a !== '-c')]);
            assert.equal(run.code, 1);
            assert.match(run.stderr, new RegExp(String.raw`\[ALERT\] +\(\d+\) : \[[^\]]*\.main\(\)\] Cannot raise FD limit to 10000, limit is ${target === 'haproxy' ? 1024 : 8192}\.\n`));
          } else {
            const proxyRun = await ProxyProcess.startExecutable(target, 'setpriv', ['--bounding-set=-sys_resource', 'prlimit', '--nofile=1024:8192', command, ...args.filter((a) => a !== '-c')], 20_000, port);
            try {
              await cliReady(cliPort as number);
              const info = new Map((await cli(cliPort as number, 'show info\n')).split('\n').map((l) => l.split(': ') as [string, string]));
              assert.equal(info.get('Ulimit-n'), '8192');
              assert.deepEqual(maxOpenFiles(Number(info.get('Pid'))), [8192, 8192]);
              assert.match(proxyRun.stderr, /\[WARNING\] +\(\d+\) : \[[^\]]*\.main\(\)\] Cannot raise FD limit to 10000, limit is 8192\.\n/);
            } finally {
              await proxyRun.stop();
            }
          }
        } finally {
          cfg.cleanup();
        }
      });
    }
  });
  // HAProxy's second check, once its listeners are bound: the limit the process has against
  // maxsock. `ulimit-n` below maxsock never lowers the limit, so it speaks where the process
  // had less to begin with; with or without FFI alike.
  describe(`ulimit-n below maxsock under a lower process limit, on ${target}`, () => {
    for (const strict of [true, false]) {
      it(strict ? "strict-limits: 'FD limit too low' alert, exit 1" : "no strict-limits: the same alert, and it serves", async () => {
        const [port, cliPort] = await freePorts(2);
        const cfg = writeTempConfig(configText(`ulimit-n 200\n    maxconn 1000${strict ? '' : '\n    no strict-limits'}`, [port as number, port as number], cliPort as number).replace(/    bind .*\n(?=    bind)/, ''));
        const alert = /\[ALERT\] +\(\d+\) : \[[^\]]*\.main\(\)\] FD limit \(1024\) too low for maxconn=1000\/maxsock=(\d+)\. Please raise 'ulimit-n' to \1 or more to avoid any trouble\.\n/;
        try {
          const { command, args } = proxyCommand(target, ['-c', '-f', cfg.path]);
          const argv = ['prlimit', '--nofile=1024:1024', command, ...args.filter((a) => a !== '-c')];
          if (strict) {
            const run = await runUnder(argv);
            assert.equal(run.code, 1);
            assert.match(run.stderr, alert);
          } else {
            const proxyRun = await ProxyProcess.startExecutable(target, argv[0] as string, argv.slice(1), 20_000, port);
            try {
              await cliReady(cliPort as number);
              const info = new Map((await cli(cliPort as number, 'show info\n')).split('\n').map((l) => l.split(': ') as [string, string]));
              assert.equal(info.get('Ulimit-n'), '200');
              assert.equal(info.get('Maxconn'), '1000');
              assert.match(proxyRun.stderr, alert);
            } finally {
              await proxyRun.stop();
            }
          }
        } finally {
          cfg.cleanup();
        }
      });
    }
  });
}

function runUnder(argv: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${argv.join(' ')} did not exit\n${stderr}`));
    }, 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}
