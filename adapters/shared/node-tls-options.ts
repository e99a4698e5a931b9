/**
 * The seam's TLS settings (src/runtime.ts TlsSettings, ClientAuthOptions) as node:tls options,
 * for listeners and connections on every adapter that uses node:tls.
 */
import type * as tls from 'node:tls';
import { nodeCrypto, nodeTls } from './node-builtins.ts';
import type { ClientAuthOptions, TlsSettings, TlsTicketKey, TlsVersion } from '../../src/runtime.ts';

const NODE_VERSIONS: Readonly<Record<TlsVersion, tls.SecureVersion>> = {
  'TLSv1.0': 'TLSv1',
  'TLSv1.1': 'TLSv1.1',
  'TLSv1.2': 'TLSv1.2',
  'TLSv1.3': 'TLSv1.3',
};

/** The runtimes' own defaults: a listener or connection with these needs no special handling. */
export function isDefaultTlsSettings(settings: TlsSettings | undefined): boolean {
  return (
    settings === undefined ||
    (settings.minVersion === 'TLSv1.2' &&
      settings.maxVersion === 'TLSv1.3' &&
      settings.ciphers === undefined &&
      settings.ciphersuites === undefined &&
      settings.curves === undefined &&
      settings.tickets &&
      settings.preferClientCiphers !== true)
  );
}

/**
 * node:tls takes TLSv1.3 suites and older ciphers in one `ciphers` list (it tells them apart by
 * their TLS_ prefix); a list without TLSv1.3 suites keeps the default ones, as HAProxy's
 * `ciphers` leaves TLSv1.3 alone.
 */
function cipherList(settings: TlsSettings): string | undefined {
  if (settings.ciphersuites === undefined) return settings.ciphers;
  const legacy = settings.ciphers ?? nodeTls().DEFAULT_CIPHERS.split(':').filter((c) => !c.startsWith('TLS_')).join(':');
  return `${settings.ciphersuites}:${legacy}`;
}

/** Secure-context options for the settings (shared by createServer, createSecureContext and connect). */
export function nodeTlsSettings(settings: TlsSettings | undefined, side: 'server' | 'client'): tls.SecureContextOptions & { honorCipherOrder?: boolean } {
  if (settings === undefined) return {};
  const ciphers = cipherList(settings);
  return {
    minVersion: NODE_VERSIONS[settings.minVersion],
    maxVersion: NODE_VERSIONS[settings.maxVersion],
    ...(ciphers !== undefined ? { ciphers } : {}),
    ...(settings.curves !== undefined ? { ecdhCurve: settings.curves } : {}),
    ...(settings.tickets ? {} : { secureOptions: nodeCrypto().constants.SSL_OP_NO_TICKET }),
    // HAProxy prefers the server's cipher order unless `prefer-client-ciphers`.
    ...(side === 'server' ? { honorCipherOrder: settings.preferClientCiphers !== true } : {}),
  };
}

const CRL_BLOCK = /-----BEGIN X509 CRL-----[\s\S]*?-----END X509 CRL-----/g;

/**
 * node:tls's `crl` as one string reads its first CRL only (PEM_read_bio_X509_CRL once), and
 * verifies with CRL_CHECK_ALL: a file holding the CRLs of an intermediate and of its root must
 * be given as one string per CRL, else every chain fails with UNABLE_TO_GET_CRL.
 */
export function nodeCrls(pem: string): string[] {
  return pem.match(CRL_BLOCK) ?? [pem];
}

/** Client certificates asked for; verification errors are reported, never fatal here (TlsInfo). */
export function nodeClientAuth(auth: ClientAuthOptions | undefined): tls.TlsOptions {
  if (auth === undefined) return {};
  return {
    requestCert: true,
    rejectUnauthorized: false,
    ...(auth.caPem !== undefined ? { ca: auth.caPem } : {}),
    ...(auth.crlPem !== undefined ? { crl: nodeCrls(auth.crlPem) } : {}),
  };
}

/**
 * HAProxy's session id context (SHCTX_APPNAME): a session is resumed only where the context
 * matches, and Node's default is a hash of the process's arguments. Given to the listeners with
 * `tls-ticket-keys` (and to the contexts SNI selects, whose context OpenSSL then takes), so that
 * other processes, and HAProxy, resume the sessions of their tickets.
 */
export const HAPROXY_SESSION_ID_CONTEXT = 'haproxy';

/**
 * `tls-ticket-keys` as node:tls's `ticketKeys`. node:tls takes one AES-128 key, laid out name |
 * HMAC key | AES key (Node's SecureContext::SetTicketKeys), where HAProxy's file holds name |
 * AES | HMAC: the encryption key is reordered, the keys HAProxy would only decrypt with are left
 * out.
 */
export function nodeTicketKeys(keys: readonly TlsTicketKey[] | undefined): Buffer | undefined {
  const key = keys?.[0];
  return key === undefined ? undefined : Buffer.concat([key.name, key.hmacKey, key.aesKey]);
}
