import type { SocketError, SocketErrorCode } from '../../src/runtime.ts';

const KNOWN: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE']);

/** Maps a host error (Node-style `code`, Deno error class names) to the seam's stable codes. */
export function toSocketError(error: unknown): SocketError {
  const e = error as { code?: unknown; name?: unknown; message?: unknown } | null | undefined;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  let code: SocketErrorCode = 'OTHER';
  const raw = typeof e?.code === 'string' ? e.code : undefined;
  if (raw !== undefined && KNOWN.has(raw)) code = raw as SocketErrorCode;
  else if (raw?.startsWith('ERR_SSL') || raw?.startsWith('ERR_TLS') || /ssl|tls|certificate/i.test(message)) code = 'TLS';
  else if (e?.name === 'ConnectionRefused') code = 'ECONNREFUSED';
  else if (e?.name === 'ConnectionReset' || e?.name === 'BrokenPipe') code = e.name === 'BrokenPipe' ? 'EPIPE' : 'ECONNRESET';
  else if (e?.name === 'TimedOut') code = 'ETIMEDOUT';
  else if (e?.name === 'NotFound') code = 'ENOTFOUND';
  else if (e?.name === 'NetworkUnreachable' || /network is unreachable/i.test(message)) code = 'ENETUNREACH';
  return { code, message };
}
