/** `socks4` / `check-via-socks4` / `tcp-check connect via-socks4` in the model, and the SOCKS4 handshake on the fake runtime. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Socket, SocketError, SocketHandler } from '../../src/runtime.ts';
import { connectViaSocks4, isSocks4Error, socks4Request } from '../../src/proxy/socks4-connect.ts';
import { FakeRuntime } from '../support/fake-runtime.ts';
import { cfg, errors, parse, TIMEOUTS } from '../config/support.ts';

const hex = (bytes: Uint8Array | undefined): string | undefined => (bytes === undefined ? undefined : Buffer.from(bytes).toString('hex'));

describe('socks4 configuration', () => {
  it('reads socks4 ADDR:PORT and check-via-socks4 onto the server', async () => {
    const model = await parse(cfg('defaults', ...TIMEOUTS, 'backend b', '  server s 10.0.0.1:80 socks4 127.0.0.1:1080 check-via-socks4 check'));
    const server = model.backends[0]?.servers[0];
    assert.deepEqual(server?.socks4, { host: '127.0.0.1', port: 1080 });
    assert.equal(server?.checkViaSocks4, true);
  });

  it('reads tcp-check connect via-socks4', async () => {
    const model = await parse(cfg('defaults', ...TIMEOUTS, 'backend b', '  option tcp-check', '  tcp-check connect via-socks4 port 25'));
    const rule = model.backends[0]?.healthCheck?.tcpRules?.[0];
    assert.equal(rule?.action === 'connect' && rule.viaSocks4, true);
  });

  it('refuses a socks4 without port, on default-server, with ssl, toward IPv6', async () => {
    const messages = async (...lines: string[]): Promise<string[]> => (await errors(cfg('defaults', ...TIMEOUTS, 'backend b', ...lines))).map((e) => e[3]);
    assert.match((await messages('  server s 10.0.0.1:80 socks4 127.0.0.1'))[0] ?? '', /'socks4 127\.0\.0\.1' : missing port/);
    assert.match((await messages('  default-server socks4 127.0.0.1:1080'))[0] ?? '', /socks4/);
    assert.deepEqual(await messages('  server s 10.0.0.1:443 ssl verify none socks4 127.0.0.1:1080'), [
      "backend 'b' : server 's' : 'socks4' with 'ssl' is not supported by Switchyard yet.",
    ]);
    assert.deepEqual(await messages('  server s [::1]:80 socks4 127.0.0.1:1080'), ["backend 'b' : server 's' : 'socks4' needs an IPv4 server address (SOCKS4 carries no other)."]);
  });
});

describe('connectViaSocks4', () => {
  it('builds HAProxy\'s request: 04 01 PORT IP "HAProxy\\0"; none for a non-IPv4 destination', () => {
    assert.equal(hex(socks4Request('10.1.2.3', 8080)), '04011f900a010203484150726f787900');
    assert.equal(socks4Request('::1', 80), undefined);
  });

  interface Seen {
    connected: boolean;
    data: string;
    closed: SocketError | undefined | 'open';
  }

  function recorder(seen: Seen): SocketHandler {
    return {
      onConnect: () => (seen.connected = true),
      onData: (_s: Socket, chunk: Uint8Array) => (seen.data += Buffer.from(chunk).toString('latin1')),
      onEnd() {},
      onDrain() {},
      onClose: (_s: Socket, error: SocketError | undefined) => (seen.closed = error),
    };
  }

  async function proxy(rt: FakeRuntime, reply: string | undefined, received: string[]): Promise<void> {
    await rt.listen({ host: '127.0.0.1', port: 1080 }, (socket) => {
      socket.setHandler({
        onData(s: Socket, chunk: Uint8Array) {
          received.push(Buffer.from(chunk).toString('hex'));
          if (received.length === 1) {
            if (reply === undefined) s.end();
            else s.write(Buffer.from(`${reply}`, 'hex'));
          }
        },
        onEnd: (s: Socket) => s.end(),
        onDrain() {},
        onClose() {},
      });
    });
  }

  it('tells of the connection once granted, then sends what was written before, after the request', async () => {
    const rt = new FakeRuntime();
    const received: string[] = [];
    await proxy(rt, '005a000000000000' + Buffer.from('hi').toString('hex'), received);
    const seen: Seen = { connected: false, data: '', closed: 'open' };
    const socket = connectViaSocks4(rt, { host: '127.0.0.1', port: 1080 }, { host: '10.0.0.1', port: 80 }, recorder(seen));
    socket.write(Buffer.from('early'));
    rt.flush();
    assert.equal(seen.connected, true);
    // Bytes the proxy sent after its 8-byte reply are the server's.
    assert.equal(seen.data, 'hi');
    assert.equal(received[0], '040100500a000001484150726f787900');
    assert.equal(Buffer.from(received.slice(1).join(''), 'hex').toString(), 'early');
    socket.destroy();
    rt.flush();
  });

  it('a refusal (91) and a close during the handshake are SOCKS4 errors, never a connection', async () => {
    for (const [reply, message] of [
      ['005b000000000000', 'SOCKS4 Proxy deny the request'],
      [undefined, 'SOCKS4 Proxy read error during handshake'],
    ] as const) {
      const rt = new FakeRuntime();
      await proxy(rt, reply, []);
      const seen: Seen = { connected: false, data: '', closed: 'open' };
      connectViaSocks4(rt, { host: '127.0.0.1', port: 1080 }, { host: '10.0.0.1', port: 80 }, recorder(seen));
      rt.flush();
      assert.equal(seen.connected, false);
      assert.ok(seen.closed !== 'open' && isSocks4Error(seen.closed), JSON.stringify(seen.closed));
      assert.equal((seen.closed as SocketError).message, message);
    }
  });
});
