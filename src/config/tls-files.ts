/**
 * The files TLS options name beyond `crt` and `ca-file`, read once by the loader as HAProxy
 * reads them while parsing: `crl-file` (PEM CRLs), `crt-list` (certificates with SNI filters)
 * a server's `crt` (its client certificate) and `tls-ticket-keys` (tls-ticket-keys.ts). Failures are reported at the word that named
 * the file.
 *
 * A `crt-list` line is `CRTFILE [[options]] [[!]FILTER ...]`, `#` starts a comment. Relative
 * certificate paths are taken from `crt-base`, as HAProxy's crtlist_parse_file does. Options in
 * brackets (crt-list-line.ts) are kept with the line, the CA and CRL files they name read here.
 */

import { certificateLoadingOf, loadCertificatePath, type CertificateLoading, type ConfigFileReader } from './certificates.ts';
import type { CaFileReference, CertificateReference, ConfigDraft } from './draft.ts';
import type { DiagnosticList } from './errors.ts';
import type { CertificateFile, PemFile } from './model.ts';
import { parseCrtListLine, type CrtListSslConf } from './crt-list-line.ts';
import { resolveAgainstBase } from './keywords/args.ts';
import { resolveFrom } from './default-path.ts';
import { parseTlsTicketKeys, type TlsTicketKeys } from './tls-ticket-keys.ts';

export interface TlsFiles {
  readonly crls: ReadonlyMap<CaFileReference, string>;
  readonly crtLists: ReadonlyMap<CertificateReference, CertificateFile[]>;
  readonly serverCertificates: ReadonlyMap<CertificateReference, CertificateFile>;
  /** `ca-sign-file`: the CA certificate (and chain) and key `generate-certificates` signs with. */
  readonly caSignFiles: ReadonlyMap<CaFileReference, CertificateFile>;
  /** `ssl-dh-param-file`: its DH PARAMETERS block. */
  readonly dhParams?: string | undefined;
  /** `tls-ticket-keys`: the keys of each file, by path (HAProxy reads a file once for every bind naming it). */
  readonly ticketKeys: ReadonlyMap<string, TlsTicketKeys>;
}

/** `ssl-dh-param-file`: the file's first DH PARAMETERS block (HAProxy: ssl_sock_load_global_dh_param_from_file). */
async function loadDhParams(reference: CaFileReference, files: ConfigFileReader, diagnostics: DiagnosticList): Promise<string | undefined> {
  let text: string | undefined;
  try {
    text = await files.readTextFile(reference.path);
  } catch {
    text = undefined;
  }
  const block = text?.match(/-----BEGIN DH PARAMETERS-----[\s\S]*?-----END DH PARAMETERS-----/)?.[0];
  if (block === undefined) {
    diagnostics.error({ ...reference.place, keyword: 'ssl-dh-param-file', message: `'ssl-dh-param-file': could not load file '${reference.path}'` });
  }
  return block;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function loadCrl(reference: CaFileReference, files: ConfigFileReader, diagnostics: DiagnosticList): Promise<string | undefined> {
  let text: string;
  try {
    text = await files.readTextFile(reference.path);
  } catch (err) {
    diagnostics.error({ ...reference.place, keyword: 'crl-file', message: `'crl-file' : unable to load CRL file '${reference.path}': ${describe(err)}.` });
    return undefined;
  }
  const blocks = text.match(/-----BEGIN X509 CRL-----[\s\S]*?-----END X509 CRL-----/g);
  if (blocks === null) {
    diagnostics.error({ ...reference.place, keyword: 'crl-file', message: `'crl-file' : no CRL found in '${reference.path}' (expected PEM 'BEGIN X509 CRL' blocks).` });
    return undefined;
  }
  return blocks.join('\n');
}

/** Reads a CA or CRL file a crt-list line names; undefined when it cannot be read or holds none. */
async function loadSslConfFile(kind: 'ca-file' | 'crl-file', path: string, files: ConfigFileReader): Promise<PemFile | undefined> {
  let text: string;
  try {
    text = await files.readTextFile(path);
  } catch {
    return undefined;
  }
  const blocks = text.match(kind === 'ca-file' ? CERTIFICATE_BLOCK : CRL_BLOCK);
  return blocks === null ? undefined : { path, pem: blocks.join('\n') };
}

const CERTIFICATE_BLOCK = /-----BEGIN (?:TRUSTED )?CERTIFICATE-----[\s\S]*?-----END (?:TRUSTED )?CERTIFICATE-----/g;
const CRL_BLOCK = /-----BEGIN X509 CRL-----[\s\S]*?-----END X509 CRL-----/g;

/** The files of a line's options, read once per path; the first that cannot be read is the error. */
async function loadSslConfFiles(conf: CrtListSslConf, directory: string, files: ConfigFileReader, cache: Map<string, PemFile | undefined>): Promise<PemFile[] | string> {
  const named: ['ca-file' | 'ca-verify-file' | 'crl-file', string | undefined][] = [
    ['ca-file', conf.caFile],
    ['ca-verify-file', conf.caVerifyFile],
    ['crl-file', conf.crlFile],
  ];
  const out: PemFile[] = [];
  for (const [word, path] of named) {
    if (path === undefined) continue;
    if (!cache.has(path)) cache.set(path, await loadSslConfFile(word === 'crl-file' ? 'crl-file' : 'ca-file', resolveFrom(directory, path), files));
    const file = cache.get(path);
    if (file === undefined) return `'${word}' : unable to load ${path}`;
    if (!out.includes(file)) out.push(file);
  }
  return out;
}

async function loadCrtList(
  reference: CertificateReference,
  crtBase: string | undefined,
  caBase: string | undefined,
  files: ConfigFileReader,
  diagnostics: DiagnosticList,
  loading: CertificateLoading,
): Promise<CertificateFile[] | undefined> {
  let text: string;
  try {
    text = await files.readTextFile(reference.path);
  } catch (err) {
    diagnostics.error({ ...reference.place, keyword: 'bind', message: `'bind' : 'crt-list' : unable to open file '${reference.path}': ${describe(err)}.` });
    return undefined;
  }
  const loaded: CertificateFile[] = [];
  let failed = false;
  const lines = text.split('\n');
  const confFiles = new Map<string, PemFile | undefined>();
  for (const [index, line] of lines.entries()) {
    const where = `crt-list '${reference.path}' line ${index + 1}`;
    const entry = parseCrtListLine(line, `${reference.path}:${index + 1}`, { caBase, usable: () => true });
    if (entry.kind === 'empty') continue;
    if (entry.kind === 'error') {
      diagnostics.error({ ...reference.place, keyword: 'bind', message: `'bind' : ${where} : ${entry.message}.` });
      failed = true;
      continue;
    }
    let sslConfFiles: PemFile[] = [];
    if (entry.conf !== undefined) {
      const loadedFiles = await loadSslConfFiles(entry.conf, reference.directory ?? '', files, confFiles);
      if (typeof loadedFiles === 'string') {
        diagnostics.error({ ...reference.place, keyword: 'bind', message: `'bind' : ${where} : ${loadedFiles}.` });
        failed = true;
        continue;
      }
      sslConfFiles = loadedFiles;
    }
    const result = await loadCertificatePath(resolveFrom(reference.directory ?? '', resolveAgainstBase(entry.path, crtBase)), files, loading);
    if (!result.ok) {
      diagnostics.error({ ...reference.place, keyword: 'bind', message: `'bind' : ${where} : ${result.message}.` });
      failed = true;
      continue;
    }
    const crtList = { path: reference.path, line: index + 1 };
    const extra = {
      crtList,
      ...(entry.filters.length > 0 ? { serverNames: entry.filters } : {}),
      ...(entry.conf !== undefined ? { sslConf: entry.conf, sslConfFiles } : {}),
    };
    for (const file of result.files) loaded.push({ ...file, ...extra });
  }
  if (failed) return undefined;
  if (loaded.length === 0) {
    diagnostics.error({ ...reference.place, keyword: 'bind', message: `'bind' : 'crt-list' : no certificate in '${reference.path}'.` });
    return undefined;
  }
  return loaded;
}

/** `tls-ticket-keys FILE`: its keys, else HAProxy's message (bind_parse_tls_ticket_keys). */
async function loadTicketKeys(path: string, files: ConfigFileReader): Promise<TlsTicketKeys | string> {
  let text: string;
  try {
    text = await files.readTextFile(path);
  } catch {
    return 'unable to load ssl tickets keys file';
  }
  const parsed = parseTlsTicketKeys(text);
  return parsed.ok ? parsed.value : parsed.message;
}

/** A server's `crt`: never a bundle (ssl_sock_load_srv_cert only reads the file named). */
async function loadServerCertificate(reference: CertificateReference, files: ConfigFileReader, diagnostics: DiagnosticList, loading: CertificateLoading): Promise<CertificateFile | undefined> {
  const result = await loadCertificatePath(reference.path, files, { ...loading, extraFiles: { ...loading.extraFiles, bundle: false } });
  if (!result.ok) {
    diagnostics.error({ ...reference.place, keyword: 'crt', message: `'crt' : ${result.message}.` });
    return undefined;
  }
  return result.files[0];
}

/** Reads every file named by the TLS options of the draft's binds and servers. */
export async function loadTlsFiles(draft: ConfigDraft, files: ConfigFileReader, diagnostics: DiagnosticList): Promise<TlsFiles> {
  const crls = new Map<CaFileReference, string>();
  const crtLists = new Map<CertificateReference, CertificateFile[]>();
  const serverCertificates = new Map<CertificateReference, CertificateFile>();
  const caSignFiles = new Map<CaFileReference, CertificateFile>();
  const ticketKeys = new Map<string, TlsTicketKeys>();
  // Read once per path; a file that failed fails every bind naming it, as in HAProxy.
  const ticketKeyFiles = new Map<string, TlsTicketKeys | string>();
  const crtBase = draft.global.crtBase;
  const loading = certificateLoadingOf(draft.global.ssl);
  for (const proxy of draft.proxies) {
    for (const bind of proxy.binds) {
      const tls = bind.tls;
      if (tls === undefined) continue;
      if (tls.crlFile !== undefined && !crls.has(tls.crlFile)) {
        const crl = await loadCrl(tls.crlFile, files, diagnostics);
        if (crl !== undefined) crls.set(tls.crlFile, crl);
      }
      if (tls.caSignFile !== undefined && !caSignFiles.has(tls.caSignFile)) {
        const result = await loadCertificatePath(tls.caSignFile.path, files, loading);
        if (result.ok && result.files[0] !== undefined) caSignFiles.set(tls.caSignFile, result.files[0]);
        else diagnostics.error({ ...tls.caSignFile.place, keyword: 'bind', message: `'bind' : 'ca-sign-file' : Failed to read CA certificate file '${tls.caSignFile.path}': ${result.ok ? 'no certificate' : result.message}.` });
      }
      const keysFile = tls.ticketKeys;
      if (keysFile !== undefined) {
        let keys = ticketKeyFiles.get(keysFile.path);
        if (keys === undefined) {
          keys = await loadTicketKeys(keysFile.path, files);
          ticketKeyFiles.set(keysFile.path, keys);
        }
        if (typeof keys !== 'string') ticketKeys.set(keysFile.path, keys);
        else diagnostics.error({ ...keysFile.place, keyword: 'bind', message: `'bind ${bind.address}' : '${keysFile.path}' : ${keys}.` });
      }
      for (const list of tls.crtLists ?? []) {
        if (crtLists.has(list)) continue;
        const loaded = await loadCrtList(list, crtBase, draft.global.caBase, files, diagnostics, loading);
        if (loaded !== undefined) crtLists.set(list, loaded);
      }
    }
    for (const server of proxy.servers) {
      const crl = server.tls?.crlFile;
      if (crl !== undefined && !crls.has(crl)) {
        const text = await loadCrl(crl, files, diagnostics);
        if (text !== undefined) crls.set(crl, text);
      }
      const crt = server.tls?.crt;
      if (crt === undefined || serverCertificates.has(crt)) continue;
      const loaded = await loadServerCertificate(crt, files, diagnostics, loading);
      if (loaded !== undefined) serverCertificates.set(crt, loaded);
    }
  }
  const dhFile = draft.global.ssl?.dhParamFile;
  const dhParams = dhFile === undefined ? undefined : await loadDhParams(dhFile, files, diagnostics);
  return { crls, crtLists, serverCertificates, caSignFiles, ticketKeys, ...(dhParams !== undefined ? { dhParams } : {}) };
}
