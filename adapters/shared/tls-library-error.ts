/**
 * The TLS library's errors as HAProxy's `ssl_fc_err` / `ssl_bc_err` (a packed ERR code) and
 * `ssl_fc_err_str` / `ssl_bc_err_str` (ERR_error_string's text) show them, read from the errors
 * node:tls raises (Node and Bun implement it; their messages carry the library's own
 * `error:XXXXXXXX:lib:func:reason` string).
 */
import type { TlsHandshakeFailure, TlsInfo, TlsLibrary, TlsLibraryError } from '../../src/runtime.ts';
import { sslLibraryError } from '../../src/util/ssl-library-errors.ts';

/** `error:0A0000C1:SSL routines:tls_post_process_client_hello:no shared cipher` (function may be empty). */
const ERR_STRING = /error:([0-9A-Fa-f]{8}):([^:\n]*):([^:\n]*):([^:\n]*)/;

/** BoringSSL names every function OPENSSL_internal, and ERR_error_string keeps it. */
const BORINGSSL_FUNCTION = 'OPENSSL_internal';

/**
 * The library error an error object's message carries, as ERR_error_string writes it: OpenSSL
 * 3 leaves the function out (`error:0A0000C1:SSL routines::no shared cipher`), BoringSSL keeps
 * its OPENSSL_internal. Undefined for errors that come from no TLS library.
 */
export function tlsLibraryErrorOf(error: unknown): TlsLibraryError | undefined {
  const message = (error as { message?: unknown } | null | undefined)?.message;
  if (typeof message !== 'string') return undefined;
  const match = ERR_STRING.exec(message);
  if (match === null) return undefined;
  const hex = (match[1] as string).toUpperCase();
  const fn = match[3] === BORINGSSL_FUNCTION ? BORINGSSL_FUNCTION : '';
  const reason = fn === '' ? (match[4] as string) : (match[4] as string).toUpperCase();
  return { code: Number.parseInt(hex, 16), text: `error:${fn === '' ? hex : hex.toLowerCase()}:${match[2]}:${fn}:${reason}` };
}

/** The library under this runtime's node:tls (as each adapter's Runtime.tlsLibrary names it). */
const LIBRARY: TlsLibrary =
  typeof (globalThis as { Bun?: unknown }).Bun === 'object'
    ? { name: 'BoringSSL', opensslVersion: undefined }
    : typeof (globalThis as { Deno?: unknown }).Deno === 'object'
      ? { name: 'rustls', opensslVersion: undefined }
      : { name: 'OpenSSL', opensslVersion: undefined };

/**
 * SSL_R_CERTIFICATE_VERIFY_FAILED, the error a handshake fails with when the peer's
 * certificate does not verify (HAProxy's verify callback refuses it). node:tls finishes such
 * handshakes and rejects the certificate afterwards, so no library error is raised: this is the
 * one the library would have given.
 */
export function certificateVerifyFailed(): TlsLibraryError | undefined {
  return sslLibraryError(LIBRARY, 'certificateVerifyFailed');
}

const DISCONNECTED = 'Client network socket disconnected before secure TLS connection was established';

/** node:tls's word for a client that closed (FIN) during the handshake, where a reset is "read ECONNRESET". */
const HUNG_UP = 'socket hang up';

/**
 * What a node:tls server's `tlsClientError` says about the client whose handshake failed.
 * A client gone before the server answered its ClientHello (`answered` false) is HAProxy's
 * empty handshake: closed (CO_ER_SSL_EMPTY) or reset (CO_ER_SSL_ABORT); once the server
 * answered, HAProxy counts any loss of the client as a handshake failure (CO_ER_SSL_HANDSHAKE,
 * no library error).
 */
export function handshakeFailureOf(
  error: unknown,
  addresses: { remoteAddress: string; remotePort: number; localAddress: string; localPort: number },
  tls: TlsInfo,
  answered = false,
): TlsHandshakeFailure {
  const library = tlsLibraryErrorOf(error);
  const e = error as { code?: unknown; message?: unknown } | null | undefined;
  let cause: TlsHandshakeFailure['cause'] = 'library';
  if (library === undefined && e?.code === 'ECONNRESET' && !answered) cause = e.message === DISCONNECTED || e.message === HUNG_UP ? 'closed' : 'aborted';
  // TLSv1.3 chose its cipher with the ServerHello: HAProxy's `%sslc` shows it after a failure.
  return { ...addresses, tls: { ...tls, cipher: tls.protocol === 'TLSv1.3' ? tls.cipher : undefined }, cause, error: library };
}

/**
 * The verification error HAProxy's verify callback sees first, from the one node:tls reports
 * (SSL_get_verify_result: the last, as node:tls lets verification go on). OpenSSL reports a
 * leaf whose issuer it cannot find as UNABLE_TO_GET_ISSUER_CERT_LOCALLY, and only then, on
 * going on, UNABLE_TO_VERIFY_LEAF_SIGNATURE; HAProxy stops at (and `ssl_c_err` shows) the
 * first.
 */
export function firstVerifyError(name: string): string {
  return name === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ? 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' : name;
}
