import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFdLimit, parseFdLimit, readFdLimit, tooLowForMaxsock, unreadableFdLimit, type FdLimit } from '../../src/proxy/fd-limit.ts';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

describe('ulimit-n against the process limit', () => {
  it('reads the soft and hard limits of /proc/PID/limits', async () => {
    assert.deepEqual(parseFdLimit(LIMITS), { soft: 1024, hard: 524288 });
    assert.deepEqual(parseFdLimit('Max open files            unlimited            unlimited            files\n'), { soft: Infinity, hard: Infinity });
    assert.equal(parseFdLimit('Max cpu time unlimited unlimited seconds\n'), undefined);
    assert.deepEqual(await readFdLimit(async () => LIMITS), { soft: 1024, hard: 524288 });
    assert.equal(await readFdLimit(async () => Promise.reject(new Error('ENOENT'))), undefined);
  });

  it("without setrlimit() (every call refused): the limit the process has holds what is wanted, or HAProxy's alert (strict) or warning", async () => {
    // Node, Bun and Deno start with their soft limit raised to the hard one.
    const limit = { soft: 20000, hard: 20000 };
    const sets: [number, number][] = [];
    const refused = { set: (soft: number, hard: number) => (sets.push([soft, hard]), false), read: async () => limit };
    assert.deepEqual(await applyFdLimit(30000, limit, true, 'switchyard', refused), { outcome: { kind: 'alert', text: '[switchyard.main()] Cannot raise FD limit to 30000, limit is 20000.' }, nofile: 20000 });
    assert.deepEqual(await applyFdLimit(30000, limit, false, 'switchyard', refused), { outcome: { kind: 'warning', text: '[switchyard.main()] Cannot raise FD limit to 30000, limit is 20000.' }, nofile: 20000 });
    // As HAProxy 2.6.12, nothing is lowered and show info's Ulimit-n is the number asked for.
    assert.deepEqual(await applyFdLimit(20000, limit, true, 'switchyard', refused), { outcome: { kind: 'ok' }, nofile: 20000 });
    assert.deepEqual(await applyFdLimit(4096, limit, true, 'switchyard', refused), { outcome: { kind: 'ok' }, nofile: 4096 });
    assert.deepEqual(sets, [[30000, 30000], [30000, 30000]]);
    assert.deepEqual(unreadableFdLimit(undefined), { kind: 'ok' });
    assert.match((unreadableFdLimit(4096) as { text: string }).text, /'ulimit-n 4096' not checked/);
  });
});

/** A process limit setrlimit() changes, refusing a hard limit above `ceiling` (no CAP_SYS_RESOURCE). */
function fakeLimit(start: FdLimit, ceiling: number) {
  let limit = start;
  const sets: [number, number][] = [];
  return {
    sets,
    calls: {
      set(soft: number, hard: number): boolean {
        sets.push([soft, hard]);
        if (hard > Math.max(ceiling, limit.hard) || soft > hard) return false;
        limit = { soft, hard };
        return true;
      },
      read: async () => limit,
    },
  };
}

describe('setting the limit as HAProxy 2.6 (applyFdLimit)', () => {
  it('raises the soft limit, the hard one kept, and shows what was asked', async () => {
    const fake = fakeLimit({ soft: 1024, hard: 8192 }, 8192);
    assert.deepEqual(await applyFdLimit(4000, { soft: 1024, hard: 8192 }, true, 'switchyard', fake.calls), { outcome: { kind: 'ok' }, nofile: 4000 });
    assert.deepEqual(fake.sets, [[4000, 8192]]);
  });
  it('never lowers either limit (raise_rlim_nofile): no call at all', async () => {
    const fake = fakeLimit({ soft: 8192, hard: 8192 }, 8192);
    assert.deepEqual(await applyFdLimit(2000, { soft: 8192, hard: 8192 }, true, 'switchyard', fake.calls), { outcome: { kind: 'ok' }, nofile: 2000 });
    assert.deepEqual(fake.sets, []);
  });
  it('an unlimited hard limit at boot counts as the soft one', async () => {
    const fake = fakeLimit({ soft: 1024, hard: Infinity }, Infinity);
    await applyFdLimit(4000, { soft: 1024, hard: Infinity }, true, 'switchyard', fake.calls);
    assert.deepEqual(fake.sets, [[4000, 4000]]);
  });
  it('above the hard limit: the alert under strict-limits, else the warning and the hard limit', async () => {
    const boot = { soft: 1024, hard: 8192 };
    assert.deepEqual(await applyFdLimit(10000, boot, true, 'switchyard', fakeLimit(boot, 8192).calls), {
      outcome: { kind: 'alert', text: '[switchyard.main()] Cannot raise FD limit to 10000, limit is 1024.' },
      nofile: 1024,
    });
    const fake = fakeLimit(boot, 8192);
    assert.deepEqual(await applyFdLimit(10000, boot, false, 'switchyard', fake.calls), {
      outcome: { kind: 'warning', text: '[switchyard.main()] Cannot raise FD limit to 10000, limit is 8192.' },
      nofile: 8192,
    });
    assert.deepEqual(fake.sets, [[10000, 10000], [8192, 8192]]);
  });
});

describe("the limit against maxsock (HAProxy's 'check ulimits')", () => {
  it('below maxsock: the alert, with maxconn and maxsock; at or above it, unlimited, or without maxconn: nothing', () => {
    assert.equal(
      tooLowForMaxsock({ soft: 1024, hard: 1024 }, 1000, 2017, 'haproxy'),
      "[haproxy.main()] FD limit (1024) too low for maxconn=1000/maxsock=2017. Please raise 'ulimit-n' to 2017 or more to avoid any trouble.",
    );
    assert.equal(tooLowForMaxsock({ soft: 2017, hard: 2017 }, 1000, 2017, 'haproxy'), undefined);
    assert.equal(tooLowForMaxsock({ soft: Infinity, hard: Infinity }, 1000, 2017, 'haproxy'), undefined);
    assert.equal(tooLowForMaxsock({ soft: 100, hard: 100 }, 0, 0, 'haproxy'), undefined);
    assert.equal(tooLowForMaxsock(undefined, 1000, 2017, 'haproxy'), undefined);
  });
});
