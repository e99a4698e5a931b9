/**
 * What a `bind ... ssl` asks of the runtime's TLS listener, and the decision HAProxy takes
 * inside the handshake on client certificates, taken here right after it (the runtimes report
 * the certificate and its verification error instead of failing the handshake themselves, so
 * that `crt-ignore-err` / `ca-ignore-err` can be honoured).
 */
import type { BindClientAuth, BindModel } from '../config/model.ts';
import type { ListenTlsOptions, TlsHandshakeFailure, TlsInfo, TlsLibrary } from '../runtime.ts';
import { crtListTlsCertificate } from './crt-list-tls.ts';
import { currentTicketKeys } from './ticket-keys.ts';
import type { OcspResponses } from './ocsp-responses.ts';
import { isCaLevelError, x509ErrorId } from '../util/x509-errors.ts';
import { sslLibraryError } from '../util/ssl-library-errors.ts';
import { ConnectionErrorCode, type ConnectionError } from './connection-error.ts';

/**
 * `replaceable`: the runtime API may replace the certificates (ListenTlsOptions.replaceable).
 * `coreStartsHandshakes`: the core starts each handshake itself — a `tcp-request connection
 * expect-proxy` rule may ask for a PROXY header before the ClientHello, or `maxsslrate` /
 * `maxsslconn` must judge a connection before its handshake.
 */
export function listenTlsOptions(bind: BindModel, replaceable = false, coreStartsHandshakes = false, ocsp?: OcspResponses): ListenTlsOptions | undefined {
  const ssl = bind.ssl;
  if (ssl === undefined) return undefined;
  const auth = ssl.clientAuth;
  const verifyFiles = auth === undefined ? undefined : { caFilePem: auth.caFile?.pem, caVerifyFilePem: auth.caVerifyFile?.pem, crlPem: auth.crlPem };
  return {
    certificates: ssl.certificates.map((c) => crtListTlsCertificate(c, c, ssl.tls, verifyFiles, ocsp)),
    ...(ssl.dhParams !== undefined ? { dhParams: ssl.dhParams } : {}),
    ...(bind.alpn ? { alpn: bind.alpn } : {}),
    ...(ssl.tls !== undefined ? { settings: ssl.tls } : {}),
    ...(auth !== undefined ? { clientAuth: { caPem: auth.caPem, crlPem: auth.crlPem } } : {}),
    ...(ssl.strictSni === true ? { strictSni: true } : {}),
    ...(ssl.sessionLifetime !== undefined ? { sessionTimeout: ssl.sessionLifetime } : {}),
    ...(ssl.ticketKeys !== undefined ? { ticketKeys: currentTicketKeys(ssl.ticketKeys) } : {}),
    ...(replaceable ? { replaceable: true } : {}),
    // The PROXY header comes in clear before the ClientHello (ProxyHeaderWait starts the handshake).
    ...(startsWithHeader(bind) || coreStartsHandshakes ? { deferred: true } : {}),
  };
}

/** A bind whose connections start with a PROXY or NetScaler CIP header, in clear before any TLS. */
export function startsWithHeader(bind: BindModel): boolean {
  return bind.acceptProxy === true || bind.netscalerCipMagic !== undefined;
}

function ignored(list: BindClientAuth['crtIgnoreErr'], id: number): boolean {
  return list === 'all' || (list !== undefined && list.includes(id));
}

/**
 * HAProxy's verify callback (ssl_sock_bind_verifycbk): `verify required` without a client
 * certificate fails; a certificate that failed verification fails unless its error is in
 * `crt-ignore-err` (the client's own certificate) or `ca-ignore-err` (a CA of its chain).
 */
export function clientCertificateRejected(auth: BindClientAuth, tls: TlsInfo | undefined): boolean {
  if (tls?.peerCertificate === undefined) return auth.verify === 'required';
  const error = tls.peerVerifyError;
  if (error === undefined) return false;
  const id = x509ErrorId(error);
  return !ignored(isCaLevelError(error) ? auth.caIgnoreErr : auth.crtIgnoreErr, id);
}

/**
 * Why HAProxy fails the handshake of a client certificate clientCertificateRejected refuses:
 * no certificate under `verify required` is a handshake failure ("peer did not return a
 * certificate"); one that did not verify is CO_ER_SSL_CA_FAIL when a CA of its chain is at
 * fault, CO_ER_SSL_CRT_FAIL when the certificate itself is ("certificate verify failed").
 */
export function clientCertificateError(tls: TlsInfo | undefined, library: TlsLibrary | undefined): ConnectionError {
  const error = tls?.peerVerifyError;
  if (tls?.peerCertificate === undefined || error === undefined) {
    return { code: ConnectionErrorCode.sslHandshake, tls: sslLibraryError(library, 'peerDidNotReturnACertificate') };
  }
  return { code: isCaLevelError(error) ? ConnectionErrorCode.sslCaFail : ConnectionErrorCode.sslCrtFail, tls: sslLibraryError(library, 'certificateVerifyFailed') };
}

/** Why a handshake the runtime failed failed (HAProxy's err_code after ssl_sock_handshake). */
export function handshakeFailureError(failure: TlsHandshakeFailure): ConnectionError {
  if (failure.cause === 'closed') return { code: ConnectionErrorCode.sslEmpty, tls: undefined };
  if (failure.cause === 'aborted') return { code: ConnectionErrorCode.sslAbort, tls: undefined };
  return { code: ConnectionErrorCode.sslHandshake, tls: failure.error };
}

/**
 * The TLS facts of a handshake that failed: one the client left before the server read its
 * ClientHello has no version yet, where HAProxy's `%sslv` / `ssl_fc_protocol` read OpenSSL's
 * SSL_get_version of a fresh SSL object, its highest version ("TLSv1.3", whatever the bind's
 * `ssl-max-ver`).
 */
export function handshakeFailureTls(failure: TlsHandshakeFailure): TlsInfo {
  return failure.cause !== 'library' && failure.tls.protocol === undefined ? { ...failure.tls, protocol: 'TLSv1.3' } : failure.tls;
}

/**
 * The TLS facts of a connection whose handshake failed, as HAProxy's fetches read them then:
 * what the handshake learnt (SNI, version, the client's certificate), no cipher
 * (SSL_get_cipher_name's "(NONE)") but TLSv1.3's, chosen with the ServerHello.
 */
export function failedTlsInfo(tls: TlsInfo): TlsInfo {
  return {
    sni: tls.sni,
    alpn: undefined,
    protocol: tls.protocol,
    cipher: tls.protocol === 'TLSv1.3' && tls.cipher !== undefined ? tls.cipher : '(NONE)',
    sessionReused: false,
    peerCertificate: tls.peerCertificate,
    peerCertificateChain: tls.peerCertificateChain,
    peerVerifyError: tls.peerVerifyError,
    peerVerifyResult: tls.peerVerifyResult,
    localCertificatePem: tls.localCertificatePem,
  };
}
