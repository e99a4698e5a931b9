/**
 * Bun's and Deno's node:tls never emit 'OCSPRequest' (measured on Bun 1.4.5 and Deno 2.9.6: a
 * client asking for the status gets none), so a certificate with an `.ocsp` response cannot be
 * stapled there: the listener refuses to open, naming the file, rather than serve without it.
 */
import type { ListenTlsOptions } from '../../src/runtime.ts';

export function refuseOcspStapling(tls: ListenTlsOptions | undefined, runtime: string): void {
  const stapled = tls?.certificates.find((c) => c.ocspResponse !== undefined);
  if (stapled === undefined) return;
  throw new Error(`OCSP stapling ('${stapled.source}.ocsp') is not supported on ${runtime}: its TLS listener cannot send an OCSP response; remove the .ocsp file or run on Node (docs/runtimes.md)`);
}
