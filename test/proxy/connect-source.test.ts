/** `source`: the binding each server connection (and check) gets, and how the proxy passes it to the runtime. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConnectOptions } from '../../src/runtime.ts';
import { ConnectSource, sourceBinding } from '../../src/proxy/connect-source.ts';
import { Backend } from '../../src/proxy/backend.ts';
import { Proxy } from '../../src/proxy/proxy.ts';
import { FakeRuntime, serveText } from '../support/fake-runtime.ts';
import { backend, config, frontend, server } from '../support/model.ts';

describe('ConnectSource', () => {
  it('binds the address alone, with its port, or with the ports of a range in turn', () => {
    assert.deepEqual(new ConnectSource({ address: '127.0.0.2' }).binding(), { localAddress: '127.0.0.2' });
    assert.deepEqual(new ConnectSource({ address: '127.0.0.2', port: 5000 }).binding(), { localAddress: '127.0.0.2', localPort: 5000 });
    const range = new ConnectSource({ address: '::1', ports: { low: 6000, high: 6002 } });
    assert.deepEqual(
      [1, 2, 3, 4].map(() => range.binding().localPort),
      [6000, 6001, 6002, 6000],
    );
    assert.deepEqual(sourceBinding(undefined), {});
    assert.deepEqual(sourceBinding(range, true), {}, 'a UNIX socket connection has no source');
  });

  it("a server's own source wins; the backend's applies to the others and to runtime-added servers", () => {
    const be = new Backend(backend('be', [server('a', 1, { connectSource: { address: '127.0.0.3' } }), server('b', 2)], { connectSource: { address: '127.0.0.2' } }));
    assert.equal(be.server('a')?.connectSource?.address, '127.0.0.3');
    assert.equal(be.server('b')?.connectSource?.address, '127.0.0.2');
    const plain = new Backend(backend('plain', [server('c', 3)]));
    assert.equal(plain.server('c')?.connectSource, undefined);
  });
});

describe('server connections with source', () => {
  it('are dialled with the local address and the next port of the range', async () => {
    const rt = new FakeRuntime();
    await serveText(rt, '127.0.0.1', 9001, 'hi');
    const dialled: ConnectOptions[] = [];
    const connect = rt.connect.bind(rt);
    rt.connect = (options, handler) => {
      dialled.push(options);
      return connect(options, handler);
    };
    const model = config([frontend('fe', 8080, 'be')], [backend('be', [server('s1', 9001, { connectSource: { address: '127.0.0.4', ports: { low: 7000, high: 7001 } } })])]);
    const proxy = new Proxy(rt, model);
    await proxy.start();
    for (let i = 0; i < 3; i++) {
      const client = rt.dial('127.0.0.1', 8080);
      rt.flush();
      client.end();
      rt.flush();
    }
    const toServer = dialled.filter((o) => o.port === 9001);
    assert.deepEqual(
      toServer.map((o) => [o.localAddress, o.localPort]),
      [
        ['127.0.0.4', 7000],
        ['127.0.0.4', 7001],
        ['127.0.0.4', 7000],
      ],
    );
    assert.equal(proxy.activeSessions, 0);
  });
});
