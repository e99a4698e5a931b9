/**
 * The health-check service on the fake clock: servers leave rotation after `fall` failed checks
 * and return after `rise` good ones, with HAProxy's log lines; intervals, timeouts, the startup
 * spread, no overlapping probes, HTTP checks, slowstart, MAINT, and clean stop.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BackendModel, HealthCheckModel, HttpCheckModel, LogTarget, ServerCheckModel, ServerModel, Timeouts } from '../../src/config/model.ts';
import { BackendHealth, HealthChecks, probeSpecFor } from '../../src/health/health-service.ts';
import { ProxyLogger } from '../../src/log/logger.ts';
import { Backend } from '../../src/proxy/backend.ts';
import type { Server } from '../../src/proxy/server.ts';
import type { Socket } from '../../src/runtime.ts';
import { FakeRuntime } from '../support/fake-runtime.ts';
import { backend, server } from '../support/model.ts';

const HOST = '127.0.0.1';

function check(extra: Partial<ServerCheckModel> = {}): ServerCheckModel {
  return { enabled: true, inter: 100, fastinter: undefined, downinter: undefined, rise: 2, fall: 3, port: undefined, addr: undefined, ...extra };
}

function checked(name: string, port: number, extra: Partial<ServerModel> = {}, checkExtra: Partial<ServerCheckModel> = {}): ServerModel {
  return server(name, port, { check: check(checkExtra), ...extra });
}

function httpCheck(extra: Partial<HttpCheckModel> = {}): HealthCheckModel {
  return {
    kind: 'http',
    http: { method: 'GET', uri: '/health', version: 'HTTP/1.1', headers: [['Host', 'app']], body: undefined, expect: [], ...extra },
  };
}

interface Setup {
  rt: FakeRuntime;
  be: Backend;
  health: HealthChecks;
  server(name: string): Server;
  stderr(): string;
}

function setup(servers: ServerModel[], extra: Partial<BackendModel> = {}, timeouts: Timeouts = {}, logs: LogTarget[] = []): Setup {
  const rt = new FakeRuntime();
  const be = new Backend(backend('be', servers, extra, timeouts));
  const logger = new ProxyLogger(rt, logs, false);
  const health = new HealthChecks([new BackendHealth(rt, be, logger, 'backend')]);
  return {
    rt,
    be,
    health,
    server: (name) => be.server(name) as Server,
    stderr: () => rt.stderr.join(''),
  };
}

/** A TCP backend that accepts and holds connections. */
async function tcpServer(rt: FakeRuntime, port: number) {
  return rt.listen({ host: HOST, port }, (socket) => {
    socket.setHandler({ onData() {}, onEnd: (s) => s.end(), onDrain() {}, onClose() {} });
  });
}

/** An HTTP backend answering every request with `respond()`'s bytes, then closing. */
async function httpServer(rt: FakeRuntime, port: number, respond: () => string | undefined, requests: string[] = []) {
  return rt.listen({ host: HOST, port }, (socket) => {
    socket.setHandler({
      onData(s: Socket, chunk: Uint8Array) {
        requests.push(new TextDecoder().decode(chunk));
        const answer = respond();
        if (answer === undefined) return;
        s.write(new TextEncoder().encode(answer));
        s.end();
      },
      onEnd: (s: Socket) => s.end(),
      onDrain() {},
      onClose() {},
    });
  });
}

function advanceUntil(rt: FakeRuntime, done: () => boolean, limitMs: number, stepMs = 1): number {
  const start = rt.now();
  while (!done()) {
    if (rt.now() - start > limitMs) throw new Error(`condition not reached within ${limitMs} ms`);
    rt.advance(stepMs);
  }
  return rt.now() - start;
}

describe('option log-health-checks (fake clock)', () => {
  it('reports each result that moves the health or changes the status; state changes then carry no reason', async () => {
    const t = setup([checked('b', 8002, {}, { inter: 100, rise: 2, fall: 2 })], { healthCheck: { kind: 'tcp', http: undefined, logHealthChecks: true } });
    const listener = await tcpServer(t.rt, 8002);
    t.health.start();
    t.rt.advance(150);
    await listener.close();
    advanceUntil(t.rt, () => t.server('b').status === 'DOWN', 1000);
    const lines = t.stderr().split('\n').filter((l) => l !== '');
    assert.deepEqual(lines.map((l) => l.replace(/duration: \d+ms/, 'duration: Nms')), [
      '[WARNING]  (4242) : Health check for server be/b succeeded, reason: Layer4 check passed, check duration: Nms, status: 2/2 UP.',
      '[WARNING]  (4242) : Health check for server be/b failed, reason: Layer4 connection problem, info: "Connection refused", check duration: Nms, status: 1/2 UP.',
      '[WARNING]  (4242) : Health check for server be/b failed, reason: Layer4 connection problem, info: "Connection refused", check duration: Nms, status: 0/2 DOWN.',
      '[WARNING]  (4242) : Server be/b is DOWN. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
      "[ALERT]    (4242) : backend 'be' has no server available!",
    ]);
  });
});

describe('health checks (fake clock)', () => {
  it('a dead server leaves rotation within inter × fall and returns after rise checks, with HAProxy log lines', async () => {
    const t = setup([checked('a', 8001), checked('b', 8002)]);
    await tcpServer(t.rt, 8001);
    const listenerB = await tcpServer(t.rt, 8002);
    t.health.start();
    t.rt.advance(500);
    assert.equal(t.server('b').status, 'UP');
    assert.equal(t.server('b').checkState?.health, 4, 'fully healthy after the first good check');
    assert.equal(t.server('b').checkState?.status, 'L4OK');

    await listenerB.close();
    const downAfter = advanceUntil(t.rt, () => t.server('b').status === 'DOWN', 1000);
    assert.ok(downAfter <= 100 * 3, `went DOWN after ${downAfter} ms`);
    assert.ok(downAfter > 100 * 2, `went DOWN after ${downAfter} ms (needs 3 failures)`);
    assert.ok(
      t.stderr().includes(
        '[WARNING]  (4242) : Server be/b is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. ' +
          '1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.\n',
      ),
      t.stderr(),
    );
    assert.equal(t.server('b').checkState?.health, 0);
    // Stats chkfail/chkdown: a failure counts while health can still drop (not once at 0).
    t.rt.advance(300);
    assert.equal(t.server('b').checkState?.failedChecks, 3);
    assert.equal(t.server('b').checkState?.downTransitions, 1);
    assert.equal(t.server('b').downTime, 0, 'downtime is added up when the server runs again');

    await tcpServer(t.rt, 8002);
    const upAfter = advanceUntil(t.rt, () => t.server('b').status === 'UP', 1000);
    assert.ok(upAfter <= 100 * 2, `back UP after ${upAfter} ms`);
    assert.ok(t.server('b').downTime >= 300, `downtime ${t.server('b').downTime} ms`);
    assert.equal(t.server('a').checkState?.failedChecks, 0);
    assert.ok(
      t.stderr().includes(
        '[WARNING]  (4242) : Server be/b is UP, reason: Layer4 check passed, check duration: 0ms. ' +
          '2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.\n',
      ),
      t.stderr(),
    );
    t.health.stop();
  });

  it('servers start UP and fall at the first failure (health = rise)', async () => {
    const t = setup([checked('a', 8001), checked('dead', 8009)]);
    await tcpServer(t.rt, 8001);
    t.health.start();
    assert.equal(t.server('dead').status, 'UP', 'UP before any check');
    t.rt.advance(120);
    assert.equal(t.server('dead').status, 'DOWN');
    assert.equal(t.server('a').status, 'UP');
    t.health.stop();
  });

  it('the last server going DOWN raises the no-server alert, to stderr and the backend logs', async () => {
    const logs: LogTarget[] = [{ target: 'stdout', format: 'raw', facility: 'local0', source: { file: 't', line: 1 } }];
    const t = setup([checked('only', 8001)], {}, {}, logs);
    t.health.start();
    t.rt.advance(50);
    assert.equal(t.server('only').status, 'DOWN');
    assert.ok(t.stderr().includes("[ALERT]    (4242) : backend 'be' has no server available!\n"), t.stderr());
    const stdout = t.rt.stdout.join('');
    assert.match(stdout, /^Server be\/only is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms\. 0 active and 0 backup servers left\. 0 sessions active, 0 requeued, 0 remaining in queue\.\n/);
    assert.ok(stdout.includes('backend be has no server available!\n'), stdout);
    t.health.stop();
  });

  it('log levels follow HAProxy: DOWN is alert, UP is notice, no-server is emerg', async () => {
    const logs: LogTarget[] = [{ target: 'stdout', format: 'short', facility: 'local0', source: { file: 't', line: 1 } }];
    const t = setup([checked('s', 8001, {}, { rise: 1 })], {}, {}, logs);
    t.health.start();
    t.rt.advance(50);
    await tcpServer(t.rt, 8001);
    t.rt.advance(200);
    const lines = t.rt.stdout.join('').split('\n').filter((l) => l !== '');
    // format short writes the level alone (HAProxy ignores the facility there)
    assert.match(lines[0] as string, /^<1>Server be\/s is DOWN/);
    assert.match(lines[1] as string, /^<0>backend be has no server available!/);
    assert.match(lines[2] as string, /^<5>Server be\/s is UP/);
    t.health.stop();
  });

  it('uses downinter while fully down and fastinter while changing state', async () => {
    const t = setup([checked('s', 8001, {}, { inter: 1000, fastinter: 100, downinter: 5000 })]);
    t.health.start();
    t.rt.advance(1);
    assert.equal(t.server('s').status, 'DOWN');
    const attempts = () => t.rt.connectAttempts.length;
    assert.equal(attempts(), 1);
    t.rt.advance(4990);
    assert.equal(attempts(), 1, 'nothing before downinter');
    t.rt.advance(20);
    assert.equal(attempts(), 2, 'second probe at downinter');
    await tcpServer(t.rt, 8001);
    t.rt.advance(5000);
    assert.equal(attempts(), 3);
    assert.equal(t.server('s').checkState?.health, 1, 'rising');
    t.rt.advance(100);
    assert.equal(attempts(), 4, 'fastinter while rising');
    assert.equal(t.server('s').status, 'UP');
    t.rt.advance(980);
    assert.equal(attempts(), 4, 'inter once fully up');
    t.rt.advance(40);
    assert.equal(attempts(), 5);
    t.health.stop();
  });

  it('without timeout check, inter bounds a connect that never completes (L4TOUT), and probes never overlap', () => {
    const t = setup([checked('s', 8001, {}, { fall: 2 })]);
    t.rt.blackholes.add(`${HOST}:8001`);
    t.health.start();
    let maxOpen = 0;
    for (let i = 0; i < 1000; i++) {
      t.rt.advance(1);
      maxOpen = Math.max(maxOpen, t.rt.openSockets.size);
    }
    assert.equal(maxOpen, 1, 'one probe socket at a time');
    // Each probe lasts inter (100) and the next starts inter after it ends.
    assert.ok(t.rt.connectAttempts.length <= 6, `${t.rt.connectAttempts.length} probes in 1 s`);
    assert.equal(t.server('s').status, 'DOWN');
    assert.match(t.stderr(), /Server be\/s is DOWN, reason: Layer4 timeout, check duration: 100ms\. 0 active/);
    t.health.stop();
    t.rt.flush();
    assert.equal(t.rt.openSockets.size, 0);
    assert.equal(t.rt.pendingTimers, 0);
  });

  it('with timeout check, min(inter, timeout connect) bounds the connect', () => {
    const t = setup([checked('s', 8001, {}, { inter: 1000 })], {}, { connect: 40, check: 300 });
    t.rt.blackholes.add(`${HOST}:8001`);
    t.health.start();
    t.rt.advance(100);
    assert.match(t.stderr(), /reason: Layer4 timeout, check duration: 40ms/);
    t.health.stop();
  });

  it('an HTTP server that does not answer: L7TOUT after timeout check, or after inter without it', async () => {
    for (const [timeouts, expected] of [
      [{ connect: 50, check: 30 }, 30],
      [{ connect: 50 }, 100],
    ] as const) {
      const t = setup([checked('s', 8001)], { mode: 'http', healthCheck: httpCheck() }, timeouts);
      await httpServer(t.rt, 8001, () => undefined);
      t.health.start();
      t.rt.advance(150);
      assert.match(t.stderr(), new RegExp(`Server be/s is DOWN, reason: Layer7 timeout, check duration: ${expected}ms\\.`), JSON.stringify(timeouts));
      t.health.stop();
    }
  });

  it('HTTP checks: request sent as configured, status and body expectations, L7 log lines', async () => {
    let answer = 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nready';
    const requests: string[] = [];
    const t = setup(
      [checked('s', 8001, {}, { rise: 1, fall: 1 }), checked('t', 8002, {}, { rise: 1, fall: 1 })],
      { mode: 'http', healthCheck: httpCheck({ expect: [{ negate: false, kind: 'status', pattern: '200' }, { negate: false, kind: 'string', pattern: 'ready' }] }) },
    );
    await httpServer(t.rt, 8001, () => answer, requests);
    await tcpServer(t.rt, 8002);
    t.health.start();
    t.rt.advance(60);
    assert.equal(requests[0], 'GET /health HTTP/1.1\r\nhost: app\r\nconnection: close\r\n\r\n');
    assert.equal(t.server('s').status, 'UP');
    assert.deepEqual({ ...t.server('s').checkState }, { health: 1, rise: 1, fall: 1, status: 'L7OK', code: 200, duration: 0, desc: '', failedChecks: 0, downTransitions: 0 });

    answer = 'HTTP/1.1 503 Service Unavailable\r\ncontent-length: 5\r\n\r\nready';
    t.rt.advance(100);
    assert.equal(t.server('s').status, 'DOWN');
    assert.match(t.stderr(), /Server be\/s is DOWN, reason: Layer7 wrong status, code: 503, info: "Service Unavailable", check duration: 0ms\./);

    answer = 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nready\r\n0\r\n\r\n';
    t.rt.advance(100);
    assert.equal(t.server('s').status, 'UP');
    assert.match(t.stderr(), /Server be\/s is UP, reason: Layer7 check passed, code: 200, check duration: 0ms\./);

    answer = 'HTTP/1.1 200 OK\r\n\r\nbooting';
    t.rt.advance(100);
    assert.equal(t.server('s').status, 'DOWN');
    assert.match(t.stderr(), /Server be\/s is DOWN, reason: Layer7 invalid response, info: "HTTP content check did not match"/);

    // A TCP-only server that never answers HTTP is checked too, and times out.
    assert.equal(t.server('t').status, 'DOWN');
    assert.match(t.stderr(), /Server be\/t is DOWN, reason: Layer7 timeout/);
    t.health.stop();
  });

  it('http-check disable-on-404: a 404 sets a running server stopping (NOLB), a 2xx restores it, a DOWN one stays DOWN', async () => {
    let answer = 'HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n';
    const t = setup([checked('s', 8001, {}, { rise: 2, fall: 2 }), checked('u', 8002, {}, { rise: 2, fall: 2 })], {
      mode: 'http',
      healthCheck: { ...httpCheck({ expect: [{ negate: false, kind: 'status', pattern: '200' }] }), disableOn404: true },
    });
    await httpServer(t.rt, 8001, () => answer);
    await httpServer(t.rt, 8002, () => 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
    t.health.start();
    advanceUntil(t.rt, () => t.server('s').status === 'NOLB', 1000);
    assert.equal(t.server('s').usable, false);
    assert.equal(t.server('s').checkState?.status, 'L7OKC');
    assert.match(t.stderr(), /Server be\/s is stopping, reason: Layer7 check conditionally passed, code: 404, check duration: 0ms\. 1 active and 0 backup servers online\. 0 sessions requeued, 0 total in queue\.\n/);
    t.rt.advance(500);
    assert.equal(t.stderr().split('is stopping').length, 2, 'reported once');

    answer = 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n';
    advanceUntil(t.rt, () => t.server('s').status === 'UP', 1000);
    assert.match(t.stderr(), /Server be\/s is UP, reason: Layer7 check passed, code: 200, check duration: 0ms\. 2 active and 0 backup servers online\./);

    answer = 'HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n';
    advanceUntil(t.rt, () => t.server('s').status === 'DOWN', 1000);
    answer = 'HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n';
    t.rt.advance(500);
    assert.equal(t.server('s').status, 'DOWN');
    assert.deepEqual([t.server('s').checkState?.status, t.server('s').checkState?.desc], ['L7STS', 'Not Found']);
    t.health.stop();
  });

  it('a server failing from NOLB goes DOWN with a notice, not an alert', async () => {
    let answer = 'HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n';
    const logs: LogTarget[] = [{ target: 'stdout', format: 'short', facility: 'local0', source: { file: 't', line: 1 } }];
    const t = setup([checked('s', 8001, {}, { rise: 1, fall: 1 })], { mode: 'http', healthCheck: { ...httpCheck(), disableOn404: true } }, {}, logs);
    await httpServer(t.rt, 8001, () => answer);
    t.health.start();
    advanceUntil(t.rt, () => t.server('s').status === 'NOLB', 1000);
    answer = 'HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n';
    advanceUntil(t.rt, () => t.server('s').status === 'DOWN', 1000);
    const lines = t.rt.stdout.join('').split('\n').filter((l) => l !== '');
    assert.match(lines[0] as string, /^<5>Server be\/s is stopping, reason: Layer7 check conditionally passed, code: 404/);
    // The last server leaving load balancing: the backend has none left (set_backend_down).
    assert.match(lines[1] as string, /^<0>backend be has no server available!/);
    assert.match(lines[2] as string, /^<5>Server be\/s is DOWN, reason: Layer7 wrong status, code: 503/);
    assert.equal(lines.length, 3, lines.join('\n'));
    t.health.stop();
  });

  it('HTTP checks: empty and malformed responses are L7RSP', async () => {
    let answer = '';
    const t = setup([checked('s', 8001, {}, { rise: 1, fall: 1 })], { mode: 'http', healthCheck: httpCheck() });
    await httpServer(t.rt, 8001, () => answer);
    t.health.start();
    t.rt.advance(50);
    // HAProxy 2.6.12 prints no info here (checked against the real binary).
    assert.match(t.stderr(), /Server be\/s is DOWN, reason: Layer7 invalid response, check duration: 0ms\. 0 active/);
    answer = 'HTTP/1.1 200 OK\r\n\r\n';
    t.rt.advance(100);
    assert.equal(t.server('s').status, 'UP');
    answer = 'SSH-2.0-OpenSSH\r\n';
    t.rt.advance(100);
    assert.equal(t.server('s').status, 'DOWN');
    assert.equal(t.server('s').checkState?.status, 'L7RSP');
    assert.equal(t.server('s').checkState?.desc, '');
    t.health.stop();
  });

  it('spreads the first probes of many servers over the interval', async () => {
    const servers = [1, 2, 3, 4].map((i) => checked(`s${i}`, 8000 + i, {}, { inter: 2000 }));
    const t = setup(servers);
    for (let i = 1; i <= 4; i++) await tcpServer(t.rt, 8000 + i);
    const seen: number[] = [];
    const start = t.rt.now();
    const connect = t.rt.connect.bind(t.rt);
    t.rt.connect = (options, handler) => {
      seen.push(t.rt.now() - start);
      return connect(options, handler);
    };
    t.health.start();
    t.rt.advance(1999);
    assert.deepEqual(seen, [0, 500, 1000, 1500]);
    t.rt.advance(1);
    assert.deepEqual(seen, [0, 500, 1000, 1500, 2000], 'then every inter from the end of the previous probe');
    t.health.stop();
  });

  it('spread-checks varies each interval by up to ±N%', async () => {
    const rt = new FakeRuntime();
    const be = new Backend(backend('be', [checked('s', 8001, {}, { inter: 1000 })]));
    await tcpServer(rt, 8001);
    let r = 0;
    const health = new HealthChecks([new BackendHealth(rt, be, undefined, 'backend', { spreadChecks: 10, random: () => r })]);
    health.start();
    rt.advance(1);
    const times: number[] = [];
    for (const value of [0, 1, 0.5]) {
      r = value;
      const before = rt.connectAttempts.length;
      const start = rt.now();
      while (rt.connectAttempts.length === before) rt.advance(1);
      times.push(rt.now() - start);
    }
    // The delay is drawn when the previous probe ends: first with r=0 (set before start), then 1, then 0.5.
    assert.ok(times.every((d) => d >= 900 && d <= 1100), times.join(','));
    assert.ok(new Set(times).size > 1, `intervals vary: ${times.join(',')}`);
    health.stop();
    assert.throws(() => new BackendHealth(rt, be, undefined, 'backend', { spreadChecks: 80 }), /spread-checks/);
  });

  it('does not check servers in maintenance', async () => {
    const t = setup([checked('a', 8001), checked('m', 8002, { disabled: true })]);
    await tcpServer(t.rt, 8001);
    t.health.start();
    t.rt.advance(1000);
    assert.ok(!t.rt.connectAttempts.includes(`${HOST}:8002`));
    assert.equal(t.server('m').status, 'MAINT');
    assert.equal(t.server('m').checkState?.status, 'INI');
    t.health.stop();
  });

  it('check port and addr redirect the probe; ssl servers are checked over TLS unless redirected', () => {
    const ssl = { verify: 'none' as const, caPem: undefined, sni: 'str(app)', alpn: ['h2'] };
    const plain = new Backend(backend('be', [server('s', 443, { ssl })])).servers[0] as Server;
    const base = check();
    const spec = probeSpecFor(plain, base, {}, undefined);
    assert.deepEqual([spec.host, spec.port, spec.tls], [HOST, 443, { verify: false }]);
    const redirected = probeSpecFor(plain, check({ port: 8080, addr: '10.0.0.1' }), {}, undefined);
    assert.deepEqual([redirected.host, redirected.port, redirected.tls], ['10.0.0.1', 8080, undefined]);
    assert.equal(probeSpecFor(plain, base, { connect: 500, check: 300 }, undefined).connectTimeout, 100);
    assert.equal(probeSpecFor(plain, check({ inter: 1000 }), { connect: 500, check: 300 }, undefined).connectTimeout, 500);
    assert.equal(probeSpecFor(plain, check({ inter: 1000 }), { connect: 500 }, undefined).connectTimeout, 1000);
  });

  it('slowstart ramps weight and maxconn after the server comes back UP, then stops its timer', async () => {
    const t = setup([checked('a', 8001), checked('s', 8002, { weight: 10, maxconn: 100, slowstart: 10_000 }, { rise: 1, fall: 1 })]);
    await tcpServer(t.rt, 8001);
    t.health.start();
    t.rt.advance(50);
    const s = t.server('s');
    assert.equal(s.status, 'DOWN');
    assert.deepEqual([s.weight, s.maxconn], [10, 100], 'no ramp at startup');
    await tcpServer(t.rt, 8002);
    advanceUntil(t.rt, () => s.status === 'UP', 500);
    assert.deepEqual([s.weight, s.maxconn], [1, 1]);
    assert.equal(s.rampSince, t.rt.now(), 'starting (stats throttle)');
    t.rt.advance(5000);
    assert.deepEqual([s.weight, s.maxconn], [5, 50]);
    t.rt.advance(5000);
    assert.deepEqual([s.weight, s.maxconn], [10, 100]);
    assert.equal(s.rampSince, undefined, 'running');
    t.health.stop();
    assert.equal(t.rt.pendingTimers, 0);
  });

  it('slowstart ramps only maxconn for static algorithms', async () => {
    const t = setup([checked('s', 8002, { weight: 10, maxconn: 100, slowstart: 10_000 }, { rise: 1, fall: 1 })], { balance: { algorithm: 'static-rr' } });
    t.health.start();
    t.rt.advance(50);
    await tcpServer(t.rt, 8002);
    advanceUntil(t.rt, () => t.server('s').status === 'UP', 500);
    t.rt.advance(2500);
    // Steps every max(1 s, slowstart/20): the last one was at 2 s.
    assert.deepEqual([t.server('s').weight, t.server('s').maxconn], [10, 20]);
    t.health.stop();
  });

  it('a server that goes DOWN has its queued sessions redistributed (option redispatch) and reported', async () => {
    const t = setup([checked('a', 8001, { maxconn: 1 }), checked('b', 8002, { maxconn: 1 })], { options: { redispatch: true } });
    await tcpServer(t.rt, 8001);
    t.health.start();
    t.rt.advance(60);
    assert.equal(t.server('b').status, 'DOWN');
    // b is DOWN (nothing listens); a holds a session and one waiter in its own queue.
    const granted: string[] = [];
    const client = (id: string) => ({ clientAddress: HOST, lbHead: undefined, granted: () => granted.push(id), kill() {} });
    const a = t.server('a');
    assert.equal(t.be.take(client('1'), undefined, a), a);
    assert.equal(t.be.take(client('2'), undefined, a), 'queued');
    assert.equal(a.queue.length, 1);
    t.health.stop();
    // Take a down through its checks: nothing listens any more.
    const t2 = t;
    t2.rt.listeners.clear();
    const health = new HealthChecks([new BackendHealth(t2.rt, t2.be, undefined, 'backend')]);
    health.start();
    advanceUntil(t2.rt, () => a.status === 'DOWN', 1000);
    assert.match(t2.stderr(), /Server be\/a is DOWN, .* 0 active and 0 backup servers left\. 1 sessions active, 1 requeued, 0 remaining in queue\./);
    assert.equal(t2.be.queueLength, 1, 'the waiter moved to the backend queue');
    health.stop();
  });

  it('a check request or expect rule the engine cannot compile names its backend', () => {
    const rt = new FakeRuntime();
    const be = new Backend(backend('be_bad', [checked('s', 8001)], { healthCheck: httpCheck({ expect: [{ negate: false, kind: 'rstring', pattern: '(' }] }) }));
    assert.throws(() => new BackendHealth(rt, be, undefined, 'backend'), /^Error: backend 'be_bad' \(test\.cfg:1\): 'http-check expect rstring \(': invalid regex/);
  });

  it('stop() leaves no timer and no socket, even mid-probe', async () => {
    const t = setup([checked('a', 8001), checked('b', 8002)], {}, {});
    await tcpServer(t.rt, 8001);
    t.rt.blackholes.add(`${HOST}:8002`);
    t.health.start();
    t.rt.advance(75);
    assert.ok(t.health.checks.some((c) => c.probing));
    t.health.stop();
    t.rt.flush();
    assert.equal(t.rt.pendingTimers, 0);
    assert.equal(t.rt.openSockets.size, 0);
    const attempts = t.rt.connectAttempts.length;
    t.rt.advance(5000);
    assert.equal(t.rt.connectAttempts.length, attempts);
  });
});
