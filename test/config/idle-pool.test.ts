/**
 * Idle connection pool keywords (keywords/idle-pool.ts): the server options pool-max-conn,
 * pool-low-conn and pool-purge-delay, and the global tune.pool-low-fd-ratio,
 * tune.pool-high-fd-ratio and tune.idle-pool.shared, in haproxy.cfg and in defineConfig().
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineConfig } from '../../src/config/define-config.ts';
import { ConfigError } from '../../src/config/errors.ts';
import { backendErrors, cfg, errors, httpBackend, parse, TIMEOUTS } from './support.ts';

const poolOf = (backend: { servers: readonly { poolMaxConn?: number | undefined; poolLowConn?: number | undefined; poolPurgeDelay?: number | undefined }[] }) =>
  backend.servers.map((s) => [s.poolMaxConn, s.poolLowConn, s.poolPurgeDelay]);

describe('pool-max-conn, pool-low-conn, pool-purge-delay', () => {
  it("defaults to HAProxy's: unlimited, 0, 5 s", async () => {
    assert.deepEqual(poolOf(await httpBackend('  server s 10.0.0.1:80')), [[-1, 0, 5000]]);
  });

  it('parses them on server and default-server lines', async () => {
    const backend = await httpBackend(
      '  default-server pool-max-conn 20 pool-purge-delay 1s',
      '  server a 10.0.0.1:80',
      '  server b 10.0.0.1:80 pool-max-conn -1 pool-low-conn 4 pool-purge-delay 250ms',
      '  server c 10.0.0.1:80 pool-max-conn 0 pool-purge-delay 0',
    );
    assert.deepEqual(poolOf(backend), [
      [20, 0, 1000],
      [-1, 4, 250],
      [0, 0, 0],
    ]);
  });

  it('refuses bad values', async () => {
    assert.deepEqual(await backendErrors('  server s 10.0.0.1:80 pool-max-conn -2'), [
      [2, 38, 'server', "'pool-max-conn' expects an integer argument, got '-2'."],
    ]);
    assert.deepEqual(await backendErrors('  server s 10.0.0.1:80 pool-low-conn x'), [
      [2, 38, 'server', "'pool-low-conn' expects an integer argument, got 'x'."],
    ]);
    const [delay] = await backendErrors('  server s 10.0.0.1:80 pool-purge-delay 5 s');
    assert.equal(delay?.[2], 'server');
    assert.deepEqual(await backendErrors('  server s 10.0.0.1:80 pool-max-conn'), [[2, 24, 'server', "'server' : 'pool-max-conn' expects an argument."]]);
  });
});

describe('max-reuse', () => {
  it('is unlimited by default; a negative count is unlimited too (HAProxy reads it with atoi)', async () => {
    const backend = await httpBackend(
      '  default-server max-reuse 3',
      '  server a 10.0.0.1:80',
      '  server b 10.0.0.1:80 max-reuse 0',
      '  server c 10.0.0.1:80 max-reuse -5',
    );
    assert.deepEqual(backend.servers.map((s) => s.maxReuse), [3, 0, undefined]);
    assert.equal((await httpBackend('  server s 10.0.0.1:80')).servers[0]?.maxReuse, undefined);
    assert.deepEqual(await backendErrors('  server s 10.0.0.1:80 max-reuse x'), [[2, 34, 'server', "'max-reuse' expects an integer argument, got 'x'."]]);
  });
});

describe('tune.pool-low-fd-ratio, tune.pool-high-fd-ratio, tune.idle-pool.shared', () => {
  const globalWith = (...lines: string[]) => parse(cfg('global', ...lines, 'defaults', '  mode http', ...TIMEOUTS));

  it("defaults to HAProxy's 20, 25, on", async () => {
    assert.deepEqual((await globalWith()).global.tune, { poolLowFdRatio: 20, poolHighFdRatio: 25, idlePoolShared: true });
  });

  it('parses them', async () => {
    const model = await globalWith('  tune.pool-low-fd-ratio 10', '  tune.pool-high-fd-ratio 90', '  tune.idle-pool.shared off');
    assert.deepEqual(model.global.tune, { poolLowFdRatio: 10, poolHighFdRatio: 90, idlePoolShared: false });
    assert.deepEqual(model.warnings, []);
  });

  it('refuses bad values and other sections', async () => {
    assert.deepEqual(await errors(cfg('global', '  tune.pool-low-fd-ratio 101')), [
      [2, 26, 'tune.pool-low-fd-ratio', "'tune.pool-low-fd-ratio' must be between 0 and 100, got '101'."],
    ]);
    assert.deepEqual(await errors(cfg('global', '  tune.idle-pool.shared maybe')), [
      [2, 25, 'tune.idle-pool.shared', "'tune.idle-pool.shared' expects either 'on' or 'off' but got 'maybe'."],
    ]);
    const [misplaced] = await errors(cfg('defaults', '  tune.pool-high-fd-ratio 10'));
    assert.equal(misplaced?.[2], 'tune.pool-high-fd-ratio');
  });
});

describe('defineConfig(): idle pool settings', () => {
  it('takes the same settings with the same defaults', () => {
    const model = defineConfig({
      global: { tune: { poolHighFdRatio: 50, idlePoolShared: false } },
      defaults: { mode: 'http', timeouts: { connect: '5s', client: '30s', server: '30s' }, defaultServer: { poolPurgeDelay: '1s' } },
      backends: { b: { servers: { a: { address: '10.0.0.1:80', poolMaxConn: 0, poolLowConn: 3 } } } },
    });
    assert.deepEqual(model.global.tune, { poolLowFdRatio: 20, poolHighFdRatio: 50, idlePoolShared: false });
    assert.deepEqual(poolOf(model.backends[0] as never), [[0, 3, 1000]]);
  });

  it('refuses out-of-range values with their path', () => {
    assert.throws(
      () => defineConfig({ global: { tune: { poolLowFdRatio: 101 } } }),
      (err: unknown) => err instanceof ConfigError && /global\.tune\.poolLowFdRatio/.test(err.message),
    );
    assert.throws(
      () => defineConfig({ backends: { b: { servers: { a: { address: '10.0.0.1:80', poolMaxConn: -2 } } } } }),
      (err: unknown) => err instanceof ConfigError && /poolMaxConn/.test(err.message),
    );
  });
});
