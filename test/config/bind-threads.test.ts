/**
 * `thread` on `bind` and `stats socket` lines (HAProxy 2.6's bind_parse_thread and
 * thread_resolve_group_mask), `process 1/T`, `nice` and a frontend bind's `severity-output`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseThreadSet, resolveThreadSet } from '../../src/config/keywords/bind-threads.ts';
import { atolInt32 } from '../../src/config/keywords/args.ts';
import { parseNice } from '../../src/config/keywords/bind-nice.ts';
import { cfg, errors, parse, TIMEOUTS, warnings } from './support.ts';

const ANSWER = '  http-request return status 200';
const withThreads = (nbthread: number, ...lines: string[]) => cfg('global', `  nbthread ${nbthread}`, 'defaults', '  mode http', ...TIMEOUTS, 'frontend f', ...lines, ANSWER);

describe('bind thread', () => {
  it('parses sets, ranges and the one group as HAProxy does', () => {
    assert.deepEqual(parseThreadSet('2', undefined), { group: 0, mask: 0b10n });
    assert.deepEqual(parseThreadSet('1/2-3', undefined), { group: 1, mask: 0b110n });
    assert.deepEqual(parseThreadSet('3', { group: 0, mask: 1n }), { group: 0, mask: 0b101n });
    assert.deepEqual(parseThreadSet('63-', undefined), { group: 0, mask: 0b11n << 62n });
    assert.equal(parseThreadSet('2/1', undefined), "'2/1' thread-group number must be between 1 and 1 (was 2)");
    assert.equal(parseThreadSet('/1', undefined), "'/1' thread-group number must be between 1 and 1 (was 0)");
    assert.equal(parseThreadSet('-1/1', undefined), "'-1/1' thread-group number must be between 1 and 1 (was -1)");
    assert.equal(parseThreadSet('1/2', { group: 0, mask: 1n }), "'1/2' multiple thread-groups are not supported");
    assert.equal(parseThreadSet('2', { group: 1, mask: 1n }), "'2' multiple thread-groups are not supported");
    assert.equal(parseThreadSet('65', undefined), "'65' : '65' is not a valid number/range. It supports numbers from 1 to 64.");
    assert.equal(parseThreadSet('1/x', undefined), "'x' : 'x' is not a valid number/range.");
  });

  it('keeps the threads of nbthread (0-based), refusing a set with none', () => {
    assert.deepEqual(resolveThreadSet({ group: 0, mask: 0b110n }, 2), [1]);
    assert.deepEqual(resolveThreadSet({ group: 1, mask: (1n << 64n) - 1n }, 3), [0, 1, 2]);
    assert.equal(resolveThreadSet({ group: 0, mask: 0b100n }, 2), "'thread' directive contains threads that belong to no group");
    assert.equal(resolveThreadSet({ group: 1, mask: 0b100n }, 2), "'thread' directive only references threads not belonging to the group");
  });

  it('the model names the threads of each address of the line; all of them is no restriction', async () => {
    const model = await parse(withThreads(4, '  bind 127.0.0.1:8001,127.0.0.1:8002 thread 2 thread 4', '  bind 127.0.0.1:8003 thread 1-4', '  bind 127.0.0.1:8004 thread even'));
    assert.deepEqual(model.frontends[0]?.binds.map((b) => b.threads), [[1, 3], [1, 3], undefined, [1, 3]]);
    const process = await parse(withThreads(2, '  bind 127.0.0.1:8001 process 1/2'));
    assert.deepEqual(process.frontends[0]?.binds.map((b) => b.threads), [[1]]);
    assert.deepEqual(warnings(process), [
      [9, 'bind', "'bind 127.0.0.1:8001' in section 'frontend' : 'process 1/2' on 'bind' lines is deprecated and will be removed in 2.7. Please use 'thread 2' instead."],
    ]);
  });

  it('a set outside nbthread is refused once for the line, after nbthread was read wherever it is', async () => {
    assert.deepEqual(await errors(withThreads(2, '  bind 127.0.0.1:8001,127.0.0.1:8002 thread 3-4')), [
      [9, 8, 'bind', "Proxy 'f': 'thread' directive contains threads that belong to no group in 'bind 127.0.0.1:8001,127.0.0.1:8002' at [t.cfg:9]."],
    ]);
    const later = cfg('defaults', '  mode http', ...TIMEOUTS, 'frontend f', '  bind 127.0.0.1:8001 thread 2', ANSWER, 'global', '  nbthread 2');
    assert.deepEqual((await parse(later)).frontends[0]?.binds[0]?.threads, [1]);
  });

  it("on 'stats socket': the same checks; a set without the first thread is served there, with a notice", async () => {
    const model = await parse(cfg('global', '  nbthread 2', '  stats socket 127.0.0.1:9000 thread 2', 'defaults', '  mode http', ...TIMEOUTS, 'frontend f', '  bind 127.0.0.1:8001', ANSWER));
    assert.deepEqual(model.notices?.map((n) => [n.line, n.message]), [
      [3, "'stats socket 127.0.0.1:9000' : 'thread' : the runtime API is served by the first thread, where all its commands run, whatever thread set is given."],
    ]);
    assert.deepEqual(await errors(cfg('global', '  stats socket 127.0.0.1:9000 thread 1/x')), [
      [2, 38, 'stats', "'stats socket' : ''x' : 'x' is not a valid number/range.'"],
    ]);
    assert.deepEqual(await errors(cfg('global', '  stats socket 127.0.0.1:9001 thread 2', 'defaults', '  mode http', ...TIMEOUTS, 'frontend f', '  bind 127.0.0.1:8001', ANSWER)), [
      [2, 3, 'stats', "Proxy 'GLOBAL': 'thread' directive contains threads that belong to no group in 'bind 127.0.0.1:9001' at [t.cfg:2]."],
    ]);
  });
});

describe('bind nice', () => {
  it("reads atol()'s number into an int, then checks -1024..1024", () => {
    assert.equal(atolInt32('12x'), 12);
    assert.equal(atolInt32('x'), 0);
    assert.equal(atolInt32(' -5'), -5);
    assert.equal(atolInt32('4294967297'), 1);
    assert.equal(atolInt32('2147483648'), -2147483648);
    assert.equal(atolInt32('99999999999999999999'), -1);
    assert.equal(parseNice('1024'), 1024);
    assert.equal(parseNice('-1025'), "'nice' : invalid value -1025, allowed range is -1024..1024");
    assert.equal(parseNice(''), "'nice' : missing value");
  });

  it('is accepted with a notice on a bind and a stats socket', async () => {
    const model = await parse(cfg('global', '  stats socket 127.0.0.1:9000 nice 10', 'defaults', '  mode http', ...TIMEOUTS, 'frontend f', '  bind 127.0.0.1:8001 nice -3 severity-output string', ANSWER));
    assert.deepEqual(
      model.notices?.map((n) => n.line),
      [2, 9, 9],
    );
    assert.match(model.notices?.[1]?.message ?? '', /^'bind 127\.0\.0\.1:8001' in section 'frontend' : 'nice -3' changes nothing in Switchyard, which has no task scheduler/);
    assert.match(model.notices?.[2]?.message ?? '', /'severity-output' prefixes the runtime API's answers; it applies to 'stats socket' lines and changes nothing on a frontend's bind\.$/);
    assert.deepEqual(warnings(model), []);
  });
});
