/** One check run (CheckProbe) on the fake runtime: the outcome for each way a server can answer. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHECK_BUFFER, CheckProbe, type ProbeSpec } from '../../src/health/check-probe.ts';
import type { CheckOutcome } from '../../src/health/check-status.ts';
import { compileExpectation } from '../../src/health/http-expect.ts';
import type { HttpCheckExpectModel } from '../../src/config/model.ts';
import type { Socket } from '../../src/runtime.ts';
import { FakeRuntime, type FakeSocket } from '../support/fake-runtime.ts';

const HOST = '127.0.0.1';

function spec(extra: Partial<ProbeSpec> = {}): ProbeSpec {
  return { host: HOST, port: 9000, tls: undefined, http: undefined, connectTimeout: 100, readTimeout: undefined, ...extra };
}

function http(expect: HttpCheckExpectModel[] = [], method = 'GET'): ProbeSpec['http'] {
  return { request: new TextEncoder().encode(`${method} / HTTP/1.0\r\n\r\n`), method, expectation: compileExpectation(expect) };
}

async function answering(rt: FakeRuntime, chunks: string[], close = true): Promise<void> {
  await rt.listen({ host: HOST, port: 9000 }, (socket) => {
    socket.setHandler({
      onData(s: Socket) {
        for (const c of chunks) s.write(new TextEncoder().encode(c));
        if (close) s.end();
      },
      onEnd: (s: Socket) => s.end(),
      onDrain() {},
      onClose() {},
    });
  });
}

function run(rt: FakeRuntime, s: ProbeSpec, ms = 200): CheckOutcome | undefined {
  let outcome: CheckOutcome | undefined;
  const probe = new CheckProbe(rt, s, (o) => (outcome = o));
  probe.start();
  rt.advance(ms);
  rt.flush();
  assert.equal(rt.pendingTimers, 0, 'no timer left');
  assert.equal([...rt.openSockets].filter((x) => x.remotePort === 9000 && !x.closed).length, 0, 'no probe socket left');
  return outcome;
}

describe('CheckProbe', () => {
  it('tcp: L4OK on connect, L6OK over TLS, L4CON "Connection refused"', async () => {
    const rt = new FakeRuntime();
    assert.deepEqual(run(rt, spec()), { status: 'L4CON', code: undefined, desc: 'Connection refused' });
    await answering(rt, [], false);
    assert.deepEqual(run(rt, spec()), { status: 'L4OK', code: undefined, desc: '' });
    assert.deepEqual(run(rt, spec({ tls: { verify: false } })), { status: 'L6OK', code: undefined, desc: '' });
  });

  it('skips interim 1xx responses and decides on the final one', async () => {
    const rt = new FakeRuntime();
    await answering(rt, ['HTTP/1.1 100 Continue\r\n\r\n', 'HTTP/1.1 204 No Content\r\n\r\n']);
    assert.deepEqual(run(rt, spec({ http: http() })), { status: 'L7OK', code: 204, desc: '' });
  });

  it('a response split across many small chunks is reassembled', async () => {
    const rt = new FakeRuntime();
    const text = 'HTTP/1.1 200 OK\r\ncontent-length: 11\r\n\r\nall is well';
    await answering(rt, [...text]);
    assert.deepEqual(run(rt, spec({ http: http([{ negate: false, kind: 'string', pattern: 'is well' }]) })), {
      status: 'L7OK',
      code: 200,
      desc: '',
    });
  });

  it('a body cut short is an invalid response; a close-delimited body is complete at close', async () => {
    const rt = new FakeRuntime();
    await answering(rt, ['HTTP/1.1 200 OK\r\ncontent-length: 50\r\n\r\nready']);
    assert.equal(run(rt, spec({ http: http([{ negate: false, kind: 'string', pattern: 'ready' }]) }))?.status, 'L7RSP');
    const rt2 = new FakeRuntime();
    await answering(rt2, ['HTTP/1.0 200 OK\r\n\r\nready']);
    assert.equal(run(rt2, spec({ http: http([{ negate: false, kind: 'string', pattern: 'ready' }]) }))?.status, 'L7OK');
  });

  it('looks at no more than the check buffer of body', async () => {
    const rt = new FakeRuntime();
    const body = 'x'.repeat(CHECK_BUFFER) + 'needle';
    await answering(rt, [`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n${body}`], false);
    assert.deepEqual(run(rt, spec({ http: http([{ negate: false, kind: 'string', pattern: 'needle' }]) })), {
      status: 'L7RSP',
      code: 200,
      desc: 'HTTP content check did not match',
    });
  });

  it('a status-only check decides on the head without waiting for the body', async () => {
    const rt = new FakeRuntime();
    await answering(rt, ['HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\npartial'], false);
    assert.deepEqual(run(rt, spec({ http: http() }), 10), { status: 'L7OK', code: 200, desc: '' });
  });

  it('a reset before any byte is a socket error; silence after connect is L7TOUT', async () => {
    const rt = new FakeRuntime();
    await rt.listen({ host: HOST, port: 9000 }, (socket) => {
      socket.setHandler({ onData: (s: Socket) => s.destroy(), onEnd() {}, onDrain() {}, onClose() {} });
    });
    assert.deepEqual(run(rt, spec({ http: http() })), { status: 'SOCKERR', code: undefined, desc: 'Connection reset by peer' });
    const rt2 = new FakeRuntime();
    await answering(rt2, [], false);
    assert.deepEqual(run(rt2, spec({ http: http(), readTimeout: 20 }), 50), { status: 'L7TOUT', code: undefined, desc: '' });
  });

  it('abort() reports nothing and releases everything', async () => {
    const rt = new FakeRuntime();
    rt.blackholes.add(`${HOST}:9000`);
    let reported = false;
    const probe = new CheckProbe(rt, spec(), () => (reported = true));
    probe.start();
    rt.advance(10);
    probe.abort();
    rt.advance(500);
    assert.equal(reported, false);
    assert.equal(rt.pendingTimers, 0);
    assert.equal(rt.openSockets.size, 0);
  });

  it("closes its connection with a reset (HAProxy's FD_LINGER_RISK), with a FIN when its connect says linger", async () => {
    const rt = new FakeRuntime();
    await answering(rt, ['HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'], false);
    const dialled: FakeSocket[] = [];
    const connect = rt.connect.bind(rt);
    rt.connect = (options, handler) => {
      const socket = connect(options, handler);
      dialled.push(socket as FakeSocket);
      return socket;
    };
    const resets = (s: ProbeSpec): boolean => {
      dialled.length = 0;
      run(rt, s);
      assert.equal(dialled.length, 1);
      return (dialled[0] as FakeSocket).wasReset;
    };
    assert.equal(resets(spec()), true, 'connect check');
    assert.equal(resets(spec({ http: http() })), true, 'HTTP check');
    assert.equal(resets(spec({ http: http(), linger: true })), false, 'http-check connect linger');
  });
});
