/**
 * The TLS library errors the adapters read from node:tls errors (ssl_fc_err / ssl_bc_err) and
 * those the core builds for the failures the runtimes do not raise themselves.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstVerifyError, handshakeFailureOf, tlsLibraryErrorOf } from '../../adapters/shared/tls-library-error.ts';
import { toSocketError } from '../../adapters/shared/socket-errors.ts';
import { sslLibraryError } from '../../src/util/ssl-library-errors.ts';
import { failedStatus } from '../../src/proxy/connection-error.ts';

const ADDRESSES = { remoteAddress: '127.0.0.1', remotePort: 1, localAddress: '127.0.0.1', localPort: 2 };
const TLS = { sni: 'a.example', alpn: undefined, protocol: 'TLSv1.2', cipher: 'X' };

describe('TLS library errors', () => {
  it("reads OpenSSL 3's error string as ERR_error_string writes it (no function name)", () => {
    const e = new Error('806C2AA6D97F0000:error:0A0000C1:SSL routines:tls_post_process_client_hello:no shared cipher:../deps/openssl/openssl/ssl/statem/statem_srvr.c:2226:\n');
    assert.deepEqual(tlsLibraryErrorOf(e), { code: 0x0a0000c1, text: 'error:0A0000C1:SSL routines::no shared cipher' });
  });

  it("keeps BoringSSL's OPENSSL_internal and lower-case code", () => {
    const e = new Error('error:100000b8:SSL routines:OPENSSL_internal:NO_SHARED_CIPHER');
    assert.deepEqual(tlsLibraryErrorOf(e), { code: 0x100000b8, text: 'error:100000b8:SSL routines:OPENSSL_internal:NO_SHARED_CIPHER' });
  });

  it('no library error in a plain socket error', () => {
    assert.equal(tlsLibraryErrorOf(new Error('read ECONNRESET')), undefined);
  });

  it('a failed handshake: the library, or a client that closed or reset first', () => {
    const library = handshakeFailureOf(Object.assign(new Error('x:error:0A0000C1:SSL routines:f:no shared cipher:y'), { code: 'ERR_SSL_NO_SHARED_CIPHER' }), ADDRESSES, TLS);
    assert.equal(library.cause, 'library');
    assert.equal(library.error?.code, 0x0a0000c1);
    assert.equal(library.tls.cipher, undefined);
    const closed = handshakeFailureOf(Object.assign(new Error('Client network socket disconnected before secure TLS connection was established'), { code: 'ECONNRESET' }), ADDRESSES, TLS);
    assert.equal(closed.cause, 'closed');
    assert.equal(handshakeFailureOf(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), ADDRESSES, TLS).cause, 'aborted');
  });

  it("a client gone during the handshake: HAProxy's empty handshake before the server answered, a handshake failure after", () => {
    const hungUp = (): Error => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const reset = (): Error => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    assert.equal(handshakeFailureOf(hungUp(), ADDRESSES, TLS).cause, 'closed', 'FIN before the ServerHello: CO_ER_SSL_EMPTY');
    assert.equal(handshakeFailureOf(reset(), ADDRESSES, TLS, false).cause, 'aborted', 'RST before the ServerHello: CO_ER_SSL_ABORT');
    for (const error of [hungUp(), reset()]) {
      const failure = handshakeFailureOf(error, ADDRESSES, TLS, true);
      assert.equal(failure.cause, 'library', 'after the ServerHello: CO_ER_SSL_HANDSHAKE');
      assert.equal(failure.error, undefined, 'no library error (ssl_fc_err 0)');
    }
  });

  it("server certificate errors node:tls raises after the handshake become OpenSSL's certificate verify failed", () => {
    const untrusted = toSocketError(Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }));
    assert.equal(untrusted.code, 'TLS');
    assert.deepEqual(untrusted.tls, { code: 0x0a000086, text: 'error:0A000086:SSL routines::certificate verify failed' });
    assert.equal(untrusted.nameMismatch, undefined);
    const mismatch = toSocketError(Object.assign(new Error("Hostname/IP does not match certificate's altnames"), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }));
    assert.equal(mismatch.nameMismatch, true);
    assert.equal(failedStatus(true, mismatch, true).code, 33);
    assert.equal(failedStatus(true, mismatch, false).code, 32);
    assert.equal(failedStatus(true, untrusted, true).code, 34);
    assert.equal(failedStatus(true, toSocketError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })), true).code, 0);
  });

  it('a TLS server that closes or resets during the handshake is CO_ER_SSL_HANDSHAKE without library error, as ssl_sock_handshake reports it', () => {
    const disconnected = toSocketError(Object.assign(new Error('Client network socket disconnected before secure TLS connection was established'), { code: 'ECONNRESET' }));
    assert.deepEqual(failedStatus(true, disconnected, true), { code: 34, ssl: true, tls: undefined });
    assert.equal(failedStatus(true, { code: 'EPIPE', message: 'write EPIPE' }, true).code, 34);
    assert.equal(failedStatus(true, undefined, true).code, 34);
    // Without TLS there is no handshake: HAProxy's err_code stays 0.
    assert.equal(failedStatus(false, disconnected, false).code, 0);
    assert.equal(failedStatus(true, { code: 'ETIMEDOUT', message: 'connect ETIMEDOUT' }, true).code, 0);
  });

  it("HAProxy's verify callback stops at the first error: a missing issuer, not the leaf signature", () => {
    assert.equal(firstVerifyError('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    assert.equal(firstVerifyError('CERT_HAS_EXPIRED'), 'CERT_HAS_EXPIRED');
  });

  it('the errors the core builds, per library', () => {
    assert.deepEqual(sslLibraryError({ name: 'OpenSSL', opensslVersion: '3.0.0' }, 'peerDidNotReturnACertificate'), { code: 0x0a0000c7, text: 'error:0A0000C7:SSL routines::peer did not return a certificate' });
    assert.deepEqual(sslLibraryError({ name: 'BoringSSL', opensslVersion: '1.1.1' }, 'certificateVerifyFailed'), { code: 0x10000086, text: 'error:10000086:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED' });
    assert.equal(sslLibraryError({ name: 'rustls', opensslVersion: undefined }, 'certificateVerifyFailed'), undefined);
  });
});
