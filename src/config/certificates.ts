/**
 * Reads the PEM files named by `crt` on bind lines and by `ca-file` on server lines, as HAProxy
 * does. For `crt`:
 *
 * - a file must hold a certificate (plus its chain, if any) and a private key; when the key is
 *   not in it, HAProxy looks for `FILE.key` beside it (as `ssl-load-extra-files` allows);
 * - a directory loads every file in it, in lexical order, except `*.key`, `*.ocsp`, `*.issuer`
 *   and `*.sctl` (companions of the certificates, not certificates) and subdirectories.
 *
 * A `ca-file` must hold at least one certificate (the CAs trusted to sign the server's).
 *
 * Files are read through the runtime (never directly), so tests can use an in-memory fake.
 */

import type { CaFileReference, CertificateReference, GlobalSslDraft } from './draft.ts';
import type { DiagnosticList } from './errors.ts';
import type { CertificateFile } from './model.ts';
import type { Runtime } from '../runtime.ts';
import { checkOcspResponse, issuedBy, ocspCertIdOf, type OcspCertId } from '../util/ocsp-response.ts';
import { pemToDers } from '../util/x509.ts';

/** The part of Runtime the configuration loader needs. */
export type ConfigFileReader = Pick<Runtime, 'readTextFile' | 'readFile' | 'readDir' | 'isDirectory'>;

const COMPANION_EXTENSIONS = ['.key', '.ocsp', '.issuer', '.sctl'];

/**
 * `ssl-load-extra-files` (HAProxy's SSL_GF_* flags): which files a `crt` does not name are
 * looked for. `sctl` is accepted but changes nothing: no runtime staples SCTs, so `.sctl` files
 * are never read.
 */
export interface ExtraFiles {
  /** A `crt` path that is not there is a bundle: `PATH.dsa`, `PATH.ecdsa`, `PATH.rsa`. */
  readonly bundle: boolean;
  readonly sctl: boolean;
  /** `FILE.ocsp`: the response stapled with the certificate. */
  readonly ocsp: boolean;
  /** `FILE.issuer`: the issuer of an OCSP response when the chain does not hold it. */
  readonly issuer: boolean;
  /** `FILE.key`: the private key when the certificate file holds none. */
  readonly key: boolean;
}

/** HAProxy's default, `ssl-load-extra-files all`. */
export const ALL_EXTRA_FILES: ExtraFiles = { bundle: true, sctl: true, ocsp: true, issuer: true, key: true };

/** How a `crt` path's companions are found: `ssl-load-extra-files` and `ssl-load-extra-del-ext`. */
export interface CertificateLoading {
  readonly extraFiles: ExtraFiles;
  /** `ssl-load-extra-del-ext`: a `.crt` extension is replaced by the companion's, not followed by it. */
  readonly delExt: boolean;
}

export const DEFAULT_CERTIFICATE_LOADING: CertificateLoading = { extraFiles: ALL_EXTRA_FILES, delExt: false };

/** The loading the global section asks for. */
export function certificateLoadingOf(ssl: GlobalSslDraft | undefined): CertificateLoading {
  return { extraFiles: ssl?.extraFiles ?? ALL_EXTRA_FILES, delExt: ssl?.loadExtraDelExt === true };
}

interface PemBlocks {
  readonly certificates: string[];
  readonly keys: string[];
  readonly encryptedKey: boolean;
  /** The first `DH PARAMETERS` block (HAProxy's ssl_sock_get_dh_from_bio reads one). */
  readonly dh: string | undefined;
}

/** Splits PEM text into its certificate and private key blocks (other blocks are ignored). */
export function readPemBlocks(text: string): PemBlocks {
  const certificates: string[] = [];
  const keys: string[] = [];
  let encryptedKey = false;
  let dh: string | undefined;
  const pattern = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
  for (const match of text.matchAll(pattern)) {
    const label = match[1] as string;
    if (label === 'CERTIFICATE' || label === 'TRUSTED CERTIFICATE') certificates.push(match[0]);
    else if (label === 'ENCRYPTED PRIVATE KEY') encryptedKey = true;
    else if (label === 'DH PARAMETERS') dh ??= match[0];
    else if (label.endsWith('PRIVATE KEY')) {
      // Legacy OpenSSL encrypted keys carry a Proc-Type header inside the block.
      if (match[0].includes('Proc-Type: 4,ENCRYPTED')) encryptedKey = true;
      else keys.push(match[0]);
    }
  }
  return { certificates, keys, encryptedKey, dh };
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

type LoadResult = { readonly ok: true; readonly files: CertificateFile[]; readonly warnings?: readonly string[] } | { readonly ok: false; readonly message: string };

/**
 * What a certificate file's companions (`.key`, `.ocsp`, `.issuer`) are named after: the file's
 * path, or with `ssl-load-extra-del-ext` the path without a `.crt` extension (ssl_ckch.c only
 * removes `.crt`: `foo.crt` -> `foo.key`, but `foo.pem` -> `foo.pem.key`).
 */
function companionBase(path: string, delExt: boolean): string {
  return delExt && path.endsWith('.crt') && path.lastIndexOf('/') < path.length - 4 ? path.slice(0, -4) : path;
}

async function loadPemFile(path: string, files: ConfigFileReader, loading: CertificateLoading = DEFAULT_CERTIFICATE_LOADING): Promise<LoadResult> {
  let text: string;
  try {
    text = await files.readTextFile(path);
  } catch (err) {
    return { ok: false, message: `unable to load SSL certificate file '${path}': ${describe(err)}` };
  }
  const pem = readPemBlocks(text);
  if (pem.certificates.length === 0) {
    return { ok: false, message: `no certificate found in '${path}' (expected a PEM 'BEGIN CERTIFICATE' block)` };
  }
  if (pem.encryptedKey) {
    return { ok: false, message: `the private key in '${path}' is encrypted; passphrase-protected keys are not supported` };
  }
  if (pem.keys.length > 1) return { ok: false, message: `'${path}' holds more than one private key` };
  let key: string | undefined = pem.keys[0];
  const base = companionBase(path, loading.delExt);
  const extra = loading.extraFiles;
  // Without `key` in ssl-load-extra-files, no key file is looked for.
  if (key === undefined && !extra.key) return { ok: false, message: `no private key found in '${base}' (ssl-load-extra-files does not look for '${base}.key')` };
  if (key === undefined) {
    const keyPath = `${base}.key`;
    let keyText: string | undefined;
    try {
      keyText = await files.readTextFile(keyPath);
    } catch {
      keyText = undefined;
    }
    const keyPem = keyText === undefined ? undefined : readPemBlocks(keyText);
    if (keyPem?.encryptedKey === true) {
      return { ok: false, message: `the private key in '${keyPath}' is encrypted; passphrase-protected keys are not supported` };
    }
    key = keyPem?.keys[0];
    if (key === undefined) {
      return { ok: false, message: `no private key found in '${path}' nor in '${keyPath}'` };
    }
  }
  const ocspResponse = extra.ocsp ? await readOcspResponse(base, files) : undefined;
  const warnings: string[] = [];
  let ocspIssuerPem: string | undefined;
  if (ocspResponse !== undefined) {
    const issuer = await ocspIssuer(base, pem.certificates, files, extra.issuer);
    if (!issuer.ok) return issuer;
    ocspIssuerPem = issuer.pem;
    // ssl_sock_load_ocsp_response's checks: a response that fails them is ignored, with a warning.
    const check = checkOcspResponse(ocspResponse, issuer.certId, Date.now());
    if (!check.ok) warnings.push(`Loading: ${check.message}. Content will be ignored.`);
  }
  return {
    ok: true,
    warnings,
    files: [
      {
        path,
        certPem: pem.certificates.join('\n'),
        keyPem: key,
        ...(pem.dh !== undefined ? { dhPem: pem.dh } : {}),
        ...(ocspResponse !== undefined ? { ocspResponse } : {}),
        ...(ocspIssuerPem !== undefined ? { ocspIssuerPem } : {}),
      },
    ],
  };
}

type IssuerResult = { readonly ok: true; readonly pem: string | undefined; readonly certId: OcspCertId } | { readonly ok: false; readonly message: string };

/**
 * The issuer an OCSP response is checked against (ssl_ckch.c, ssl_sock_load_ocsp): the chain's
 * certificate that issued the leaf, else `FILE.issuer` (when `issuer` is among the extra files
 * looked for); HAProxy refuses a `.ocsp` without one.
 */
async function ocspIssuer(path: string, certificates: readonly string[], files: ConfigFileReader, issuerFile: boolean): Promise<IssuerResult> {
  const ders = pemToDers(certificates.join('\n'));
  const leaf = ders[0];
  const fromChain = leaf !== undefined ? ders.slice(1).find((c) => issuedBy(leaf, c)) : undefined;
  let issuer = fromChain;
  let pem: string | undefined;
  if (issuer === undefined && leaf !== undefined && issuerFile) {
    let text: string | undefined;
    try {
      text = await files.readTextFile(`${path}.issuer`);
    } catch {
      text = undefined;
    }
    if (text !== undefined) {
      const candidate = pemToDers(text)[0];
      // HAProxy's message, its stray quote included.
      if (candidate === undefined || !issuedBy(leaf, candidate)) return { ok: false, message: `'${path}.issuer' is not an issuer'` };
      issuer = candidate;
      pem = text;
    }
  }
  const certId = leaf !== undefined && issuer !== undefined ? ocspCertIdOf(leaf, issuer) : undefined;
  if (certId === undefined) return { ok: false, message: `'${path}.ocsp' is present and activates OCSP but it is impossible to compute the OCSP certificate ID (maybe the issuer could not be found)'` };
  return { ok: true, pem, certId };
}

/**
 * `FILE.ocsp` beside a certificate: its DER OCSP response, stapled to the handshakes that serve
 * the certificate (HAProxy 2.6 loads it unless `ssl-load-extra-files` leaves `ocsp` out). None when absent or empty.
 */
async function readOcspResponse(path: string, files: ConfigFileReader): Promise<Uint8Array | undefined> {
  try {
    const bytes = await files.readFile(`${path}.ocsp`);
    return bytes.length > 0 ? bytes : undefined;
  } catch {
    return undefined;
  }
}

function joinPath(directory: string, name: string): string {
  return directory.endsWith('/') ? `${directory}${name}` : `${directory}/${name}`;
}

/** How loadPemFile's message starts when the file cannot be read (HAProxy's failed stat()). */
const UNREADABLE = 'unable to load SSL certificate file ';

/** HAProxy's SSL_SOCK_KEYTYPE_NAMES, in its order. */
const BUNDLE_EXTENSIONS = ['dsa', 'ecdsa', 'rsa'] as const;

/**
 * A multi-certificate bundle (`crt cert.pem` for cert.pem.rsa, cert.pem.ecdsa, cert.pem.dsa),
 * as HAProxy 2.6's ssl_sock_load_cert reads a path it cannot stat with the default
 * `ssl-load-extra-files all`: each file found is its own certificate, under its own name.
 * Undefined when none is there; a file there that cannot be used is the error.
 */
async function loadBundle(path: string, files: ConfigFileReader, loading: CertificateLoading): Promise<LoadResult | undefined> {
  const loaded: CertificateFile[] = [];
  for (const ext of BUNDLE_EXTENSIONS) {
    const result = await loadPemFile(`${path}.${ext}`, files, loading);
    if (result.ok) loaded.push(...result.files);
    else if (!result.message.startsWith(UNREADABLE)) return result;
  }
  return loaded.length === 0 ? undefined : { ok: true, files: loaded };
}

async function loadReference(path: string, files: ConfigFileReader, loading: CertificateLoading = DEFAULT_CERTIFICATE_LOADING): Promise<LoadResult> {
  let isDirectory = false;
  try {
    isDirectory = await files.isDirectory(path);
  } catch {
    isDirectory = false;
  }
  if (!isDirectory) {
    const single = await loadPemFile(path, files, loading);
    if (single.ok || !single.message.startsWith(UNREADABLE) || !loading.extraFiles.bundle) return single;
    return (await loadBundle(path, files, loading)) ?? single;
  }

  let names: string[];
  try {
    names = await files.readDir(path);
  } catch (err) {
    return { ok: false, message: `unable to read certificate directory '${path}': ${describe(err)}` };
  }
  const candidates = names
    .filter((name) => !COMPANION_EXTENSIONS.some((ext) => name.endsWith(ext)))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const loaded: CertificateFile[] = [];
  const warnings: string[] = [];
  for (const name of candidates) {
    const full = joinPath(path, name);
    if (await files.isDirectory(full).catch(() => false)) continue;
    const result = await loadPemFile(full, files, loading);
    if (!result.ok) return result;
    loaded.push(...result.files);
    warnings.push(...(result.warnings ?? []));
  }
  if (loaded.length === 0) return { ok: false, message: `no certificate file found in directory '${path}'` };
  return { ok: true, files: loaded, warnings };
}

/**
 * Reads every reference (each path once), reporting failures at the `crt` word that named
 * them. References that failed are absent from the returned map.
 */
export async function loadCertificates(
  references: readonly CertificateReference[],
  files: ConfigFileReader,
  diagnostics: DiagnosticList,
  loading: CertificateLoading = DEFAULT_CERTIFICATE_LOADING,
): Promise<Map<CertificateReference, CertificateFile[]>> {
  const byPath = new Map<string, Promise<LoadResult>>();
  const results = await Promise.all(
    references.map((reference) => {
      let pending = byPath.get(reference.path);
      if (pending === undefined) {
        pending = loadReference(reference.path, files, loading);
        byPath.set(reference.path, pending);
      }
      return pending;
    }),
  );
  // Reported in reference (file) order, whatever order the reads finished in.
  const loaded = new Map<CertificateReference, CertificateFile[]>();
  references.forEach((reference, index) => {
    const result = results[index] as LoadResult;
    if (result.ok) {
      loaded.set(reference, result.files);
      for (const message of result.warnings ?? []) diagnostics.warning({ ...reference.place, keyword: 'bind', message });
    }
    else diagnostics.error({ ...reference.place, keyword: 'bind', message: `'bind' : ${result.message}.` });
  });
  return loaded;
}

type CaLoadResult = { readonly ok: true; readonly pem: string } | { readonly ok: false; readonly message: string };

async function loadCaFile(path: string, files: ConfigFileReader): Promise<CaLoadResult> {
  let text: string;
  try {
    text = await files.readTextFile(path);
  } catch (err) {
    return { ok: false, message: `unable to load CA file '${path}': ${describe(err)}` };
  }
  const pem = readPemBlocks(text);
  if (pem.certificates.length === 0) {
    return { ok: false, message: `no CA certificate found in '${path}' (expected PEM 'BEGIN CERTIFICATE' blocks)` };
  }
  return { ok: true, pem: pem.certificates.join('\n') };
}

/**
 * Reads every `ca-file` (each path once), reporting failures at the file name. References that
 * failed are absent from the returned map; the others map to their certificates as PEM text.
 */
export async function loadCaFiles(
  references: readonly CaFileReference[],
  files: ConfigFileReader,
  diagnostics: DiagnosticList,
): Promise<Map<CaFileReference, string>> {
  const byPath = new Map<string, Promise<CaLoadResult>>();
  const results = await Promise.all(
    references.map((reference) => {
      let pending = byPath.get(reference.path);
      if (pending === undefined) {
        pending = loadCaFile(reference.path, files);
        byPath.set(reference.path, pending);
      }
      return pending;
    }),
  );
  const loaded = new Map<CaFileReference, string>();
  references.forEach((reference, index) => {
    const result = results[index] as CaLoadResult;
    if (result.ok) loaded.set(reference, result.pem);
    else diagnostics.error({ ...reference.place, keyword: 'ca-file', message: `'ca-file' : ${result.message}.` });
  });
  return loaded;
}

/** Reads one `crt` path (a PEM file, or a directory of them) as the `crt` keyword does. */
export function loadCertificatePath(
  path: string,
  files: ConfigFileReader,
  loading: CertificateLoading = DEFAULT_CERTIFICATE_LOADING,
): Promise<{ readonly ok: true; readonly files: CertificateFile[] } | { readonly ok: false; readonly message: string }> {
  return loadReference(path, files, loading);
}
