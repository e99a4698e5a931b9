/**
 * Black-box conformance of TLS session resumption on listeners (`ssl_fc_is_resumed`, HAProxy's
 * session cache and tickets) on Node, Bun and Deno: a client offering the session of its last
 * connection resumes it, with session tickets and, under `no-tls-tickets`, by session ID from
 * the listener's session cache (TLSv1.2) or by the PSK identity of a stateful ticket (TLSv1.3).
 * `show info` counts the TLS connections and the handshakes that made a new key (SslRate,
 * SslFrontendKeyRate, SslBackendKeyRate, their maxima, SslFrontendSessionReuse_pct).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/ssl-session-resumption.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import { cli } from '../support/cli-client.ts';
import { freePorts } from '../support/ports.ts';
import { repoRoot } from '../support/runtimes.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { exchange as httpExchange } from '../support/http-client.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { tlsSessionExchange } from '../support/tls-session-exchange.ts';

const TLS = `${repoRoot}test/fixtures/tls`;

interface Outcome {
  /** ssl_fc_is_resumed, as the proxy answered it. */
  readonly body: string;
  /** The session to offer next time (the last the server handed out). */
  readonly session: Buffer | undefined;
}

/** One request on a fresh connection offering `session`. */
async function exchange(port: number, session: Buffer | undefined, version: tls.SecureVersion = 'TLSv1.2'): Promise<Outcome> {
  const done = await tlsSessionExchange(port, session, { min: version, max: version });
  return { body: done.response.slice(done.response.indexOf('\r\n\r\n') + 4), session: done.session };
}

for (const target of TARGETS) {
  describe(`TLS session resumption on listeners on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: number[] = [];

    before(async () => {
      ports = await freePorts(6);
      const [tickets, noTickets, tls13Tickets, tls13NoTickets, relay, cliPort] = ports;
      const answer = '    http-request return status 200 content-type text/plain lf-string "%[ssl_fc_is_resumed]"';
      const config = `
global
    stats socket 127.0.0.1:${cliPort} level admin
${HTTP_DEFAULTS}
frontend fe_relay
    bind 127.0.0.1:${relay}
    default_backend be_tls

backend be_tls
    server s1 127.0.0.1:${tickets} ssl verify none

frontend fe_tls13_tickets
    bind 127.0.0.1:${tls13Tickets} ssl crt ${TLS}/a.example.pem ssl-min-ver TLSv1.3
${answer}

frontend fe_tls13_no_tickets
    bind 127.0.0.1:${tls13NoTickets} ssl crt ${TLS}/a.example.pem ssl-min-ver TLSv1.3 no-tls-tickets
${answer}

frontend fe_tickets
    bind 127.0.0.1:${tickets} ssl crt ${TLS}/a.example.pem ssl-max-ver TLSv1.2
${answer}

frontend fe_no_tickets
    bind 127.0.0.1:${noTickets} ssl crt ${TLS}/a.example.pem ssl-max-ver TLSv1.2 no-tls-tickets
${answer}
`;
      proxy = await startProxy(target, config);
    });

    after(async () => {
      await stopProxy(target, proxy);
    });

    for (const [label, port, version] of [
      ['with session tickets', 0, 'TLSv1.2'],
      ['by session ID under no-tls-tickets', 1, 'TLSv1.2'],
      ['with TLSv1.3 session tickets', 2, 'TLSv1.3'],
      ['by TLSv1.3 stateful ticket under no-tls-tickets', 3, 'TLSv1.3'],
    ] as const) {
      // Bun's node:tls emits no 'newSession' / 'resumeSession' (docs/runtimes.md).
      const skip = target === 'bun' && (port === 1 || port === 3) && "Bun's node:tls has no session-ID cache hooks";
      it(`a client offering its last session resumes it, ${label}`, { skip }, async () => {
        const first = await exchange(ports[port] as number, undefined, version);
        assert.equal(first.body, '0');
        assert.notEqual(first.session, undefined, 'the server handed out a session');
        let session = first.session;
        for (let i = 0; i < 3; i++) {
          const next = await exchange(ports[port] as number, session, version);
          assert.equal(next.body, '1', `resumed on connection ${i + 2}`);
          session = next.session;
        }
      });
    }

    it('show info counts TLS connections and the handshakes that made a new key, on binds and towards servers', async () => {
      const [tickets, , , , relay, cliPort] = ports as [number, number, number, number, number, number];
      // Through the proxy to its own TLS bind: one handshake towards a server at least.
      const relayed = await httpExchange(relay, 'GET / HTTP/1.1\r\nhost: a.example\r\nconnection: close\r\n\r\n');
      assert.equal(relayed.response.status, 200);
      const first = await exchange(tickets, undefined);
      let session = first.session;
      const fields = (info: string): Map<string, string> => new Map(info.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]));
      // The rates cover the last second: each round resumes a session just before reading them,
      // so that some second holds more TLS connections than new keys, whatever the machine's pace.
      let info = new Map<string, string>();
      for (let round = 0; round < 20; round++) {
        const next = await exchange(tickets, session);
        session = next.session;
        info = fields(await cli(cliPort, 'show info\n'));
        if (Number(info.get('SslFrontendSessionReuse_pct')) > 0) break;
      }
      const pct = Number(info.get('SslFrontendSessionReuse_pct'));
      assert.ok(pct > 0 && pct <= 100, `SslFrontendSessionReuse_pct ${info.get('SslFrontendSessionReuse_pct')}`);
      for (const field of ['SslRate', 'MaxSslRate', 'SslFrontendMaxKeyRate', 'SslBackendMaxKeyRate']) {
        assert.match(info.get(field) ?? '', /^[1-9]\d*$/, `${field}: ${info.get(field)}`);
      }
      for (const field of ['SslFrontendKeyRate', 'SslBackendKeyRate']) assert.match(info.get(field) ?? '', /^\d+$/, `${field}: ${info.get(field)}`);
      assert.ok(Number(info.get('MaxSslRate')) >= Number(info.get('SslFrontendMaxKeyRate')), 'no more new keys than TLS connections in a second');
    });
  });
}
