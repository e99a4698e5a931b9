/**
 * `show ssl ocsp-response [ID]` and `set ssl ocsp-response <base64 DER>` (HAProxy 2.6's
 * ssl_sock.c): the OCSP responses stapled by the process, keyed by the hex DER of their OCSP
 * CertID (proxy/ocsp-responses.ts). Without an ID, each key and its CertID; with one, the
 * response as OpenSSL's OCSP_RESPONSE_print writes it, decoded here. `set` checks the response
 * as HAProxy does and replaces the one stapled on the next handshakes.
 *
 * Where the runtime cannot staple (Bun, Deno), a certificate with a `.ocsp` file is refused at
 * start: no response is ever kept, and both commands answer as HAProxy without OCSP responses.
 */
import { ocspResponsesOf, type OcspEntry } from '../../proxy/ocsp-responses.ts';
import { base64Decode, base64Of } from '../../rules/converters/encoding.ts';
import { certIdText, haproxyOcspResponseText } from '../../util/ocsp-text.ts';
import { readOcspResponse } from '../../util/ocsp-response.ts';
import { usage, type CliCommand, type CommandContext } from '../command.ts';
import { dump, error, info, type CliAnswer } from '../output.ts';

/** OCSP_MAX_CERTID_ASN1_LENGTH: the longest key, in bytes. */
const MAX_KEY_BYTES = 128;

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

function bytesOf(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

function base64(der: Uint8Array): string {
  return base64Of(latin1(der), false);
}

/** The response's text as `show ssl ocsp-response ID` prints it (also `show ssl cert FILE.ocsp`). */
export function ocspResponseDetail(response: Uint8Array | undefined): string {
  return haproxyOcspResponseText(response !== undefined ? readOcspResponse(response) : undefined, base64);
}

/** The entry of a hex key: HAProxy compares the key padded with zeros to the longest length. */
function entryOf(ctx: CommandContext, key: string): OcspEntry | undefined {
  if (key.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(key)) return undefined;
  const wanted = key.toLowerCase().padEnd(MAX_KEY_BYTES * 2, '0');
  return ocspResponsesOf(ctx.target.runtime)
    .entries()
    .find((e) => e.key.padEnd(MAX_KEY_BYTES * 2, '0') === wanted);
}

function showOcspResponse(args: readonly string[], ctx: CommandContext): CliAnswer {
  const key = args[3] ?? '';
  if (key !== '') {
    if (key.length > MAX_KEY_BYTES * 2) return error("'show ssl ocsp-response' received a too big key.\n");
    const entry = entryOf(ctx, key);
    if (entry === undefined) return error('Certificate ID does not match any certificate.\n');
    return dump(ocspResponseDetail(entry.response));
  }
  let out = '# Certificate IDs\n';
  for (const entry of ocspResponsesOf(ctx.target.runtime).entries()) out += `Certificate ID key : ${entry.key}\n${certIdText(entry.certId, 1, false)}`;
  return dump(out);
}

function setOcspResponse(args: readonly string[], ctx: CommandContext, payload: string | undefined): CliAnswer {
  const text = (payload ?? args[3] ?? '').replace(/[\r\n]/g, '');
  if (text === '') return error("'set ssl ocsp-response' expects response in base64 encoding.\n");
  const decoded = base64Decode(text);
  if (decoded === undefined) return error("'set ssl ocsp-response' received invalid base64 encoded response.\n");
  const failure = ocspResponsesOf(ctx.target.runtime).update(bytesOf(decoded));
  if (failure !== undefined) return error(`${failure}.\n`);
  return info('OCSP Response updated!\n');
}

export const sslOcspCommands: readonly CliCommand[] = [
  {
    words: ['set', 'ssl', 'ocsp-response'],
    usage: usage('set ssl ocsp-response <resp|payload>', "update a certificate's OCSP Response from a base64-encode DER"),
    level: 'user',
    run: setOcspResponse,
  },
  {
    words: ['show', 'ssl', 'ocsp-response'],
    usage: usage('show ssl ocsp-response [id]', 'display the IDs of the OCSP responses used in memory, or the details of a single OCSP response'),
    level: 'user',
    run: showOcspResponse,
  },
];
