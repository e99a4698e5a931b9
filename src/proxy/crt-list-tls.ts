/**
 * A bind's certificate as its TLS listener takes it, with what its `crt-list` line's options in
 * brackets change for the handshakes SNI gives it (HAProxy's per-entry SSL_CTX, built from the
 * bind's ssl_conf with the entry's ssl_conf on top): versions, ciphers and curves, and the CA
 * and CRL files client certificates are verified against. Used when the listener opens and by
 * the runtime API when it gives the listener new certificates.
 */
import type { CertificateFile } from '../config/model.ts';
import type { CrtListSslConf } from '../config/crt-list-line.ts';
import type { TlsOptionsModel } from '../config/tls-options.ts';
import type { ClientAuthOptions, TlsCertificate, TlsSettings, TlsVersion } from '../runtime.ts';
import type { OcspResponses } from './ocsp-responses.ts';

/** The runtimes' defaults, which a line's options start from on a bind without its own settings. */
const DEFAULT_SETTINGS: TlsSettings = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', tickets: true };

const ORDER: readonly TlsVersion[] = ['TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** SSLv3 is offered by no runtime: a range starting there starts at TLSv1.0. */
function offered(version: CrtListSslConf['minVersion']): TlsVersion | undefined {
  return version === 'SSLv3' ? 'TLSv1.0' : version;
}

function ownSettings(conf: CrtListSslConf, bind: TlsOptionsModel | undefined): TlsSettings | undefined {
  const curves = conf.curves ?? conf.ecdhe;
  if (conf.minVersion === undefined && conf.maxVersion === undefined && conf.ciphers === undefined && conf.ciphersuites === undefined && curves === undefined) return undefined;
  const base: TlsSettings = bind ?? DEFAULT_SETTINGS;
  const min = offered(conf.minVersion) ?? base.minVersion;
  let max = offered(conf.maxVersion) ?? base.maxVersion;
  // A maximum below the line's own minimum (SSLv3 included) leaves the minimum alone offered.
  if (ORDER.indexOf(max) < ORDER.indexOf(min)) max = min;
  return {
    ...base,
    minVersion: min,
    maxVersion: max,
    ...(conf.ciphers !== undefined ? { ciphers: conf.ciphers } : {}),
    ...(conf.ciphersuites !== undefined ? { ciphersuites: conf.ciphersuites } : {}),
    ...(curves !== undefined ? { curves } : {}),
  };
}

function pemOf(file: CertificateFile, path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  return file.sslConfFiles?.find((f) => f.path === path)?.pem;
}

/**
 * The bind's verify files, each replaced separately by the line's (ssl_sock_prepare_ctx takes
 * the entry's ca-file, else the bind's, and the same for ca-verify-file and crl-file).
 */
export interface BindVerifyFiles {
  readonly caFilePem?: string | undefined;
  readonly caVerifyFilePem?: string | undefined;
  readonly crlPem?: string | undefined;
}

function ownClientAuth(file: CertificateFile, conf: CrtListSslConf, bind: BindVerifyFiles | undefined): ClientAuthOptions | undefined {
  if (conf.caFile === undefined && conf.caVerifyFile === undefined && conf.crlFile === undefined) return undefined;
  const caFile = conf.caFile !== undefined ? pemOf(file, conf.caFile) : bind?.caFilePem;
  const caVerifyFile = conf.caVerifyFile !== undefined ? pemOf(file, conf.caVerifyFile) : bind?.caVerifyFilePem;
  const cas = [caFile, caVerifyFile].filter((p) => p !== undefined && p !== '');
  const crlPem = conf.crlFile !== undefined ? pemOf(file, conf.crlFile) : bind?.crlPem;
  return { caPem: cas.length > 0 ? cas.join('\n') : undefined, ...(crlPem !== undefined && crlPem !== '' ? { crlPem } : {}) };
}

/**
 * `certPem`/`keyPem`/`dhPem`: the certificate's current content (the runtime API's store may
 * hold a newer one than the file the configuration read).
 */
export function crtListTlsCertificate(
  file: CertificateFile,
  pem: { readonly certPem: string; readonly keyPem: string; readonly dhPem?: string | undefined; readonly ocspResponse?: Uint8Array | undefined },
  bindSettings: TlsOptionsModel | undefined,
  bindClientAuth: BindVerifyFiles | undefined,
  ocsp?: OcspResponses,
): TlsCertificate {
  const conf = file.sslConf;
  // The process's OCSP store checks the response and keeps it replaceable (`set ssl ocsp-response`).
  const ocspResponse = pem.ocspResponse;
  const ocspStaple = ocspResponse !== undefined ? ocsp?.load(pem.certPem, file.ocspIssuerPem, ocspResponse) : undefined;
  const settings = conf === undefined ? undefined : ownSettings(conf, bindSettings);
  const clientAuth = conf === undefined ? undefined : ownClientAuth(file, conf, bindClientAuth);
  return {
    certPem: pem.certPem,
    keyPem: pem.keyPem,
    source: file.path,
    ...(file.serverNames !== undefined ? { serverNames: file.serverNames } : {}),
    ...(pem.dhPem !== undefined ? { dhPem: pem.dhPem } : {}),
    ...(ocspResponse !== undefined ? { ocspResponse } : {}),
    ...(ocspStaple !== undefined ? { ocspStaple } : {}),
    ...(settings !== undefined ? { settings } : {}),
    ...(clientAuth !== undefined ? { clientAuth } : {}),
  };
}
