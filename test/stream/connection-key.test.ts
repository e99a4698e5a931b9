/** Where a server connection goes for a stream, and its reuse key (src/stream/connection-key.ts). */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Server } from '../../src/proxy/server.ts';
import { connectionKey, serverDestination } from '../../src/stream/connection-key.ts';
import { server } from '../support/model.ts';

const stream = (localPort: number) => ({ clientAddress: '192.0.2.1', lbHead: undefined, localAddress: '10.9.9.9', localPort });

it('mapped ports and address-less servers take the stream’s destination; the key then carries it', () => {
  const mapped = new Server(server('s', 5, { host: '10.0.0.1', mapPorts: true }));
  assert.deepEqual(serverDestination(mapped, stream(8000)), { host: '10.0.0.1', port: 8005 });
  assert.equal(connectionKey(mapped, stream(8000)), 'dst=10.0.0.1:8005;');
  const anyAddress = new Server(server('s', 80, { host: '0.0.0.0' }));
  assert.deepEqual(serverDestination(anyAddress, stream(1)), { host: '10.9.9.9', port: 80 });
  const plain = new Server(server('s', 80, { host: '10.0.0.1' }));
  assert.deepEqual(serverDestination(plain, stream(1)), { host: '10.0.0.1', port: 80 });
  assert.equal(connectionKey(plain, stream(1)), '', 'nothing beyond the server: no key');
});

it('the SNI and the PROXY header are part of the key', () => {
  const tls = new Server(server('s', 443, { ssl: { verify: 'none', caPem: undefined, sni: 'str(a.example)', alpn: undefined } }));
  assert.equal(connectionKey(tls, stream(1)), 'sni=a.example;');
  const pp = new Server(server('s', 80, { sendProxy: { version: 1 } }));
  const key = connectionKey(pp, { ...stream(1), connection: undefined });
  assert.ok(key.startsWith('pp=PROXY '), key);
});
