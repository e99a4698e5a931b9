/** A log-forward section's TCP framing, maxconn, timeout and UDP receive (src/log/log-forwarder.ts) on the fake runtime. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogForwardModel } from '../../src/config/model.ts';
import { LogForwarder } from '../../src/log/log-forwarder.ts';
import type { ProxyLogger } from '../../src/log/logger.ts';
import type { ParsedSyslogMessage } from '../../src/log/syslog-message.ts';
import type { Socket, SocketHandler } from '../../src/runtime.ts';
import { FakeRuntime } from '../support/fake-runtime.ts';

const bytes = (text: string): Uint8Array => new Uint8Array([...text].map((c) => c.charCodeAt(0)));

const model = (settings: Partial<LogForwardModel> = {}): LogForwardModel => ({
  name: 'lf',
  dgramBinds: [{ host: '127.0.0.1', port: 5514 }],
  binds: [{ host: '127.0.0.1', port: 5515 }],
  logs: [],
  maxconn: 10,
  ...settings,
});

async function started(rt: FakeRuntime, settings?: Partial<LogForwardModel>): Promise<{ forwarder: LogForwarder; got: string[]; count: { count: number } }> {
  const got: string[] = [];
  const logger = { forward: (m: ParsedSyslogMessage) => got.push(`${m.facility}.${m.level} ${m.metadata.host}|${String.fromCharCode(...m.message)}`) } as unknown as ProxyLogger;
  const count = { count: 0 };
  const forwarder = new LogForwarder(rt, model(settings), logger, count);
  await forwarder.start();
  return { forwarder, got, count };
}

function client(rt: FakeRuntime): { socket: Socket; closed: () => boolean } {
  let closed = false;
  const handler: SocketHandler = { onData: () => undefined, onEnd: () => undefined, onDrain: () => undefined, onClose: () => (closed = true) };
  const socket = rt.connect({ host: '127.0.0.1', port: 5515 }, handler);
  rt.flush();
  return { socket, closed: () => closed };
}

describe('LogForwarder', () => {
  it('relays datagrams, and TCP frames cut anywhere (octet counting, LF and CR LF lines)', async () => {
    const rt = new FakeRuntime();
    const { forwarder, got, count } = await started(rt);
    rt.boundDatagrams.get('127.0.0.1:5514')?.onDatagram(bytes('<14>Dec  6 10:11:12 h msg'), '127.0.0.1', 1);
    const { socket } = client(rt);
    const stream = '<13>one\n9 <14>two\r\n<15>three\r\n';
    for (let i = 0; i < stream.length; i += 4) {
      socket.write(bytes(stream.slice(i, i + 4)));
      rt.flush();
    }
    assert.deepEqual(got, ['1.6 h|msg', '1.5 |one', '1.6 |two\r\n', '1.7 |three']);
    assert.equal(count.count, 4);
    await forwarder.stop();
    assert.equal(rt.boundDatagrams.size, 0);
  });

  it('closes a connection on a frame it cannot read', async () => {
    const rt = new FakeRuntime();
    const { forwarder, got } = await started(rt);
    const c = client(rt);
    c.socket.write(bytes('<13>ok\nx bad\n'));
    rt.flush();
    assert.deepEqual(got, ['1.5 |ok']);
    assert.equal(c.closed(), true);
    const d = client(rt);
    d.socket.write(bytes('12x <13>abc'));
    rt.flush();
    assert.equal(d.closed(), true, 'a length that is not a number');
    await forwarder.stop();
  });

  it('serves maxconn connections at once, the next one once a slot frees; timeout client closes idle ones', async () => {
    const rt = new FakeRuntime();
    const { forwarder, got } = await started(rt, { maxconn: 1, timeoutClient: 1000 });
    const first = client(rt);
    const second = client(rt);
    second.socket.write(bytes('<13>second\n'));
    rt.flush();
    assert.deepEqual(got, []);
    first.socket.destroy();
    rt.flush();
    assert.deepEqual(got, ['1.5 |second']);
    rt.advance(1500);
    assert.equal(second.closed(), true);
    await forwarder.stop();
  });
});
