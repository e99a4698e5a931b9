/**
 * HAProxy's connection error codes (CO_ER_*, include/haproxy/connection-t.h) and their texts
 * (conn_err_code_str, src/connection.c): what `fc_err` / `bc_err` return, `fc_err_str` /
 * `bc_err_str` print, and the log line of a connection that failed before becoming a stream
 * ends with. Only the codes something here can raise are named; the numbers are HAProxy 2.6's.
 */
import type { SocketError, TlsLibraryError } from '../runtime.ts';

export const ConnectionErrorCode = {
  none: 0,
  sslEmpty: 24,
  sslAbort: 25,
  sslTimeout: 26,
  sslCaFail: 30,
  sslCrtFail: 31,
  sslMismatch: 32,
  sslMismatchSni: 33,
  sslHandshake: 34,
} as const;
export type ConnectionErrorCodeValue = (typeof ConnectionErrorCode)[keyof typeof ConnectionErrorCode];

const TEXTS: ReadonlyMap<number, string> = new Map<number, string>([
  [0, 'Success'],
  [1, 'Reached configured maxconn value'],
  [2, 'Too many sockets on the process'],
  [3, 'Too many sockets on the system'],
  [4, 'Out of system buffers'],
  [5, 'Protocol or address family not supported'],
  [6, 'General socket error'],
  [7, 'Source port range exhausted'],
  [8, "Can't bind to source address"],
  [9, 'Out of local source ports on the system'],
  [10, 'Local source address already in use'],
  [11, 'Connection closed while waiting for PROXY protocol header'],
  [12, 'Connection error while waiting for PROXY protocol header'],
  [13, 'Timeout while waiting for PROXY protocol header'],
  [14, 'Truncated PROXY protocol header received'],
  [15, 'Received something which does not look like a PROXY protocol header'],
  [16, 'Received an invalid PROXY protocol header'],
  [17, 'Received an unhandled protocol in the PROXY protocol header'],
  [24, 'Connection closed during SSL handshake'],
  [25, 'Connection error during SSL handshake'],
  [26, 'Timeout during SSL handshake'],
  [30, 'SSL client CA chain cannot be verified'],
  [31, 'SSL client certificate not trusted'],
  [32, 'Server presented an SSL certificate different from the configured one'],
  [33, 'Server presented an SSL certificate different from the expected one'],
  [34, 'SSL handshake failure'],
]);

/** conn_err_code_str: the text of a code, undefined for one HAProxy has no text for. */
export function connectionErrorText(code: number): string | undefined {
  return TEXTS.get(code);
}

/** Why a connection failed: HAProxy's conn->err_code, and the TLS library's error when TLS failed. */
export interface ConnectionError {
  readonly code: number;
  readonly tls: TlsLibraryError | undefined;
}

/** How the last server connection of a stream went (HAProxy's conn->err_code of its scb). */
export interface ServerConnectionStatus {
  /** 0 (CO_ER_NONE) once connected. */
  readonly code: number;
  /** The server line has `ssl` (`ssl_bc_err` has a sample). */
  readonly ssl: boolean;
  readonly tls: TlsLibraryError | undefined;
}

const CONNECTED_PLAIN: ServerConnectionStatus = { code: 0, ssl: false, tls: undefined };
const CONNECTED_TLS: ServerConnectionStatus = { code: 0, ssl: true, tls: undefined };

/** The status of a server connection that was established. */
export function connectedStatus(ssl: boolean): ServerConnectionStatus {
  return ssl ? CONNECTED_TLS : CONNECTED_PLAIN;
}

/**
 * A TLS connection that closed before its handshake completed, after the TCP connection was
 * made (a reset or a close, not a refusal): HAProxy's SSL layer had sent its ClientHello, so it
 * reports the handshake (ssl_sock_handshake: CO_ER_SSL_HANDSHAKE; L6RSP for a check), not the
 * connection.
 */
export function failedDuringHandshake(tls: boolean, error: SocketError | undefined): boolean {
  if (!tls) return false;
  return error === undefined || error.code === 'TLS' || error.code === 'ECONNRESET' || error.code === 'EPIPE';
}

/**
 * The status of a server connection attempt that failed with `error`: a TLS failure is
 * CO_ER_SSL_HANDSHAKE, or when the certificate did not carry the name asked for
 * CO_ER_SSL_MISMATCH_SNI (the name sent as SNI) or CO_ER_SSL_MISMATCH (`verifyhost`'s, without
 * SNI); so is a TLS server that closes or resets the connection during the handshake, with no
 * library error; other failures (refused, timed out) leave HAProxy's err_code at 0.
 */
export function failedStatus(ssl: boolean, error: SocketError | undefined, sentSni: boolean): ServerConnectionStatus {
  if (error?.code === 'TLS') {
    const mismatch = sentSni ? ConnectionErrorCode.sslMismatchSni : ConnectionErrorCode.sslMismatch;
    return { code: error.nameMismatch === true ? mismatch : ConnectionErrorCode.sslHandshake, ssl, tls: error.tls };
  }
  if (failedDuringHandshake(ssl, error)) return { code: ConnectionErrorCode.sslHandshake, ssl, tls: undefined };
  return connectedStatus(ssl);
}
