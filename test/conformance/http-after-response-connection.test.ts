/**
 * Black-box conformance of where the HTTP/1 connection header goes when `http-after-response`
 * rules add headers: HAProxy 2.6's H1 mux writes `connection: close` / `keep-alive` at the end
 * of the head (h1_process_mux, at the end of the headers), after everything the rules added,
 * for the replies the proxy generates (deny, return, redirect, error pages) as for forwarded
 * responses; the names the rules add go out in lower case (HAProxy's HTX holds them so).
 * A Connection header the rules set or add is read by the mux on the way out
 * (h1_parse_connection_header): `close` / `keep-alive` taken out of it, a `close` closing the
 * connection after the response (HTTP/1.1 and 1.0 clients, with `option http-server-close`
 * too, a reply the proxy built too). The heads are compared byte for byte.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-after-response-connection.test.js
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpConnection, exchange } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, proxyWithBackend } from '../support/http-suite.ts';
import { cannedBackend } from '../support/http-backends.ts';

const PORT_NAMES = ['fe', 'close', 'arSet', 'rsAdd', 'arSetSc', 'arKa', 'arX', 'app'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${p.fe}
    http-request deny if { path /deny }
    http-request return status 200 content-type text/plain string hi if { path /return }
    http-request redirect location /x if { path /redirect }
    http-after-response set-header X-A 1
    http-after-response add-header X-B 2
    default_backend be

frontend fe_close
    bind 127.0.0.1:${p.close}
    option httpclose
    http-request deny if { path /deny }
    http-after-response set-header X-A 1
    default_backend be

frontend fe_ar_set
    bind 127.0.0.1:${p.arSet}
    http-request return status 200 content-type text/plain string hi if { path /return }
    http-after-response set-header Connection close
    default_backend be

frontend fe_rs_add
    bind 127.0.0.1:${p.rsAdd}
    http-response add-header Connection close
    default_backend be

frontend fe_ar_set_sc
    bind 127.0.0.1:${p.arSetSc}
    option http-server-close
    http-after-response set-header Connection close
    default_backend be

frontend fe_ar_ka
    bind 127.0.0.1:${p.arKa}
    http-after-response set-header Connection keep-alive
    default_backend be

frontend fe_ar_x
    bind 127.0.0.1:${p.arX}
    http-after-response set-header Connection "close, x-foo"
    default_backend be

backend be
    server s1 127.0.0.1:${p.app}
`;
}

const DENY_HEAD = 'HTTP/1.1 403 Forbidden\r\ncontent-length: 93\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n';

for (const target of TARGETS) {
  describe(`connection header after http-after-response headers on ${target}`, () => {
    const suite = proxyWithBackend(target, PORT_NAMES, configFor, (port) => cannedBackend(port, 'app', 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok', 'keep'));

    async function head(port: number, request: string): Promise<{ raw: string; closed: boolean }> {
      const { response, closed } = await exchange(port, request, 'GET', 5000, 200);
      return { raw: response.head.raw, closed };
    }

    it('a deny closing on Connection: close, or for an HTTP/1.0 client, says so after the added headers', async () => {
      assert.deepEqual(await head(suite.ports.fe, 'GET /deny HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n'), {
        raw: `${DENY_HEAD}x-a: 1\r\nx-b: 2\r\nconnection: close\r\n\r\n`,
        closed: true,
      });
      assert.deepEqual(await head(suite.ports.fe, 'GET /deny HTTP/1.0\r\n\r\n'), { raw: `${DENY_HEAD}x-a: 1\r\nx-b: 2\r\nconnection: close\r\n\r\n`, closed: true });
    });

    it('an HTTP/1.0 client keeping its connection gets connection: keep-alive last', async () => {
      assert.deepEqual(await head(suite.ports.fe, 'GET /deny HTTP/1.0\r\nconnection: keep-alive\r\n\r\n'), {
        raw: `${DENY_HEAD}x-a: 1\r\nx-b: 2\r\nconnection: keep-alive\r\n\r\n`,
        closed: false,
      });
    });

    it('return and redirect replies too; a keep-alive HTTP/1.1 client gets no connection header', async () => {
      assert.deepEqual(await head(suite.ports.fe, 'GET /return HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n'), {
        raw: 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: text/plain\r\nx-a: 1\r\nx-b: 2\r\nconnection: close\r\n\r\n',
        closed: true,
      });
      assert.deepEqual(await head(suite.ports.fe, 'GET /redirect HTTP/1.0\r\n\r\n'), {
        raw: 'HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /x\r\ncache-control: no-cache\r\nx-a: 1\r\nx-b: 2\r\nconnection: close\r\n\r\n',
        closed: true,
      });
      assert.deepEqual(await head(suite.ports.fe, 'GET /redirect HTTP/1.1\r\nhost: a\r\n\r\n'), {
        raw: 'HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /x\r\ncache-control: no-cache\r\nx-a: 1\r\nx-b: 2\r\n\r\n',
        closed: false,
      });
    });

    it('with option httpclose, the deny closes after connection: close written last', async () => {
      assert.deepEqual(await head(suite.ports.close, 'GET /deny HTTP/1.1\r\nhost: a\r\n\r\n'), { raw: `${DENY_HEAD}x-a: 1\r\nconnection: close\r\n\r\n`, closed: true });
    });

    it('a forwarded response gets its connection header after the added ones as well', async () => {
      assert.deepEqual(await head(suite.ports.fe, 'GET / HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n'), {
        raw: 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\nx-a: 1\r\nx-b: 2\r\nconnection: close\r\n\r\n',
        closed: true,
      });
      assert.deepEqual(await head(suite.ports.close, 'GET / HTTP/1.0\r\nconnection: keep-alive\r\n\r\n'), {
        raw: 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\nx-a: 1\r\nconnection: close\r\n\r\n',
        closed: true,
      });
    });

    /** The first response's head on a connection of its own, whether the proxy closed after it, and whether a second request was then served. */
    async function keptAlive(port: number, request: string): Promise<{ raw: string; closed: boolean; second?: number }> {
      const conn = await HttpConnection.open(port);
      try {
        await conn.write(request);
        const first = await conn.read('GET', 5000);
        const closed = await conn.waitClosed(200);
        if (closed) return { raw: first.head.raw, closed };
        await conn.write(request);
        return { raw: first.head.raw, closed, second: (await conn.read('GET', 5000)).status };
      } finally {
        conn.destroy();
      }
    }

    const CLIENTS = {
      'HTTP/1.1': 'GET / HTTP/1.1\r\nhost: a\r\n\r\n',
      'HTTP/1.0 keep-alive': 'GET / HTTP/1.0\r\nconnection: keep-alive\r\n\r\n',
      'HTTP/1.0': 'GET / HTTP/1.0\r\n\r\n',
    };
    const OK_CLOSE = { raw: 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n', closed: true };

    it('a Connection: close set or added by the rules closes the connection after the response, saying so once', async () => {
      for (const port of [suite.ports.arSet, suite.ports.rsAdd, suite.ports.arSetSc]) {
        for (const [client, request] of Object.entries(CLIENTS)) {
          assert.deepEqual(await keptAlive(port, request), OK_CLOSE, `${client} on port ${port}`);
        }
      }
    });

    it('the same on a reply the proxy built', async () => {
      for (const [client, request] of Object.entries(CLIENTS)) {
        assert.deepEqual(
          await keptAlive(suite.ports.arSet, request.replace('GET /', 'GET /return')),
          { raw: 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n', closed: true },
          client,
        );
      }
    });

    it('a Connection: keep-alive from the rules is taken out: the mux says what it does with the connection', async () => {
      assert.deepEqual(await keptAlive(suite.ports.arKa, CLIENTS['HTTP/1.1']), { raw: 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n', closed: false, second: 200 });
      assert.deepEqual(await keptAlive(suite.ports.arKa, CLIENTS['HTTP/1.0 keep-alive']), {
        raw: 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\n',
        closed: false,
        second: 200,
      });
      assert.deepEqual(await keptAlive(suite.ports.arKa, CLIENTS['HTTP/1.0']), OK_CLOSE);
    });

    it('other tokens stay in the rules\' header, and the mux\'s connection: close comes after it', async () => {
      for (const [client, request] of Object.entries(CLIENTS)) {
        assert.deepEqual(
          await keptAlive(suite.ports.arX, request),
          { raw: 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: x-foo\r\nconnection: close\r\n\r\n', closed: true },
          client,
        );
      }
    });
  });
}
