/**
 * The global maxconn derived from the fd limit (src/proxy/ideal-maxconn.ts), against figures
 * HAProxy 2.6.12 gave under `prlimit --nofile=N:N` (its Prometheus max_connections).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigText } from '../../src/config/load.ts';
import { idealMaxconn, idealMaxsock, reservedSockets, withDefaultMaxconn } from '../../src/proxy/ideal-maxconn.ts';

const DEFAULTS = ['defaults', '  mode http', '  timeout connect 5s', '  timeout client 30s', '  timeout server 30s'];

function parse(...lines: string[]) {
  return parseConfigText(`${[...DEFAULTS, ...lines].join('\n')}\n`, 't.cfg');
}

const limit = (n: number) => ({ soft: n, hard: n });

describe('ideal maxconn', () => {
  it('reserves 10, one per listener and nothing per server without check', async () => {
    const config = await parse('global', '  nbthread 2', 'frontend f', '  bind :8001', '  default_backend b', 'backend b', '  server s1 127.0.0.1:80');
    assert.equal(reservedSockets(config), 11);
    // HAProxy: 503 under 1024 fds with 2 threads; 9991 under 20000.
    assert.equal(idealMaxconn(config, limit(1024)), 503);
    assert.equal(idealMaxconn(config, limit(20000)), 9991);
    assert.equal(idealMaxsock(config, 503), 1023);
  });

  it('counts stats sockets and stats maxconn, checks, agents, port keywords, log-forward binds, peers', async () => {
    const config = await parse(
      'global',
      '  stats socket /tmp/x.sock',
      '  stats maxconn 30',
      'frontend f',
      '  bind :8001',
      '  bind :8002',
      '  default_backend b',
      'backend b',
      '  server s1 127.0.0.1:80 check',
      '  server s2 127.0.0.1:80 check agent-check agent-port 1',
      '  server s3 127.0.0.1:80 port 81',
      'log-forward lf',
      '  bind 127.0.0.1:5140',
      '  dgram-bind 127.0.0.1:5141',
      '  log 127.0.0.1:514 local0',
    );
    // 10 + 2 binds + (1 + 30) stats + 2 checks + 1 agent + 2 port keywords + 2 log-forward.
    assert.equal(reservedSockets(config), 50);
  });

  it('counts the local peer and 3 per peer of a peers section', async () => {
    const config = await parse('global', '  nbthread 1', '  localpeer me', 'frontend f', '  bind :8001', '  default_backend b', 'backend b', '  server s1 127.0.0.1:80', 'peers p', '  peer me 127.0.0.1:10000', '  peer other 127.0.0.1:10001');
    // HAProxy 2.6.12 -L me, 1024 fds: max_connections 501, max_sockets 1023.
    assert.equal(reservedSockets(config), 18);
    assert.equal(idealMaxconn(config, limit(1024)), 501);
  });

  it("a master-worker worker reserves its master's CLI link, and the stats frontend's maxconn where no stats line made one", async () => {
    const bare = await parse('global', '  nbthread 1', 'frontend f', '  bind :8001', '  default_backend b', 'backend b', '  server s1 127.0.0.1:80');
    // HAProxy 2.6.12 -W, 1024 fds: max_connections 499, max_sockets 1023 (505 without -W).
    assert.equal(reservedSockets(bare, { masterWorker: true }), 22);
    assert.equal(idealMaxconn(bare, limit(1024), { masterWorker: true }), 499);
    const withStats = await parse('global', '  stats socket /tmp/x.sock', 'frontend f', '  bind :8001');
    assert.equal(reservedSockets(withStats, { masterWorker: true }) - reservedSockets(withStats), 1);
    assert.equal(withDefaultMaxconn(bare, limit(1024), { masterWorker: true }).global.maxsock, 1023);
  });

  it('takes the larger of the soft and hard limits, and never goes below 100', async () => {
    const config = await parse('global', '  nbthread 2', 'frontend f', '  bind :8001', '  default_backend b', 'backend b', '  server s1 127.0.0.1:80');
    assert.equal(idealMaxconn(config, { soft: 1024, hard: 4096 }), 2039);
    assert.equal(idealMaxconn(config, { soft: 1024, hard: Infinity }), 503);
    assert.equal(idealMaxconn(config, limit(100)), 100);
    assert.equal(idealMaxconn(config, undefined), undefined);
    assert.equal(idealMaxconn(config, limit(Infinity)), undefined);
  });

  it("keeps a configured maxconn, and gives backends without fullconn a tenth of their frontends'", async () => {
    const configured = await parse('global', '  maxconn 300', 'frontend f', '  bind :8001', '  default_backend b', 'backend b', '  server s1 127.0.0.1:80');
    // Its maxsock only: (10 + 1 listener) + 2 * 300 + 3.
    assert.deepEqual(withDefaultMaxconn(configured, limit(1024)), { ...configured, global: { ...configured.global, maxsock: 614 } });
    const derived = withDefaultMaxconn(
      await parse('frontend f', '  bind :8001', '  default_backend b', 'frontend g', '  bind :8002', '  maxconn 50', '  default_backend b', 'backend b', '  server s1 127.0.0.1:80', 'backend c', '  fullconn 7'),
      limit(1024),
    );
    // (1024 - 12 - 3) / 2 = 504 with one thread; b: (504 + 50) / 10 rounded up.
    assert.equal(derived.global.maxconn, 504);
    assert.deepEqual(derived.backends.map((b) => b.fullconn), [56, 7]);
  });
});
