/**
 * The certificates of a configuration generation as the runtime API sees them (HAProxy's
 * ckch_store tree, ssl_ckch.c): one entry per certificate file (bind `crt`, `crt-list` lines,
 * server `crt`, and the empty ones `new ssl cert` adds), what uses each (its instances: the
 * TLS binds and the servers), and the one `set ssl cert` transaction at a time. Committing
 * hands the new certificate to every listener serving it (Listener.setCertificates: later
 * handshakes get it, without a reload) and to every server presenting it.
 */
import type { BindClientAuth, CertificateFile, PemFile, ServerSsl } from '../../config/model.ts';
import type { Backend } from '../../proxy/backend.ts';
import type { Frontend } from '../../proxy/frontend.ts';
import type { Server } from '../../proxy/server.ts';
import type { ClientAuthOptions, TlsCertificate } from '../../runtime.ts';
import { crtListTlsCertificate } from '../../proxy/crt-list-tls.ts';
import { ocspResponsesOf } from '../../proxy/ocsp-responses.ts';

/** What a certificate file holds: the certificate then its chain (PEM), and its private key. */
export interface CertificateData {
  /** Undefined for an empty entry (`new ssl cert`, HAProxy's Status: Empty). */
  readonly certPem: string | undefined;
  readonly keyPem: string | undefined;
  /** DH parameters the PEM carries (`set ssl cert` with a DH PARAMETERS block). */
  readonly dhPem?: string | undefined;
  /** The DER OCSP response (`FILE.ocsp`, or `set ssl cert FILE.ocsp`): loaded into the OCSP store at commit. */
  readonly ocspResponse?: Uint8Array | undefined;
}

/** One TLS bind: its certificates in order (a path may be there several times, with different SNI filters). */
interface BindInstance {
  readonly frontend: Frontend;
  /** The bind's position in its frontend: its listener in this thread is frontend.listenerOf(index). */
  readonly index: number;
  /** Changed by `add/del ssl crt-list`. */
  entries: readonly CertificateFile[];
  /** `strict-sni`: no default certificate (`del ssl crt-list` may remove the first entry). */
  readonly strictSni: boolean;
  /** Where the bind line is, for HAProxy's "used as default certificate" message. */
  readonly source: { readonly file: string; readonly line: number };
  /** The files its client certificates are verified against, as last committed; undefined without `verify`. */
  auth: ClientAuthFiles | undefined;
}

/** A bind's `ca-file`, `ca-verify-file` and `crl-file`, by path. */
interface ClientAuthFiles {
  readonly caFile: PemFile | undefined;
  readonly caVerifyFile: PemFile | undefined;
  readonly crlFile: PemFile | undefined;
  /** The PEM the bind was configured with when a part of it has no path (caPem, crlPem as given). */
  readonly model: BindClientAuth;
}

export type CaKind = 'ca-file' | 'crl-file';

/** The `set ssl cert` in progress (HAProxy's ckchs_transaction). */
export interface CertificateTransaction {
  readonly path: string;
  readonly data: CertificateData;
}

export type CommitResult = { readonly ok: true; readonly instances: number } | { readonly ok: false; readonly message: string };

function byPath(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class CertificateStore {
  readonly #entries = new Map<string, CertificateData>();
  readonly #binds: BindInstance[] = [];
  /** The servers presenting a certificate file (HAProxy's server ckch instances). */
  readonly #servers: Server[] = [];
  /** Every `server ... ssl`: their CA and CRL files are in HAProxy's tree, used or not. */
  readonly #tlsServers: Server[] = [];
  #transaction: CertificateTransaction | undefined;
  /** Every `crt-list` file: its lines (HAProxy's crtlist entries), in order. */
  readonly #crtLists = new Map<string, CertificateFile[]>();
  /** The binds loading each `crt-list`. */
  readonly #crtListUsers = new Map<string, BindInstance[]>();
  /** The last line number of each list: read from the file, then given by `add ssl crt-list`. */
  readonly #crtListLines = new Map<string, number>();

  constructor(frontends: readonly Frontend[], backends: Iterable<Backend>) {
    for (const frontend of frontends) {
      for (const [index, bind] of frontend.model.binds.entries()) {
        const certificates = bind.ssl?.certificates;
        if (certificates === undefined || certificates.length === 0) continue;
        const instance: BindInstance = {
          frontend,
          index,
          entries: certificates,
          strictSni: bind.ssl?.strictSni === true,
          source: bind.source,
          auth: authFilesOf(bind.ssl?.clientAuth),
        };
        this.#binds.push(instance);
        for (const cert of certificates) {
          this.#add(cert.path, cert);
          const list = cert.crtList;
          if (list === undefined) continue;
          const users = this.#crtListUsers.get(list.path) ?? [];
          if (!users.includes(instance)) users.push(instance);
          this.#crtListUsers.set(list.path, users);
          // The first bind naming the list gives its lines (every bind reads the same file).
          if (users[0] === instance) this.#crtLists.set(list.path, [...(this.#crtLists.get(list.path) ?? []), cert]);
        }
      }
    }
    for (const [path, entries] of this.#crtLists) this.#crtListLines.set(path, Math.max(0, ...entries.map((e) => e.crtList?.line ?? 0)));
    for (const backend of backends) for (const server of backend.servers) this.addServer(server);
  }

  /** A server of the configuration, or one `add server` made: its TLS files are in the trees, its `crt` in use. */
  addServer(server: Server): void {
    if (this.#tlsServers.includes(server) || this.#servers.includes(server)) return;
    if (server.ssl !== undefined) this.#tlsServers.push(server);
    const cert = server.ssl?.certificate;
    if (cert?.path === undefined) return;
    this.#servers.push(server);
    this.#add(cert.path, cert);
  }

  /** `del server`: the server no longer uses its files (HAProxy releases its ckch instance). */
  removeServer(server: Server): void {
    for (const list of [this.#servers, this.#tlsServers]) {
      const at = list.indexOf(server);
      if (at >= 0) list.splice(at, 1);
    }
  }

  #add(path: string, data: CertificateData): void {
    if (!this.#entries.has(path)) {
      this.#entries.set(path, {
        certPem: data.certPem,
        keyPem: data.keyPem,
        ...(data.dhPem !== undefined ? { dhPem: data.dhPem } : {}),
        ...(data.ocspResponse !== undefined ? { ocspResponse: data.ocspResponse } : {}),
      });
    }
  }

  /** Every path, sorted as HAProxy's tree. */
  paths(): string[] {
    return [...this.#entries.keys()].sort(byPath);
  }

  get(path: string): CertificateData | undefined {
    return this.#entries.get(path);
  }

  get transaction(): CertificateTransaction | undefined {
    return this.#transaction;
  }

  /** Whether a bind or a server uses the file (HAProxy's Used / Unused). */
  used(path: string): boolean {
    return this.#binds.some((b) => b.entries.some((e) => e.path === path)) || this.#servers.some((s) => s.ssl?.certificate?.path === path);
  }

  /** `new ssl cert`: an empty entry; false when the path is taken. */
  create(path: string): boolean {
    if (this.#entries.has(path)) return false;
    this.#entries.set(path, { certPem: undefined, keyPem: undefined });
    return true;
  }

  /** `del ssl cert`: removes an unused entry. */
  delete(path: string): 'deleted' | 'missing' | 'used' {
    if (!this.#entries.has(path)) return 'missing';
    if (this.used(path)) return 'used';
    this.#entries.delete(path);
    return 'deleted';
  }

  /** Starts or updates the transaction on `path` (the caller checked it is the transaction's). */
  stage(path: string, data: CertificateData): void {
    this.#transaction = { path, data };
  }

  abort(): void {
    this.#transaction = undefined;
  }

  /**
   * Applies the transaction: every listener serving the file gets the new certificate list of
   * its bind, every server presenting it the new certificate, then the entry is replaced and
   * the transaction ends. A listener that refuses (a runtime that cannot, a key that does not
   * fit) stops it and nothing stays changed: the listeners already given the new list get the
   * old one back.
   */
  commit(): CommitResult {
    const transaction = this.#transaction;
    if (transaction === undefined) return { ok: false, message: 'No ongoing transaction! !\n' };
    const { path, data } = transaction;
    const binds = this.#binds.filter((b) => b.entries.some((e) => e.path === path));
    for (const bind of binds) {
      const listener = bind.frontend.listenerOf(bind.index);
      if (listener !== undefined && listener.setCertificates === undefined) {
        return { ok: false, message: `this runtime's TLS listeners cannot change their certificates ('${bind.frontend.name}').\n` };
      }
    }
    let instances = 0;
    const replaced = new Map(this.#entries).set(path, data);
    const done: BindInstance[] = [];
    for (const bind of binds) {
      const listener = bind.frontend.listenerOf(bind.index);
      try {
        listener?.setCertificates?.(tlsCertificates(bind, bind.entries, replaced, bind.auth), clientAuthOf(bind.auth));
      } catch (error) {
        // The listeners already changed get their certificates back: all or nothing.
        for (const undo of done) undo.frontend.listenerOf(undo.index)?.setCertificates?.(tlsCertificates(undo, undo.entries, this.#entries, undo.auth), clientAuthOf(undo.auth));
        return { ok: false, message: `${error instanceof Error ? error.message : String(error)}\n` };
      }
      done.push(bind);
      // One instance per line of the bind's list naming the file, as HAProxy's ckch_inst.
      for (const entry of bind.entries) if (entry.path === path) instances++;
    }
    for (const server of this.#servers) {
      const ssl = server.ssl;
      if (ssl?.certificate?.path !== path || data.certPem === undefined || data.keyPem === undefined) continue;
      server.ssl = withCertificate(ssl, { certPem: data.certPem, keyPem: data.keyPem, path });
      instances++;
    }
    this.#entries.set(path, data);
    this.#transaction = undefined;
    return { ok: true, instances };
  }

  /** The `crt-list` files, sorted as HAProxy's tree. */
  crtListPaths(): string[] {
    return [...this.#crtLists.keys()].sort(byPath);
  }

  crtList(path: string): readonly CertificateFile[] | undefined {
    return this.#crtLists.get(path);
  }

  /** The bind lines a crt-list line is the default certificate of (first certificate, no strict-sni). */
  defaultOf(entry: CertificateFile): { readonly file: string; readonly line: number }[] {
    const list = entry.crtList;
    if (list === undefined) return [];
    const users = this.#crtListUsers.get(list.path) ?? [];
    return users.filter((b) => !b.strictSni && sameLine(b.entries[0], list)).map((b) => b.source);
  }

  /**
   * `add ssl crt-list`: the line is appended to the list and to every bind loading it, whose
   * listener gets its new certificate list. All or nothing, as commit().
   */
  addCrtListEntry(listPath: string, line: CertificateFile): CommitResult {
    const users = this.#crtListUsers.get(listPath) ?? [];
    const number = this.#nextLine(listPath);
    const entry: CertificateFile = { ...line, crtList: { path: listPath, line: number } };
    const result = this.#changeBinds(users, (entries) => [...entries, entry], () => {
      this.#crtLists.set(listPath, [...(this.#crtLists.get(listPath) ?? []), entry]);
    });
    // A failed add takes no number.
    if (result.ok) this.#crtListLines.set(listPath, number);
    return result;
  }

  /**
   * The number of the next line added to a list: after the last line of the file (HAProxy's
   * crtlist linecount; here its last certificate line, which differs only when comments or
   * blank lines end the file), then one more per line added.
   */
  #nextLine(path: string): number {
    return (this.#crtListLines.get(path) ?? 0) + 1;
  }

  /** `del ssl crt-list`: the line leaves the list and every bind loading it. */
  deleteCrtListEntry(listPath: string, entry: CertificateFile): CommitResult {
    const line = entry.crtList;
    const users = this.#crtListUsers.get(listPath) ?? [];
    const keep = (entries: readonly CertificateFile[]): CertificateFile[] => entries.filter((e) => !sameLine(e, line));
    return this.#changeBinds(users, keep, () => {
      this.#crtLists.set(listPath, keep(this.#crtLists.get(listPath) ?? []));
    });
  }

  #changeBinds(binds: readonly BindInstance[], change: (entries: readonly CertificateFile[]) => readonly CertificateFile[], done: () => void): CommitResult {
    for (const bind of binds) {
      const listener = bind.frontend.listenerOf(bind.index);
      if (listener !== undefined && listener.setCertificates === undefined) {
        return { ok: false, message: `this runtime's TLS listeners cannot change their certificates ('${bind.frontend.name}').\n` };
      }
    }
    const changed: { bind: BindInstance; before: readonly CertificateFile[] }[] = [];
    for (const bind of binds) {
      const before = bind.entries;
      const after = change(before);
      try {
        if (after.length > 0) bind.frontend.listenerOf(bind.index)?.setCertificates?.(tlsCertificates(bind, after, this.#entries, bind.auth), clientAuthOf(bind.auth));
      } catch (error) {
        for (const undo of changed) {
          undo.bind.entries = undo.before;
          undo.bind.frontend.listenerOf(undo.bind.index)?.setCertificates?.(tlsCertificates(undo.bind, undo.before, this.#entries, undo.bind.auth), clientAuthOf(undo.bind.auth));
        }
        return { ok: false, message: `${error instanceof Error ? error.message : String(error)}\n` };
      }
      bind.entries = after;
      changed.push({ bind, before });
    }
    done();
    return { ok: true, instances: binds.length };
  }

  /** The CA and CRL files the binds and servers use: path -> PEM (the first of a path wins). */
  caFiles(kind: CaKind): Map<string, string> {
    const files = new Map<string, string>();
    for (const bind of this.#binds) {
      const auth = bind.auth;
      // `ca-verify-file`s are CA files too (HAProxy's cafile tree holds both).
      for (const file of kind === 'ca-file' ? [auth?.caFile, auth?.caVerifyFile] : [auth?.crlFile]) {
        if (file !== undefined && !files.has(file.path)) files.set(file.path, file.pem);
      }
    }
    for (const bind of this.#binds) {
      for (const entry of bind.entries) {
        for (const file of entry.sslConfFiles ?? []) if (!files.has(file.path) && sslConfNames(entry, kind, file.path)) files.set(file.path, file.pem);
      }
    }
    for (const server of this.#tlsServers) {
      const ssl = server.ssl;
      const path = kind === 'ca-file' ? ssl?.caFile : ssl?.crlFile;
      const pem = kind === 'ca-file' ? ssl?.caPem : ssl?.crlPem;
      if (path !== undefined && pem !== undefined && !files.has(path)) files.set(path, pem);
    }
    return files;
  }

  /** Whether a bind or a server verifies with the file. */
  caFileUsed(kind: CaKind, path: string): boolean {
    return this.#caUsers(kind, path).binds.length > 0 || this.#caUsers(kind, path).servers.length > 0;
  }

  #caUsers(kind: CaKind, path: string): { binds: BindInstance[]; servers: Server[] } {
    const binds = this.#binds.filter(
      (b) => (kind === 'ca-file' ? b.auth?.caFile?.path === path || b.auth?.caVerifyFile?.path === path : b.auth?.crlFile?.path === path) || b.entries.some((e) => sslConfNames(e, kind, path)),
    );
    // HAProxy 2.6 links a server to its CA and CRL files through its certificate instance: a
    // server without `crt` neither uses them (`del` goes through) nor sees their commits.
    const servers = this.#servers.filter((s) => s.ssl?.certificate !== undefined && (kind === 'ca-file' ? s.ssl.caFile : s.ssl.crlFile) === path);
    return { binds, servers };
  }

  /**
   * `commit ssl ca-file` / `crl-file`: every bind verifying client certificates with the file
   * gets its listener rebuilt with the new PEM, every server verifying with it a new ServerSsl.
   * All or nothing, as commit().
   */
  replaceCaFile(kind: CaKind, path: string, pem: string): CommitResult {
    const { binds, servers } = this.#caUsers(kind, path);
    for (const bind of binds) {
      const listener = bind.frontend.listenerOf(bind.index);
      if (listener !== undefined && listener.setCertificates === undefined) {
        return { ok: false, message: `this runtime's TLS listeners cannot change their CA files ('${bind.frontend.name}').\n` };
      }
    }
    const file: PemFile = { path, pem };
    const done: { bind: BindInstance; before: ClientAuthFiles | undefined; entries: readonly CertificateFile[] }[] = [];
    for (const bind of binds) {
      const before = bind.auth;
      const usesFile = kind === 'ca-file' ? before?.caFile?.path === path || before?.caVerifyFile?.path === path : before?.crlFile?.path === path;
      const after = before === undefined || !usesFile ? before : withFile(before, kind, path, pem);
      // crt-list lines naming the file verify with its new content too.
      const entries = bind.entries.map((e) => withSslConfFile(e, file));
      try {
        bind.frontend.listenerOf(bind.index)?.setCertificates?.(tlsCertificates(bind, entries, this.#entries, after), clientAuthOf(after));
      } catch (error) {
        for (const undo of done) {
          undo.bind.auth = undo.before;
          undo.bind.entries = undo.entries;
          undo.bind.frontend.listenerOf(undo.bind.index)?.setCertificates?.(tlsCertificates(undo.bind, undo.entries, this.#entries, undo.before), clientAuthOf(undo.before));
        }
        return { ok: false, message: `${error instanceof Error ? error.message : String(error)}\n` };
      }
      done.push({ bind, before, entries: bind.entries });
      bind.auth = after;
      bind.entries = entries;
    }
    for (const [list, entries] of this.#crtLists) this.#crtLists.set(list, entries.map((e) => withSslConfFile(e, file)));
    for (const server of servers) {
      const ssl = server.ssl as ServerSsl;
      server.ssl = kind === 'ca-file' ? { ...ssl, caPem: pem } : { ...ssl, crlPem: pem };
    }
    return { ok: true, instances: binds.length + servers.length };
  }
}

function sameLine(entry: CertificateFile | undefined, line: CertificateFile['crtList']): boolean {
  return line !== undefined && entry?.crtList?.path === line.path && entry.crtList.line === line.line;
}

function authFilesOf(model: BindClientAuth | undefined): ClientAuthFiles | undefined {
  if (model === undefined) return undefined;
  const crlFile = model.crlFile !== undefined && model.crlPem !== undefined ? { path: model.crlFile, pem: model.crlPem } : undefined;
  return { caFile: model.caFile, caVerifyFile: model.caVerifyFile, crlFile, model };
}

function withFile(auth: ClientAuthFiles, kind: CaKind, path: string, pem: string): ClientAuthFiles {
  if (kind === 'crl-file') return { ...auth, crlFile: { path, pem } };
  return {
    ...auth,
    caFile: auth.caFile?.path === path ? { path, pem } : auth.caFile,
    caVerifyFile: auth.caVerifyFile?.path === path ? { path, pem } : auth.caVerifyFile,
  };
}

/** The CAs and CRLs of a bind as the listener takes them: its files' current PEM, in the configured order. */
function clientAuthOf(auth: ClientAuthFiles | undefined): ClientAuthOptions | undefined {
  if (auth === undefined) return undefined;
  const fromFiles = auth.caFile !== undefined || auth.caVerifyFile !== undefined;
  const cas = [auth.caFile?.pem, auth.caVerifyFile?.pem].filter((p) => p !== undefined);
  const caPem = fromFiles ? (cas.length > 0 ? cas.join('\n') : undefined) : auth.model.caPem;
  const crlPem = auth.crlFile?.pem ?? auth.model.crlPem;
  return { caPem, ...(crlPem !== undefined ? { crlPem } : {}) };
}

/** A bind's certificate list as its listener takes it (crt-list-tls.ts), from the store's current certificates. */
function tlsCertificates(
  bind: BindInstance,
  entries: readonly CertificateFile[],
  data: ReadonlyMap<string, CertificateData>,
  auth: ClientAuthFiles | undefined,
): TlsCertificate[] {
  const settings = bind.frontend.model.binds[bind.index]?.ssl?.tls;
  const verifyFiles = auth === undefined ? undefined : { caFilePem: auth.caFile?.pem, caVerifyFilePem: auth.caVerifyFile?.pem, crlPem: auth.crlFile?.pem ?? auth.model.crlPem };
  return entries.map((entry) => {
    const current = data.get(entry.path);
    const pem = {
      certPem: current?.certPem ?? entry.certPem,
      keyPem: current?.keyPem ?? entry.keyPem,
      dhPem: current !== undefined ? current.dhPem : entry.dhPem,
      ocspResponse: current !== undefined ? current.ocspResponse : entry.ocspResponse,
    };
    return crtListTlsCertificate(entry, pem, settings, verifyFiles, pem.ocspResponse !== undefined ? ocspResponsesOf(bind.frontend.runtime) : undefined);
  });
}

/** Whether a crt-list line's options name the file (`ca-file`/`ca-verify-file`, or `crl-file`). */
export function sslConfNames(entry: CertificateFile, kind: CaKind, path: string): boolean {
  const conf = entry.sslConf;
  if (conf === undefined) return false;
  return kind === 'ca-file' ? conf.caFile === path || conf.caVerifyFile === path : conf.crlFile === path;
}

/** The line with the file's new content, when its options name it. */
function withSslConfFile(entry: CertificateFile, file: PemFile): CertificateFile {
  const files = entry.sslConfFiles;
  if (files === undefined || !files.some((f) => f.path === file.path)) return entry;
  return { ...entry, sslConfFiles: files.map((f) => (f.path === file.path ? file : f)) };
}

/** A new ServerSsl object: the per-server caches (server-tls.ts) are keyed by it, so they follow. */
function withCertificate(ssl: ServerSsl, certificate: NonNullable<ServerSsl['certificate']>): ServerSsl {
  return { ...ssl, certificate };
}
