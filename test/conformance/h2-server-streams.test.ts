/**
 * Several streams on one HTTP/2 server connection (HAProxy 2.6's avail list: connect_server,
 * h2_avail_streams, h2_detach): which concurrent requests share a `proto h2` server
 * connection under each `http-reuse` mode, the server's SETTINGS_MAX_CONCURRENT_STREAMS, and
 * a stream the server resets while others ride the same connection. A node:http2 server run by
 * the test holds each request until the test releases it, and counts connections and the
 * streams open at once.
 *
 * Each request is sent once the server holds the one before: a connection still being
 * established is not offered to other streams here (HAProxy offers it at once under `always`,
 * before the server's SETTINGS may lower its stream limit), so the test does not race the connect.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/h2-server-streams.test.js
 */
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { ClientHttp2Session } from 'node:http2';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import type { HttpResponse } from '../support/http-wire.ts';
import { TARGETS, assertErrorPage, eventually, startProxy, stopProxy } from '../support/http-suite.ts';

const PORT_NAMES = ['always', 'never', 'safe', 'limit1', 'rst', 'h2safe', 'h2never', 'bealways', 'benever', 'besafe', 'belimit1', 'berst'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

/** Generous: the machine running the suite may be loaded. */
const WAIT_MS = 15_000;

function configFor(p: Ports): string {
  const pair = (name: string, reuse: string, port: number, be: number): string => `
frontend fe_${name}
    bind 127.0.0.1:${port}
    default_backend be_${name}

backend be_${name}
    http-reuse ${reuse}
    server s1 127.0.0.1:${be} proto h2
`;
  // One thread: HAProxy's avail lists are per thread (its default runs one per core).
  return `
global
    nbthread 1

defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    timeout http-request 30s
${pair('always', 'always', p.always, p.bealways)}
${pair('never', 'never', p.never, p.benever)}
${pair('safe', 'safe', p.safe, p.besafe)}
${pair('limit1', 'always', p.limit1, p.belimit1)}
${pair('rst', 'always', p.rst, p.berst)}
frontend fe_h2safe
    bind 127.0.0.1:${p.h2safe} proto h2
    default_backend be_safe

frontend fe_h2never
    bind 127.0.0.1:${p.h2never} proto h2
    default_backend be_never
`;
}

/** The test's HTTP/2 server: holds `/hold` streams until released, resets `/reset` ones once released. */
class HoldingBackend {
  readonly server: http2.Http2Server;
  sessions = 0;
  /** Most streams open at once on one connection since reset(). */
  maxOpen = 0;
  readonly #open = new Map<http2.ServerHttp2Session, number>();
  readonly #held: (() => void)[] = [];
  readonly #sessions = new Set<http2.ServerHttp2Session>();

  constructor(settings: http2.Settings = {}) {
    this.server = http2.createServer({ settings });
    this.server.on('session', (session) => {
      this.sessions++;
      this.#sessions.add(session);
      session.on('close', () => {
        this.#sessions.delete(session);
        this.#open.delete(session);
      });
      session.on('error', () => {});
    });
    this.server.on('stream', (stream, headers) => {
      stream.on('error', () => {});
      // Streams open at once on one connection.
      const session = stream.session as http2.ServerHttp2Session;
      const open = (this.#open.get(session) ?? 0) + 1;
      this.#open.set(session, open);
      if (open > this.maxOpen) this.maxOpen = open;
      stream.on('close', () => this.#open.set(session, (this.#open.get(session) ?? 1) - 1));
      const path = String(headers[':path']);
      stream.resume();
      const answer = (): void => {
        if (stream.destroyed || stream.closed) return;
        if (path === '/reset') return stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
        stream.respond({ ':status': 200, 'content-length': String(path.length) });
        stream.end(path);
      };
      this.#held.push(answer);
    });
  }

  get held(): number {
    return this.#held.length;
  }

  /** Answers every held stream. */
  release(): void {
    for (const answer of this.#held.splice(0)) answer();
  }

  /** The streams-at-once count starts again for the next exchange. */
  reset(): void {
    this.maxOpen = Math.max(0, ...this.#open.values());
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve) => this.server.listen(port, '127.0.0.1', resolve));
  }

  close(): Promise<void> {
    this.release();
    for (const s of this.#sessions) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * `paths.length` requests from as many HTTP/1.1 client connections, each sent once the server
 * holds the one before (so each finds the server connections settled: the server's SETTINGS
 * read), then all released together.
 */
async function concurrent(port: number, be: HoldingBackend, paths: string[]): Promise<HttpResponse[]> {
  const conns = await Promise.all(paths.map(() => HttpConnection.open(port)));
  const pending: Promise<HttpResponse>[] = [];
  try {
    const held = be.held;
    for (let i = 0; i < paths.length; i++) {
      const res = conns[i]!.request('GET', paths[i]!, {}, undefined, 30_000);
      // Seen by the test even if it fails while the next ones are sent.
      res.catch(() => {});
      pending.push(res);
      assert.ok(await eventually(() => be.held === held + i + 1, WAIT_MS), `${be.held - held} of ${i + 1} requests reached the server over ${be.sessions} connections`);
    }
    be.release();
    return await Promise.all(pending);
  } finally {
    be.release();
    for (const c of conns) c.destroy();
  }
}

/** `paths.length` concurrent streams of one HTTP/2 client connection, sent and released as `concurrent` does. */
async function concurrentStreams(port: number, be: HoldingBackend, paths: string[]): Promise<{ status: number; text: string }[]> {
  const session: ClientHttp2Session = http2.connect(`http://127.0.0.1:${port}`);
  session.on('error', () => {});
  const pending: Promise<{ status: number; text: string }>[] = [];
  try {
    const held = be.held;
    for (let i = 0; i < paths.length; i++) {
      const res = new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = session.request({ ':path': paths[i]! });
        let status = 0;
        let text = '';
        req.setEncoding('latin1');
        req.on('response', (h) => (status = Number(h[':status'])));
        req.on('data', (d: string) => (text += d));
        req.on('end', () => resolve({ status, text }));
        req.on('error', reject);
      });
      res.catch(() => {});
      pending.push(res);
      assert.ok(await eventually(() => be.held === held + i + 1, WAIT_MS), `${be.held - held} of ${i + 1} streams reached the server over ${be.sessions} connections`);
    }
    be.release();
    return await Promise.all(pending);
  } finally {
    be.release();
    session.destroy();
  }
}

for (const target of TARGETS) {
  describe(`several streams per HTTP/2 server connection on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let p: Ports;
    const backends: Partial<Record<'always' | 'never' | 'safe' | 'limit1' | 'rst', HoldingBackend>> = {};

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      backends.always = new HoldingBackend();
      backends.never = new HoldingBackend();
      backends.safe = new HoldingBackend();
      backends.limit1 = new HoldingBackend({ maxConcurrentStreams: 1 });
      backends.rst = new HoldingBackend();
      await backends.always.listen(p.bealways);
      await backends.never.listen(p.benever);
      await backends.safe.listen(p.besafe);
      await backends.limit1.listen(p.belimit1);
      await backends.rst.listen(p.berst);
      proxy = await startProxy(target, configFor(p));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      for (const be of Object.values(backends)) await be.close();
    });

    it('http-reuse always: concurrent requests of several clients ride one server connection, as concurrent streams', async () => {
      const be = backends.always as HoldingBackend;
      be.reset();
      const before = be.sessions;
      const res = await concurrent(p.always, be, ['/a', '/bb', '/ccc', '/dddd']);
      assert.deepEqual(res.map((r) => [r.status, r.text]), [[200, '/a'], [200, '/bb'], [200, '/ccc'], [200, '/dddd']]);
      assert.equal(be.sessions - before, 1, 'server connections');
      assert.equal(be.maxOpen, 4, 'streams open at once');
    });

    it('http-reuse never and safe: a first request never rides a connection another client is using', async () => {
      for (const name of ['never', 'safe'] as const) {
        const be = backends[name] as HoldingBackend;
        be.reset();
        const before = be.sessions;
        const res = await concurrent(name === 'never' ? p.never : p.safe, be, ['/a', '/bb', '/ccc']);
        assert.deepEqual(res.map((r) => r.status), [200, 200, 200]);
        assert.equal(be.sessions - before, 3, `server connections with http-reuse ${name}`);
      }
    });

    it('http-reuse safe and never: the concurrent streams of one HTTP/2 client share its server connection (the session\'s own)', async () => {
      for (const name of ['safe', 'never'] as const) {
        const be = backends[name] as HoldingBackend;
        be.reset();
        const before = be.sessions;
        const res = await concurrentStreams(name === 'safe' ? p.h2safe : p.h2never, be, ['/a', '/bb', '/ccc']);
        assert.deepEqual(res, [{ status: 200, text: '/a' }, { status: 200, text: '/bb' }, { status: 200, text: '/ccc' }]);
        // One connection: a new one, or under safe the idle one an earlier test left (HAProxy's
        // H2 streams are never a client's first request).
        assert.ok(be.sessions - before <= 1, `${be.sessions - before} server connections with http-reuse ${name}`);
        assert.equal(be.maxOpen, 3, `streams open at once with http-reuse ${name}`);
      }
    });

    it("the server's SETTINGS_MAX_CONCURRENT_STREAMS 1: each concurrent request needs a connection of its own", async () => {
      const be = backends.limit1 as HoldingBackend;
      be.reset();
      const before = be.sessions;
      const res = await concurrent(p.limit1, be, ['/a', '/bb', '/ccc']);
      assert.deepEqual(res.map((r) => [r.status, r.text]), [[200, '/a'], [200, '/bb'], [200, '/ccc']]);
      assert.equal(be.sessions - before, 3, 'server connections');
      assert.equal(be.maxOpen, 1, 'streams open at once on one connection');
    });

    it('RST_STREAM on one stream: its client gets a 502, the other streams of the connection are answered', async () => {
      const be = backends.rst as HoldingBackend;
      be.reset();
      const before = be.sessions;
      const res = await concurrent(p.rst, be, ['/a', '/reset', '/ccc']);
      assert.equal(res[0]!.status, 200);
      assert.equal(res[0]!.text, '/a');
      assertErrorPage(res[1]!, 502);
      assert.equal(res[2]!.status, 200);
      assert.equal(res[2]!.text, '/ccc');
      assert.equal(be.sessions - before, 1, 'server connections');
      // The connection is still usable afterwards.
      const again = await concurrent(p.rst, be, ['/again']);
      assert.equal(again[0]!.text, '/again');
      assert.equal(be.sessions - before, 1, 'server connections after the reset');
    });
  });
}
