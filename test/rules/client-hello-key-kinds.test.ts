/**
 * clientHelloKeyKinds on ClientHellos node:tls really sends (captured on a loopback socket): what
 * HAProxy's certificate switch reads of them (has_rsa_sig / has_ecdsa_sig).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import tls from 'node:tls';
import { describe, it } from 'node:test';
import { clientHelloKeyKinds } from '../../src/rules/tls-client-hello.ts';

/** The first bytes a TLS client with these options sends. */
function captureHello(options: tls.ConnectionOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      socket.once('data', (chunk) => {
        resolve(chunk);
        socket.destroy();
        server.close();
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      const client = tls.connect({ host: '127.0.0.1', port, servername: 'a.example', rejectUnauthorized: false, ...options });
      client.on('error', () => {});
      client.setTimeout(5000, () => reject(new Error('no ClientHello')));
    });
  });
}

describe('clientHelloKeyKinds (HAProxy ssl_sock_switchctx_cbk)', () => {
  it('ECDSA with an ECDHE-ECDSA suite and ECDSA signatures; RSA from the RSA signatures', async () => {
    const hello = await captureHello({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256:AES128-GCM-SHA256' });
    assert.deepEqual(clientHelloKeyKinds(hello), { rsa: true, ecdsa: true });
  });

  it('no ECDSA without an ECDSA suite, whatever the signature algorithms', async () => {
    const hello = await captureHello({ maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256' });
    assert.deepEqual(clientHelloKeyKinds(hello), { rsa: true, ecdsa: false });
  });

  it("TLS 1.3's suites do not count as ECDSA ones (HAProxy's NID_auth_ecdsa test)", async () => {
    const hello = await captureHello({ minVersion: 'TLSv1.3' });
    assert.deepEqual(clientHelloKeyKinds(hello), { rsa: true, ecdsa: false });
  });

  it('only ECDSA signature algorithms: no RSA', async () => {
    const hello = await captureHello({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256', sigalgs: 'ECDSA+SHA256:ECDSA+SHA384' });
    assert.deepEqual(clientHelloKeyKinds(hello), { rsa: false, ecdsa: true });
  });

  it("'short' until the ClientHello is whole; undefined for other bytes", async () => {
    const hello = await captureHello({ maxVersion: 'TLSv1.2' });
    assert.equal(clientHelloKeyKinds(hello.subarray(0, 3)), 'short');
    assert.equal(clientHelloKeyKinds(hello.subarray(0, hello.length - 1)), 'short');
    assert.equal(clientHelloKeyKinds(Buffer.from('GET / HTTP/1.1\r\n\r\n')), undefined);
  });
});
