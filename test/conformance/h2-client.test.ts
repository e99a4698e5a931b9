/**
 * Black-box conformance of the HTTP/2 client side: `proto h2` binds (h2c with prior knowledge)
 * and TLS binds negotiating `h2` by ALPN, with Node's node:http2 client, in front of an HTTP/1.1
 * backend. Protocol errors are provoked with frames written by the test.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/h2-client.test.js
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http2 from 'node:http2';
import { connect as netConnect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { repoRoot } from '../support/runtimes.ts';
import { appBackend, cannedBackend, closingBackend, downloadDigest, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { HpackEncoder } from '../../src/http/h2/index.ts';

const PORT_NAMES = ['h2c', 'tls', 'be', 'tr', 'betr', 'cl', 'becl'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  const pem = `${repoRoot}test/fixtures/tls/a.example.pem`;
  return `
global
    maxconn 1000
${HTTP_DEFAULTS}
frontend fe_h2c
    bind 127.0.0.1:${p.h2c} proto h2
    http-request set-header x-req-ver %[req.ver]
    http-request set-header x-http2 yes if HTTP_2.0
    http-request silent-drop if { path /drop }
    http-request deny deny_status 403 if { path /deny }
    http-request set-var(sess.first) path if { path_beg /vars/first }
    http-request set-var(txn.mine) path if { path_beg /vars/ }
    http-response set-header x-mine %[var(txn.mine)] if { var(txn.mine) -m found }
    http-response set-header x-first %[var(sess.first)] if { var(sess.first) -m found }
    default_backend be_app

frontend fe_tls
    bind 127.0.0.1:${p.tls} ssl crt ${pem} alpn h2,http/1.1
    default_backend be_app

backend be_app
    server s1 127.0.0.1:${p.be}

frontend fe_trailers
    bind 127.0.0.1:${p.tr} proto h2
    default_backend be_trailers

backend be_trailers
    server s1 127.0.0.1:${p.betr}

frontend fe_closing
    bind 127.0.0.1:${p.cl} proto h2
    default_backend be_closing

backend be_closing
    server s1 127.0.0.1:${p.becl}
`;
}

interface Reply {
  status: number;
  headers: http2.IncomingHttpHeaders;
  body: Buffer;
}

function request(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body?: Buffer | Buffer[]): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = session.request(headers, { endStream: body === undefined });
    const chunks: Buffer[] = [];
    let head: http2.IncomingHttpHeaders = {};
    req.on('response', (h) => (head = h));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve({ status: Number(head[':status']), headers: head, body: Buffer.concat(chunks) }));
    req.on('error', reject);
    if (body !== undefined) {
      for (const piece of Array.isArray(body) ? body : [body]) req.write(piece);
      req.end();
    }
  });
}

function h2c(port: number): http2.ClientHttp2Session {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  session.on('error', () => {});
  return session;
}

/** Reads frames from a raw socket: resolves with the first frame of `type` (0x7 GOAWAY...). */
function waitFrame(socket: Socket, type: number, timeoutMs = 3000): Promise<{ flags: number; streamId: number; payload: Buffer }> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => reject(new Error(`no frame of type ${type}`)), timeoutMs);
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 9) {
        const len = buf.readUIntBE(0, 3);
        if (buf.length < 9 + len) break;
        const frame = { type: buf[3]!, flags: buf[4]!, streamId: buf.readUInt32BE(5) & 0x7fffffff, payload: buf.subarray(9, 9 + len) };
        buf = buf.subarray(9 + len);
        if (frame.type === type) {
          clearTimeout(timer);
          socket.off('data', onData);
          resolve(frame);
          return;
        }
      }
    };
    socket.on('data', onData);
    socket.on('error', () => {});
  });
}

function frame(type: number, flags: number, streamId: number, payload: Buffer | number[] = []): Buffer {
  const p = Buffer.from(payload);
  const h = Buffer.alloc(9);
  h.writeUIntBE(p.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(streamId, 5);
  return Buffer.concat([h, p]);
}

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

function rawH2(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = netConnect({ host: '127.0.0.1', port }, () => {
      s.write(Buffer.concat([PREFACE, frame(0x4, 0, 0)]));
      resolve(s);
    });
    s.once('error', reject);
  });
}

function headerBlock(fields: [string, string][]): Buffer {
  const enc = new HpackEncoder({ huffman: false });
  enc.begin();
  for (const [n, v] of fields) enc.add(n, v);
  return Buffer.from(enc.bytes);
}

const GET_FIELDS = (port: number, path = '/'): [string, string][] => [
  [':method', 'GET'],
  [':scheme', 'http'],
  [':authority', `127.0.0.1:${port}`],
  [':path', path],
];

for (const target of TARGETS) {
  describe(`HTTP/2 client side on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let p: Ports;
    let be: HttpTestBackend;
    let betr: HttpTestBackend;
    let becl: HttpTestBackend;

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      be = await appBackend(p.be, 'app');
      betr = await cannedBackend(p.betr, 'trailers', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-type: text/plain\r\n\r\n5\r\nhello\r\n0\r\nx-checksum: abc\r\n\r\n', 'keep');
      becl = await closingBackend(p.becl);
      proxy = await startProxy(target, configFor(p));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await be.close();
      await betr.close();
      await becl.close();
    });

    it('a chunked response with trailers: payload as DATA, the trailer fields as trailing HEADERS', async () => {
      const session = h2c(p.tr);
      try {
        const trailers = await new Promise<{ body: string; trailers: http2.IncomingHttpHeaders }>((resolve, reject) => {
          const req = session.request({ ':path': '/t' });
          let body = '';
          let got: http2.IncomingHttpHeaders = {};
          req.setEncoding('latin1');
          req.on('data', (d: string) => (body += d));
          req.on('trailers', (t) => (got = t));
          req.on('end', () => resolve({ body, trailers: got }));
          req.on('error', reject);
        });
        assert.equal(trailers.body, 'hello');
        assert.equal(trailers.trailers['x-checksum'], 'abc');
      } finally {
        session.close();
      }
    });

    it('h2c GET: :authority becomes Host, the request goes to the HTTP/1.1 server in origin form', async () => {
      const session = h2c(p.h2c);
      try {
        const res = await request(session, { ':method': 'GET', ':path': '/get?x=1', 'x-test': 'a', cookie: ['a=1', 'b=2'] });
        assert.equal(res.status, 200);
        assert.equal(res.headers['x-backend'], 'app');
        assert.equal(res.headers['connection'], undefined);
        const head = res.body.toString('latin1');
        assert.match(head, /^GET \/get\?x=1 HTTP\/1\.1\r\n/);
        assert.match(head, new RegExp(`\r\nhost: 127\\.0\\.0\\.1:${p.h2c}\r\n`, 'i'));
        assert.match(head, /\r\nx-test: a\r\n/i);
        assert.match(head, /\r\ncookie: a=1; b=2\r\n/i);
        assert.match(head, /\r\nx-req-ver: 2\.0\r\n/i);
        assert.match(head, /\r\nx-http2: yes\r\n/i);
      } finally {
        session.close();
      }
    });

    it('POST bodies: with content-length as is, without it chunked toward the server', async () => {
      const session = h2c(p.h2c);
      try {
        const body = Buffer.alloc(100_000, 'x');
        const sha = createHash('sha256').update(body).digest('hex');
        const withLength = await request(session, { ':method': 'POST', ':path': '/post', 'content-length': String(body.length) }, body);
        assert.equal(withLength.status, 200);
        assert.equal(withLength.headers['x-body-length'], String(body.length));
        assert.equal(withLength.headers['x-body-sha256'], sha);
        assert.match(withLength.body.toString('latin1'), /\r\ncontent-length: 100000\r\n/i);
        const chunked = await request(session, { ':method': 'POST', ':path': '/post' }, [body.subarray(0, 30_000), body.subarray(30_000)]);
        assert.equal(chunked.status, 200);
        assert.equal(chunked.headers['x-body-length'], String(body.length));
        assert.equal(chunked.headers['x-body-sha256'], sha);
        assert.equal(chunked.headers['x-body-framing'], 'chunked');
      } finally {
        session.close();
      }
    });

    it('a chunked server response arrives as DATA payload only, past the initial windows', async () => {
      const session = h2c(p.h2c);
      try {
        const res = await request(session, { ':method': 'GET', ':path': '/download/chunked/300000' });
        assert.equal(res.status, 200);
        assert.equal(res.headers['transfer-encoding'], undefined);
        assert.equal(res.body.length, 300_000);
        assert.equal(createHash('sha256').update(res.body).digest('hex'), downloadDigest(300_000));
        const cl = await request(session, { ':method': 'GET', ':path': '/download/cl/200000' });
        assert.equal(cl.headers['content-length'], '200000');
        assert.equal(createHash('sha256').update(cl.body).digest('hex'), downloadDigest(200_000));
      } finally {
        session.close();
      }
    });

    it('many concurrent streams on one connection', async () => {
      const session = h2c(p.h2c);
      try {
        const replies = await Promise.all(Array.from({ length: 60 }, (_, i) => request(session, { ':method': 'GET', ':path': `/many/${i}` })));
        replies.forEach((r, i) => {
          assert.equal(r.status, 200);
          assert.match(r.body.toString('latin1'), new RegExp(`^GET /many/${i} HTTP/1\\.1`));
        });
      } finally {
        session.close();
      }
    });

    it("concurrent streams each keep their own txn variables and share the connection's sess ones", async () => {
      const session = h2c(p.h2c);
      try {
        const first = await request(session, { ':method': 'GET', ':path': '/vars/first' });
        assert.equal(first.headers['x-mine'], '/vars/first');
        const replies = await Promise.all(Array.from({ length: 30 }, (_, i) => request(session, { ':method': 'GET', ':path': `/vars/n${i}` })));
        replies.forEach((r, i) => {
          assert.equal(r.status, 200);
          assert.equal(r.headers['x-mine'], `/vars/n${i}`);
          assert.equal(r.headers['x-first'], '/vars/first');
        });
      } finally {
        session.close();
      }
      // Another connection has sess variables of its own.
      const other = h2c(p.h2c);
      try {
        const r = await request(other, { ':method': 'GET', ':path': '/vars/other' });
        assert.equal(r.headers['x-mine'], '/vars/other');
        assert.equal(r.headers['x-first'], undefined);
      } finally {
        other.close();
      }
    });

    it('RST_STREAM from the client ends that stream only; the connection goes on', async () => {
      const session = h2c(p.h2c);
      try {
        const req = session.request({ ':method': 'GET', ':path': '/slow/3000' });
        req.on('error', () => {});
        await new Promise((r) => setTimeout(r, 200));
        req.close(http2.constants.NGHTTP2_CANCEL);
        const res = await request(session, { ':method': 'GET', ':path': '/after-reset' });
        assert.equal(res.status, 200);
      } finally {
        session.close();
      }
    });

    it('http-request deny answers that stream; silent-drop closes the whole connection', async () => {
      const session = h2c(p.h2c);
      try {
        assert.equal((await request(session, { ':path': '/deny' })).status, 403);
        // No answer ever comes: HAProxy mutes the connection (the client sees nothing), the
        // runtimes reset it (the client sees it close).
        const outcome = await Promise.race([
          request(session, { ':path': '/drop' }).then(
            // Deno's sockets close without a reset: the stream then ends with no response at all.
            (r) => (Number.isNaN(r.status) ? 'failed' : `answered ${r.status}`),
            () => 'failed',
          ),
          new Promise<string>((resolve) => setTimeout(() => resolve('silent'), 1000)),
        ]);
        assert.ok(outcome === 'failed' || outcome === 'silent', outcome);
        if (target !== 'haproxy') assert.equal(outcome, 'failed');
      } finally {
        session.destroy();
      }
    });

    // HAProxy marks every HTTP/2 stream "not first" (SE_FL_NOT_FIRST): a server closing without
    // an answer gets the client no 502 but REFUSED_STREAM, which says it may retry (RFC 9113 §8.7).
    it('a server that closes without answering: RST_STREAM REFUSED_STREAM, not a 502; the connection goes on', async () => {
      const s = await rawH2(p.cl);
      try {
        const rst = waitFrame(s, 0x3);
        s.write(frame(0x1, 0x5, 1, headerBlock(GET_FIELDS(p.cl, '/no-answer'))));
        const f = await rst;
        assert.equal(f.streamId, 1);
        assert.equal(f.payload.readUInt32BE(0), 0x7, 'REFUSED_STREAM');
        const again = waitFrame(s, 0x3);
        s.write(frame(0x1, 0x5, 3, headerBlock(GET_FIELDS(p.cl, '/no-answer-2'))));
        assert.equal((await again).streamId, 3, 'the next stream on the same connection is served (and refused) too');
      } finally {
        s.destroy();
      }
    });

    it('a protocol error (DATA on stream 0) is answered with GOAWAY PROTOCOL_ERROR', async () => {
      const s = await rawH2(p.h2c);
      try {
        const goaway = waitFrame(s, 0x7);
        s.write(frame(0x0, 0, 0, [1, 2, 3]));
        const f = await goaway;
        assert.equal(f.payload.readUInt32BE(4), 1);
      } finally {
        s.destroy();
      }
    });

    it('malformed requests are stream errors (RST_STREAM PROTOCOL_ERROR): uppercase name, connection header, te: gzip', async () => {
      for (const bad of [['X-Upper', 'a'], ['connection', 'keep-alive'], ['te', 'gzip']] as [string, string][]) {
        const s = await rawH2(p.h2c);
        try {
          const rst = waitFrame(s, 0x3);
          s.write(frame(0x1, 0x5, 1, headerBlock([...GET_FIELDS(p.h2c), bad])));
          const f = await rst;
          assert.equal(f.streamId, 1, bad[0]);
          assert.equal(f.payload.readUInt32BE(0), 1, bad[0]);
          // The connection is still usable.
          const headers = waitFrame(s, 0x1);
          s.write(frame(0x1, 0x5, 3, headerBlock(GET_FIELDS(p.h2c, '/ok'))));
          assert.equal((await headers).streamId, 3, bad[0]);
        } finally {
          s.destroy();
        }
      }
    });

    it('content-length disagreeing with the DATA received is a stream error', async () => {
      const s = await rawH2(p.h2c);
      try {
        const rst = waitFrame(s, 0x3);
        s.write(frame(0x1, 0x4, 1, headerBlock([[':method', 'POST'], [':scheme', 'http'], [':authority', 'x'], [':path', '/'], ['content-length', '10']])));
        s.write(frame(0x0, 0x1, 1, Buffer.from('abc')));
        const f = await rst;
        assert.equal(f.streamId, 1);
        assert.equal(f.payload.readUInt32BE(0), 1);
      } finally {
        s.destroy();
      }
    });

    it('HTTP/1.1 with Upgrade: h2c is not a way to HTTP/2: the request is served over HTTP/1.1', async () => {
      const conn = await HttpConnection.open(p.tls, { tls: true, servername: 'a.example', alpn: ['http/1.1'] });
      try {
        const res = await conn.request('GET', '/upgrade-h2c', { connection: 'Upgrade, HTTP2-Settings', upgrade: 'h2c', 'http2-settings': 'AAMAAABkAAQAAP__' });
        assert.equal(res.status, 200);
        assert.equal(res.version, 'HTTP/1.1');
        assert.match(res.text, /^GET \/upgrade-h2c HTTP\/1\.1\r\n/);
      } finally {
        conn.destroy();
      }
    });

    it('TLS bind with alpn h2,http/1.1: h2 clients get HTTP/2, others HTTP/1.1', async () => {
      const session = http2.connect(`https://127.0.0.1:${p.tls}`, { rejectUnauthorized: false, servername: 'a.example' });
      session.on('error', () => {});
      try {
        const res = await request(session, { ':method': 'GET', ':path': '/tls' });
        assert.equal(res.status, 200);
        assert.equal(session.alpnProtocol, 'h2');
        assert.match(res.body.toString('latin1'), /^GET \/tls HTTP\/1\.1\r\n/);
      } finally {
        session.close();
      }
      const conn = await HttpConnection.open(p.tls, { tls: true, servername: 'a.example', alpn: ['http/1.1'] });
      assert.equal(conn.alpnProtocol, 'http/1.1');
      assert.equal((await conn.request('GET', '/h1')).status, 200);
      conn.destroy();
    });
  });
}
