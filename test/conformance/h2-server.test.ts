/**
 * Black-box conformance of the HTTP/2 server side: `server ... proto h2` (h2c with prior
 * knowledge) behind HTTP/1.1 and HTTP/2 clients, against a node:http2 server run by the test.
 * What the server receives is HAProxy 2.6's encoding (h2s_bck_make_req_headers: `:scheme https`
 * and no `:authority` for an origin-form request, Host as a field, no connection-specific
 * field); what the HTTP/1 client gets is HAProxy's H1 rendering (`HTTP/1.1 200 ` without a
 * reason phrase, chunked when the server gave no Content-Length, trailers as chunked trailers).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/h2-server.test.js
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import { createServer, type Server as NetServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { repoRoot } from '../support/runtimes.ts';
import { HttpConnection, buildRequest, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, assertErrorPage, startProxy, stopProxy } from '../support/http-suite.ts';

const PORT_NAMES = ['fe', 'feh2', 'be', 'fetls', 'fetlsh1', 'betls', 'fehead', 'reuse1', 'reuse0', 'bereuse', 'fesettings', 'besettings'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${p.fe}
    bind 127.0.0.1:${p.feh2} proto h2
    default_backend be_h2

backend be_h2
    http-reuse always
    server s1 127.0.0.1:${p.be} proto h2

frontend fe_head
    bind 127.0.0.1:${p.fehead}
    http-request set-method GET
    default_backend be_h2

frontend fe_reuse1
    bind 127.0.0.1:${p.reuse1}
    default_backend be_reuse1

backend be_reuse1
    http-reuse always
    server s1 127.0.0.1:${p.bereuse} proto h2 max-reuse 1

frontend fe_reuse0
    bind 127.0.0.1:${p.reuse0}
    default_backend be_reuse0

backend be_reuse0
    http-reuse always
    server s1 127.0.0.1:${p.bereuse} proto h2 max-reuse 0

frontend fe_tls
    bind 127.0.0.1:${p.fetls}
    default_backend be_tls

backend be_tls
    server s1 127.0.0.1:${p.betls} ssl verify none alpn h2,http/1.1

frontend fe_tls_h1
    bind 127.0.0.1:${p.fetlsh1}
    default_backend be_tls_h1

backend be_tls_h1
    server s1 127.0.0.1:${p.betls} ssl verify none alpn http/1.1

frontend fe_settings
    bind 127.0.0.1:${p.fesettings}
    default_backend be_settings

backend be_settings
    server s1 127.0.0.1:${p.besettings} proto h2
`;
}

interface Seen {
  headers: http2.IncomingHttpHeaders;
  body: string;
  trailers: http2.IncomingHttpHeaders;
}

/** The test's HTTP/2 server: answers by path, records what each stream carried, counts connections. */
class H2Backend {
  readonly server: http2.Http2Server | http2.Http2SecureServer;
  readonly seen: Seen[] = [];
  sessions = 0;
  readonly #sockets = new Set<http2.ServerHttp2Session>();

  /** `tls`: HTTPS with ALPN h2 and http/1.1 (an HTTP/1 request is answered `h1`). */
  constructor(tls = false) {
    if (tls) {
      const pem = readFileSync(`${repoRoot}test/fixtures/tls/a.example.pem`);
      const secure = http2.createSecureServer({ key: pem, cert: pem, allowHTTP1: true });
      secure.on('request', (req, res) => {
        if (req.httpVersionMajor === 1) res.end('h1');
      });
      this.server = secure;
    } else this.server = http2.createServer();
    this.server.on('session', (session) => {
      this.sessions++;
      this.#sockets.add(session);
      session.on('close', () => this.#sockets.delete(session));
      session.on('error', () => {});
    });
    this.server.on('stream', (stream, headers) => {
      stream.on('error', () => {});
      const seen: Seen = { headers, body: '', trailers: {} };
      this.seen.push(seen);
      stream.setEncoding('latin1');
      stream.on('data', (d: string) => (seen.body += d));
      stream.on('trailers', (t) => (seen.trailers = t));
      stream.on('end', () => this.#answer(stream, headers[':path'] ?? '', seen));
    });
  }

  #answer(stream: http2.ServerHttp2Stream, path: string, seen: Seen): void {
    const session = stream.session;
    const id = stream.id;
    switch (path.replace(/\?.*/, '')) {
      case '/reset':
        stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
        return;
      case '/cl':
        stream.respond({ ':status': 200, 'content-length': '5', 'x-kind': 'cl' });
        stream.end('12345');
        return;
      case '/echo':
        stream.respond({ ':status': 200, 'content-length': String(Buffer.byteLength(seen.body, 'latin1')) });
        stream.end(Buffer.from(seen.body, 'latin1'));
        return;
      case '/big': {
        const body = Buffer.alloc(300_000, 'x');
        stream.respond({ ':status': 200 });
        stream.end(body);
        return;
      }
      case '/grpc':
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': 'fine' }));
        stream.end(Buffer.from([0, 0, 0, 0, 2, 0x08, 0x01]));
        return;
      case '/goaway':
        stream.respond({ ':status': 200, 'content-length': '2' });
        stream.end('ok');
        // Once the response left: no new stream on this connection.
        setTimeout(() => session?.goaway(http2.constants.NGHTTP2_NO_ERROR, id), 20);
        return;
      default:
        stream.respond({ ':status': 200, 'x-kind': 'plain', 'x-alpn': String(stream.session?.alpnProtocol) });
        stream.end('hello');
    }
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve) => this.server.listen(port, '127.0.0.1', resolve));
  }

  close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A server that keeps the first `n` bytes each connection sends, then closes it. */
function firstBytesServer(port: number, n: number, seen: Buffer[]): Promise<NetServer> {
  return new Promise((resolve) => {
    const server = createServer((socket) => {
      let got = Buffer.alloc(0);
      socket.on('error', () => {});
      socket.on('data', (d: Buffer) => {
        got = Buffer.concat([got, d]);
        if (got.length < n) return;
        seen.push(got.subarray(0, n));
        socket.destroy();
      });
    });
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** Everything the proxy sends on a fresh HTTP/1.1 connection for one request with `connection: close`. */
async function rawExchange(port: number, request: Buffer): Promise<string> {
  const conn = await HttpConnection.open(port);
  try {
    await conn.write(request);
    return (await conn.readRest(5000)).toString('latin1');
  } finally {
    conn.destroy();
  }
}

function h2Request(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body?: Buffer): Promise<{ headers: http2.IncomingHttpHeaders; body: Buffer; trailers: http2.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = session.request(headers, { endStream: body === undefined });
    const chunks: Buffer[] = [];
    let head: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    req.on('response', (h) => (head = h));
    req.on('trailers', (t) => (trailers = t));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve({ headers: head, body: Buffer.concat(chunks), trailers }));
    req.on('error', reject);
    if (body !== undefined) req.end(body);
  });
}

for (const target of TARGETS) {
  describe(`HTTP/2 to servers (proto h2) on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let p: Ports;
    let be: H2Backend;
    let betls: H2Backend;
    let bereuse: H2Backend;
    let besettings: NetServer;
    const firstBytes: Buffer[] = [];

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      be = new H2Backend();
      await be.listen(p.be);
      betls = new H2Backend(true);
      await betls.listen(p.betls);
      bereuse = new H2Backend();
      await bereuse.listen(p.bereuse);
      // The preface (24 bytes) and a SETTINGS frame of three settings (9 + 18 bytes).
      besettings = await firstBytesServer(p.besettings, 24 + 9 + 18, firstBytes);
      proxy = await startProxy(target, configFor(p));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await be.close();
      await betls.close();
      await bereuse.close();
      await new Promise((resolve) => besettings.close(resolve));
    });

    it("a server connection opens with HAProxy 2.6's SETTINGS: ENABLE_PUSH=0, ENABLE_CONNECT_PROTOCOL=1, MAX_CONCURRENT_STREAMS=100", async () => {
      const text = await rawExchange(p.fesettings, buildRequest('GET', '/', { host: 'a', connection: 'close' }));
      assert.match(text, /^HTTP\/1\.1 50[23] /);
      assert.ok(firstBytes.length >= 1);
      const expected = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from('000012040000000000000200000000000800000001000300000064', 'hex')]);
      assert.equal(firstBytes[0]!.toString('hex'), expected.toString('hex'));
    });

    it('max-reuse N: a server connection carries N+1 streams, then the next request opens another (h2_avail_streams)', async () => {
      for (const [port, perConnection] of [[p.reuse1, 2], [p.reuse0, 1]] as const) {
        const sessions = bereuse.sessions;
        const conn = await HttpConnection.open(port);
        try {
          for (let i = 0; i < 4; i++) {
            const res = await conn.request('GET', '/cl');
            assert.equal(res.status, 200);
            assert.equal(res.text, '12345');
          }
        } finally {
          conn.destroy();
        }
        assert.equal(bereuse.sessions - sessions, 4 / perConnection, `max-reuse ${perConnection - 1}`);
      }
    });

    it('ssl alpn h2,http/1.1: HTTP/2 when the server picks h2, HTTP/1.1 when only http/1.1 is offered', async () => {
      const conn = await HttpConnection.open(p.fetls);
      try {
        const res = await conn.request('GET', '/plain');
        assert.equal(res.status, 200);
        assert.equal(res.text, 'hello');
        assert.equal(res.header('x-alpn'), 'h2');
      } finally {
        conn.destroy();
      }
      const h1 = await HttpConnection.open(p.fetlsh1);
      try {
        const res = await h1.request('GET', '/plain');
        assert.equal(res.status, 200);
        assert.equal(res.text, 'h1');
      } finally {
        h1.destroy();
      }
    });

    it('GET from an HTTP/1.1 client: HAProxy\'s request fields, and a response without Content-Length comes chunked', async () => {
      const from = be.seen.length;
      const raw = await rawExchange(p.fe, buildRequest('GET', '/plain?a=1', { host: 'example.test', 'x-test': 'A', connection: 'close', te: 'gzip, trailers' }));
      const seen = be.seen[from] as Seen;
      assert.equal(seen.headers[':method'], 'GET');
      assert.equal(seen.headers[':scheme'], 'https');
      assert.equal(seen.headers[':path'], '/plain?a=1');
      assert.equal(seen.headers[':authority'], undefined);
      assert.equal(seen.headers['host'], 'example.test');
      assert.equal(seen.headers['x-test'], 'A');
      assert.equal(seen.headers['te'], 'trailers');
      assert.equal(seen.headers['connection'], undefined);
      assert.match(raw, /^HTTP\/1\.1 200 \r\n/);
      assert.match(raw, /\r\nx-kind: plain\r\n/);
      assert.match(raw, /\r\ntransfer-encoding: chunked\r\n/);
      assert.ok(raw.endsWith('\r\n\r\n5\r\nhello\r\n0\r\n\r\n'), raw);
    });

    it('POST bodies reach the server as DATA, Content-Length or chunked; Content-Length answers go through as they are', async () => {
      const conn = await HttpConnection.open(p.fe);
      try {
        const a = await conn.request('POST', '/echo', { 'content-type': 'text/plain' }, 'posted body');
        assert.equal(a.status, 200);
        assert.equal(a.text, 'posted body');
        assert.equal(a.header('content-length'), '11');
        await conn.write('POST /echo HTTP/1.1\r\nhost: example.test\r\ntransfer-encoding: chunked\r\n\r\n6\r\nchunky\r\n3\r\n-ok\r\n0\r\n\r\n');
        const b = await conn.read('POST');
        assert.equal(b.status, 200);
        assert.equal(b.text, 'chunky-ok');
        const seen = be.seen[be.seen.length - 1] as Seen;
        assert.equal(seen.headers['transfer-encoding'], undefined);
        assert.equal(seen.headers['content-length'], undefined);
      } finally {
        conn.destroy();
      }
    });

    it('keep-alive requests ride one server connection, one stream after another', async () => {
      const sessions = be.sessions;
      const conn = await HttpConnection.open(p.fe);
      try {
        for (let i = 0; i < 3; i++) {
          const res = await conn.request('GET', '/cl');
          assert.equal(res.status, 200);
          assert.equal(res.text, '12345');
          assert.equal(res.header('x-kind'), 'cl');
        }
        const head = await conn.request('HEAD', '/cl');
        assert.equal(head.status, 200);
        assert.equal(head.header('content-length'), '5');
        const after = await conn.request('GET', '/plain');
        assert.equal(after.text, 'hello');
      } finally {
        conn.destroy();
      }
      assert.ok(be.sessions - sessions <= 1, `${be.sessions - sessions} server connections`);
    });

    it('a HEAD the rules turned into a GET: the server\'s body is read, not sent (reg-test http_bodyless_response)', async () => {
      const conn = await HttpConnection.open(p.fehead);
      try {
        const head = await conn.request('HEAD', '/cl');
        assert.equal(head.status, 200);
        assert.equal(head.header('content-length'), '5');
        assert.equal(be.seen[be.seen.length - 1]?.headers[':method'], 'GET');
        const chunked = await conn.request('HEAD', '/plain');
        assert.equal(chunked.status, 200);
        const next = await conn.request('GET', '/plain');
        assert.equal(next.status, 200);
        assert.equal(next.text, 'hello');
      } finally {
        conn.destroy();
      }
    });

    it('a large response crosses the flow-control windows whole', async () => {
      const conn = await HttpConnection.open(p.fe);
      try {
        const res = await conn.request('GET', '/big');
        assert.equal(res.status, 200);
        assert.equal(res.bodyLength, 300_000);
        assert.equal(res.framing, 'chunked');
      } finally {
        conn.destroy();
      }
    });

    it('gRPC over an HTTP/1.1 client: te: trailers goes to the server, grpc-status comes back as chunked trailers; request trailers go as trailing HEADERS', async () => {
      const from = be.seen.length;
      const raw = await rawExchange(
        p.fe,
        Buffer.from(
          'POST /grpc HTTP/1.1\r\nhost: example.test\r\ncontent-type: application/grpc\r\nte: trailers\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n' +
            '7\r\n\x00\x00\x00\x00\x02\x08\x01\r\n0\r\nx-client-trailer: yes\r\n\r\n',
          'latin1',
        ),
      );
      const seen = be.seen[from] as Seen;
      assert.equal(seen.headers['content-type'], 'application/grpc');
      assert.equal(seen.headers['te'], 'trailers');
      assert.equal(seen.body.length, 7);
      assert.equal(seen.trailers['x-client-trailer'], 'yes');
      assert.match(raw, /^HTTP\/1\.1 200 \r\ncontent-type: application\/grpc\r\n/);
      assert.ok(raw.endsWith('\r\n0\r\ngrpc-status: 0\r\ngrpc-message: fine\r\n\r\n'), JSON.stringify(raw));
    });

    it('gRPC over an HTTP/2 client: trailers both ways', async () => {
      const session = http2.connect(`http://127.0.0.1:${p.feh2}`);
      session.on('error', () => {});
      try {
        const res = await h2Request(session, { ':method': 'POST', ':path': '/grpc', 'content-type': 'application/grpc', te: 'trailers' }, Buffer.from([0, 0, 0, 0, 2, 0x08, 0x01]));
        assert.equal(res.headers[':status'], 200);
        assert.equal(res.headers['content-type'], 'application/grpc');
        assert.deepEqual([...res.body], [0, 0, 0, 0, 2, 0x08, 0x01]);
        assert.equal(res.trailers['grpc-status'], '0');
        assert.equal(res.trailers['grpc-message'], 'fine');
      } finally {
        session.close();
      }
    });

    it('a stream the server resets before answering is a 502', async () => {
      const conn = await HttpConnection.open(p.fe);
      try {
        const res = await conn.request('GET', '/reset');
        assertErrorPage(res, 502);
      } finally {
        conn.destroy();
      }
    });

    it('after the server\'s GOAWAY the next request goes on a new connection', async () => {
      const conn = await HttpConnection.open(p.fe);
      try {
        const first = await conn.request('GET', '/goaway');
        assert.equal(first.text, 'ok');
        // The GOAWAY follows the response: let it arrive before the next request.
        await new Promise((r) => setTimeout(r, 100));
        const sessions = be.sessions;
        const second = await conn.request('GET', '/cl');
        assert.equal(second.status, 200);
        assert.equal(second.text, '12345');
        assert.equal(be.sessions, sessions + 1);
      } finally {
        conn.destroy();
      }
    });
  });
}
