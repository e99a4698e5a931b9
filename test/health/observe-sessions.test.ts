/**
 * Passive health observation through real sessions on the fake network: what the tcp and http
 * sessions report (connection attempts, statuses, invalid, empty and timed-out responses) and
 * what `on-error mark-down` does to the server, including a session that the DOWN transition
 * itself ends (`on-marked-down shutdown-sessions`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BackendModel, ServerCheckModel, ServerModel } from '../../src/config/model.ts';
import { Proxy } from '../../src/proxy/proxy.ts';
import type { Server } from '../../src/proxy/server.ts';
import type { Listener, Socket } from '../../src/runtime.ts';
import { FakeRuntime, type FakeSocket } from '../support/fake-runtime.ts';
import { backend, config, frontend, server } from '../support/model.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();
const CHECK_PORT = 9100;

/** An HTTP server answering each request head with `reply(n)` (undefined: no answer). */
async function httpServer(rt: FakeRuntime, port: number, reply: (n: number, socket: Socket) => string | undefined): Promise<Listener> {
  let n = 0;
  return rt.listen({ host: '127.0.0.1', port }, (socket) => {
    let buffered = '';
    socket.setHandler({
      onData(s, chunk) {
        buffered += dec.decode(chunk);
        let end: number;
        while ((end = buffered.indexOf('\r\n\r\n')) >= 0) {
          buffered = buffered.slice(end + 4);
          const answer = reply(++n, s);
          if (answer !== undefined) s.write(enc.encode(answer));
        }
      },
      onEnd: (s) => s.end(),
      onDrain() {},
      onClose() {},
    });
  });
}

/** Health checks go to CHECK_PORT, where a listener accepts: the checks themselves always pass. */
async function checkTarget(rt: FakeRuntime): Promise<void> {
  await rt.listen({ host: '127.0.0.1', port: CHECK_PORT }, (socket) => {
    socket.setHandler({ onData() {}, onEnd: (s) => s.end(), onDrain() {}, onClose() {} });
  });
}

function observedServer(checkExtra: Partial<ServerCheckModel>, extra: Partial<ServerModel> = {}): ServerModel {
  const check: ServerCheckModel = {
    enabled: true,
    // Long enough that no passed check ends a run of errors during a test.
    inter: 600_000,
    fastinter: undefined,
    downinter: undefined,
    rise: 2,
    fall: 3,
    port: CHECK_PORT,
    addr: undefined,
    observe: 'layer7',
    errorLimit: 3,
    onError: 'mark-down',
    ...checkExtra,
  };
  return server('s1', 9001, { check, ...extra });
}

interface Running {
  rt: FakeRuntime;
  proxy: Proxy;
  server: Server;
  stderr(): string;
  /** Sends one request on a new connection and returns what the client got. */
  request(path?: string, waitMs?: number): string;
}

async function run(mode: 'http' | 'tcp', srv: ServerModel, extra: Partial<BackendModel> = {}, timeouts = {}): Promise<Running> {
  const rt = new FakeRuntime();
  await checkTarget(rt);
  const be = backend('be', [srv], { mode, ...extra }, timeouts);
  const proxy = new Proxy(rt, config([frontend('fe', 8080, 'be', { mode })], [be]), { quiet: false });
  await proxy.start();
  rt.advance(1);
  const server = proxy.backends.get('be')?.server('s1') as Server;
  assert.equal(server.checkState?.health, 4, 'the first check passed');
  return {
    rt,
    proxy,
    server,
    stderr: () => rt.stderr.join(''),
    request(path = '/', waitMs = 0) {
      const client: FakeSocket = rt.dial('127.0.0.1', 8080);
      client.write(enc.encode(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`));
      rt.flush();
      if (waitMs > 0) rt.advance(waitMs);
      const text = client.text();
      client.destroy();
      rt.flush();
      return text;
    },
  };
}

async function stop(t: Running): Promise<void> {
  await t.proxy.stop(0);
  t.rt.flush();
  assert.equal(t.rt.pendingTimers, 0, 'no timer left');
}

const status = (response: string) => Number(response.slice(9, 12));

describe('observe layer7 through http sessions', () => {
  it('500s count, 501/505 and good responses end the run; error-limit errors mark the server DOWN with 1 session active', async () => {
    const codes = [500, 503, 501, 502, 505, 200, 500, 500, 500];
    const t = await run('http', observedServer({}));
    await httpServer(t.rt, 9001, (n) => `HTTP/1.1 ${codes[n - 1]} X\r\nContent-Length: 0\r\n\r\n`);
    for (let i = 0; i < 8; i++) assert.equal(status(t.request()), codes[i]);
    assert.equal(t.server.status, 'UP', 'never 3 errors in a row so far');
    assert.equal(status(t.request()), 500, 'the response that reached the limit is still delivered');
    assert.equal(t.server.status, 'DOWN');
    assert.ok(
      t.stderr().includes(
        '[WARNING]  (4242) : Server be/s1 is DOWN, reason: Health analyze, info: "Detected 3 consecutive errors, last one was: Wrong http response". ' +
          '0 active and 0 backup servers left. 1 sessions active, 0 requeued, 0 remaining in queue.\n',
      ),
      t.stderr(),
    );
    assert.ok(t.stderr().includes("[ALERT]    (4242) : backend 'be' has no server available!\n"));
    assert.equal(status(t.request()), 503);
    await stop(t);
  });

  it('interim 1xx responses count as good ones', async () => {
    const t = await run('http', observedServer({ errorLimit: 2 }));
    await httpServer(t.rt, 9001, () => 'HTTP/1.1 103 Early Hints\r\n\r\nHTTP/1.1 500 X\r\nContent-Length: 0\r\n\r\n');
    for (let i = 0; i < 3; i++) assert.match(t.request(), /HTTP\/1\.1 500 X/);
    assert.equal(t.server.status, 'UP', '103 then 500: the 103 ended each run');
    await stop(t);
  });

  it('a server closing without a response: Close from server (http)', async () => {
    const t = await run('http', observedServer({ errorLimit: 2 }));
    await httpServer(t.rt, 9001, (_n, s) => {
      s.end();
      return undefined;
    });
    assert.equal(status(t.request()), 502);
    assert.equal(status(t.request()), 502);
    assert.match(t.stderr(), /info: "Detected 2 consecutive errors, last one was: Close from server \(http\)"\. 0 active and 0 backup servers left\. 0 sessions active,/);
    await stop(t);
  });

  it('a server resetting the connection: Read error (http)', async () => {
    const t = await run('http', observedServer({ errorLimit: 1 }));
    await httpServer(t.rt, 9001, (_n, s) => {
      s.destroy();
      return undefined;
    });
    assert.equal(status(t.request()), 502);
    assert.match(t.stderr(), /last one was: Read error \(http\)"\. 0 active and 0 backup servers left\. 0 sessions active,/);
    await stop(t);
  });

  it('an invalid response: Invalid http response (headers)', async () => {
    const t = await run('http', observedServer({ errorLimit: 1 }));
    await httpServer(t.rt, 9001, () => 'NOT HTTP AT ALL\r\n\r\n');
    assert.equal(status(t.request()), 502);
    assert.match(t.stderr(), /last one was: Invalid http response \(headers\)"\. 0 active and 0 backup servers left\. 1 sessions active,/);
    await stop(t);
  });

  it('timeout server: Read timeout (http)', async () => {
    const t = await run('http', observedServer({ errorLimit: 1 }), {}, { server: 50 });
    await httpServer(t.rt, 9001, () => undefined);
    assert.equal(status(t.request('/', 60)), 504);
    assert.match(t.stderr(), /last one was: Read timeout \(http\)"\. 0 active and 0 backup servers left\. 0 sessions active,/);
    await stop(t);
  });

  it('failed connection attempts count in layer7 too (each retry)', async () => {
    const t = await run('http', observedServer({ errorLimit: 3 }), { retries: 3 });
    // Nothing listens on 9001: 4 attempts (retries 3); the third takes the server DOWN.
    assert.equal(status(t.request('/', 5000)), 503);
    assert.match(t.stderr(), /Server be\/s1 is DOWN, reason: Health analyze, info: "Detected 3 consecutive errors, last one was: L4 unsuccessful connection"\. 0 active and 0 backup servers left\. 1 sessions active/);
    await stop(t);
  });

  it('on-marked-down shutdown-sessions ends the very session that reached the limit, cleanly', async () => {
    const t = await run('http', observedServer({ errorLimit: 1 }, { onMarkedDown: 'shutdown-sessions' }));
    await httpServer(t.rt, 9001, () => 'HTTP/1.1 500 X\r\nContent-Length: 0\r\n\r\n');
    const response = t.request();
    assert.equal(response, '', 'killed before its response was relayed');
    assert.equal(t.server.status, 'DOWN');
    assert.equal(t.server.active, 0);
    assert.equal(t.proxy.frontends[0]?.counters.scur, 0);
    await stop(t);
  });
});

describe('observe layer4 through tcp sessions', () => {
  it('failed connection attempts count, a successful connection ends the run', async () => {
    const t = await run('tcp', observedServer({ observe: 'layer4', errorLimit: 3 }), { retries: 1 });
    // Refused: two attempts per session (retries 1).
    t.request('/', 5000);
    assert.equal(t.server.status, 'UP', 'two errors');
    const listener = await httpServer(t.rt, 9001, () => 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    assert.equal(status(t.request()), 200);
    await listener.close();
    t.request('/', 5000);
    assert.equal(t.server.status, 'UP', 'the connection in between ended the run');
    t.request('/', 5000);
    assert.equal(t.server.status, 'DOWN');
    assert.match(t.stderr(), /Server be\/s1 is DOWN, reason: Health analyze, info: "Detected 3 consecutive errors, last one was: L4 unsuccessful connection"\. 0 active and 0 backup servers left\. 1 sessions active, 0 requeued, 0 remaining in queue\.\n/);
    await stop(t);
  });

  it('layer4 ignores HTTP statuses (http mode)', async () => {
    const t = await run('http', observedServer({ observe: 'layer4', errorLimit: 1 }));
    await httpServer(t.rt, 9001, () => 'HTTP/1.1 500 X\r\nContent-Length: 0\r\n\r\n');
    for (let i = 0; i < 3; i++) assert.equal(status(t.request()), 500);
    assert.equal(t.server.status, 'UP');
    await stop(t);
  });
});
