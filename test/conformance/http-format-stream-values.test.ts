/**
 * Black-box conformance of the stream's log-format variables in rule values: HAProxy 2.6 builds a
 * header value with sess_build_logline, so `%Ts%ms` (the request-queueing idiom
 * `X-Request-Start: t=%Ts%ms`), `%t`, `%rt` read the stream's accept date and id, `%b` the
 * backend so far (the frontend in a frontend's request rules) and `%s` the server (`<NOSRV>`
 * before one is chosen).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-format-stream-values.test.js
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exchange } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, proxyWithBackend } from '../support/http-suite.ts';
import { cannedBackend } from '../support/http-backends.ts';

const PORT_NAMES = ['fe', 'app'] as const;

function configFor(p: Record<(typeof PORT_NAMES)[number], number>): string {
  return `${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${p.fe}
    http-request set-header x-start t=%Ts%ms
    http-request set-header x-ts %Ts
    http-request set-header x-t "%t"
    http-request set-header x-rt %rt
    http-request set-header x-fb %b
    http-request set-header x-fs %s
    http-response set-header x-rb %b
    http-response set-header x-rs %s
    default_backend be

backend be
    http-request set-header x-bb %b
    server srv1 127.0.0.1:${p.app}
`;
}

/** `%t`: HAProxy's accept date, `07/Dec/2026:06:08:09.750`. */
const ACCEPT_DATE = /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2}\.\d{3}$/;

for (const target of TARGETS) {
  describe(`stream variables in header values on ${target}`, () => {
    const setup = proxyWithBackend(target, PORT_NAMES, configFor, (port) => cannedBackend(port, 'app', 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok', 'keep'));

    it('%Ts%ms, %t and %rt read the stream; %b and %s the route so far', async () => {
      const before = Date.now();
      const { response } = await exchange(setup.ports.fe, 'GET / HTTP/1.1\r\nhost: a\r\n\r\n');
      const after = Date.now();
      assert.equal(response.status, 200);
      const head = setup.app.lastRequest()?.rawHead ?? '';
      const field = (name: string): string | undefined => new RegExp(`\\r\\n${name}: ([^\\r]*)\\r\\n`).exec(head)?.[1];
      const start = Number(field('x-start')?.replace(/^t=/, ''));
      // Milliseconds since the epoch, taken when the stream started (a margin for clock reads).
      assert.ok(start >= before - 1000 && start <= after + 1000, `x-start ${field('x-start')} not in [${before}, ${after}]`);
      assert.equal(field('x-ts'), String(Math.floor(start / 1000)));
      assert.match(field('x-t') ?? '', ACCEPT_DATE);
      assert.match(field('x-rt') ?? '', /^\d+$/);
      assert.equal(field('x-fb'), 'fe');
      assert.equal(field('x-fs'), '<NOSRV>');
      assert.equal(field('x-bb'), 'be');
      assert.equal(response.header('x-rb'), 'be');
      assert.equal(response.header('x-rs'), 'srv1');
    });

    it('each stream of a keep-alive connection has its own id', async () => {
      const first = await exchange(setup.ports.fe, 'GET / HTTP/1.1\r\nhost: a\r\n\r\nGET / HTTP/1.1\r\nhost: a\r\n\r\n', 'GET', 5000, 100);
      const second = await first.connection.read('GET');
      assert.equal(second.status, 200);
      const ids = setup.app.received.slice(-2).map((r) => /\r\nx-rt: (\d+)\r\n/.exec(r.rawHead)?.[1]);
      assert.equal(ids.length, 2);
      assert.equal(Number(ids[1]), Number(ids[0]) + 1);
      first.connection.destroy();
    });
  });
}
