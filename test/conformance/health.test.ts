/**
 * Black-box conformance of active health checks: the real proxy CLI runs under Node, Bun and
 * Deno in turn, in front of real backend *processes* (small node HTTP servers) that the test
 * kills by PID and restarts on the same port.
 *
 *   - failover and recovery: a killed server leaves rotation within inter × fall and returns
 *     after `rise` checks once restarted, with HAProxy's state-change lines on stderr;
 *   - HTTP checks with `http-check expect status` / `string`;
 *   - a server dying under load with `retries 3` + `option redispatch`: idempotent GETs see no
 *     error.
 *
 * The expected lines were checked against HAProxy 2.6:
 *   CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/health.test.js
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { TARGETS, repoRoot } from '../support/runtimes.ts';

const HOST = '127.0.0.1';
const INTER = 100;
const FALL = 3;
const RISE = 2;
/** Scheduling slack on a loaded CI machine running three runtimes' suites. */
const SLACK = 1500;

/** A node HTTP server in its own process: `/health` answers HEALTH ("200 ready"), anything else its NAME. */
const BACKEND_SCRIPT = `
const http = require(process.env.TLS_PEM ? 'node:https' : 'node:http');
const name = process.env.NAME;
const [code, ...text] = (process.env.HEALTH || '200 ready').split(' ');
const tls = process.env.TLS_PEM ? { key: require('node:fs').readFileSync(process.env.TLS_PEM), cert: require('node:fs').readFileSync(process.env.TLS_PEM) } : {};
const server = http.createServer(tls, (req, res) => {
  if (req.url === '/health') {
    res.writeHead(Number(code), { 'content-type': 'text/plain' });
    res.end(text.join(' '));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain', 'x-server': name });
  res.end(name);
});
server.keepAliveTimeout = 60000;
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\\n'));
`;

class BackendProcess {
  readonly name: string;
  readonly port: number;
  readonly health: string;
  /** Serve HTTPS with this PEM (certificate and key). */
  readonly tlsPem: string | undefined;
  #child: ChildProcess | undefined;

  constructor(name: string, port: number, health = '200 ready', tlsPem?: string) {
    this.name = name;
    this.port = port;
    this.health = health;
    this.tlsPem = tlsPem;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  start(): Promise<void> {
    const child = spawn(process.execPath, ['-e', BACKEND_SCRIPT], {
      env: { ...process.env, NAME: this.name, PORT: String(this.port), HEALTH: this.health, ...(this.tlsPem ? { TLS_PEM: this.tlsPem } : {}) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.#child = child;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`backend ${this.name} did not start`)), 10_000);
      child.stdout?.once('data', () => {
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`backend ${this.name} exited with ${code} before starting`));
      });
    });
  }

  /** SIGKILL by PID (no graceful close: the port stops answering at once). */
  async kill(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(child.pid as number, 'SIGKILL');
    await exited;
  }
}

const TLS_PEM = `${repoRoot}test/fixtures/tls/a.example.pem`;

const PORT_NAMES = ['feFail', 'feHttp', 'feLoad', 'feTls', 's1', 's2', 'h1', 'h2', 'h3', 'l1', 'l2', 't1', 't2'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  const httpchk = `
    option httpchk GET /health HTTP/1.1
    http-check send hdr Host app.example
    http-check expect status 200
    http-check expect string ready`;
  return `
global
    maxconn 1000

defaults
    mode http
    timeout connect 100ms
    timeout client 10s
    timeout server 10s
    timeout http-request 5s
    retries 3
    option redispatch
    retry-on conn-failure empty-response
    default-server inter ${INTER} rise ${RISE} fall ${FALL}

frontend fe_fail
    bind ${HOST}:${p.feFail}
    default_backend be_fail

frontend fe_http
    bind ${HOST}:${p.feHttp}
    default_backend be_http

frontend fe_load
    bind ${HOST}:${p.feLoad}
    default_backend be_load

frontend fe_tls
    bind ${HOST}:${p.feTls}
    default_backend be_tls

backend be_fail
    server s1 ${HOST}:${p.s1} check
    server s2 ${HOST}:${p.s2} check

backend be_http${httpchk}
    server h1 ${HOST}:${p.h1} check rise 1 fall 1
    server h2 ${HOST}:${p.h2} check rise 1 fall 1
    server h3 ${HOST}:${p.h3} check rise 1 fall 1

backend be_load
    server l1 ${HOST}:${p.l1} check
    server l2 ${HOST}:${p.l2} check

# A runtime's first TLS handshake can take longer than 100 ms (Deno loads its TLS stack).
backend be_tls${httpchk}
    server t1 ${HOST}:${p.t1} ssl verify none check inter 2s rise 1 fall 1
    server t2 ${HOST}:${p.t2} ssl verify none check inter 2s rise 1 fall 1
`;
}

let agent = new Agent({ keepAlive: true, maxSockets: 16 });

function get(port: number, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: HOST, port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('client timeout')));
    req.end();
  });
}

async function waitFor(what: string, condition: () => boolean, timeoutMs: number, proxy: ProxyProcess): Promise<number> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms\n${proxy.stderr}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - start;
}

async function servedBy(port: number, n: number): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await get(port);
    assert.equal(res.status, 200, `request ${i}: ${res.body}`);
    names.push(res.body);
  }
  return names;
}

for (const target of TARGETS) {
  describe(`health checks on ${target}`, () => {
    let proxy: ProxyProcess;
    let p: Ports;
    const backends = new Map<string, BackendProcess>();
    const be = (name: string) => backends.get(name) as BackendProcess;

    before(async () => {
      agent = new Agent({ keepAlive: true, maxSockets: 16 });
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((k, i) => [k, n[i] as number])) as Ports;
      for (const [name, health, tlsPem] of [['s1'], ['s2'], ['h1'], ['h2', '503 maintenance'], ['h3', '200 booting'], ['l1'], ['l2'], ['t1', '200 ready', TLS_PEM], ['t2']] as const) {
        const b = new BackendProcess(name, p[name], health, tlsPem);
        backends.set(name, b);
        await b.start();
      }
      proxy = await ProxyProcess.start(target, configFor(p));
    });

    after(async () => {
      agent.destroy();
      const code = await proxy?.stop();
      for (const b of backends.values()) await b.kill();
      if (target !== 'haproxy') assert.equal(code, 0, `proxy exit code\n${proxy?.stderr}`);
    });

    it('HTTP checks: expect status and string take failing servers out; the good one serves', async () => {
      const down = (server: string) => `Server be_http/${server} is DOWN`;
      await waitFor('h2 and h3 DOWN', () => proxy.stderr.includes(down('h2')) && proxy.stderr.includes(down('h3')), SLACK, proxy);
      assert.match(
        proxy.stderr,
        /\[WARNING\] {2}\(\d+\) : Server be_http\/h2 is DOWN, reason: Layer7 wrong status, code: 503, info: "Service Unavailable", check duration: \d+ms\. [12] active and 0 backup servers left\. 0 sessions active, 0 requeued, 0 remaining in queue\.\n/,
      );
      assert.match(
        proxy.stderr,
        /\[WARNING\] {2}\(\d+\) : Server be_http\/h3 is DOWN, reason: Layer7 invalid response, info: "HTTP content check did not match", check duration: \d+ms\. [12] active and 0 backup servers left\./,
      );
      assert.doesNotMatch(proxy.stderr, /be_http\/h1 is DOWN/);
      assert.deepEqual(new Set(await servedBy(p.feHttp, 9)), new Set(['h1']));
    });

    it('ssl servers are checked over TLS: a plain server fails the handshake (L6RSP), the TLS one stays UP', async () => {
      await waitFor('t2 DOWN', () => proxy.stderr.includes('Server be_tls/t2 is DOWN'), 2000 + SLACK, proxy);
      assert.match(
        proxy.stderr,
        /\[WARNING\] {2}\(\d+\) : Server be_tls\/t2 is DOWN, reason: Layer6 invalid response, info: "SSL handshake failure", check duration: \d+ms\. 1 active and 0 backup servers left\./,
      );
      assert.doesNotMatch(proxy.stderr, /be_tls\/t1 is DOWN/);
      assert.deepEqual(new Set(await servedBy(p.feTls, 4)), new Set(['t1']));
    });

    it('a killed server leaves rotation within inter × fall and returns after rise checks', async () => {
      assert.deepEqual(new Set(await servedBy(p.feFail, 6)), new Set(['s1', 's2']));

      await be('s2').kill();
      const downIn = await waitFor('s2 DOWN', () => proxy.stderr.includes('Server be_fail/s2 is DOWN'), INTER * FALL + SLACK, proxy);
      assert.ok(downIn <= INTER * FALL + SLACK, `DOWN after ${downIn} ms`);
      assert.match(
        proxy.stderr,
        /\[WARNING\] {2}\(\d+\) : Server be_fail\/s2 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: \d+ms\. 1 active and 0 backup servers left\. \d+ sessions active, 0 requeued, 0 remaining in queue\.\n/,
      );
      assert.deepEqual(new Set(await servedBy(p.feFail, 6)), new Set(['s1']));

      await be('s2').start();
      const upIn = await waitFor('s2 UP', () => proxy.stderr.includes('Server be_fail/s2 is UP'), INTER * RISE + SLACK, proxy);
      assert.ok(upIn <= INTER * RISE + SLACK, `UP after ${upIn} ms`);
      assert.match(
        proxy.stderr,
        /\[WARNING\] {2}\(\d+\) : Server be_fail\/s2 is UP, reason: Layer4 check passed, check duration: \d+ms\. 2 active and 0 backup servers online\. 0 sessions requeued, 0 total in queue\.\n/,
      );
      assert.deepEqual(new Set(await servedBy(p.feFail, 6)), new Set(['s1', 's2']));
    });

    it('the last server going DOWN is an [ALERT]: backend has no server available', async () => {
      await be('s1').kill();
      await be('s2').kill();
      await waitFor('no server', () => proxy.stderr.includes("backend 'be_fail' has no server available!"), INTER * FALL + SLACK, proxy);
      assert.match(proxy.stderr, /\[ALERT\] {4}\(\d+\) : backend 'be_fail' has no server available!\n/);
      const res = await get(p.feFail);
      assert.equal(res.status, 503);
    });

    it('a server dying under load with retries 3 + option redispatch: idempotent GETs see no error', async () => {
      const failures: string[] = [];
      const served = new Map<string, number>();
      let running = true;
      const loop = async () => {
        while (running) {
          try {
            const res = await get(p.feLoad, '/item');
            if (res.status !== 200) failures.push(`${res.status} ${res.body.slice(0, 80)}`);
            else served.set(res.body, (served.get(res.body) ?? 0) + 1);
          } catch (error) {
            failures.push((error as Error).message);
          }
        }
      };
      const loops = Array.from({ length: 4 }, loop);
      await new Promise((r) => setTimeout(r, 300));
      await be('l2').kill();
      await waitFor('l2 DOWN', () => proxy.stderr.includes('Server be_load/l2 is DOWN'), INTER * FALL + SLACK, proxy);
      await new Promise((r) => setTimeout(r, 300));
      running = false;
      await Promise.all(loops);
      assert.deepEqual(failures, []);
      assert.ok((served.get('l1') ?? 0) > 0 && (served.get('l2') ?? 0) > 0, JSON.stringify([...served]));
    });
  });
}
