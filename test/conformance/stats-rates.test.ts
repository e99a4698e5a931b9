/**
 * Current rates in `show stat` (HAProxy's `rate`, `req_rate`, `conn_rate`: sessions, HTTP
 * requests and connections over the last second, read_freq_ctr of the frontend's, backend's and
 * server's counters), beside their maxima.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/stats-rates.test.js
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { statNumbers } from '../support/cli-client.ts';
import { exchange } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, proxyWithBackend } from '../support/http-suite.ts';
import { cannedBackend } from '../support/http-backends.ts';

const PORT_NAMES = ['ready', 'fe', 'app', 'stats'] as const;

function configFor(p: Record<(typeof PORT_NAMES)[number], number>): string {
  return `
global
    stats socket ipv4@127.0.0.1:${p.stats} level admin
${HTTP_DEFAULTS}
# The first bind is the one the harness probes for readiness: it leads nowhere near the others.
frontend ready
    bind 127.0.0.1:${p.ready}

frontend fe
    bind 127.0.0.1:${p.fe}
    default_backend be

backend be
    server s1 127.0.0.1:${p.app}
`;
}

for (const target of TARGETS) {
  describe(`current rates in show stat on ${target}`, () => {
    const setup = proxyWithBackend(target, PORT_NAMES, configFor, (port) => cannedBackend(port, 'app', 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'));

    it('three requests on three connections: rate, req_rate and conn_rate of the last second', async () => {
      for (let i = 0; i < 3; i++) {
        const { response } = await exchange(setup.ports.fe, 'GET / HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n');
        assert.equal(response.status, 200);
      }
      const stats = { port: setup.ports.stats };
      // Over the last second: 3, or 2 when the requests straddled a second and the older part decayed.
      const recent = (n: number | undefined): boolean => n !== undefined && n >= 2 && n <= 3;
      const [rate, reqRate, connRate, rateMax] = await statNumbers(stats, 'fe', 'FRONTEND', ['rate', 'req_rate', 'conn_rate', 'rate_max']);
      assert.ok(recent(rate) && recent(reqRate) && recent(connRate), `frontend: ${[rate, reqRate, connRate]}`);
      assert.ok(rateMax !== undefined && rateMax >= 2 && rateMax <= 3);
      const [beRate] = await statNumbers(stats, 'be', 'BACKEND', ['rate']);
      const [srvRate] = await statNumbers(stats, 'be', 's1', ['rate']);
      assert.ok(recent(beRate) && recent(srvRate), `backend ${beRate}, server ${srvRate}`);
    });
  });
}
