/**
 * HAProxy's check spreading: `spread-checks` randomises each interval (process_chk_conn),
 * start_checks staggers the first probes of checks and agents, `max-spread-checks` caps that.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServerCheckModel, ServerModel } from '../../src/config/model.ts';
import { firstCheckDelay, spreadInterval } from '../../src/health/check-spread.ts';
import { BackendHealth, HealthChecks } from '../../src/health/health-service.ts';
import { Backend } from '../../src/proxy/backend.ts';
import { FakeRuntime } from '../support/fake-runtime.ts';
import { backend, server } from '../support/model.ts';

function check(inter: number): ServerCheckModel {
  return { enabled: true, inter, fastinter: undefined, downinter: undefined, rise: 2, fall: 3, port: undefined, addr: undefined };
}

async function holdingServer(rt: FakeRuntime, port: number): Promise<void> {
  await rt.listen({ host: '127.0.0.1', port }, (socket) => {
    socket.setHandler({ onData() {}, onEnd: (s) => s.end(), onDrain() {}, onClose() {} });
  });
}

/** Start times (ms after start()) of the first connection to each port. */
function firstConnects(rt: FakeRuntime, health: HealthChecks, until: number): Map<number, number> {
  const seen = new Map<number, number>();
  const start = rt.now();
  const connect = rt.connect.bind(rt);
  rt.connect = (options, handler) => {
    if ('port' in options && !seen.has(options.port)) seen.set(options.port, rt.now() - start);
    return connect(options, handler);
  };
  health.start();
  rt.advance(until);
  return seen;
}

describe('spread-checks', () => {
  it('draws inter ± up to N% in whole ms, as HAProxy (rv = inter*N/100; rv -= 2*rv*random)', () => {
    assert.equal(spreadInterval(2000, 0, () => 0.9), 2000);
    assert.equal(spreadInterval(2000, 10, () => 0), 2200);
    assert.equal(spreadInterval(2000, 10, () => 1), 1800);
    assert.equal(spreadInterval(2000, 10, () => 0.5), 2000);
    assert.equal(spreadInterval(2000, 50, () => 0.25), 2000 + 1000 - 500);
    // Integer arithmetic: 1999 * 5 / 100 = 99 (truncated), 2 * 99 * 0.3 = 59.4 -> 59.
    assert.equal(spreadInterval(1999, 5, () => 0.3), 1999 + 99 - 59);
  });

  it('also spreads agent intervals', async () => {
    const rt = new FakeRuntime();
    const agent = { port: 9001, addr: undefined, inter: 1000, send: undefined };
    const be = new Backend(backend('be', [server('s', 8001, { agent })]));
    await holdingServer(rt, 9001);
    const health = new HealthChecks([new BackendHealth(rt, be, undefined, 'backend', { spreadChecks: 20, random: () => 0 })]);
    health.start();
    rt.advance(1);
    const before = rt.connectAttempts.length;
    const start = rt.now();
    // The agent never answers: its probe ends at its timeout (inter), then waits inter + 20 %.
    while (rt.connectAttempts.length === before && rt.now() - start < 5000) rt.advance(10);
    assert.equal(rt.connectAttempts.length, before + 1);
    assert.ok(rt.now() - start >= 1000 + 1200 - 10, `next agent probe after ${rt.now() - start} ms`);
    health.stop();
  });
});

describe('first checks at startup (start_checks)', () => {
  it('spread over the smallest interval, capped by max-spread-checks', () => {
    assert.deepEqual([0, 1, 2, 3].map((n) => firstCheckDelay(2000, 2000, undefined, n, 4)), [0, 500, 1000, 1500]);
    assert.deepEqual([0, 1, 2, 3].map((n) => firstCheckDelay(2000, 2000, 400, n, 4)), [0, 100, 200, 300]);
    assert.equal(firstCheckDelay(2000, 5000, undefined, 1, 2), 2500, 'a longer interval spreads over itself');
    assert.equal(firstCheckDelay(2000, 5000, 1000, 1, 2), 500);
    assert.equal(firstCheckDelay(2000, 2000, 0, 1, 2), 1000, '0 = no cap');
  });

  it('max-spread-checks bounds the startup spread of real checks', async () => {
    const rt = new FakeRuntime();
    const servers: ServerModel[] = [1, 2, 3, 4].map((i) => server(`s${i}`, 8000 + i, { check: check(4000) }));
    const be = new Backend(backend('be', servers));
    for (let i = 1; i <= 4; i++) await holdingServer(rt, 8000 + i);
    const health = new HealthChecks([new BackendHealth(rt, be, undefined, 'backend')], 800);
    const seen = firstConnects(rt, health, 1000);
    assert.deepEqual([...seen.values()], [0, 200, 400, 600]);
    health.stop();
  });

  it("interleaves a server's agent after its check, as HAProxy counts both", async () => {
    const rt = new FakeRuntime();
    const agent = { port: 9001, addr: undefined, inter: undefined, send: undefined };
    const servers: ServerModel[] = [server('a', 8001, { check: check(2000), agent }), server('b', 8002, { check: check(2000) })];
    const be = new Backend(backend('be', servers));
    for (const port of [8001, 8002, 9001]) await holdingServer(rt, port);
    const health = new HealthChecks([new BackendHealth(rt, be, undefined, 'backend')]);
    const seen = firstConnects(rt, health, 1900);
    // Positions: a's check 0, a's agent 1, b's check 2 of 3 over 2000 ms.
    assert.deepEqual([seen.get(8001), seen.get(9001), seen.get(8002)], [0, 666, 1333]);
    health.stop();
  });
});
