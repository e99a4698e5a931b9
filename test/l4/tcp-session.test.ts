import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Proxy } from '../../src/proxy/proxy.ts';
import { FakeRuntime, serveText, type FakeSocket } from '../support/fake-runtime.ts';
import { backend, config, frontend, server } from '../support/model.ts';

const enc = new TextEncoder();

async function startProxy(rt: FakeRuntime, cfg: ReturnType<typeof config>): Promise<Proxy> {
  const proxy = new Proxy(rt, cfg);
  await proxy.start();
  return proxy;
}

function assertNothingLeft(rt: FakeRuntime, proxy: Proxy): void {
  assert.equal(proxy.activeSessions, 0, 'sessions left');
  assert.equal(rt.pendingTimers, 0, 'timers left');
  assert.deepEqual([...rt.openSockets].filter((s) => !s.closed), [], 'sockets left open');
}

describe('TcpSession', () => {
  it('splices both directions and counts bytes', async () => {
    const rt = new FakeRuntime();
    const echoes: FakeSocket[] = [];
    await rt.listen({ host: '127.0.0.1', port: 9001 }, (s) => {
      echoes.push(s as FakeSocket);
      s.setHandler({ onData: (sock, c) => sock.write(c), onEnd: (sock) => sock.end(), onDrain() {}, onClose() {} });
    });
    const proxy = await startProxy(rt, config([frontend('fe', 8080, 'be')], [backend('be', [server('s1', 9001)])]));
    const client = rt.dial('127.0.0.1', 8080);
    client.write(enc.encode('before-connect '));
    rt.flush();
    client.write(enc.encode('after'));
    rt.flush();
    assert.equal(client.text(), 'before-connect after');
    client.end();
    rt.flush();
    const fe = proxy.frontends[0]!;
    assert.equal(fe.counters.bin, 20);
    assert.equal(fe.counters.bout, 20);
    assert.equal(fe.counters.stot, 1);
    assertNothingLeft(rt, proxy);
  });

  it('retries a refusing server after the turn-around delay, then gives up (SC)', async () => {
    const rt = new FakeRuntime();
    const proxy = await startProxy(
      rt,
      config([frontend('fe', 8080, 'be')], [backend('be', [server('s1', 9001)], { retries: 2 }, { connect: 300 })]),
    );
    const client = rt.dial('127.0.0.1', 8080);
    assert.equal(rt.connectAttempts.length, 1);
    rt.advance(299);
    assert.equal(rt.connectAttempts.length, 1, 'waits min(1s, timeout connect) before retrying');
    rt.advance(1);
    assert.equal(rt.connectAttempts.length, 2);
    rt.advance(300);
    assert.equal(rt.connectAttempts.length, 3);
    assert.equal(client.closed, true);
    const be = proxy.backends.get('be')!;
    // As HAProxy (back_handle_st_cer): the connection failed once, when the retries were spent.
    assert.equal(be.counters.econ, 1);
    assert.equal(be.counters.wretr, 2);
    const session = [...proxy.frontends[0]!.sessions];
    assert.equal(session.length, 0);
    assertNothingLeft(rt, proxy);
  });

  it('redispatches the last retry to another server', async () => {
    const rt = new FakeRuntime();
    await serveText(rt, '127.0.0.1', 9002, 'from s2');
    const proxy = await startProxy(
      rt,
      config(
        [frontend('fe', 8080, 'be')],
        [backend('be', [server('s1', 9001), server('s2', 9002)], { retries: 1, options: { redispatch: true } })],
      ),
    );
    const client = rt.dial('127.0.0.1', 8080);
    rt.flush();
    assert.equal(client.text(), 'from s2');
    assert.deepEqual(rt.connectAttempts, ['127.0.0.1:9001', '127.0.0.1:9002']);
    assert.equal(proxy.backends.get('be')!.counters.wredis, 1);
    client.end();
    rt.flush();
    assertNothingLeft(rt, proxy);
  });

  it('retries at once after a connect timeout and reports sC when all attempts time out', async () => {
    const rt = new FakeRuntime();
    rt.blackholes.add('127.0.0.1:9001');
    const lines: string[] = [];
    const proxy = await startProxy(
      rt,
      config(
        [frontend('fe', 8080, 'be', { options: { tcplog: true, dontlognull: false }, logs: [{ target: 'stdout', format: 'raw', facility: 'local0', source: { file: 't', line: 1 } }] })],
        [backend('be', [server('s1', 9001)], { retries: 1 }, { connect: 200 })],
      ),
    );
    const client = rt.dial('127.0.0.1', 8080);
    rt.advance(200);
    assert.equal(rt.connectAttempts.length, 2, 'no turn-around delay after a timeout');
    rt.advance(200);
    assert.equal(client.closed, true);
    lines.push(...rt.stdout);
    assert.equal(lines.length, 1);
    // HAProxy's arithmetic: a tcp stream has no request timer (-1), so %Tw is t_queue + 1; the
    // line is written with the connection still counted (%ac %fc) and the server released.
    assert.match(lines[0]!, /^127\.0\.0\.1:\d+ \[24\/Nov\/2026:\d\d:\d\d:\d\d\.\d{3}\] fe be\/s1 1\/-1\/400 0 sC 1\/1\/0\/0\/1 0\/0\n$/);
    assertNothingLeft(rt, proxy);
  });

  it('closes an idle client after timeout client (cD) and leaves no timer behind', async () => {
    const rt = new FakeRuntime();
    await serveText(rt, '127.0.0.1', 9001, '');
    const proxy = await startProxy(rt, config([frontend('fe', 8080, 'be', {}, { client: 500 })], [backend('be', [server('s1', 9001)])]));
    const client = rt.dial('127.0.0.1', 8080);
    rt.advance(400);
    client.write(enc.encode('x'));
    rt.advance(400);
    assert.equal(client.closed, false, 'activity postpones the timeout');
    rt.advance(100);
    assert.equal(client.closed, true);
    assertNothingLeft(rt, proxy);
  });

  it('while connecting, a silent client times out (cC); bytes waiting, or arriving in the turn its timer fires, hold the timeout', async () => {
    const rt = new FakeRuntime();
    rt.blackholes.add('127.0.0.1:9001');
    const proxy = await startProxy(rt, config([frontend('fe', 8080, 'be', {}, { client: 500 })], [backend('be', [server('s1', 9001)], { retries: 0 }, { connect: 5000 })]));
    const silent = rt.dial('127.0.0.1', 8080);
    // A timer due with the session's, run after it: bytes the loop reads in the same turn.
    const late = rt.dial('127.0.0.1', 8080);
    rt.setTimer(() => late.write(enc.encode('late')), 500);
    const early = rt.dial('127.0.0.1', 8080);
    early.write(enc.encode('early'));
    rt.advance(500);
    assert.equal(silent.closed, true, 'a silent client times out while connecting');
    assert.equal(late.closed, false, 'bytes of the turn its timer fired in count');
    assert.equal(early.closed, false, 'bytes waiting for the server hold the client timeout');
    rt.advance(4000);
    assert.equal(late.closed, false);
    assert.equal(early.closed, false);
    assert.equal([...proxy.frontends[0]!.sessions].length, 2);
    rt.advance(500);
    assert.equal(late.closed, true, 'timeout connect');
    assert.equal(early.closed, true, 'timeout connect');
    assertNothingLeft(rt, proxy);
  });

  it('queues sessions beyond a server maxconn and serves them in order as slots free', async () => {
    const rt = new FakeRuntime();
    await serveText(rt, '127.0.0.1', 9001, 'hi');
    const proxy = await startProxy(
      rt,
      config([frontend('fe', 8080, 'be')], [backend('be', [server('s1', 9001, { maxconn: 1 })], {}, { queue: 1000 })]),
    );
    const first = rt.dial('127.0.0.1', 8080);
    const second = rt.dial('127.0.0.1', 8080);
    const third = rt.dial('127.0.0.1', 8080);
    rt.flush();
    assert.equal(first.text(), 'hi');
    assert.equal(second.text(), '');
    const be = proxy.backends.get('be')!;
    assert.equal(be.counters.qcur, 2);
    assert.equal(be.counters.qmax, 2);
    first.destroy();
    rt.flush();
    assert.equal(second.text(), 'hi');
    assert.equal(third.text(), '');
    rt.advance(1000);
    assert.equal(third.closed, true, 'queue timeout');
    assert.equal(be.counters.qcur, 0);
    second.destroy();
    rt.flush();
    assertNothingLeft(rt, proxy);
  });

  it('holds connections beyond frontend maxconn without reading them, then admits them', async () => {
    const rt = new FakeRuntime();
    await serveText(rt, '127.0.0.1', 9001, 'hi');
    const proxy = await startProxy(rt, config([frontend('fe', 8080, 'be', { maxconn: 1 })], [backend('be', [server('s1', 9001)])]));
    const a = rt.dial('127.0.0.1', 8080);
    const b = rt.dial('127.0.0.1', 8080);
    rt.flush();
    assert.equal(a.text(), 'hi');
    assert.equal(b.text(), '');
    assert.equal(proxy.frontends[0]!.counters.waiting, 1);
    a.destroy();
    rt.flush();
    assert.equal(b.text(), 'hi');
    b.destroy();
    rt.flush();
    assertNothingLeft(rt, proxy);
  });

  it('closes the client when no server is usable', async () => {
    const rt = new FakeRuntime();
    const proxy = await startProxy(rt, config([frontend('fe', 8080, 'be')], [backend('be', [server('s1', 9001, { disabled: true })])]));
    const client = rt.dial('127.0.0.1', 8080);
    rt.flush();
    assert.equal(client.closed, true);
    assert.equal(rt.connectAttempts.length, 0);
    assertNothingLeft(rt, proxy);
  });

  it('soft stop lets sessions finish, then kills them after the grace period', async () => {
    const rt = new FakeRuntime();
    await serveText(rt, '127.0.0.1', 9001, 'hi');
    const proxy = await startProxy(rt, config([frontend('fe', 8080, 'be')], [backend('be', [server('s1', 9001)])]));
    const client = rt.dial('127.0.0.1', 8080);
    rt.flush();
    const stopped = proxy.stop(5000);
    for (let i = 0; i < 10; i++) await Promise.resolve(); // let stop() reach its grace timer
    rt.flush();
    assert.equal(rt.listeners.has('127.0.0.1:8080'), false, 'listener closed at once');
    assert.equal(client.closed, false);
    rt.advance(4999);
    assert.equal(client.closed, false, 'still within the grace period');
    rt.advance(1);
    await stopped;
    rt.flush();
    assert.equal(client.closed, true);
    assertNothingLeft(rt, proxy);
  });
});

describe('TcpSession with option independent-streams', () => {
  /** A server that sends a byte whenever `push()` is called. */
  async function pushingServer(rt: FakeRuntime): Promise<{ push(): void }> {
    const conns: FakeSocket[] = [];
    await rt.listen({ host: '127.0.0.1', port: 9001 }, (s) => {
      conns.push(s as FakeSocket);
      s.setHandler({ onData() {}, onEnd: (sock) => sock.end(), onDrain() {}, onClose() {} });
    });
    return { push: () => conns.forEach((c) => !c.closed && c.write(enc.encode('x'))) };
  }

  for (const independent of [false, true]) {
    it(`bytes sent to a silent client ${independent ? 'do not refresh' : 'refresh'} its timeout`, async () => {
      const rt = new FakeRuntime();
      const pusher = await pushingServer(rt);
      const fe = frontend('fe', 8080, 'be', independent ? { options: { tcplog: false, dontlognull: false, independentStreams: true } } : {}, { client: 500 });
      const proxy = await startProxy(rt, config([fe], [backend('be', [server('s1', 9001)], {}, { server: 10_000 })]));
      const client = rt.dial('127.0.0.1', 8080);
      rt.flush();
      for (let i = 0; i < 4; i++) {
        rt.advance(200);
        pusher.push();
        rt.flush();
      }
      assert.equal(client.closed, independent, independent ? 'timeout client ran from its last read' : 'kept open by the bytes sent to it');
      if (!independent) client.end();
      rt.advance(1000);
      assertNothingLeft(rt, proxy);
    });

    it(`bytes sent to a silent server ${independent ? 'do not refresh' : 'refresh'} its timeout`, async () => {
      const rt = new FakeRuntime();
      await serveText(rt, '127.0.0.1', 9001, '');
      const options = independent ? { options: { redispatch: false, independentStreams: true } } : {};
      const proxy = await startProxy(rt, config([frontend('fe', 8080, 'be', {}, { client: 10_000 })], [backend('be', [server('s1', 9001)], options, { server: 500 })]));
      const client = rt.dial('127.0.0.1', 8080);
      rt.flush();
      for (let i = 0; i < 4; i++) {
        rt.advance(200);
        if (!client.closed) client.write(enc.encode('y'));
        rt.flush();
      }
      assert.equal(client.closed, independent, independent ? 'timeout server ran from its last read' : 'kept open by the bytes sent to it');
      if (!independent) client.end();
      rt.advance(1000);
      assertNothingLeft(rt, proxy);
    });
  }
});

describe('TcpSession with timeout tunnel and option independent-streams', () => {
  it('each side of the tunnel times out from its own reads', async () => {
    for (const side of ['frontend', 'backend'] as const) {
      const rt = new FakeRuntime();
      const conns: FakeSocket[] = [];
      await rt.listen({ host: '127.0.0.1', port: 9001 }, (s) => {
        conns.push(s as FakeSocket);
        s.setHandler({ onData() {}, onEnd: (sock) => sock.end(), onDrain() {}, onClose() {} });
      });
      const fe = frontend('fe', 8080, 'be', side === 'frontend' ? { options: { tcplog: false, dontlognull: false, independentStreams: true } } : {}, { client: 10_000 });
      const be = backend('be', [server('s1', 9001)], side === 'backend' ? { options: { redispatch: false, independentStreams: true } } : {}, { server: 10_000, tunnel: 500 });
      const proxy = await startProxy(rt, config([fe], [be]));
      const client = rt.dial('127.0.0.1', 8080);
      rt.flush();
      // The frontend case: the server talks to a silent client; the backend case: the client talks to a silent server.
      for (let i = 0; i < 4; i++) {
        rt.advance(200);
        if (side === 'frontend') conns.forEach((c) => !c.closed && c.write(enc.encode('x')));
        else if (!client.closed) client.write(enc.encode('y'));
        rt.flush();
      }
      assert.equal(client.closed, true, `${side}: the silent side's tunnel timeout ended the session`);
      rt.advance(1000);
      assertNothingLeft(rt, proxy);
    }
  });
});
