import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkFdLimit, parseFdLimit, readFdLimit } from '../../src/proxy/fd-limit.ts';

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

  it("a limit above the process's is HAProxy's alert (strict) or warning; below it, a notice", () => {
    const limit = { soft: 20000, hard: 20000 };
    assert.deepEqual(checkFdLimit(30000, limit, true, 'switchyard', 'node'), { kind: 'alert', text: '[switchyard.main()] Cannot raise FD limit to 30000, limit is 20000.' });
    assert.deepEqual(checkFdLimit(30000, limit, false, 'switchyard', 'node'), { kind: 'warning', text: '[switchyard.main()] Cannot raise FD limit to 30000, limit is 20000.' });
    assert.deepEqual(checkFdLimit(20000, limit, true, 'switchyard', 'node'), { kind: 'ok' });
    assert.equal(checkFdLimit(4096, limit, true, 'switchyard', 'bun').kind, 'notice');
    assert.match((checkFdLimit(4096, undefined, true, 'switchyard', 'deno') as { text: string }).text, /not checked/);
  });
});
