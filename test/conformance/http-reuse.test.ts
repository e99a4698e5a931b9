/**
 * Black-box conformance of server connection reuse as the receiving side sees it, after
 * HAProxy 2.6's reg-tests connection/http_reuse_*: a "sender" proxy forwards to a "receiver"
 * proxy of the same process, which answers itself and reports `http_first_req` (is this the
 * first request on the connection it arrived on?) and the `client-id` header the first request
 * of that connection carried (a `sess` variable). So each answer tells whether the sender
 * opened a connection for the request, and whose connection it rode.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-reuse.test.js
 */
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { h2ResponseHeaders } from '../support/h2-request.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';

interface Ports {
  receiver: number;
  never: number;
  neverH2: number;
  safe: number;
  dispatch: number;
  transparent: number;
  mapped: number;
  dst1: number;
  dst2: number;
}

function configFor(p: Ports): string {
  return `
${HTTP_DEFAULTS}

listen receiver
    bind 127.0.0.1:${p.receiver}
    http-request set-var(sess.client_id) req.hdr(client-id)
    http-request return status 200
    http-after-response set-header http_first_request %[http_first_req]
    http-after-response set-header client-id %[var(sess.client_id)]

listen never
    bind 127.0.0.1:${p.never}
    http-reuse never
    http-request set-header client-id %[req.hdr(client-id)] if { req.hdr(client-id) -m found }
    server srv 127.0.0.1:${p.receiver}

# The same for HTTP/2 clients: a connection's streams are one session.
listen never_h2
    bind 127.0.0.1:${p.neverH2} proto h2
    http-reuse never
    http-request set-header client-id %[req.hdr(client-id)] if { req.hdr(client-id) -m found }
    server srv 127.0.0.1:${p.receiver}

listen safe
    bind 127.0.0.1:${p.safe}
    http-reuse safe
    http-request set-header client-id %[req.hdr(client-id)] if { req.hdr(client-id) -m found }
    server srv 127.0.0.1:${p.receiver} pool-max-conn 1

listen dispatch
    bind 127.0.0.1:${p.dispatch}
    http-request set-header client-id %[req.hdr(client-id)] if { req.hdr(client-id) -m found }
    dispatch 127.0.0.1:${p.receiver}

listen transparent
    bind 127.0.0.1:${p.transparent}
    option transparent
    http-request set-header client-id %[req.hdr(client-id)] if { req.hdr(client-id) -m found }
    http-request set-dst-port int(${p.receiver})

# A server without port connects to the stream's destination port; connections are reused per destination.
listen mapped
    bind 127.0.0.1:${p.mapped}
    http-request set-dst-port hdr(x-dst-port)
    server srv 127.0.0.1:0 pool-low-conn 2

listen dst1
    bind 127.0.0.1:${p.dst1}
    http-request return status 200 hdr x-dst dst1
    http-after-response set-header http_first_request %[http_first_req]

listen dst2
    bind 127.0.0.1:${p.dst2}
    http-request return status 200 hdr x-dst dst2
    http-after-response set-header http_first_request %[http_first_req]
`;
}

/** Three requests on one client connection, the first carrying `client-id: id`: what the receiver reported. */
async function threeRequests(port: number, id: string): Promise<string[]> {
  const conn = await HttpConnection.open(port);
  const seen: string[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await conn.request('GET', '/', i === 0 ? { 'client-id': id } : {});
    assert.equal(res.status, 200);
    seen.push(`${res.header('http_first_request')}:${res.header('client-id') ?? ''}`);
  }
  conn.destroy();
  return seen;
}

/** threeRequests over one HTTP/2 connection (prior knowledge), one stream after the other. */
async function threeH2Requests(port: number, id: string): Promise<string[]> {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  session.on('error', () => {});
  const seen: string[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const headers = await h2ResponseHeaders(session, { ':path': '/', ...(i === 0 ? { 'client-id': id } : {}) });
      assert.equal(headers[':status'], 200);
      seen.push(`${String(headers['http_first_request'])}:${String(headers['client-id'] ?? '')}`);
    }
  } finally {
    session.close();
  }
  return seen;
}

for (const target of TARGETS) {
  describe(`server connection reuse on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;

    before(async () => {
      const [receiver, never, safe, dispatch, transparent, mapped, dst1, dst2, neverH2] = await freePorts(9);
      ports = { receiver, never, neverH2, safe, dispatch, transparent, mapped, dst1, dst2 } as Ports;
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
    });

    it('http_first_req is true on a connection’s first request only', async () => {
      const conn = await HttpConnection.open(ports.receiver);
      const first = await conn.request('GET', '/');
      const second = await conn.request('GET', '/');
      assert.equal(first.header('http_first_request'), '1');
      assert.equal(second.header('http_first_request'), '0');
      conn.destroy();
    });

    it('http-reuse never: a session keeps its own server connection, shared with no other session', async () => {
      assert.deepEqual(await threeRequests(ports.never, 'c1'), ['1:c1', '0:c1', '0:c1']);
      assert.deepEqual(await threeRequests(ports.never, 'c2'), ['1:c2', '0:c2', '0:c2']);
      assert.deepEqual(await threeRequests(ports.never, 'c3'), ['1:c3', '0:c3', '0:c3']);
    });

    it("http-reuse never with HTTP/2 clients: a connection's streams ride its one server connection in turn", async () => {
      assert.deepEqual(await threeH2Requests(ports.neverH2, 'c1'), ['1:c1', '0:c1', '0:c1']);
      assert.deepEqual(await threeH2Requests(ports.neverH2, 'c2'), ['1:c2', '0:c2', '0:c2']);
    });

    it('http-reuse safe: a first request opens a connection, later ones ride the pooled one', async () => {
      assert.deepEqual(await threeRequests(ports.safe, 'c1'), ['1:c1', '0:c1', '0:c1']);
      // pool-max-conn 1: c2's own connection is not kept, its later requests ride c1's.
      assert.deepEqual(await threeRequests(ports.safe, 'c2'), ['1:c2', '0:c1', '0:c1']);
    });

    it('dispatch: connections to the dispatch address are private to their session', async () => {
      assert.deepEqual(await threeRequests(ports.dispatch, 'c1'), ['1:c1', '0:c1', '0:c1']);
      assert.deepEqual(await threeRequests(ports.dispatch, 'c2'), ['1:c2', '0:c2', '0:c2']);
    });

    it('a server without port: the destination port set-dst-port chose, idle connections reused per destination', async () => {
      const conn = await HttpConnection.open(ports.mapped);
      const seen: string[] = [];
      for (const port of [ports.dst1, ports.dst1, ports.dst2, ports.dst1, ports.dst2]) {
        const res = await conn.request('GET', '/', { 'x-dst-port': port });
        seen.push(`${res.header('x-dst')}:${res.header('http_first_request')}`);
      }
      assert.deepEqual(seen, ['dst1:1', 'dst1:0', 'dst2:1', 'dst1:0', 'dst2:0']);
      conn.destroy();
    });

    it('option transparent: the client’s destination (set-dst-port here), on private connections', async () => {
      assert.deepEqual(await threeRequests(ports.transparent, 'c1'), ['1:c1', '0:c1', '0:c1']);
      assert.deepEqual(await threeRequests(ports.transparent, 'c2'), ['1:c2', '0:c2', '0:c2']);
    });
  });
}
