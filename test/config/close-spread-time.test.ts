/**
 * Global `close-spread-time`: the model (ms, 'infinite', nothing for 0), the last line winning,
 * and HAProxy 2.6's messages (proxy.c proxy_parse_close_spread_time, tools.c parse_time_err).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TIMEOUTS, cfg, errors, parse, warnings } from './support.ts';

const BACKEND = ['backend b', '  server s 127.0.0.1:1'];
const withGlobal = (...lines: string[]): string => cfg('global', ...lines, 'defaults', ...TIMEOUTS, ...BACKEND);

describe('close-spread-time', () => {
  it('is a time in ms (any unit, rounded up), infinite, or nothing at all for 0', async () => {
    assert.equal((await parse(withGlobal('  close-spread-time 1500'))).global.closeSpreadTime, 1500);
    assert.equal((await parse(withGlobal('  close-spread-time 2s'))).global.closeSpreadTime, 2000);
    assert.equal((await parse(withGlobal('  close-spread-time 1m'))).global.closeSpreadTime, 60_000);
    assert.equal((await parse(withGlobal('  close-spread-time 1500us'))).global.closeSpreadTime, 2);
    assert.equal((await parse(withGlobal('  close-spread-time 10d'))).global.closeSpreadTime, 864_000_000);
    assert.equal((await parse(withGlobal('  close-spread-time infinite'))).global.closeSpreadTime, 'infinite');
    assert.equal((await parse(withGlobal('  close-spread-time 0'))).global.closeSpreadTime, undefined);
    assert.equal((await parse(withGlobal())).global.closeSpreadTime, undefined);
  });

  it('the last line wins, 0 included; words after the value are not looked at, as HAProxy', async () => {
    assert.equal((await parse(withGlobal('  close-spread-time infinite', '  close-spread-time 3s'))).global.closeSpreadTime, 3000);
    assert.equal((await parse(withGlobal('  close-spread-time 3s', '  close-spread-time infinite'))).global.closeSpreadTime, 'infinite');
    assert.equal((await parse(withGlobal('  close-spread-time infinite', '  close-spread-time 0'))).global.closeSpreadTime, undefined);
    const extra = await parse(withGlobal('  close-spread-time 1s foo'));
    assert.equal(extra.global.closeSpreadTime, 1000);
    assert.deepEqual(warnings(extra), []);
  });

  it("a character after the unit is parse_time_err's warning, the value kept", async () => {
    const model = await parse(withGlobal('  close-spread-time 1sx'));
    assert.equal(model.global.closeSpreadTime, 1000);
    assert.deepEqual(warnings(model), [
      [
        2,
        'close-spread-time',
        "unexpected character 'x' after the timer value '1sx', only (us=microseconds,ms=milliseconds,s=seconds,m=minutes,h=hours,d=days) are supported. This will be reported as an error in next versions.",
      ],
    ]);
  });

  it("HAProxy 2.6's errors", async () => {
    assert.deepEqual(
      await errors(
        withGlobal(
          '  close-spread-time',
          '  close-spread-time abc',
          '  close-spread-time 1x',
          '  close-spread-time -1',
          '  close-spread-time 1u',
          '  close-spread-time 99999999999',
          '  close-spread-time 25d',
        ),
      ),
      [
        [2, 3, 'close-spread-time', "'close-spread-time' expects <time> as argument."],
        [3, 21, 'close-spread-time', "unexpected character 'a' in argument to <close-spread-time>."],
        [4, 21, 'close-spread-time', "unexpected character 'x' in argument to <close-spread-time>."],
        [5, 21, 'close-spread-time', "unexpected character '-' in argument to <close-spread-time>."],
        [6, 21, 'close-spread-time', "unexpected character 'u' in argument to <close-spread-time>."],
        [7, 21, 'close-spread-time', "timer overflow in argument '99999999999' to 'close-spread-time' (maximum value is 2147483647 ms or ~24.8 days)"],
        [8, 21, 'close-spread-time', "timer overflow in argument '25d' to 'close-spread-time' (maximum value is 2147483647 ms or ~24.8 days)"],
      ],
    );
  });

  it('only in global', async () => {
    const found = await errors(cfg('defaults', '  close-spread-time 1s', ...TIMEOUTS, ...BACKEND));
    assert.equal(found.length, 1);
    assert.equal(found[0]?.[2], 'close-spread-time');
  });
});
