/** `fullconn`, `minconn`, `rate-limit sessions`, `maxconnrate`, `maxsessrate`, `maxsslrate`, `maxsslconn` in the model. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultFullconn } from '../../src/config/fullconn.ts';
import { cfg, errors, parse, TIMEOUTS, warnings } from './support.ts';

const fe = (maxconn: number, defaultBackend: string | undefined, rules: [string, boolean][] = [], disabled = false) => ({
  maxconn,
  defaultBackend,
  disabled,
  switchingRules: rules.map(([backend, dynamic]) => ({ backend, dynamic, condition: undefined, source: { file: 't', line: 1 } })),
});

describe("fullconn's default", () => {
  it('is a tenth, rounded up, of the maxconn of the frontends reaching the backend, each once', () => {
    const frontends = [fe(100, 'b'), fe(45, 'other', [['b', false], ['b', false], ['%[var(x)]', true]]), fe(1000, 'other'), fe(500, 'b', [], true)];
    assert.equal(defaultFullconn('b', frontends, 0), 15);
  });

  it('counts the global maxconn for a frontend without one, and is at least 1', () => {
    assert.equal(defaultFullconn('b', [fe(0, 'b')], 2000), 200);
    assert.equal(defaultFullconn('b', [], 2000), 1);
  });

  it('is none when a frontend reaching the backend has no limit at all', () => {
    assert.equal(defaultFullconn('b', [fe(100, 'b'), fe(0, 'b')], 0), undefined);
  });
});

describe('the limit keywords in the model', () => {
  it('fullconn (set, or defaulted from a listen) and minconn below maxconn make a dynamic limit', async () => {
    const model = await parse(
      cfg(
        'global',
        '  maxconnrate 30',
        '  maxsessrate 40',
        '  maxsslrate 50',
        '  maxsslconn 60',
        'defaults',
        '  mode http',
        ...TIMEOUTS,
        '  rate-limit sessions 7',
        'listen li',
        '  bind :8080',
        '  maxconn 95',
        '  server a 10.0.0.1:80 maxconn 10 minconn 2',
        '  server b 10.0.0.2:80 minconn 5',
        '  server c 10.0.0.3:80 maxconn 4 minconn 9',
        '  server d 10.0.0.4:80 maxconn 6',
        'backend be',
        '  fullconn 300',
        '  server e 10.0.0.5:80',
      ),
    );
    assert.equal(model.global.maxConnRate, 30);
    assert.equal(model.global.maxSessRate, 40);
    assert.equal(model.global.maxSslRate, 50);
    assert.equal(model.global.maxSslConn, 60);
    assert.equal(model.frontends[0]?.rateLimitSessions, 7);
    const [li, be] = model.backends;
    assert.equal(li?.fullconn, 10);
    assert.equal(be?.fullconn, 300);
    assert.deepEqual(
      li?.servers.map((s) => [s.maxconn, s.minconn]),
      [
        [10, 2],
        [5, undefined],
        [9, undefined],
        [6, undefined],
      ],
    );
  });

  it('refuses bad values and warns where HAProxy ignores them', async () => {
    assert.deepEqual(
      (await errors(cfg('global', '  maxconnrate x', 'frontend f', '  rate-limit connections 3'))).map(([line, , , message]) => [line, message]),
      [
        [2, "'maxconnrate' expects an integer argument, got 'x'."],
        [4, "'rate-limit' only supports 'sessions' (got 'connections')"],
      ],
    );
    const model = await parse(
      cfg('global', '  maxsessrate 5', '  maxsessrate 6', 'defaults', '  mode http', ...TIMEOUTS, 'frontend f', '  bind :8080', '  fullconn 10', '  rate-limit sessions 1', '  rate-limit sessions 2', 'backend b', '  rate-limit sessions 5'),
    );
    assert.equal(model.global.maxSessRate, 5, 'the first value is kept');
    assert.equal(model.frontends[0]?.rateLimitSessions, 2);
    assert.deepEqual(
      warnings(model).map(([line, , message]) => [line, message]),
      [
        [3, "'maxsessrate' already specified. Continuing."],
        [11, "'fullconn' ignored because frontend 'f' has no backend capability. Maybe you want 'maxconn' instead ?"],
        [13, 'overwriting rate-limit sessions which was already specified'],
        [15, "rate-limit sessions will be ignored because backend 'b' has no frontend capability"],
      ],
    );
  });

  it("maxsslconn and maxsslrate: HAProxy's errors and warnings", async () => {
    assert.deepEqual(
      (await errors(cfg('global', '  maxsslconn', '  maxsslconn -3', '  maxsslconn 1 2', '  maxsslrate'))).map(([line, , , message]) => [line, message]),
      [
        [2, "'maxsslconn' expects an integer argument."],
        [3, "'maxsslconn' expects a positive numeric value."],
        [4, "'maxsslconn' cannot handle unexpected argument '2'."],
        [5, "'maxsslrate' expects an integer argument."],
      ],
    );
    const model = await parse(cfg('global', '  maxsslconn 5', '  maxsslconn 7x', '  maxsslrate 3', '  maxsslrate 4'));
    assert.equal(model.global.maxSslConn, 7, "a later maxsslconn wins (atoi: '7x' is 7)");
    assert.equal(model.global.maxSslRate, 3, 'the first maxsslrate is kept');
    assert.deepEqual(warnings(model).map(([line, , message]) => [line, message]), [[5, "'maxsslrate' already specified. Continuing."]]);
  });
});
