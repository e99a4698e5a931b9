import type { SocketError, SocketErrorCode } from '../../src/runtime.ts';
import { isX509ErrorName } from '../../src/util/x509-errors.ts';
import { certificateVerifyFailed, tlsLibraryErrorOf } from './tls-library-error.ts';

const KNOWN: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE']);

/** Maps a host error (Node-style `code`, Deno error class names) to the seam's stable codes. */
export function toSocketError(error: unknown): SocketError {
  const e = error as { code?: unknown; name?: unknown; message?: unknown } | null | undefined;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  let code: SocketErrorCode = 'OTHER';
  const raw = typeof e?.code === 'string' ? e.code : undefined;
  if (raw !== undefined && KNOWN.has(raw)) code = raw as SocketErrorCode;
  else if (raw?.startsWith('ERR_SSL') || raw?.startsWith('ERR_TLS') || (raw !== undefined && isX509ErrorName(raw)) || /ssl|tls|certificate/i.test(message)) code = 'TLS';
  else if (e?.name === 'ConnectionRefused') code = 'ECONNREFUSED';
  else if (e?.name === 'ConnectionReset' || e?.name === 'BrokenPipe') code = e.name === 'BrokenPipe' ? 'EPIPE' : 'ECONNRESET';
  else if (e?.name === 'TimedOut') code = 'ETIMEDOUT';
  else if (e?.name === 'NotFound') code = 'ENOTFOUND';
  else if (e?.name === 'NetworkUnreachable' || /network is unreachable/i.test(message)) code = 'ENETUNREACH';
  if (code === 'TLS') return tlsSocketError(message, error, raw);
  return { code, message };
}

const NAME_MISMATCH = 'ERR_TLS_CERT_ALTNAME_INVALID';

/**
 * A TLS failure with what HAProxy's `ssl_bc_err` and `bc_err` tell of it: the library's error
 * when it raised one, else (node:tls rejects a certificate that failed verification, or whose
 * name does not match, after the library finished the handshake) the one HAProxy's verify
 * callback makes the library raise.
 */
function tlsSocketError(message: string, error: unknown, raw: string | undefined): SocketError {
  const nameMismatch = raw === NAME_MISMATCH;
  const library = tlsLibraryErrorOf(error) ?? (nameMismatch || (raw !== undefined && isX509ErrorName(raw)) ? certificateVerifyFailed() : undefined);
  return { code: 'TLS', message, ...(library !== undefined ? { tls: library } : {}), ...(nameMismatch ? { nameMismatch } : {}) };
}
