/**
 * `cpu-map`: the process and thread sets HAProxy 2.6's cfgparse-global.c makes of each form
 * (auto:, all/odd/even, ranges, its quirks), HAProxy's messages, and how a thread's set meets
 * the process's (src/proxy/cpu-affinity.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Runtime } from '../../src/runtime.ts';
import { cpuMapRefusal, threadCpus } from '../../src/proxy/cpu-affinity.ts';
import { TIMEOUTS, cfg, errors, parse } from './support.ts';

const BACKEND = ['backend b', '  server s 127.0.0.1:1'];

async function cpuMap(...lines: string[]) {
  return (await parse(cfg('global', ...lines.map((l) => `  ${l}`), 'defaults', ...TIMEOUTS, ...BACKEND))).global.cpuMap;
}

describe('cpu-map', () => {
  it('maps the whole process with a lone process set or the thread set 1', async () => {
    assert.deepEqual(await cpuMap('cpu-map 1 0-3'), { process: [0, 1, 2, 3], threads: [] });
    assert.deepEqual(await cpuMap('cpu-map 1/1 2 0'), { process: [0, 2], threads: [] });
    assert.deepEqual(await cpuMap('cpu-map all 1-'), { process: Array.from({ length: 1023 }, (_, i) => i + 1), threads: [] }, 'an open range goes to CPU 1023');
    assert.deepEqual(await cpuMap('cpu-map auto:1 4'), { process: [4], threads: [] });
    assert.deepEqual(await cpuMap('cpu-map 1 0,3'), { process: [0], threads: [] }, 'no commas here: str2uic stops at one');
    assert.equal(await cpuMap(), undefined);
  });

  it('maps threads, one CPU each with auto:, later lines replacing earlier ones', async () => {
    assert.deepEqual((await cpuMap('cpu-map 1/2-3 1'))?.threads, [[], [1], [1]]);
    assert.deepEqual((await cpuMap('cpu-map auto:1/1-4 3 2 1 0'))?.threads, [[0], [1], [2], [3]]);
    assert.deepEqual((await cpuMap('cpu-map auto:1/1-2 0-1', 'cpu-map 1/2 5'))?.threads, [[0], [5]]);
    const odd = await cpuMap('cpu-map 1/odd 0');
    assert.deepEqual(odd?.threads.slice(0, 4), [[0], [], [0], []]);
    assert.equal(odd?.threads.length, 63, 'threads 1, 3 ... 63');
    assert.deepEqual((await cpuMap('cpu-map auto:1/1-4 0'))?.threads, [[0], [], [], []], "HAProxy's size test passes on the process set's size");
  });

  it("gives HAProxy's messages", async () => {
    const usage = "cpu-map expects a process number  ('all', 'odd', 'even', a number from 1 to 64 or a range),  followed by a list of CPU ranges with numbers from 0 to 63.";
    const lines = ['cpu-map', 'cpu-map 1', 'cpu-map x 0', 'cpu-map 1/x 0', 'cpu-map 0 0', 'cpu-map 65 0', 'cpu-map 1 a', 'cpu-map 1 2000', 'cpu-map auto:1/1-4 0-1'];
    const found = (await errors(cfg('global', ...lines.map((l) => `  ${l}`), ...BACKEND))).map(([line, , , message]) => [line, message]);
    assert.deepEqual(found, [
      [2, usage],
      [3, usage],
      [4, "cpu-map : 'x' is not a valid number/range."],
      [5, "cpu-map : 'x' is not a valid number/range."],
      [6, "cpu-map : '0' is not a valid number/range. It supports numbers from 1 to 64."],
      [7, "cpu-map : '65' is not a valid number/range. It supports numbers from 1 to 64."],
      [8, "cpu-map : 'a' is not a CPU range."],
      [9, 'cpu-map : supports CPU numbers from 0 to 1023.'],
      [10, 'cpu-map : PROC/THREAD range and CPU sets must have the same size to be automatically bound'],
    ]);
  });

  it("binds a thread within the process's set, or not at all when they do not meet", () => {
    assert.deepEqual(threadCpus({ process: [], threads: [[1, 2]] }, 0), [1, 2]);
    assert.deepEqual(threadCpus({ process: [0, 1], threads: [[1, 2]] }, 0), [1]);
    assert.deepEqual(threadCpus({ process: [0], threads: [[1, 2]] }, 0), []);
    assert.deepEqual(threadCpus({ process: [0], threads: [[1]] }, 3), []);
  });

  it('is refused where the runtime cannot bind what the map asks', () => {
    const runtime = (has: { process?: boolean; thread?: boolean }) =>
      ({ name: 'test', ...(has.process ? { bindProcessToCpus: () => true } : {}), ...(has.thread ? { bindThreadToCpus: () => true } : {}) }) as unknown as Runtime;
    const perThread = { process: [], threads: [[0], [1]] };
    assert.equal(cpuMapRefusal(runtime({}), undefined, 2), undefined);
    assert.match(cpuMapRefusal(runtime({}), { process: [0], threads: [] }, 1) ?? '', /cannot set a CPU affinity/);
    assert.equal(cpuMapRefusal(runtime({ process: true }), perThread, 1), undefined, 'one thread: bound as the process');
    assert.match(cpuMapRefusal(runtime({ process: true }), perThread, 2) ?? '', /not single threads/);
    assert.equal(cpuMapRefusal(runtime({ process: true, thread: true }), perThread, 2), undefined);
  });
});
