/**
 * The few TLS library errors HAProxy's handshake fails with that the runtimes do not raise
 * themselves (they finish the handshake and leave the decision on the client certificate to
 * the core, or reject a server certificate after it), built as the library would report them:
 * ERR_PACK(ERR_LIB_SSL, 0, reason) and ERR_error_string's text. OpenSSL 3 packs the library
 * (20) above 23 reason bits and leaves the function out of the text; BoringSSL packs its
 * library (16) in the top byte and names the function OPENSSL_internal. Other libraries
 * (rustls) have no such codes: undefined.
 */
import type { TlsLibrary, TlsLibraryError } from '../runtime.ts';

export type SslReason = 'certificateVerifyFailed' | 'peerDidNotReturnACertificate';

/** SSL_R_* numbers (the same in OpenSSL and BoringSSL for these two) and texts. */
const REASONS: Readonly<Record<SslReason, { readonly id: number; readonly text: string }>> = {
  certificateVerifyFailed: { id: 134, text: 'certificate verify failed' },
  peerDidNotReturnACertificate: { id: 199, text: 'peer did not return a certificate' },
};

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

export function sslLibraryError(library: TlsLibrary | undefined, reason: SslReason): TlsLibraryError | undefined {
  const r = REASONS[reason];
  if (library?.name === 'OpenSSL') {
    const code = (20 << 23) | r.id;
    return { code, text: `error:${hex8(code).toUpperCase()}:SSL routines::${r.text}` };
  }
  if (library?.name === 'BoringSSL') {
    const code = ((16 << 24) | r.id) >>> 0;
    return { code, text: `error:${hex8(code)}:SSL routines:OPENSSL_internal:${r.text.toUpperCase().replaceAll(' ', '_')}` };
  }
  return undefined;
}
