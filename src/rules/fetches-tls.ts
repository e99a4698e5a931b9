/**
 * TLS fetches on the client connection (HAProxy's ssl_sample.c): `ssl_fc_cipher`,
 * `ssl_fc_is_resumed`, `ssl_fc_has_sni`, `ssl_fc_has_crt`; the client certificate (`ssl_c_used`,
 * `ssl_c_verify`, `ssl_c_err`, `ssl_c_ca_err`, `ssl_c_s_dn`, `ssl_c_i_dn`, `ssl_c_serial`,
 * `ssl_c_sha1`, `ssl_c_der`, `ssl_c_notbefore`, `ssl_c_notafter`, `ssl_c_sig_alg`,
 * `ssl_c_key_alg`, `ssl_c_version`, `ssl_c_chain_der`); the certificate the frontend served (`ssl_f_*`, same
 * names); and the server connection's (`ssl_bc`, `ssl_bc_protocol`, `ssl_bc_cipher`,
 * `ssl_bc_is_resumed`, `ssl_s_*`, `ssl_s_chain_der`).
 *
 * Certificates come from the runtime as DER (TlsInfo) and are read by util/x509.ts, once per
 * certificate (cached by its bytes).
 */
import type { TlsInfo } from '../runtime.ts';
import { isCaLevelError, x509ErrorId } from '../util/x509-errors.ts';
import { connectionErrorText } from '../proxy/connection-error.ts';
import { dnEntry, formatDnLdap, formatDnOneline, pemToDer, readX509, type X509Facts, type X509NameEntry } from '../util/x509.ts';
import type { MiscFetch } from './fetches-misc.ts';
import type { Sample } from './sample.ts';
import type { Args } from './sample-args.ts';
import type { SampleContext } from './sample-context.ts';
import type { FetchBody } from './sample-fetch.ts';

const NONE = { min: 0, types: [] } as const;

type Which = 'client' | 'frontend' | 'server';

const parsedDer = new WeakMap<Uint8Array, X509Facts | null>();
const derOfPem = new Map<string, Uint8Array | null>();

function derOf(tls: TlsInfo | undefined, which: Which): Uint8Array | undefined {
  if (tls === undefined) return undefined;
  if (which !== 'frontend') return tls.peerCertificate;
  const pem = tls.localCertificatePem;
  if (pem === undefined) return undefined;
  let der = derOfPem.get(pem);
  if (der === undefined) {
    der = pemToDer(pem) ?? null;
    derOfPem.set(pem, der);
  }
  return der ?? undefined;
}

function factsOf(der: Uint8Array): X509Facts | undefined {
  let facts = parsedDer.get(der);
  if (facts === undefined) {
    facts = readX509(der) ?? null;
    parsedDer.set(der, facts);
  }
  return facts ?? undefined;
}

function tlsOf(ctx: SampleContext, which: Which): TlsInfo | undefined {
  return which === 'server' ? ctx.serverTls : ctx.clientTls;
}

/** Bytes as a binary sample (one character per byte). */
function setBytes(out: Sample, bytes: Uint8Array): true {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i] as number);
  return out.setBin(s);
}

/** Server-side fetches find nothing before the server connection exists (request rules), as in HAProxy. */
function body(scope: FetchBody['scope'], type: FetchBody['type'], sample: FetchBody['sample'], source: string): FetchBody {
  return { scope, type, source, sample };
}

function fixed(b: FetchBody): MiscFetch {
  return { args: NONE, compile: () => b };
}

const SERVER_SIDE = 'server-side connection';

const SOURCE: Readonly<Record<Which, string>> = {
  client: 'client-side connection',
  frontend: 'client-side connection',
  server: SERVER_SIDE,
};

/** A fetch reading one certificate's facts. */
function certificateFetch(which: Which, type: FetchBody['type'], read: (facts: X509Facts, out: Sample) => boolean): MiscFetch {
  return fixed(
    body('connection', type, (ctx, out) => {
      const der = derOf(tlsOf(ctx, which), which);
      if (der === undefined) return false;
      const facts = factsOf(der);
      return facts === undefined ? false : read(facts, out);
    }, SOURCE[which]),
  );
}

/** `ssl_*_der`, `ssl_*_sha1`: the bytes themselves, or their digest. */
function derFetch(which: Which, digest: boolean): MiscFetch {
  return fixed(
    body('connection', 'bin', (ctx, out) => {
      const der = derOf(tlsOf(ctx, which), which);
      if (der === undefined) return false;
      if (!digest) return setBytes(out, der);
      const runtime = ctx.runtime;
      return runtime === undefined ? false : setBytes(out, runtime.digest('sha1', der));
    }, SOURCE[which]),
  );
}

/**
 * `ssl_*_s_dn([entry[,occ[,format]]])` / `ssl_*_i_dn(...)`: the whole DN ("/C=FR/CN=x"), or in
 * LDAP form with the format `rfc2253`, or one entry (`ssl_c_s_dn(CN)`).
 */
function dnFetch(which: Which, part: 'subject' | 'issuer'): MiscFetch {
  return {
    args: { min: 0, types: ['str', 'sint', 'str'] },
    compile(args: Args): FetchBody | string {
      const entry = args[0]?.type === 'str' ? args[0].value : undefined;
      const occ = args[1]?.type === 'sint' ? args[1].value : 1;
      const format = args[2]?.type === 'str' ? args[2].value : undefined;
      if (format !== undefined && format !== 'rfc2253') return `invalid format '${format}' (only 'rfc2253' is supported)`;
      if (entry === undefined && args[1] !== undefined) return 'invalid occurrence without an entry name';
      return body('connection', 'str', (ctx, out) => {
        const der = derOf(tlsOf(ctx, which), which);
        const facts = der === undefined ? undefined : factsOf(der);
        if (facts === undefined) return false;
        const dn: readonly X509NameEntry[] = facts[part];
        if (entry !== undefined && entry !== '') {
          const value = dnEntry(dn, entry, occ === 0 ? 1 : occ);
          return value === undefined ? false : out.setStr(value);
        }
        return out.setStr(format === 'rfc2253' ? formatDnLdap(dn) : formatDnOneline(dn));
      }, SOURCE[which]);
    },
  };
}

/**
 * `ssl_c_chain_der` / `ssl_s_chain_der`: the DER certificates the peer sent, one after the
 * other (OpenSSL's SSL_get_peer_cert_chain, which holds the peer's own certificate on a client
 * and leaves it out on a server); no sample when that is empty.
 */
function chainFetch(which: 'client' | 'server'): MiscFetch {
  return fixed(
    body('connection', 'bin', (ctx, out) => {
      const chain = tlsOf(ctx, which)?.peerCertificateChain;
      if (chain === undefined) return false;
      const first = which === 'client' ? 1 : 0;
      if (chain.length <= first) return false;
      let length = 0;
      for (let i = first; i < chain.length; i++) length += (chain[i] as Uint8Array).length;
      const bytes = new Uint8Array(length);
      let at = 0;
      for (let i = first; i < chain.length; i++) {
        const der = chain[i] as Uint8Array;
        bytes.set(der, at);
        at += der.length;
      }
      return setBytes(out, bytes);
    }, SOURCE[which]),
  );
}

/**
 * A validity time as HAProxy's ssl_sock_get_time returns it: a UTCTime as written (none from
 * 2050, whose first digit is 5 or more), a GeneralizedTime without its century, which must be
 * "20" (DER writes years from 2050 that way: "20500421185942Z" -> "500421185942Z").
 */
function setAsn1Time(out: Sample, time: string): boolean {
  // DER: UTCTime is YYMMDDhhmmssZ (13 characters), GeneralizedTime YYYYMMDDhhmmss[.f]Z.
  if (time.length >= 15) return time.startsWith('20') ? out.setStr(time.slice(2)) : false;
  if (time.length < 10 || time.charCodeAt(0) >= 0x35) return false;
  return out.setStr(time);
}

function certificateFetches(prefix: string, which: Which): Array<[string, MiscFetch]> {
  return [
    [`${prefix}_der`, derFetch(which, false)],
    [`${prefix}_sha1`, derFetch(which, true)],
    [`${prefix}_s_dn`, dnFetch(which, 'subject')],
    [`${prefix}_i_dn`, dnFetch(which, 'issuer')],
    [`${prefix}_serial`, certificateFetch(which, 'bin', (f, out) => setBytes(out, f.serial))],
    [`${prefix}_notbefore`, certificateFetch(which, 'str', (f, out) => setAsn1Time(out, f.notBefore))],
    [`${prefix}_notafter`, certificateFetch(which, 'str', (f, out) => setAsn1Time(out, f.notAfter))],
    [`${prefix}_sig_alg`, certificateFetch(which, 'str', (f, out) => out.setStr(f.signatureAlgorithm))],
    [`${prefix}_key_alg`, certificateFetch(which, 'str', (f, out) => out.setStr(f.keyAlgorithm))],
    [`${prefix}_version`, certificateFetch(which, 'int', (f, out) => out.setInt(f.version))],
  ];
}

/** The verify error of the client certificate, as `ssl_c_err` (leaf) / `ssl_c_ca_err` (chain) split it. */
function verifyError(ctx: SampleContext, caLevel: boolean): number {
  const error = ctx.clientTls?.peerVerifyError;
  if (error === undefined || isCaLevelError(error) !== caLevel) return 0;
  return x509ErrorId(error);
}

/** `ssl_c_verify`: SSL_get_verify_result, the last error of a verification that went on past the first. */
function verifyResultOf(tls: TlsInfo, out: Sample): boolean {
  const error = tls.peerVerifyResult ?? tls.peerVerifyError;
  return out.setInt(error === undefined ? 0 : x509ErrorId(error));
}

function connectionFlag(which: 'client' | 'server', read: (tls: TlsInfo, out: Sample, ctx: SampleContext) => boolean, type: FetchBody['type']): MiscFetch {
  return fixed(
    body('connection', type, (ctx, out) => {
      const tls = which === 'server' ? ctx.serverTls : ctx.clientTls;
      return tls === undefined ? false : read(tls, out, ctx);
    }, SOURCE[which]),
  );
}

/**
 * `fc_err` / `fc_err_str` / `ssl_fc_err` / `ssl_fc_err_str`: HAProxy's connection error code
 * (conn_err_code_str's text, "Success" for none) and the TLS library's error. A connection
 * that failed its handshake reaches only the log line HAProxy writes for it (the record then
 * carries the error); one that reached the rules has none.
 */
const FC_ERR = fixed(body('connection', 'int', (ctx, out) => out.setInt(ctx.connection?.error?.code ?? 0), 'L4 client session'));
const FC_ERR_STR = fixed(
  body('connection', 'str', (ctx, out) => {
    const text = connectionErrorText(ctx.connection?.error?.code ?? 0);
    return text === undefined ? false : out.setStr(text);
  }, 'L4 client session'),
);
const SSL_FC_ERR = connectionFlag('client', (_tls, out, ctx) => out.setInt(ctx.connection?.error?.tls?.code ?? 0), 'int');
const SSL_FC_ERR_STR = connectionFlag('client', (_tls, out, ctx) => {
  const tls = ctx.connection?.error?.tls;
  return tls === undefined || tls.code === 0 ? false : out.setStr(tls.text);
}, 'str');

/**
 * `bc_err` / `bc_err_str` / `ssl_bc_err` / `ssl_bc_err_str`: the same of the transaction's
 * server connection, once one was attempted (none before, as in HAProxy); the `ssl_` ones on
 * `ssl` servers only.
 */
const BC_ERR = fixed(body('connection', 'int', (ctx, out) => (ctx.serverConnection === undefined ? false : out.setInt(ctx.serverConnection.code)), 'L4 server session'));
const BC_ERR_STR = fixed(
  body('connection', 'str', (ctx, out) => {
    const text = ctx.serverConnection === undefined ? undefined : connectionErrorText(ctx.serverConnection.code);
    return text === undefined ? false : out.setStr(text);
  }, 'L4 server session'),
);
const SSL_BC_ERR = fixed(
  body('connection', 'int', (ctx, out) => {
    const status = ctx.serverConnection;
    return status === undefined || !status.ssl ? false : out.setInt(status.tls?.code ?? 0);
  }, SERVER_SIDE),
);
const SSL_BC_ERR_STR = fixed(
  body('connection', 'str', (ctx, out) => {
    const tls = ctx.serverConnection?.ssl === true ? ctx.serverConnection.tls : undefined;
    return tls === undefined || tls.code === 0 ? false : out.setStr(tls.text);
  }, SERVER_SIDE),
);

export const TLS_FETCHES: ReadonlyMap<string, MiscFetch> = new Map<string, MiscFetch>([
  ['fc_err', FC_ERR],
  ['fc_err_str', FC_ERR_STR],
  ['ssl_fc_err', SSL_FC_ERR],
  ['ssl_fc_err_str', SSL_FC_ERR_STR],
  ['bc_err', BC_ERR],
  ['bc_err_str', BC_ERR_STR],
  ['ssl_bc_err', SSL_BC_ERR],
  ['ssl_bc_err_str', SSL_BC_ERR_STR],
  ['ssl_fc_cipher', connectionFlag('client', (tls, out) => (tls.cipher === undefined ? false : out.setStr(tls.cipher)), 'str')],
  ['ssl_fc_is_resumed', connectionFlag('client', (tls, out) => out.setBool(tls.sessionReused === true), 'bool')],
  ['ssl_fc_has_crt', connectionFlag('client', (tls, out) => out.setBool(tls.peerCertificate !== undefined), 'bool')],
  ['ssl_fc_has_sni', connectionFlag('client', (tls, out) => out.setBool(tls.sni !== undefined), 'bool')],
  ['ssl_c_used', connectionFlag('client', (tls, out) => out.setBool(tls.peerCertificate !== undefined), 'bool')],
  // HAProxy's SSL_get_verify_result: X509_V_OK (0) without a certificate too.
  ['ssl_c_verify', connectionFlag('client', (tls, out) => verifyResultOf(tls, out), 'int')],
  ['ssl_c_err', fixed(body('connection', 'int', (ctx, out) => (ctx.clientTls === undefined ? false : out.setInt(verifyError(ctx, false))), SOURCE.client))],
  ['ssl_c_ca_err', fixed(body('connection', 'int', (ctx, out) => (ctx.clientTls === undefined ? false : out.setInt(verifyError(ctx, true))), SOURCE.client))],
  ...certificateFetches('ssl_c', 'client'),
  ['ssl_c_chain_der', chainFetch('client')],
  ...certificateFetches('ssl_f', 'frontend'),
  ['ssl_bc', fixed(body('connection', 'bool', (ctx, out) => out.setBool(ctx.serverTls !== undefined), SOURCE.server))],
  ['ssl_bc_protocol', connectionFlag('server', (tls, out) => (tls.protocol === undefined ? false : out.setStr(tls.protocol)), 'str')],
  ['ssl_bc_cipher', connectionFlag('server', (tls, out) => (tls.cipher === undefined ? false : out.setStr(tls.cipher)), 'str')],
  ['ssl_bc_is_resumed', connectionFlag('server', (tls, out) => out.setBool(tls.sessionReused === true), 'bool')],
  ['ssl_bc_alpn', connectionFlag('server', (tls, out) => (tls.alpn === undefined ? false : out.setStr(tls.alpn)), 'str')],
  ...certificateFetches('ssl_s', 'server'),
  ['ssl_s_chain_der', chainFetch('server')],
]);
