/**
 * Passive health observation: the HealthObserver's verdicts and consecutive-error count, and
 * each `on-error` mode acting on the server's check on the fake clock (HAProxy 2.6's
 * __health_adjust), with HAProxy's "Health analyze" state-change line.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OnErrorMode, ServerCheckModel, ServerModel } from '../../src/config/model.ts';
import { BackendHealth, HealthChecks } from '../../src/health/health-service.ts';
import { HealthObserver, httpStatusEvent, Observed, type ObservedEvent } from '../../src/health/observe.ts';
import { ProxyLogger } from '../../src/log/logger.ts';
import { Backend } from '../../src/proxy/backend.ts';
import type { Server } from '../../src/proxy/server.ts';
import { FakeRuntime } from '../support/fake-runtime.ts';
import { backend, server } from '../support/model.ts';

const HOST = '127.0.0.1';

describe('HealthObserver', () => {
  function observer(mode: 'layer4' | 'layer7', limit: number) {
    const calls: [OnErrorMode, string][] = [];
    const o = new HealthObserver(mode, limit, 'mark-down', { observedErrors: (onError, info) => calls.push([onError, info]) });
    return { o, calls };
  }

  it('layer4 counts failed connections, a successful one ends the run', () => {
    const { o, calls } = observer('layer4', 3);
    o.observe(Observed.l4Error);
    o.observe(Observed.l4Error);
    assert.equal(o.consecutiveErrors, 2);
    o.observe(Observed.l4Ok);
    assert.equal(o.consecutiveErrors, 0);
    o.observe(Observed.l4Error);
    o.observe(Observed.l4Error);
    assert.deepEqual(calls, []);
    o.observe(Observed.l4Error);
    assert.deepEqual(calls, [['mark-down', 'Detected 3 consecutive errors, last one was: L4 unsuccessful connection']]);
    assert.equal(o.consecutiveErrors, 0, 'the run starts over after the action');
    assert.equal(o.failures, 1);
  });

  it('layer4 ignores HTTP responses', () => {
    const { o, calls } = observer('layer4', 1);
    for (const event of [Observed.httpStatus, Observed.httpHeaders, Observed.httpResponse, Observed.httpReadError, Observed.httpReadTimeout, Observed.httpBrokenPipe]) {
      o.observe(event);
    }
    assert.deepEqual(calls, []);
  });

  it('layer7 counts bad responses and failed connections; a good response ends the run, a connection proves nothing', () => {
    const { o, calls } = observer('layer7', 2);
    o.observe(Observed.l4Error);
    o.observe(Observed.l4Ok);
    assert.equal(o.consecutiveErrors, 1, 'a successful connection does not end the run');
    o.observe(Observed.httpOk);
    assert.equal(o.consecutiveErrors, 0);
    const last: [ObservedEvent, string][] = [
      [Observed.httpStatus, 'Wrong http response'],
      [Observed.httpHeaders, 'Invalid http response (headers)'],
      [Observed.httpResponse, 'Invalid http response'],
      [Observed.httpReadError, 'Read error (http)'],
      [Observed.httpReadTimeout, 'Read timeout (http)'],
      [Observed.httpBrokenPipe, 'Close from server (http)'],
      [Observed.l4Error, 'L4 unsuccessful connection'],
    ];
    for (const [event] of last) {
      o.observe(Observed.httpStatus);
      o.observe(event);
    }
    assert.deepEqual(
      calls.map(([, info]) => info),
      last.map(([, text]) => `Detected 2 consecutive errors, last one was: ${text}`),
    );
  });

  it('a passed check ends the run', () => {
    const { o } = observer('layer7', 5);
    o.observe(Observed.httpStatus);
    o.checkPassed();
    assert.equal(o.consecutiveErrors, 0);
  });

  it('judges statuses as HAProxy: 5xx are errors except 501 and 505, below 100 too', () => {
    for (const status of [100, 101, 200, 204, 302, 404, 499, 501, 505]) assert.equal(httpStatusEvent(status), Observed.httpOk, String(status));
    for (const status of [0, 99, 500, 502, 503, 504, 506, 599, 600, 999]) assert.equal(httpStatusEvent(status), Observed.httpStatus, String(status));
  });

  it('refuses an error-limit below 1', () => {
    assert.throws(() => new HealthObserver('layer4', 0, 'fastinter', { observedErrors() {} }), /error-limit/);
  });
});

interface Setup {
  rt: FakeRuntime;
  be: Backend;
  health: HealthChecks;
  server(name: string): Server;
  stderr(): string;
  /** Reports `event` n times for `name`, as sessions do. */
  report(name: string, event: ObservedEvent, n?: number): void;
}

function check(extra: Partial<ServerCheckModel> = {}): ServerCheckModel {
  return { enabled: true, inter: 1000, fastinter: undefined, downinter: undefined, rise: 2, fall: 3, port: undefined, addr: undefined, ...extra };
}

function observed(name: string, port: number, checkExtra: Partial<ServerCheckModel>, extra: Partial<ServerModel> = {}): ServerModel {
  return server(name, port, { check: check({ observe: 'layer4', errorLimit: 3, ...checkExtra }), ...extra });
}

function setup(servers: ServerModel[]): Setup {
  const rt = new FakeRuntime();
  const be = new Backend(backend('be', servers));
  const health = new HealthChecks([new BackendHealth(rt, be, new ProxyLogger(rt, [], false), 'backend')]);
  const t: Setup = {
    rt,
    be,
    health,
    server: (name) => be.server(name) as Server,
    stderr: () => rt.stderr.join(''),
    report(name, event, n = 1) {
      for (let i = 0; i < n; i++) t.server(name).observer?.observe(event);
    },
  };
  return t;
}

/** A TCP server that accepts and holds connections (checks pass). */
async function tcpServer(rt: FakeRuntime, port: number) {
  return rt.listen({ host: HOST, port }, (socket) => {
    socket.setHandler({ onData() {}, onEnd: (s) => s.end(), onDrain() {}, onClose() {} });
  });
}

/**
 * Starts the checks (inter 1000, first probes spread over it) and lets the first probes pass:
 * every server fully healthy (health 4) at t=600, the first server's next probe due at t=1000.
 */
async function started(t: Setup, ports: number[]): Promise<void> {
  for (const port of ports) await tcpServer(t.rt, port);
  t.health.start();
  t.rt.advance(600);
  for (const s of t.be.servers) assert.equal(s.checkState?.health, 4);
}

describe('observe with on-error (fake clock)', () => {
  it('mark-down: error-limit errors take the server DOWN at once, with the Health analyze line; checks bring it back', async () => {
    const t = setup([observed('a', 8001, { onError: 'mark-down', fastinter: 100 }), observed('b', 8002, {})]);
    await started(t, [8001, 8002]);
    const probes = t.rt.connectAttempts.length;
    t.report('a', Observed.l4Error, 2);
    assert.equal(t.server('a').status, 'UP');
    t.report('a', Observed.l4Error);
    assert.equal(t.server('a').status, 'DOWN');
    assert.equal(t.server('a').checkState?.status, 'HANA');
    assert.equal(t.server('a').checkState?.health, 0);
    assert.ok(
      t.stderr().includes(
        '[WARNING]  (4242) : Server be/a is DOWN, reason: Health analyze, info: "Detected 3 consecutive errors, last one was: L4 unsuccessful connection". ' +
          '1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.\n',
      ),
      t.stderr(),
    );
    // The next probe comes after fastinter (not inter), and rise good ones bring the server back.
    t.rt.advance(99);
    assert.equal(t.rt.connectAttempts.length, probes);
    t.rt.advance(2);
    assert.equal(t.rt.connectAttempts.length, probes + 1);
    t.rt.advance(200);
    assert.equal(t.server('a').status, 'UP');
    assert.match(t.stderr(), /Server be\/a is UP, reason: Layer4 check passed, check duration: 0ms\. 2 active and 0 backup servers online\./);
    assert.equal(t.server('b').status, 'UP');
    t.health.stop();
  });

  it('the last server taken DOWN raises the no-server alert', async () => {
    const t = setup([observed('only', 8001, { onError: 'mark-down', errorLimit: 1 })]);
    await started(t, [8001]);
    t.report('only', Observed.l4Error);
    assert.match(t.stderr(), /Server be\/only is DOWN, reason: Health analyze, info: "Detected 1 consecutive errors, last one was: L4 unsuccessful connection"\. 0 active and 0 backup servers left\./);
    assert.ok(t.stderr().includes("[ALERT]    (4242) : backend 'be' has no server available!\n"));
    t.health.stop();
  });

  it('fail-check: each run counts as one failed check; fall runs take the server DOWN', async () => {
    const t = setup([observed('a', 8001, { onError: 'fail-check' })]);
    await started(t, [8001]);
    t.report('a', Observed.l4Error, 3);
    assert.equal(t.server('a').checkState?.health, 3);
    assert.equal(t.server('a').checkState?.status, 'HANA');
    assert.equal(t.server('a').checkState?.desc, 'Detected 3 consecutive errors, last one was: L4 unsuccessful connection');
    assert.equal(t.server('a').checkState?.duration, -1);
    t.report('a', Observed.l4Error, 3);
    assert.equal(t.server('a').checkState?.health, 2);
    assert.equal(t.server('a').status, 'UP');
    assert.equal(t.stderr(), '', 'no line while the server stays UP');
    t.report('a', Observed.l4Error, 3);
    assert.equal(t.server('a').status, 'DOWN');
    assert.match(t.stderr(), /Server be\/a is DOWN, reason: Health analyze, info: "Detected 3 consecutive errors, last one was: L4 unsuccessful connection"\. 0 active/);
    t.health.stop();
  });

  it('fail-check: a passed check in between restores the health and ends the run', async () => {
    const t = setup([observed('a', 8001, { onError: 'fail-check' })]);
    await started(t, [8001]);
    t.report('a', Observed.l4Error, 3);
    assert.equal(t.server('a').checkState?.health, 3);
    t.report('a', Observed.l4Error, 2);
    t.rt.advance(401);
    assert.equal(t.server('a').checkState?.health, 4, 'a good probe makes the server fully healthy again');
    t.report('a', Observed.l4Error, 2);
    assert.equal(t.server('a').checkState?.health, 4, 'the probe also ended the run of errors');
    t.health.stop();
  });

  it('sudden-death: one run leaves the server one failed check away from DOWN', async () => {
    const t = setup([observed('a', 8001, { onError: 'sudden-death', inter: 100 })]);
    const listener = await tcpServer(t.rt, 8001);
    t.health.start();
    t.rt.advance(10);
    t.report('a', Observed.l4Error, 3);
    assert.equal(t.server('a').checkState?.health, 2, 'health = rise: still UP');
    assert.equal(t.server('a').status, 'UP');
    await listener.close();
    t.rt.advance(100);
    assert.equal(t.server('a').status, 'DOWN', 'the next failed probe takes it DOWN (fall 3 notwithstanding)');
    assert.match(t.stderr(), /Server be\/a is DOWN, reason: Layer4 connection problem, info: "Connection refused"/);
    t.health.stop();
  });

  it('sudden-death on a server already below rise+1 counts as one failed check', async () => {
    const t = setup([observed('a', 8001, { onError: 'sudden-death', fall: 1 })]);
    await tcpServer(t.rt, 8001);
    t.health.start();
    t.rt.advance(10);
    // rise 2 fall 1: fully healthy is health 2 = rise, so the failed check takes it DOWN.
    t.report('a', Observed.l4Error, 3);
    assert.equal(t.server('a').status, 'DOWN');
    t.health.stop();
  });

  it('fastinter: the health is left alone, only the next probe comes after fastinter', async () => {
    const t = setup([observed('a', 8001, { onError: 'fastinter', fastinter: 50 })]);
    await started(t, [8001]);
    const probes = t.rt.connectAttempts.length;
    t.rt.advance(300);
    t.report('a', Observed.l4Error, 3);
    assert.equal(t.server('a').checkState?.health, 4);
    assert.equal(t.server('a').checkState?.status, 'L4OK', 'no HANA result');
    t.rt.advance(49);
    assert.equal(t.rt.connectAttempts.length, probes);
    t.rt.advance(2);
    assert.equal(t.rt.connectAttempts.length, probes + 1, 'probe after fastinter');
    t.rt.advance(998);
    assert.equal(t.rt.connectAttempts.length, probes + 1, 'then inter again');
    t.rt.advance(2);
    assert.equal(t.rt.connectAttempts.length, probes + 2);
    assert.equal(t.stderr(), '');
    t.health.stop();
  });

  it('without fastinter configured, the schedule does not change', async () => {
    const t = setup([observed('a', 8001, { onError: 'fail-check' })]);
    await started(t, [8001]);
    const probes = t.rt.connectAttempts.length;
    t.rt.advance(300);
    t.report('a', Observed.l4Error, 3);
    t.rt.advance(99);
    assert.equal(t.rt.connectAttempts.length, probes, 'still waiting for inter');
    t.rt.advance(2);
    assert.equal(t.rt.connectAttempts.length, probes + 1);
    t.health.stop();
  });

  it('observes only servers with check (as HAProxy), only while the checks run, and never servers in maintenance', async () => {
    const t = setup([
      observed('a', 8001, { onError: 'mark-down', errorLimit: 1 }),
      observed('nocheck', 8002, { enabled: false, onError: 'mark-down', errorLimit: 1 }),
      observed('maint', 8003, { onError: 'mark-down', errorLimit: 1 }, { disabled: true }),
      server('plain', 8004, { check: check() }),
    ]);
    assert.equal(t.server('a').observer, undefined, 'not before the checks start');
    await tcpServer(t.rt, 8001);
    t.health.start();
    t.rt.advance(10);
    assert.notEqual(t.server('a').observer, undefined);
    assert.equal(t.server('nocheck').observer, undefined);
    assert.equal(t.server('plain').observer, undefined);
    t.report('maint', Observed.l4Error);
    assert.equal(t.server('maint').status, 'MAINT');
    t.health.stop();
    assert.equal(t.server('a').observer, undefined, 'detached when the checks stop');
    t.rt.flush();
    assert.equal(t.rt.pendingTimers, 0);
  });
});
