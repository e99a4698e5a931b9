/** The balancers behind Backend: take/release drive leastconn, hashed sessions queue on their own full server. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RequestHead } from '../../src/http/codec/index.ts';
import { Backend, type BackendClient } from '../../src/proxy/backend.ts';
import type { Server } from '../../src/proxy/server.ts';
import { backend, server } from '../support/model.ts';
import { parseHead } from './support.ts';

class Client implements BackendClient {
  readonly clientAddress: string;
  readonly lbHead: RequestHead | undefined;
  grantedTo: Server | undefined;
  constructor(target?: string, clientAddress = '192.0.2.1') {
    this.clientAddress = clientAddress;
    this.lbHead = target === undefined ? undefined : parseHead(`GET ${target} HTTP/1.1\r\nHost: h\r\n\r\n`);
  }
  granted(s: Server): void {
    this.grantedTo = s;
  }
  kill(): void {}
}

describe('balancers behind Backend', () => {
  it('leastconn follows Backend take/release', () => {
    const b = new Backend(backend('b', [server('s1', 1), server('s2', 2), server('s3', 3)], { balance: { algorithm: 'leastconn' } }));
    const [s1, s2, s3] = b.servers as [Server, Server, Server];
    const taken = [b.take(new Client(), undefined), b.take(new Client(), undefined), b.take(new Client(), undefined)];
    assert.deepEqual(taken, [s1, s2, s3]);
    b.release(s2);
    assert.equal(b.take(new Client(), undefined), s2);
    b.release(s1);
    assert.equal(b.take(new Client(), undefined), s1);
  });

  it('a uri-hashed session waits in its own full server queue, then gets that server', () => {
    const b = new Backend(
      backend('b', [server('s1', 1, { maxconn: 1 }), server('s2', 2, { maxconn: 1 })], {
        mode: 'http',
        balance: { algorithm: 'uri', len: 0, depth: 0, whole: false, pathOnly: false },
      }),
    );
    const first = b.take(new Client('/same'), undefined) as Server;
    assert.ok(typeof first === 'object');
    const waiting = new Client('/same');
    assert.equal(b.take(waiting, undefined), 'queued');
    assert.equal(first.queue.length, 1);
    b.release(first);
    assert.equal(waiting.grantedTo, first);
  });

  it('hash keys fall back to round-robin in tcp mode', () => {
    const b = new Backend(
      backend('b', [server('s1', 1), server('s2', 2)], { balance: { algorithm: 'hdr', header: 'host', useDomainOnly: false } }),
    );
    const names = Array.from({ length: 4 }, () => (b.take(new Client(), undefined) as Server).name);
    assert.deepEqual(names, ['s1', 's2', 's1', 's2']);
  });

  it('first fills s1 to maxconn, then s2; released slots go back to s1', () => {
    const b = new Backend(backend('b', [server('s1', 1, { maxconn: 2 }), server('s2', 2)], { balance: { algorithm: 'first' } }));
    const [s1, s2] = b.servers as [Server, Server];
    assert.deepEqual([0, 1, 2].map(() => b.take(new Client(), undefined)), [s1, s1, s2]);
    b.release(s1);
    assert.equal(b.take(new Client(), undefined), s1);
  });

  it('source hashing keeps a client on one server, and a weight change through Backend applies', () => {
    const b = new Backend(backend('b', [server('s1', 1), server('s2', 2), server('s3', 3)], { balance: { algorithm: 'source' } }));
    const s = b.take(new Client(undefined, '10.0.0.7'), undefined) as Server;
    for (let i = 0; i < 5; i++) assert.equal(b.take(new Client(undefined, '10.0.0.7'), undefined), s);
    b.setServerWeight(s, 0);
    const other = b.take(new Client(undefined, '10.0.0.7'), undefined) as Server;
    assert.notEqual(other, s);
  });
});
