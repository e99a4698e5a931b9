/**
 * Responses that have no body and may not state a length (RFC 9110 §6.4.1, §8.6): a server's
 * Content-Length or Transfer-Encoding on a 1xx or a 204 does not reach the client (HAProxy's H1
 * output, h1_process_mux, skips both); a 304 keeps its Content-Length (the selected
 * representation's length); on a kept-alive connection the next response follows at once.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/bodyless-framing.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { scriptedBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';

const ANSWERS: Record<string, string> = {
  '/204': 'HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nX-Kept: 1\r\n\r\n',
  '/204-chunked': 'HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\nX-Kept: 1\r\n\r\n',
  '/304': 'HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\nETag: "x"\r\n\r\n',
  '/103': 'HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
};

/** The header names of a raw head, lower-cased. */
function names(raw: string): string[] {
  return raw
    .split('\r\n')
    .slice(1)
    .filter((l) => l !== '')
    .map((l) => l.slice(0, l.indexOf(':')).toLowerCase());
}

for (const target of TARGETS) {
  describe(`bodyless responses' framing headers on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let fe: number;
    let app: HttpTestBackend;

    before(async () => {
      const [fePort, appPort] = (await freePorts(2)) as [number, number];
      fe = fePort;
      app = await scriptedBackend(appPort, 'app', (req) => ({ bytes: ANSWERS[req.target] ?? 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n', after: 'keep' }));
      proxy = await startProxy(
        target,
        `
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${fe}
    default_backend be
backend be
    server app 127.0.0.1:${appPort}
`,
      );
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await app.close();
    });

    it('a 204 loses its Content-Length or Transfer-Encoding; the next response on the connection follows', async () => {
      const conn = await HttpConnection.open(fe);
      try {
        for (const path of ['/204', '/204-chunked']) {
          const res = await conn.request('GET', path);
          assert.equal(res.status, 204);
          const headers = names(res.head.raw);
          assert.ok(!headers.includes('content-length') && !headers.includes('transfer-encoding'), res.head.raw);
          assert.ok(headers.includes('x-kept'));
        }
        const next = await conn.request('GET', '/304');
        assert.equal(next.status, 304);
      } finally {
        conn.destroy();
      }
    });

    it('a 304 keeps its Content-Length', async () => {
      const conn = await HttpConnection.open(fe);
      try {
        const res = await conn.request('GET', '/304', { connection: 'close' });
        assert.equal(res.status, 304);
        assert.equal(res.header('content-length'), '10');
        assert.equal(res.bodyLength, 0);
      } finally {
        conn.destroy();
      }
    });

    it('a 103 goes to the client without its Content-Length, then the final response', async () => {
      const conn = await HttpConnection.open(fe);
      try {
        await conn.write('GET /103 HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
        const interim = await conn.read('GET', 5000);
        assert.equal(interim.status, 103);
        assert.equal(interim.header('link'), '</a.css>');
        assert.ok(!names(interim.head.raw).includes('content-length'), interim.head.raw);
        const final = await conn.read('GET', 5000);
        assert.equal(final.status, 200);
        assert.equal(final.text, 'ok');
      } finally {
        conn.destroy();
      }
    });
  });
}
