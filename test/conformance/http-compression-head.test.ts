/**
 * Black-box conformance of the head a compressed response gets, byte for byte: HAProxy 2.6.12's
 * set_compression_response_header appends `transfer-encoding: chunked` (unless the server's
 * response is chunked already), weakens a strong ETag in place, then appends
 * `vary: Accept-Encoding` and `content-encoding` last; the mux's connection header follows.
 * A body read whole in one go goes out as one chunk ending the compressed stream, then the last
 * chunk. An HTTP/1.0 client gets the response uncompressed; an HTTP/2 client gets the same
 * fields in the same order, without transfer-encoding. The server spells its names in lower
 * case, as HAProxy's HTX would write them.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-compression-head.test.js
 */
import assert from 'node:assert/strict';
import { connect as h2connect, type IncomingHttpHeaders } from 'node:http2';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { exchange } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, proxyWithBackend } from '../support/http-suite.ts';
import { scriptedBackend } from '../support/http-backends.ts';

const PORT_NAMES = ['fe', 'app'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${p.fe}
    compression algo gzip
    default_backend be

backend be
    server s1 127.0.0.1:${p.app}
`;
}

const RESPONSES: Record<string, string> = {
  '/cl': 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 5\r\nx-z: 1\r\n\r\nhello',
  '/chunked': 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\nx-z: 1\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
  '/vary': 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nvary: Origin\r\ncontent-length: 5\r\nx-z: 1\r\n\r\nhello',
  '/etag': 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\netag: "abc"\r\ncontent-length: 5\r\nx-z: 1\r\n\r\nhello',
};

const GZIP_TAIL = 'vary: Accept-Encoding\r\ncontent-encoding: gzip\r\nconnection: close\r\n\r\n';

for (const target of TARGETS) {
  describe(`compressed response head on ${target}`, () => {
    const suite = proxyWithBackend(target, PORT_NAMES, configFor, (port) =>
      scriptedBackend(port, 'app', (request) => ({ bytes: RESPONSES[request.target] ?? 'HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n', after: 'keep' })),
    );

    async function compressed(path: string, version = 'HTTP/1.1'): Promise<{ head: string; chunks: number[]; text: string }> {
      const host = version === 'HTTP/1.1' ? 'host: a\r\n' : '';
      const { response } = await exchange(suite.ports.fe, `GET ${path} ${version}\r\n${host}accept-encoding: gzip\r\nconnection: close\r\n\r\n`, 'GET', 5000, 200);
      const text = response.header('content-encoding') === 'gzip' ? gunzipSync(response.body).toString('latin1') : response.text;
      return { head: response.head.raw, chunks: response.chunkSizes.map((n) => Math.sign(n)), text };
    }

    it('Content-Length goes, then transfer-encoding, vary and content-encoding are appended in that order', async () => {
      assert.deepEqual(await compressed('/cl'), {
        head: `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nx-z: 1\r\ntransfer-encoding: chunked\r\n${GZIP_TAIL}`,
        chunks: [1, 0],
        text: 'hello',
      });
    });

    it("a chunked response keeps its transfer-encoding where it was; a server's Vary stays before ours", async () => {
      assert.deepEqual(await compressed('/chunked'), {
        head: `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\nx-z: 1\r\n${GZIP_TAIL}`,
        chunks: [1, 0],
        text: 'hello',
      });
      assert.deepEqual(await compressed('/vary'), {
        head: `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nvary: Origin\r\nx-z: 1\r\ntransfer-encoding: chunked\r\n${GZIP_TAIL}`,
        chunks: [1, 0],
        text: 'hello',
      });
    });

    it('a strong ETag is weakened in place', async () => {
      assert.deepEqual(await compressed('/etag'), {
        head: `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\netag: W/"abc"\r\nx-z: 1\r\ntransfer-encoding: chunked\r\n${GZIP_TAIL}`,
        chunks: [1, 0],
        text: 'hello',
      });
    });

    it('an HTTP/1.0 client gets the response as the server sent it', async () => {
      assert.deepEqual(await compressed('/cl', 'HTTP/1.0'), {
        head: 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 5\r\nx-z: 1\r\nconnection: close\r\n\r\n',
        chunks: [],
        text: 'hello',
      });
    });

    it('an HTTP/2 client gets vary then content-encoding, last', async () => {
      const session = h2connect(`http://127.0.0.1:${suite.ports.fe}`);
      try {
        const headers = await new Promise<IncomingHttpHeaders>((resolve, reject) => {
          const req = session.request({ ':path': '/etag', 'accept-encoding': 'gzip' });
          req.on('response', resolve);
          req.on('error', reject);
          req.resume();
        });
        assert.deepEqual(
          Object.entries(headers).filter(([name]) => !name.startsWith(':')),
          [
            ['content-type', 'text/plain'],
            ['etag', 'W/"abc"'],
            ['x-z', '1'],
            ['vary', 'Accept-Encoding'],
            ['content-encoding', 'gzip'],
          ],
        );
      } finally {
        session.destroy();
      }
    });
  });
}
