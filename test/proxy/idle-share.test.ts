import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IdleSampler, IdleWindow } from '../../src/proxy/idle-share.ts';
import { connectionCountSlots, ProcessLimits } from '../../src/proxy/process-limits.ts';
import { cpuTooBusy } from '../../src/http/compression/compression-filter.ts';
import { DEFAULT_COMPRESSION_TUNING } from '../../src/config/compression-tuning-model.ts';
import { FakeRuntime } from '../support/fake-runtime.ts';

/** A fake runtime whose event loop was busy for `busy` ms so far (undefined: it cannot tell). */
class MeasuringRuntime extends FakeRuntime {
  busy: number | undefined = 0;
  loopBusyTime(): number | undefined {
    return this.busy;
  }
}

describe("IdleWindow (HAProxy's clock_measure_idle)", () => {
  it('publishes once half a second has gone by, rounding half up, and starts a new window', () => {
    const w = new IdleWindow();
    assert.equal(w.add(200, 10), undefined);
    assert.equal(w.add(299.999, 0), undefined, 'under 500 ms: no figure yet');
    // 500 ms, 10 of them busy: 98 %.
    assert.equal(w.add(0.001, 0), 98);
    // A new window: 1000 ms, 5 ms busy is 99.5 %, rounded up to 100 as (100 * idle + samp / 2) / samp.
    assert.equal(w.add(1000, 5), 100);
    assert.equal(w.add(1000, 5.001), 99);
    assert.equal(w.add(600, 600), 0);
  });

  it('keeps busy time within the elapsed time (two clocks)', () => {
    const w = new IdleWindow();
    assert.equal(w.add(500, 520), 0);
    assert.equal(w.add(500, -3), 100);
  });
});

describe("ProcessLimits' idle percentages (th_ctx->idle_pct, clock_report_idle)", () => {
  it("averages the threads' figures rounded down, a thread not measured yet counting 100", () => {
    const counts = new Int32Array(new SharedArrayBuffer(4 * connectionCountSlots(1)));
    const a = new ProcessLimits(0, undefined, counts);
    const b = new ProcessLimits(0, undefined, counts);
    assert.equal(a.idlePct, undefined, 'no measure: no figure');
    assert.equal(a.processIdlePct(2), undefined);
    a.reportIdle(0, 97);
    assert.equal(a.idlePct, 97);
    assert.equal(a.processIdlePct(3), 99, '(97 + 100 + 100) / 3 = 99');
    b.reportIdle(1, 0);
    assert.equal(b.idlePct, 0);
    assert.equal(a.processIdlePct(2), 48, '(97 + 0) / 2 = 48.5, rounded down');
    assert.equal(a.processIdlePct(1), 97);
  });
});

describe('IdleSampler', () => {
  it("samples the runtime's busy time every half second and publishes this thread's figure", () => {
    const rt = new MeasuringRuntime();
    const limits = new ProcessLimits(0);
    const sampler = new IdleSampler(rt, limits, 0);
    sampler.start();
    assert.equal(limits.idlePct, 100, 'a thread starts at 100');
    rt.busy = 100;
    rt.advance(500);
    assert.equal(limits.idlePct, 80);
    rt.busy = 100 + 500;
    rt.advance(500);
    assert.equal(limits.idlePct, 0);
    rt.advance(500);
    assert.equal(limits.idlePct, 100);
    sampler.stop();
    rt.busy = 10_000;
    rt.advance(5000);
    assert.equal(limits.idlePct, 100, 'stopped: no more samples');
  });

  it('leaves the figure unknown where the runtime cannot tell', () => {
    const rt = new MeasuringRuntime();
    rt.busy = undefined;
    const limits = new ProcessLimits(0);
    new IdleSampler(rt, limits, 0).start();
    rt.advance(2000);
    assert.equal(limits.idlePct, undefined);
    assert.equal(limits.processIdlePct(1), undefined);
    assert.equal(new IdleSampler(new FakeRuntime(), limits, 0).start(), undefined);
    assert.equal(limits.idlePct, undefined);
  });
});

describe('maxcompcpuusage (compress_min_idle)', () => {
  it("is passed when the thread's idle percentage is under 100 - N", () => {
    const limits = new ProcessLimits(0);
    limits.reportIdle(0, 69);
    assert.equal(cpuTooBusy(limits), false, 'no maxcompcpuusage: never');
    limits.compression = { ...DEFAULT_COMPRESSION_TUNING, minIdle: 70 };
    assert.equal(cpuTooBusy(limits), true);
    limits.reportIdle(0, 70);
    assert.equal(cpuTooBusy(limits), false);
    // maxcompcpuusage 0: anything short of fully idle.
    limits.compression = { ...DEFAULT_COMPRESSION_TUNING, minIdle: 100 };
    limits.reportIdle(0, 99);
    assert.equal(cpuTooBusy(limits), true);
    limits.reportIdle(0, undefined);
    assert.equal(cpuTooBusy(limits), false, 'unmeasured: never too busy');
  });
});
