/**
 * Black-box conformance of TLS session resumption on listeners (`ssl_fc_is_resumed`, HAProxy's
 * session cache and tickets) on Node, Bun and Deno: a client offering the session of its last
 * connection resumes it, with session tickets and, under `no-tls-tickets` (TLSv1.2), by session
 * ID from the listener's session cache.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/ssl-session-resumption.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import { freePorts } from '../support/ports.ts';
import { repoRoot } from '../support/runtimes.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';

const TLS = `${repoRoot}test/fixtures/tls`;

interface Outcome {
  /** ssl_fc_is_resumed, as the proxy answered it. */
  readonly body: string;
  /** The session to offer next time (the last the server handed out). */
  readonly session: Buffer | undefined;
}

/** One request on a fresh connection offering `session`. */
function exchange(port: number, session: Buffer | undefined): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    let latest: Buffer | undefined;
    let body = '';
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'a.example', rejectUnauthorized: false, maxVersion: 'TLSv1.2', ...(session !== undefined ? { session } : {}) }, () => {
      socket.write('GET / HTTP/1.1\r\nhost: a.example\r\nconnection: close\r\n\r\n');
    });
    socket.on('session', (s: Buffer) => {
      latest = s;
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      body += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => {
      resolve({ body: body.slice(body.indexOf('\r\n\r\n') + 4), session: latest ?? session });
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer in 10 s')));
  });
}

for (const target of TARGETS) {
  describe(`TLS session resumption on listeners on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: number[] = [];

    before(async () => {
      ports = await freePorts(2);
      const [tickets, noTickets] = ports;
      const answer = '    http-request return status 200 content-type text/plain lf-string "%[ssl_fc_is_resumed]"';
      const config = `${HTTP_DEFAULTS}
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

    for (const [label, port] of [
      ['with session tickets', 0],
      ['by session ID under no-tls-tickets', 1],
    ] as const) {
      // Bun's node:tls emits no 'newSession' / 'resumeSession' (docs/runtimes.md).
      const skip = target === 'bun' && port === 1 && "Bun's node:tls has no session-ID cache hooks";
      it(`a client offering its last session resumes it, ${label}`, { skip }, async () => {
        const first = await exchange(ports[port] as number, undefined);
        assert.equal(first.body, '0');
        assert.notEqual(first.session, undefined, 'the server handed out a session');
        let session = first.session;
        for (let i = 0; i < 3; i++) {
          const next = await exchange(ports[port] as number, session);
          assert.equal(next.body, '1', `resumed on connection ${i + 2}`);
          session = next.session;
        }
      });
    }
  });
}
