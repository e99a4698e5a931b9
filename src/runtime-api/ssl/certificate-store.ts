/**
 * The certificates of a configuration generation as the runtime API sees them (HAProxy's
 * ckch_store tree, ssl_ckch.c): one entry per certificate file (bind `crt`, `crt-list` lines,
 * server `crt`, and the empty ones `new ssl cert` adds), what uses each (its instances: the
 * TLS binds and the servers), and the one `set ssl cert` transaction at a time. Committing
 * hands the new certificate to every listener serving it (Listener.setCertificates: later
 * handshakes get it, without a reload) and to every server presenting it.
 */
import type { CertificateFile, ServerSsl } from '../../config/model.ts';
import type { Backend } from '../../proxy/backend.ts';
import type { Frontend } from '../../proxy/frontend.ts';
import type { Server } from '../../proxy/server.ts';
import type { TlsCertificate } from '../../runtime.ts';

/** What a certificate file holds: the certificate then its chain (PEM), and its private key. */
export interface CertificateData {
  /** Undefined for an empty entry (`new ssl cert`, HAProxy's Status: Empty). */
  readonly certPem: string | undefined;
  readonly keyPem: string | undefined;
}

/** One TLS bind: its certificates in order (a path may be there several times, with different SNI filters). */
interface BindInstance {
  readonly frontend: Frontend;
  /** The bind's position in its frontend: its listener is frontend.listeners[index]. */
  readonly index: number;
  readonly entries: readonly CertificateFile[];
}

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
  readonly #servers: Server[] = [];
  #transaction: CertificateTransaction | undefined;

  constructor(frontends: readonly Frontend[], backends: Iterable<Backend>) {
    for (const frontend of frontends) {
      for (const [index, bind] of frontend.model.binds.entries()) {
        const certificates = bind.ssl?.certificates;
        if (certificates === undefined || certificates.length === 0) continue;
        this.#binds.push({ frontend, index, entries: certificates });
        for (const cert of certificates) this.#add(cert.path, cert);
      }
    }
    for (const backend of backends) {
      for (const server of backend.servers) {
        const cert = server.ssl?.certificate;
        if (cert?.path === undefined) continue;
        this.#servers.push(server);
        this.#add(cert.path, cert);
      }
    }
  }

  #add(path: string, data: CertificateData): void {
    if (!this.#entries.has(path)) this.#entries.set(path, { certPem: data.certPem, keyPem: data.keyPem });
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
      const listener = bind.frontend.listeners[bind.index];
      if (listener !== undefined && listener.setCertificates === undefined) {
        return { ok: false, message: `this runtime's TLS listeners cannot change their certificates ('${bind.frontend.name}').\n` };
      }
    }
    let instances = 0;
    const replaced = new Map(this.#entries).set(path, data);
    const done: BindInstance[] = [];
    for (const bind of binds) {
      const listener = bind.frontend.listeners[bind.index];
      try {
        listener?.setCertificates?.(bind.entries.map((e) => tlsCertificate(e, replaced)));
      } catch (error) {
        // The listeners already changed get their certificates back: all or nothing.
        for (const undo of done) undo.frontend.listeners[undo.index]?.setCertificates?.(undo.entries.map((e) => tlsCertificate(e, this.#entries)));
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
}

function tlsCertificate(entry: CertificateFile, entries: ReadonlyMap<string, CertificateData>): TlsCertificate {
  const data = entries.get(entry.path);
  return {
    certPem: data?.certPem ?? entry.certPem,
    keyPem: data?.keyPem ?? entry.keyPem,
    source: entry.path,
    ...(entry.serverNames !== undefined ? { serverNames: entry.serverNames } : {}),
  };
}

/** A new ServerSsl object: the per-server caches (server-tls.ts) are keyed by it, so they follow. */
function withCertificate(ssl: ServerSsl, certificate: NonNullable<ServerSsl['certificate']>): ServerSsl {
  return { ...ssl, certificate };
}
