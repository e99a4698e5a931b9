/**
 * The files a dynamic server's TLS options name (`ca-file`, `crl-file`, `crt`), taken from the
 * runtime API's stores, never from the disk: HAProxy 2.6 parses `add server` with
 * SRV_F_DYNAMIC, so srv_parse_ca_file / srv_parse_crl_file and ssl_sock_load_srv_cert look the
 * path up in the CA tree and the certificate tree only (create_if_none = 0). A file must thus be
 * loaded by the configuration or made with `new`/`set`/`commit ssl ...` first.
 */
import type { CaFileReference, CertificateReference, ConfigDraft } from '../config/draft.ts';
import type { CertificateFile } from '../config/model.ts';
import type { LoadedCaFiles } from '../config/resolve.ts';
import type { TlsFiles } from '../config/tls-files.ts';
import { caStoreOf, certificateStoreOf } from './ssl/stores.ts';
import type { RuntimeTarget } from './target.ts';

export interface StoreFiles {
  readonly caFiles: LoadedCaFiles;
  readonly tlsFiles: TlsFiles;
}

/** The contents of every file the parsed server line names, or HAProxy's message for the first one missing. */
export function storeFilesOf(target: RuntimeTarget, draft: ConfigDraft): StoreFiles | string {
  const cas = caStoreOf(target);
  const caFiles = new Map<CaFileReference, string>();
  for (const reference of draft.global.caFiles) {
    const pem = cas.get(reference.path)?.kind === 'ca-file' ? cas.get(reference.path)?.pem : undefined;
    if (pem === undefined) return `'ca-file' : unable to load ${reference.path}.\n`;
    caFiles.set(reference, pem);
  }
  const crls = new Map<CaFileReference, string>();
  const serverCertificates = new Map<CertificateReference, CertificateFile>();
  const certificates = certificateStoreOf(target);
  for (const proxy of draft.proxies) {
    for (const server of proxy.servers) {
      const crl = server.tls?.crlFile;
      if (crl !== undefined) {
        const pem = cas.get(crl.path)?.kind === 'crl-file' ? cas.get(crl.path)?.pem : undefined;
        if (pem === undefined) return `'crl-file' : unable to load ${crl.path}.\n`;
        crls.set(crl, pem);
      }
      const crt = server.tls?.crt;
      if (crt !== undefined) {
        const data = certificates.get(crt.path);
        if (data?.certPem === undefined || data.keyPem === undefined) return `unable to stat SSL certificate '${crt.path}'.\n`;
        serverCertificates.set(crt, { path: crt.path, certPem: data.certPem, keyPem: data.keyPem });
      }
    }
  }
  return { caFiles, tlsFiles: { crls, crtLists: new Map(), serverCertificates, caSignFiles: new Map(), ticketKeys: new Map() } };
}
