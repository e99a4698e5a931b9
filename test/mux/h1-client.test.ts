import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BackendModel, FrontendModel } from '../../src/config/model.ts';
import { Proxy } from '../../src/proxy/proxy.ts';
import { SoftStopClosing } from '../../src/proxy/soft-stop-closing.ts';
import type { Socket } from '../../src/runtime.ts';
import { FakeRuntime, type FakeSocket } from '../support/fake-runtime.ts';
import { backend, config, frontend, server } from '../support/model.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

interface FakeHttpServer {
  accepts: number;
  requests: string[];
  sockets: Socket[];
  /** The socket each request came on. */
  requestSockets: Socket[];
}

/** A crude HTTP/1.1 server on the fake network: answers each request head with `reply(n)`. */
async function httpServer(rt: FakeRuntime, port: number, reply: (request: string, n: number) => string | undefined): Promise<FakeHttpServer> {
  const state: FakeHttpServer = { accepts: 0, requests: [], sockets: [], requestSockets: [] };
  await rt.listen({ host: '127.0.0.1', port }, (socket) => {
    state.accepts++;
    state.sockets.push(socket);
    let buffered = '';
    socket.setHandler({
      onData(s, chunk) {
        buffered += dec.decode(chunk);
        let end: number;
        while ((end = buffered.indexOf('\r\n\r\n')) >= 0) {
          const head = buffered.slice(0, end + 4);
          buffered = buffered.slice(end + 4);
          state.requests.push(head);
          state.requestSockets.push(s);
          const answer = reply(head, state.requests.length);
          if (answer !== undefined) s.write(enc.encode(answer));
        }
      },
      onEnd(s) {
        s.end();
      },
      onDrain() {},
      onClose() {},
    });
  });
  return state;
}

function ok(body: string): string {
  return `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
}

function httpFrontend(extra: Partial<FrontendModel> = {}, timeouts = {}): FrontendModel {
  return frontend('fe', 8080, 'be', { mode: 'http', ...extra }, timeouts);
}

function httpBackend(servers = [server('s1', 9001)], extra: Partial<BackendModel> = {}, timeouts = {}): BackendModel {
  return backend('be', servers, { mode: 'http', ...extra }, timeouts);
}

async function start(rt: FakeRuntime, fe: FrontendModel, be: BackendModel): Promise<Proxy> {
  const proxy = new Proxy(rt, config([fe], [be]));
  await proxy.start();
  return proxy;
}

function send(client: FakeSocket, rt: FakeRuntime, text: string): void {
  client.write(enc.encode(text));
  rt.flush();
}

describe('H1ClientConnection + HttpStream', () => {
  it('soft stop while a request is in flight: its response says Connection: close and the connection closes after it', async () => {
    const rt = new FakeRuntime();
    const srv = await httpServer(rt, 9001, (_, n) => (n === 1 ? ok('r1') : undefined));
    const proxy = await start(rt, httpFrontend(), httpBackend());
    const client = rt.dial('127.0.0.1', 8080);
    send(client, rt, 'GET /a HTTP/1.1\r\nHost: x\r\n\r\n');
    send(client, rt, 'GET /b HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(srv.requests.length, 2);
    proxy.frontends[0]!.drainSessions(SoftStopClosing.atOnce);
    rt.flush();
    assert.equal(client.peerEnded, false, 'closed with a request in flight');
    srv.sockets[0]!.write(enc.encode(ok('r2')));
    rt.flush();
    const second = client.text().slice(ok('r1').length);
    assert.match(second, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(second, /\r\nconnection: close\r\n/i, second);
    assert.ok(second.endsWith('\r\n\r\nr2'), second);
    assert.equal(client.peerEnded, true);
  });

  it('soft stop: a kept-alive connection waiting for its next request is closed after a short grace, a request arriving within it is answered with Connection: close', async () => {
    const rt = new FakeRuntime();
    await httpServer(rt, 9001, (_, n) => ok(`r${n}`));
    const proxy = await start(rt, httpFrontend(), httpBackend());
    const waiting = rt.dial('127.0.0.1', 8080);
    const silent = rt.dial('127.0.0.1', 8080);
    send(waiting, rt, 'GET /a HTTP/1.1\r\nHost: x\r\n\r\n');
    send(silent, rt, 'GET /a HTTP/1.1\r\nHost: x\r\n\r\n');
    const firstAnswers = [waiting.text().length, silent.text().length];
    proxy.frontends[0]!.drainSessions(SoftStopClosing.atOnce);
    rt.flush();
    rt.advance(50);
    assert.equal(waiting.peerEnded, false, 'closed at once: a request on its way would be lost');
    send(waiting, rt, 'GET /b HTTP/1.1\r\nHost: x\r\n\r\n');
    const second = waiting.text().slice(firstAnswers[0]);
    assert.match(second, /\r\nconnection: close\r\n/i, second);
    assert.equal(waiting.peerEnded, true);
    rt.advance(100);
    assert.equal(silent.peerEnded, true, 'the silent connection is still open after the grace');
    assert.equal(silent.text().length, firstAnswers[1]);
  });

  it('serves keep-alive requests over one reused server connection, in order', async () => {
    const rt = new FakeRuntime();
    const srv = await httpServer(rt, 9001, (_, n) => ok(`r${n}`));
    const proxy = await start(rt, httpFrontend(), httpBackend());
    const client = rt.dial('127.0.0.1', 8080);
    send(client, rt, 'GET /a HTTP/1.1\r\nHost: x\r\n\r\n');
    send(client, rt, 'GET /b HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(client.text(), `${ok('r1')}${ok('r2')}`);
    assert.equal(srv.accepts, 1);
    assert.equal(proxy.frontends[0]!.counters.reqTot, 2);
    assert.deepEqual(proxy.frontends[0]!.counters.hrsp, [0, 0, 2, 0, 0, 0]);
  });

  it('answers pipelined requests in order', async () => {
    const rt = new FakeRuntime();
    await httpServer(rt, 9001, (head) => ok(head.split(' ')[1] as string));
    await start(rt, httpFrontend(), httpBackend());
    const client = rt.dial('127.0.0.1', 8080);
    send(client, rt, 'GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\nGET /three HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(client.text(), `${ok('/one')}${ok('/two')}${ok('/three')}`);
  });

  it('strips hop-by-hop headers and adds X-Forwarded-For', async () => {
    const rt = new FakeRuntime();
    const srv = await httpServer(rt, 9001, () => ok('x'));
    await start(
      rt,
      httpFrontend({ http: { connectionMode: 'keep-alive', forwardFor: { header: 'x-forwarded-for', except: undefined, ifNone: false } } }),
      httpBackend(),
    );
    const client = rt.dial('127.0.0.1', 8080);
    send(client, rt, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, X-Secret\r\nX-Secret: 1\r\nKeep-Alive: 5\r\nX-Kept: yes\r\n\r\n');
    const forwarded = srv.requests[0] as string;
    assert.match(forwarded, /^GET \/ HTTP\/1\.1\r\n/);
    assert.match(forwarded, /\r\nX-Kept: yes\r\n/);
    assert.doesNotMatch(forwarded, /x-secret|keep-alive|connection/i);
    assert.match(forwarded, /\r\nx-forwarded-for: 127\.0\.0\.1\r\n/);
  });

  it('rejects a smuggling attempt with 400 and never reaches the server', async () => {
    const rt = new FakeRuntime();
    const srv = await httpServer(rt, 9001, () => ok('x'));
    await start(rt, httpFrontend(), httpBackend());
    const client = rt.dial('127.0.0.1', 8080);
    send(client, rt, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd');
    assert.match(client.text(), /^HTTP\/1\.1 400 Bad request\r\n/);
    assert.equal(srv.requests.length, 0);
    assert.equal(client.peerEnded, true);
  });

  it('answers 408 when a request head stalls past timeout http-request', async () => {
    const rt = new FakeRuntime();
    await httpServer(rt, 9001, () => ok('x'));
    const proxy = await start(rt, httpFrontend({}, { httpRequest: 1000 }), httpBackend());
    const client = rt.dial('127.0.0.1', 8080);
    send(client, rt, 'GET / HTTP/1.1\r\nHo');
    rt.advance(999);
    assert.equal(client.text(), '');
    rt.advance(1);
    assert.match(client.text(), /^HTTP\/1\.1 408 Request Time-out\r\n/);
    client.end();
    rt.flush();
    assert.equal(proxy.activeSessions, 0);
    assert.equal(rt.pendingTimers, 0);
  });

  it('closes an idle keep-alive connection silently after timeout http-keep-alive', async () => {
    const rt = new FakeRuntime();
    await httpServer(rt, 9001, () => ok('x'));
    await start(rt, httpFrontend({}, { httpKeepAlive: 500, httpRequest: 5000 }), httpBackend());
    const client = rt.dial('127.0.0.1', 8080);
    send(client, rt, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const answered = client.text();
    rt.advance(500);
    assert.equal(client.text(), answered, 'no 408 on an idle keep-alive connection');
    assert.equal(client.peerEnded, true);
  });

  it('releases an idle keep-alive connection at timeout http-keep-alive without waiting for the client to close', async () => {
    const rt = new FakeRuntime();
    await httpServer(rt, 9001, () => ok('x'));
    const proxy = await start(rt, httpFrontend({}, { httpKeepAlive: 500, client: 30_000 }), httpBackend());
    const client = rt.dial('127.0.0.1', 8080);
    send(client, rt, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    rt.advance(500);
    // HAProxy closes the connection outright: the session is gone although the client has not
    // sent its FIN (it is not held half-closed until `timeout client`).
    assert.equal(client.peerEnded, true);
    assert.equal(client.peer?.closed, true, "the proxy's socket is closed");
    assert.equal(proxy.activeSessions, 0);
  });

  it('answers 504 when the server does not respond within timeout server', async () => {
    const rt = new FakeRuntime();
    await httpServer(rt, 9001, () => undefined);
    const proxy = await start(rt, httpFrontend(), httpBackend(undefined, {}, { server: 2000 }));
    const client = rt.dial('127.0.0.1', 8080);
    send(client, rt, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    rt.advance(2000);
    assert.match(client.text(), /^HTTP\/1\.1 504 Gateway Time-out\r\n/);
    assert.equal(proxy.backends.get('be')!.counters.hrsp[5], 1);
  });

  it('answers 502 when the server closes without a response, and for an invalid response', async () => {
    const rt = new FakeRuntime();
    let n = 0;
    await rt.listen({ host: '127.0.0.1', port: 9001 }, (socket) => {
      socket.setHandler({
        onData(s) {
          if (++n === 1) s.destroy();
          else s.write(enc.encode('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab'));
        },
        onEnd() {},
        onDrain() {},
        onClose() {},
      });
    });
    await start(rt, httpFrontend(), httpBackend());
    for (let i = 0; i < 2; i++) {
      const client = rt.dial('127.0.0.1', 8080);
      send(client, rt, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.match(client.text(), /^HTTP\/1\.1 502 Bad Gateway\r\n/, `case ${i}`);
    }
  });

  it('answers 503 when no server is available, and after failed connection retries', async () => {
    const rt = new FakeRuntime();
    await start(rt, httpFrontend(), httpBackend([server('s1', 9001)], { retries: 1 }, { connect: 100 }));
    const client = rt.dial('127.0.0.1', 8080);
    send(client, rt, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    rt.advance(100);
    assert.match(client.text(), /^HTTP\/1\.1 503 Service Unavailable\r\n/);
    assert.deepEqual(rt.connectAttempts, ['127.0.0.1:9001', '127.0.0.1:9001']);

    const rt2 = new FakeRuntime();
    await start(rt2, httpFrontend(), httpBackend([server('s1', 9001, { disabled: true })]));
    const client2 = rt2.dial('127.0.0.1', 8080);
    send(client2, rt2, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(client2.text(), /^HTTP\/1\.1 503 Service Unavailable\r\n/);
    assert.equal(rt2.connectAttempts.length, 0);
  });

  it('retries on a fresh connection when a reused idle connection was closed by the server', async () => {
    const rt = new FakeRuntime();
    const srv = await httpServer(rt, 9001, (_, n) => ok(`r${n}`));
    await start(rt, httpFrontend(), httpBackend());
    const client = rt.dial('127.0.0.1', 8080);
    send(client, rt, 'GET /1 HTTP/1.1\r\nHost: x\r\n\r\n');
    // The server drops its idle keep-alive connection at the moment the next request arrives.
    (srv.sockets[0] as FakeSocket).setHandler({ onData: (s) => s.destroy(), onEnd() {}, onDrain() {}, onClose() {} });
    send(client, rt, 'GET /2 HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(client.text(), `${ok('r1')}${ok('r2')}`);
    assert.equal(srv.accepts, 2);
  });

  it('retry-on 503 replays an idempotent request, redispatching the last retry, but never a POST', async () => {
    const rt = new FakeRuntime();
    const s1 = await httpServer(rt, 9001, () => 'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy');
    const s2 = await httpServer(rt, 9002, () => ok('fine'));
    const http = { connectionMode: 'keep-alive' as const, forwardFor: undefined, reuse: 'safe' as const, retryOn: ['conn-failure', '503'] as const };
    await start(
      rt,
      httpFrontend(),
      httpBackend([server('s1', 9001), server('s2', 9002)], { retries: 2, options: { redispatch: true }, http: { ...http, retryOn: [...http.retryOn] } }),
    );
    const client = rt.dial('127.0.0.1', 8080);
    send(client, rt, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    rt.advance(10);
    assert.equal(s1.requests.length, 2, 'first attempt and first retry on s1');
    assert.equal(s2.requests.length, 1, 'the last retry is redispatched to s2');
    assert.equal(client.text(), ok('fine'));

    const post = rt.dial('127.0.0.1', 8080);
    send(post, rt, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n');
    rt.advance(10);
    const postedToS1 = s1.requests.length - 2 === 1;
    assert.equal(s1.requests.length + s2.requests.length, 4, 'POST is sent once');
    assert.match(post.text(), postedToS1 ? /^HTTP\/1\.1 503 / : /^HTTP\/1\.1 200 /);
  });

  it('closes the client after a close-delimited response', async () => {
    const rt = new FakeRuntime();
    await rt.listen({ host: '127.0.0.1', port: 9001 }, (socket) => {
      socket.setHandler({
        onData(s) {
          s.write(enc.encode('HTTP/1.1 200 OK\r\n\r\nuntil close'));
          s.end();
        },
        onEnd() {},
        onDrain() {},
        onClose() {},
      });
    });
    await start(rt, httpFrontend(), httpBackend());
    const client = rt.dial('127.0.0.1', 8080);
    send(client, rt, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    rt.flush();
    assert.match(client.text(), /\r\nconnection: close\r\n\r\nuntil close$/);
    assert.equal(client.peerEnded, true);
  });

  it('becomes a tunnel after 101 Switching Protocols', async () => {
    const rt = new FakeRuntime();
    await rt.listen({ host: '127.0.0.1', port: 9001 }, (socket) => {
      let upgraded = false;
      socket.setHandler({
        onData(s, chunk) {
          if (!upgraded) {
            upgraded = true;
            s.write(enc.encode('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n'));
          } else {
            s.write(enc.encode(`echo:${dec.decode(chunk)}`));
          }
        },
        onEnd(s) {
          s.end();
        },
        onDrain() {},
        onClose() {},
      });
    });
    const proxy = await start(rt, httpFrontend(), httpBackend());
    const client = rt.dial('127.0.0.1', 8080);
    send(client, rt, 'GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    assert.match(client.text(), /^HTTP\/1\.1 101 /);
    send(client, rt, 'raw bytes');
    assert.match(client.text(), /echo:raw bytes$/);
    client.end();
    rt.flush();
    assert.equal(proxy.activeSessions, 0);
    assert.equal(rt.pendingTimers, 0);
  });

  it('a client abort mid-response leaves no server connection or timer behind', async () => {
    const rt = new FakeRuntime();
    const srv = await httpServer(rt, 9001, () => 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial');
    const proxy = await start(rt, httpFrontend(), httpBackend());
    const client = rt.dial('127.0.0.1', 8080);
    send(client, rt, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    client.destroy();
    rt.flush();
    assert.equal((srv.sockets[0] as FakeSocket).closed, true);
    assert.equal((srv.sockets[0] as FakeSocket).peer?.wasReset, true, 'the abandoned server connection is reset, as HAProxy does');
    assert.equal(proxy.activeSessions, 0);
    assert.equal(rt.pendingTimers, 0);
  });
});

// HAProxy's h1 mux, checked against HAProxy 2.6: a FIN that leaves a head incomplete is a bad
// request; nothing is left waiting for a timeout (none is configured here).
describe('H1ClientConnection: a client that half-closes', () => {
  const ERROR_400 = /^HTTP\/1\.1 400 Bad request\r\n[^]*Connection: close\r\n/;

  it('after part of a head: 400 at once, and the session ends', async () => {
    const rt = new FakeRuntime();
    const srv = await httpServer(rt, 9001, () => ok('x'));
    const proxy = await start(rt, httpFrontend(), httpBackend());
    const client = rt.dial('127.0.0.1', 8080);
    send(client, rt, 'GET / HTTP/1.1\r\nHo');
    client.end();
    rt.flush();
    assert.match(client.text(), ERROR_400);
    assert.equal(client.peerEnded, true);
    assert.equal(srv.accepts, 0);
    assert.equal(proxy.activeSessions, 0);
    assert.equal(rt.pendingTimers, 0);
  });

  it('before sending anything on a new connection: 400 (HAProxy), and the session ends', async () => {
    const rt = new FakeRuntime();
    await httpServer(rt, 9001, () => ok('x'));
    const proxy = await start(rt, httpFrontend(), httpBackend());
    const client = rt.dial('127.0.0.1', 8080);
    rt.flush();
    client.end();
    rt.flush();
    assert.match(client.text(), ERROR_400);
    assert.equal(proxy.activeSessions, 0);
    assert.equal(rt.pendingTimers, 0);
  });

  it('between keep-alive requests: closed without a byte', async () => {
    const rt = new FakeRuntime();
    await httpServer(rt, 9001, () => ok('x'));
    const proxy = await start(rt, httpFrontend(), httpBackend());
    const client = rt.dial('127.0.0.1', 8080);
    send(client, rt, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    client.end();
    rt.flush();
    assert.equal(client.text(), ok('x'));
    assert.equal(client.peerEnded, true);
    assert.equal(proxy.activeSessions, 0);
  });

  it('after pipelined requests: every complete one is served, a partial one gets 400, then closed', async () => {
    const rt = new FakeRuntime();
    await httpServer(rt, 9001, (head) => ok(head.split(' ')[1] as string));
    const proxy = await start(rt, httpFrontend(), httpBackend());
    const client = rt.dial('127.0.0.1', 8080);
    client.write(enc.encode('GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\nGET /three HTTP/1.1\r\nHost: x\r\n\r\nGET /four HT'));
    client.end();
    rt.flush();
    const text = client.text();
    assert.ok(text.startsWith(`${ok('/one')}${ok('/two')}${ok('/three')}HTTP/1.1 400 Bad request\r\n`), text);
    assert.equal(client.peerEnded, true);
    assert.equal(proxy.activeSessions, 0);
  });

  it('with a complete request in flight: the response is served, then the connection closes', async () => {
    const rt = new FakeRuntime();
    const srv = await httpServer(rt, 9001, () => undefined);
    const proxy = await start(rt, httpFrontend(), httpBackend());
    const client = rt.dial('127.0.0.1', 8080);
    send(client, rt, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    client.end();
    rt.flush();
    (srv.sockets[0] as FakeSocket).write(enc.encode(ok('late')));
    rt.flush();
    assert.match(client.text(), /^HTTP\/1\.1 200 OK\r\n[^]*late$/);
    assert.equal(client.peerEnded, true);
    assert.equal(proxy.activeSessions, 0);
  });

  it('in the middle of a request body: closed without an answer, the server connection reset', async () => {
    const rt = new FakeRuntime();
    const srv = await httpServer(rt, 9001, () => undefined);
    const proxy = await start(rt, httpFrontend(), httpBackend());
    const client = rt.dial('127.0.0.1', 8080);
    send(client, rt, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc');
    assert.equal(srv.requests.length, 1);
    client.end();
    rt.flush();
    assert.equal(client.text(), '');
    assert.equal(client.peerEnded, true);
    assert.equal((srv.sockets[0] as FakeSocket).peer?.wasReset, true);
    assert.equal(proxy.activeSessions, 0);
    assert.equal(rt.pendingTimers, 0);
  });
});

describe('HTTP/1 tunnels with option independent-streams', () => {
  for (const independent of [false, true]) {
    it(`bytes the server pushes to a silent client ${independent ? 'do not refresh' : 'refresh'} the tunnel timeout`, async () => {
      const rt = new FakeRuntime();
      const upstream: Socket[] = [];
      await rt.listen({ host: '127.0.0.1', port: 9001 }, (socket) => {
        upstream.push(socket);
        socket.setHandler({
          onData(s) {
            s.write(enc.encode('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n'));
          },
          onEnd(s) {
            s.end();
          },
          onDrain() {},
          onClose() {},
        });
      });
      const options = { tcplog: false, dontlognull: false, ...(independent ? { independentStreams: true } : {}) };
      const proxy = await start(rt, httpFrontend({ options }, { client: 10_000 }), httpBackend(undefined, {}, { server: 10_000, tunnel: 500 }));
      const client = rt.dial('127.0.0.1', 8080);
      send(client, rt, 'GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
      assert.match(client.text(), /^HTTP\/1\.1 101 /);
      for (let i = 0; i < 4; i++) {
        rt.advance(200);
        if (!client.closed) upstream[0]?.write(enc.encode('x'));
        rt.flush();
      }
      assert.equal(client.closed, independent, independent ? 'the client side timed out from its last read' : 'kept open by the pushed bytes');
      if (!independent) client.end();
      rt.advance(1000);
      assert.equal(proxy.activeSessions, 0);
    });
  }
});

describe('H1ClientConnection: soft stop with close-spread-time', () => {
  /** Each call returns the next value (the last one repeated). */
  function scripted(...values: number[]): () => number {
    let i = 0;
    return () => values[Math.min(i++, values.length - 1)] as number;
  }

  async function keptAlive(rt: FakeRuntime, count: number): Promise<FakeSocket[]> {
    const clients = Array.from({ length: count }, () => rt.dial('127.0.0.1', 8080));
    for (const c of clients) send(c, rt, 'GET /a HTTP/1.1\r\nHost: x\r\n\r\n');
    return clients;
  }

  it('idle keep-alive connections close at random moments of the window, not at once, all by its end', async () => {
    const rt = new FakeRuntime();
    await httpServer(rt, 9001, (_, n) => ok(`r${n}`));
    const proxy = await start(rt, httpFrontend(), httpBackend());
    const clients = await keptAlive(rt, 10);
    const draws = [0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95];
    proxy.frontends[0]!.drainSessions(new SoftStopClosing(1000, rt.now(), scripted(...draws)));
    rt.flush();
    const ended = (): number => clients.filter((c) => c.peerEnded).length;
    rt.advance(40);
    assert.equal(ended(), 0, 'none before the first draw (50 ms)');
    rt.advance(460);
    assert.equal(ended(), 5, 'half by the middle of the window');
    rt.advance(500);
    assert.equal(ended(), 10, 'all by its end');
    assert.ok(clients.every((c) => c.text() === ok(`r${clients.indexOf(c) + 1}`)), 'nothing written to them');
  });

  it('a request within the window closes its connection as the window goes by: kept alive at first, Connection: close later', async () => {
    const rt = new FakeRuntime();
    await httpServer(rt, 9001, (_, n) => ok(`r${n}`));
    const proxy = await start(rt, httpFrontend(), httpBackend());
    const [early, late] = await keptAlive(rt, 2);
    const before = [early!.text().length, late!.text().length];
    // The idle draws (0.9 of the window: 900 ms) leave both connections open until 900 ms.
    proxy.frontends[0]!.drainSessions(new SoftStopClosing(1000, rt.now(), scripted(0.9, 0.9, 0.5)));
    rt.flush();
    rt.advance(100);
    // remaining 900 ms > 0.5 of the window (500): kept alive.
    send(early!, rt, 'GET /b HTTP/1.1\r\nHost: x\r\n\r\n');
    const first = early!.text().slice(before[0]);
    assert.match(first, /^HTTP\/1\.1 200 OK\r\n/);
    assert.doesNotMatch(first, /connection: close/i, first);
    assert.equal(early!.peerEnded, false);
    rt.advance(600);
    // remaining 300 ms <= 500: this response closes the connection.
    send(late!, rt, 'GET /b HTTP/1.1\r\nHost: x\r\n\r\n');
    const second = late!.text().slice(before[1]);
    assert.match(second, /\r\nconnection: close\r\n/i, second);
    assert.equal(late!.peerEnded, true);
    rt.advance(400);
    assert.equal(early!.peerEnded, true, 'the kept-alive one closes by the end of the window');
  });

  it('past the window: idle connections close at once, a response in flight says Connection: close', async () => {
    const rt = new FakeRuntime();
    const srv = await httpServer(rt, 9001, (_, n) => (n === 3 ? undefined : ok(`r${n}`)));
    const proxy = await start(rt, httpFrontend(), httpBackend());
    const [idle, active] = await keptAlive(rt, 2);
    const before = active!.text().length;
    send(active!, rt, 'GET /b HTTP/1.1\r\nHost: x\r\n\r\n');
    proxy.frontends[0]!.drainSessions(new SoftStopClosing(1000, rt.now() - 2000, scripted(0.99)));
    rt.advance(0);
    assert.equal(idle!.peerEnded, true);
    assert.equal(active!.peerEnded, false, 'closed with a request in flight');
    srv.requestSockets[2]!.write(enc.encode(ok('r3')));
    rt.flush();
    assert.match(active!.text().slice(before), /\r\nconnection: close\r\n/i);
    assert.equal(active!.peerEnded, true);
  });

  it("an idle connection's own timeout before the window's end is kept", async () => {
    const rt = new FakeRuntime();
    await httpServer(rt, 9001, (_, n) => ok(`r${n}`));
    const proxy = await start(rt, httpFrontend({}, { httpKeepAlive: 300 }), httpBackend());
    const [client] = await keptAlive(rt, 1);
    proxy.frontends[0]!.drainSessions(new SoftStopClosing(10_000, rt.now(), scripted(0.9)));
    rt.advance(299);
    assert.equal(client!.peerEnded, false);
    rt.advance(2);
    assert.equal(client!.peerEnded, true, 'closed by timeout http-keep-alive, not at 9 s');
  });

  it('a connection still waiting for its first request is spread too, and ends as on its timeout (408)', async () => {
    const rt = new FakeRuntime();
    await httpServer(rt, 9001, (_, n) => ok(`r${n}`));
    const proxy = await start(rt, httpFrontend(), httpBackend());
    const fresh = rt.dial('127.0.0.1', 8080);
    rt.flush();
    proxy.frontends[0]!.drainSessions(new SoftStopClosing(1000, rt.now(), scripted(0.3)));
    rt.advance(250);
    assert.equal(fresh.peerEnded, false);
    rt.advance(100);
    assert.match(fresh.text(), /^HTTP\/1\.1 408 /);
    assert.equal(fresh.peerEnded, true);
  });

  it('infinite: idle connections stay until their own timeout and responses keep the connection alive', async () => {
    const rt = new FakeRuntime();
    await httpServer(rt, 9001, (_, n) => ok(`r${n}`));
    const proxy = await start(rt, httpFrontend({}, { httpKeepAlive: 5000 }), httpBackend());
    const [idle, active] = await keptAlive(rt, 2);
    const before = active!.text().length;
    proxy.frontends[0]!.drainSessions(new SoftStopClosing('infinite', rt.now()));
    rt.advance(1000);
    assert.equal(idle!.peerEnded, false, 'closed by the stop');
    send(active!, rt, 'GET /b HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.doesNotMatch(active!.text().slice(before), /connection: close/i);
    assert.equal(active!.peerEnded, false);
    rt.advance(4100);
    assert.equal(idle!.peerEnded, true, 'closed by timeout http-keep-alive');
  });

  it("Proxy.stop spreads with the configuration's close-spread-time on a soft stop (SIGUSR1), not on the other stops", async () => {
    const rt = new FakeRuntime();
    await httpServer(rt, 9001, (_, n) => ok(`r${n}`));
    const base = config([httpFrontend()], [httpBackend()]);
    const proxy = new Proxy(rt, { ...base, global: { ...base.global, closeSpreadTime: 2000 } });
    await proxy.start();
    const clients = await keptAlive(rt, 20);
    let stopped = false;
    void proxy.stop(30_000, true).then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    rt.flush();
    rt.advance(150);
    assert.ok(clients.filter((c) => c.peerEnded).length < 20, 'all closed at once, as without a window');
    rt.advance(1900);
    assert.equal(clients.filter((c) => c.peerEnded).length, 20);
    for (const c of clients) c.end();
    for (let turn = 0; turn < 20 && !stopped; turn++) {
      await new Promise((resolve) => setImmediate(resolve));
      rt.flush();
    }
    assert.equal(stopped, true);

    const other = new Proxy(rt, { ...base, global: { ...base.global, closeSpreadTime: 2000 } });
    await other.start();
    const more = await keptAlive(rt, 5);
    void other.stop(30_000);
    await new Promise((resolve) => setImmediate(resolve));
    rt.advance(150);
    assert.equal(more.filter((c) => c.peerEnded).length, 5, 'SIGTERM: all closed at once (after 100 ms)');
    for (const c of more) c.end();
    rt.flush();
  });
});
