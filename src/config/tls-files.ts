/**
 * The files TLS options name beyond `crt` and `ca-file`, read once by the loader as HAProxy
 * reads them while parsing: `crl-file` (PEM CRLs), `crt-list` (certificates with SNI filters)
 * and a server's `crt` (its client certificate). Failures are reported at the word that named
 * the file.
 *
 * A `crt-list` line is `CRTFILE [[options]] [[!]FILTER ...]`, `#` starts a comment. Relative
 * certificate paths are taken from `crt-base`, as HAProxy's crtlist_parse_file does. Options in
 * brackets are refused (not supported yet) at the line that carries them.
 */

import { loadCertificatePath, type ConfigFileReader } from './certificates.ts';
import type { CaFileReference, CertificateReference, ConfigDraft } from './draft.ts';
import type { DiagnosticList } from './errors.ts';
import type { CertificateFile } from './model.ts';
import { resolveAgainstBase } from './keywords/args.ts';

export interface TlsFiles {
  readonly crls: ReadonlyMap<CaFileReference, string>;
  readonly crtLists: ReadonlyMap<CertificateReference, CertificateFile[]>;
  readonly serverCertificates: ReadonlyMap<CertificateReference, CertificateFile>;
  /** `ssl-dh-param-file`: its DH PARAMETERS block. */
  readonly dhParams?: string | undefined;
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

/** One crt-list line: the certificate path and its SNI filters; undefined for blank and comment lines. */
export function parseCrtListLine(line: string): { readonly path: string; readonly filters: string[]; readonly options: boolean } | undefined {
  const hash = line.indexOf('#');
  const text = (hash < 0 ? line : line.slice(0, hash)).trim();
  if (text === '') return undefined;
  const words = text.split(/\s+/);
  const path = words[0] as string;
  const options = text.includes('[');
  return { path, filters: options ? [] : words.slice(1), options };
}

async function loadCrtList(
  reference: CertificateReference,
  crtBase: string | undefined,
  files: ConfigFileReader,
  diagnostics: DiagnosticList,
  delExt: boolean,
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
  for (const [index, line] of lines.entries()) {
    const entry = parseCrtListLine(line);
    if (entry === undefined) continue;
    const where = `crt-list '${reference.path}' line ${index + 1}`;
    if (entry.options) {
      diagnostics.error({ ...reference.place, keyword: 'bind', message: `'bind' : ${where} : per-certificate options in brackets are not supported by Switchyard yet.` });
      failed = true;
      continue;
    }
    const result = await loadCertificatePath(resolveAgainstBase(entry.path, crtBase), files, delExt);
    if (!result.ok) {
      diagnostics.error({ ...reference.place, keyword: 'bind', message: `'bind' : ${where} : ${result.message}.` });
      failed = true;
      continue;
    }
    const crtList = { path: reference.path, line: index + 1 };
    for (const file of result.files) loaded.push(entry.filters.length > 0 ? { ...file, serverNames: entry.filters, crtList } : { ...file, crtList });
  }
  if (failed) return undefined;
  if (loaded.length === 0) {
    diagnostics.error({ ...reference.place, keyword: 'bind', message: `'bind' : 'crt-list' : no certificate in '${reference.path}'.` });
    return undefined;
  }
  return loaded;
}

async function loadServerCertificate(reference: CertificateReference, files: ConfigFileReader, diagnostics: DiagnosticList, delExt: boolean): Promise<CertificateFile | undefined> {
  const result = await loadCertificatePath(reference.path, files, delExt);
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
  const crtBase = draft.global.crtBase;
  const delExt = draft.global.ssl?.loadExtraDelExt === true;
  for (const proxy of draft.proxies) {
    for (const bind of proxy.binds) {
      const tls = bind.tls;
      if (tls === undefined) continue;
      if (tls.crlFile !== undefined && !crls.has(tls.crlFile)) {
        const crl = await loadCrl(tls.crlFile, files, diagnostics);
        if (crl !== undefined) crls.set(tls.crlFile, crl);
      }
      for (const list of tls.crtLists ?? []) {
        if (crtLists.has(list)) continue;
        const loaded = await loadCrtList(list, crtBase, files, diagnostics, delExt);
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
      const loaded = await loadServerCertificate(crt, files, diagnostics, delExt);
      if (loaded !== undefined) serverCertificates.set(crt, loaded);
    }
  }
  const dhFile = draft.global.ssl?.dhParamFile;
  const dhParams = dhFile === undefined ? undefined : await loadDhParams(dhFile, files, diagnostics);
  return { crls, crtLists, serverCertificates, ...(dhParams !== undefined ? { dhParams } : {}) };
}
