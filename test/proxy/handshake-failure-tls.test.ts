import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { handshakeFailureTls } from '../../src/proxy/tls-listen.ts';
import type { TlsHandshakeFailure } from '../../src/runtime.ts';

function failure(cause: TlsHandshakeFailure['cause'], protocol: string | undefined): TlsHandshakeFailure {
  return {
    remoteAddress: '127.0.0.1',
    remotePort: 1,
    localAddress: '127.0.0.1',
    localPort: 2,
    tls: { sni: undefined, alpn: undefined, protocol, cipher: undefined },
    cause,
    error: undefined,
  };
}

describe('handshakeFailureTls (%sslv of a failed handshake)', () => {
  it("a client gone before its ClientHello was read: OpenSSL's highest version, as HAProxy logs it", () => {
    assert.equal(handshakeFailureTls(failure('closed', undefined)).protocol, 'TLSv1.3');
    assert.equal(handshakeFailureTls(failure('aborted', undefined)).protocol, 'TLSv1.3');
  });

  it('otherwise what the runtime told', () => {
    assert.equal(handshakeFailureTls(failure('library', undefined)).protocol, undefined);
    assert.equal(handshakeFailureTls(failure('library', 'TLSv1.2')).protocol, 'TLSv1.2');
    assert.equal(handshakeFailureTls(failure('closed', 'TLSv1.2')).protocol, 'TLSv1.2');
  });
});
