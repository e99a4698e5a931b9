/**
 * Turns the TLS options of `bind` and `server` lines into the model, with the global
 * `ssl-default-*` defaults and `ssl-server-verify` applied as HAProxy applies them
 * (tls-options.ts), and the files they named (tls-files.ts) attached.
 */

import type { BindDraft, CaFileReference, GlobalDraft, ServerDraft } from './draft.ts';
import type { BindClientAuth, BindSsl, CertificateFile, GenerateCertificates, PemFile, ServerSsl } from './model.ts';
import type { TlsFiles } from './tls-files.ts';
import { inheritTlsOptions, isDefaultTlsOptions, newTlsOptionsDraft, resolveTlsOptions, type TlsOptionsDraft, type TlsOptionsModel } from './tls-options.ts';
import { parseIgnoreErrors } from '../util/x509-errors.ts';

export interface TlsReport {
  error(place: { file: string; line: number; column: number }, keyword: string, message: string): void;
  warning(place: { file: string; line: number; column: number }, keyword: string, message: string): void;
}

function resolveOptions(
  own: BindDraft['tls'] | ServerDraft['tls'],
  defaults: TlsOptionsDraft,
  place: { file: string; line: number; column: number },
  keyword: string,
  what: string,
  proxyName: string,
  report: TlsReport,
): TlsOptionsModel | undefined {
  const merged = inheritTlsOptions(defaults, own?.options ?? newTlsOptionsDraft());
  const result = resolveTlsOptions(merged, what);
  // HAProxy's ssl_sock_prepare_ctx messages: "Proxy 'fe': ... for bind '...' at [file:line]".
  if (!result.ok) {
    report.error(place, keyword, `Proxy '${proxyName}': ${result.message}`);
    return undefined;
  }
  for (const warning of result.warnings) report.warning(place, keyword, `Proxy '${proxyName}': ${warning}`);
  return isDefaultTlsOptions(result.options) ? undefined : result.options;
}

function pemFile(reference: CaFileReference | undefined, caFiles: ReadonlyMap<CaFileReference, string> | undefined): PemFile | undefined {
  const pem = reference === undefined ? undefined : caFiles?.get(reference);
  return reference === undefined || pem === undefined ? undefined : { path: reference.path, pem };
}

/** The TLS part of a `bind ... ssl` line. */
export function resolveBindSsl(
  bind: BindDraft,
  certificates: CertificateFile[],
  proxyName: string,
  global: GlobalDraft,
  tlsFiles: TlsFiles | undefined,
  caFiles: ReadonlyMap<CaFileReference, string> | undefined,
  report: TlsReport,
): BindSsl {
  const own = bind.tls;
  for (const list of own?.crtLists ?? []) certificates.push(...(tlsFiles?.crtLists.get(list) ?? []));
  const what = `bind '${bind.address}' at [${bind.place.file}:${bind.place.line}]`;
  const tls = resolveOptions(own, global.ssl?.bind ?? newTlsOptionsDraft(), bind.place, 'bind', what, proxyName, report);
  let clientAuth: BindClientAuth | undefined;
  const verify = own?.verify ?? 'none';
  if (verify !== 'none') {
    const caPems = [own?.caFile, own?.caVerifyFile].map((ref) => (ref === undefined ? undefined : caFiles?.get(ref))).filter((p) => p !== undefined);
    const caPem = caPems.length === 0 ? undefined : caPems.join('\n');
    if (own?.caFile === undefined && own?.caVerifyFile === undefined) {
      report.error(bind.place, 'bind', `Proxy '${proxyName}': verify is enabled but no CA file specified for ${what}.`);
    }
    const crlPem = own?.crlFile === undefined ? undefined : tlsFiles?.crls.get(own.crlFile);
    const caFile = pemFile(own?.caFile, caFiles);
    const caVerifyFile = pemFile(own?.caVerifyFile, caFiles);
    clientAuth = {
      verify,
      caPem,
      ...(crlPem !== undefined ? { crlPem } : {}),
      ...(caFile !== undefined ? { caFile } : {}),
      ...(caVerifyFile !== undefined ? { caVerifyFile } : {}),
      ...(crlPem !== undefined && own?.crlFile !== undefined ? { crlFile: own.crlFile.path } : {}),
      ...(own?.crtIgnoreErr !== undefined ? { crtIgnoreErr: parseIgnoreErrors(own.crtIgnoreErr) } : {}),
      ...(own?.caIgnoreErr !== undefined ? { caIgnoreErr: parseIgnoreErrors(own.caIgnoreErr) } : {}),
    };
  }
  const generateCertificates = generationOf(own, proxyName, global, tlsFiles, bind, report);
  const lifetime = global.ssl?.lifetime;
  const dhPem = tlsFiles?.dhParams;
  const dhBits = global.ssl?.defaultDhParam;
  const keysPath = own?.ticketKeys?.path;
  const keys = keysPath === undefined ? undefined : tlsFiles?.ticketKeys.get(keysPath);
  return {
    certificates,
    ...(dhPem !== undefined || dhBits !== undefined ? { dhParams: { ...(dhPem !== undefined ? { pem: dhPem } : {}), ...(dhBits !== undefined ? { defaultBits: dhBits } : {}) } } : {}),
    ...(tls !== undefined ? { tls } : {}),
    ...(clientAuth !== undefined ? { clientAuth } : {}),
    ...(own?.strictSni === true ? { strictSni: true } : {}),
    ...(lifetime !== undefined ? { sessionLifetime: lifetime } : {}),
    ...(generateCertificates !== undefined ? { generateCertificates } : {}),
    ...(keys !== undefined && keysPath !== undefined ? { ticketKeys: { path: keysPath, bits: keys.bits, keys: keys.keys } } : {}),
  };
}

/** HAProxy's default `tune.ssl.ssl-ctx-cache-size` (DEFAULT_SSL_CTX_CACHE). */
const DEFAULT_CTX_CACHE = 1000;

/** `generate-certificates` with its CA (HAProxy's ssl_sock_load_ca, messages included). */
function generationOf(own: BindDraft['tls'], proxyName: string, global: GlobalDraft, tlsFiles: TlsFiles | undefined, bind: BindDraft, report: TlsReport): GenerateCertificates | undefined {
  if (own?.generateCertificates !== true) return undefined;
  if (own.caSignFile === undefined) {
    report.error(bind.place, 'bind', `Proxy '${proxyName}': cannot enable certificate generation, no CA certificate File configured at [${bind.place.file}:${bind.place.line}].`);
    return undefined;
  }
  const ca = tlsFiles?.caSignFiles.get(own.caSignFile);
  if (ca === undefined) return undefined;
  return {
    caFile: own.caSignFile.path,
    caCertPem: ca.certPem,
    caKeyPem: ca.keyPem,
    ...(own.caSignPass !== undefined ? { caPass: own.caSignPass } : {}),
    cacheSize: global.ssl?.ctxCacheSize ?? DEFAULT_CTX_CACHE,
  };
}

/** A bind's `no-alpn`: no ALPN offered, whatever `alpn` says. */
export function bindHasNoAlpn(bind: BindDraft): boolean {
  return bind.tls?.noAlpn === true;
}

/** The `verify` a server connects with: its own, else the global `ssl-server-verify`, else required. */
export function effectiveServerVerify(server: ServerDraft, global: GlobalDraft): 'none' | 'required' {
  if (server.verifyExplicit === true) return server.verify;
  return global.ssl?.serverVerify ?? server.verify;
}

/** The TLS options of a `server ... ssl` line beyond verify/ca-file/sni/alpn. */
export function resolveServerTls(
  server: ServerDraft,
  proxyName: string,
  global: GlobalDraft,
  tlsFiles: TlsFiles | undefined,
  report: TlsReport,
): Pick<ServerSsl, 'tls' | 'certificate' | 'verifyHost' | 'crlPem' | 'crlFile' | 'noSessionReuse'> {
  const own = server.tls;
  const what = `server '${server.name}' at [${server.place.file}:${server.place.line}]`;
  const tls = resolveOptions(own, global.ssl?.server ?? newTlsOptionsDraft(), server.place, 'server', what, proxyName, report);
  const crt = own?.crt === undefined ? undefined : tlsFiles?.serverCertificates.get(own.crt);
  const crlPem = own?.crlFile === undefined ? undefined : tlsFiles?.crls.get(own.crlFile);
  return {
    ...(crlPem !== undefined ? { crlPem } : {}),
    ...(crlPem !== undefined && own?.crlFile !== undefined ? { crlFile: own.crlFile.path } : {}),
    ...(tls !== undefined ? { tls } : {}),
    ...(crt !== undefined ? { certificate: { certPem: crt.certPem, keyPem: crt.keyPem, path: crt.path } } : {}),
    ...(own?.verifyHost !== undefined ? { verifyHost: own.verifyHost } : {}),
    ...(own?.noSslReuse === true ? { noSessionReuse: true } : {}),
  };
}
