/**
 * `show ssl cert [<certfile>]` (HAProxy's ssl_ckch.c): the certificate files loaded (bind `crt`
 * and `crt-list` entries, server `crt`), sorted by path as HAProxy's ckch tree, or the details
 * of one, read from the certificate itself (util/x509.ts). Certificates are not replaced at run
 * time here (`set ssl cert` / `commit ssl cert` are not implemented), so there is never a
 * transaction to show.
 */
import type { ConfigModel } from '../../config/model.ts';
import { formatAsn1Time, formatDnOneline, pemToDers, readX509 } from '../../util/x509.ts';
import { usage, type CliCommand } from '../command.ts';
import { dump, error } from '../output.ts';

/** Every certificate file of the configuration: path -> PEM (the first of a path wins). */
function certificateFiles(config: ConfigModel): Map<string, string> {
  const files = new Map<string, string>();
  for (const frontend of config.frontends) {
    for (const bind of frontend.binds) {
      for (const cert of bind.ssl?.certificates ?? []) if (!files.has(cert.path)) files.set(cert.path, cert.certPem);
    }
  }
  for (const backend of config.backends) {
    for (const server of backend.servers) {
      const cert = server.ssl?.certificate;
      if (cert?.path !== undefined && !files.has(cert.path)) files.set(cert.path, cert.certPem);
    }
  }
  return files;
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).toUpperCase().padStart(2, '0');
  return out;
}

/** show_cert_detail: the lines HAProxy prints for a certificate and the chain after it in its file. */
function details(path: string, pem: string, sha1: (der: Uint8Array) => Uint8Array): string | undefined {
  const [leaf, ...chain] = pemToDers(pem);
  const facts = leaf === undefined ? undefined : readX509(leaf);
  if (leaf === undefined || facts === undefined) return undefined;
  let out = `Filename: ${path}\nStatus: Used\n`;
  out += `Serial: ${hex(facts.serial)}\n`;
  out += `notBefore: ${formatAsn1Time(facts.notBefore)}\n`;
  out += `notAfter: ${formatAsn1Time(facts.notAfter)}\n`;
  out += `Subject Alternative Name: ${facts.subjectAltNames.map((n) => n ?? '').join(', ')}\n`;
  if (facts.keyDescription === undefined) return out;
  out += `Algorithm: ${facts.keyDescription}\n`;
  out += `SHA1 FingerPrint: ${hex(sha1(leaf))}\n`;
  out += `Subject: ${formatDnOneline(facts.subject)}\n`;
  out += `Issuer: ${formatDnOneline(facts.issuer)}\n`;
  for (const der of chain) {
    const ca = readX509(der);
    if (ca === undefined) continue;
    out += `Chain Subject: ${formatDnOneline(ca.subject)}\nChain Issuer: ${formatDnOneline(ca.issuer)}\n`;
  }
  // HAProxy's OCSP CERTID of the certificate; empty without its issuer at hand, and no OCSP
  // stapling is done here, so it is always empty.
  out += 'OCSP Response Key: \n';
  return out;
}

export const sslCertCommands: readonly CliCommand[] = [
  {
    words: ['show', 'ssl', 'cert'],
    usage: usage('show ssl cert [<certfile>]', 'display the SSL certificates used in memory, or the details of a file'),
    level: 'user',
    run: (args, ctx) => {
      // HAProxy answers a `user` level this way (cli_has_level's message is overwritten).
      if (ctx.session.level === 'user') return error("Can't allocate memory!\n");
      const files = certificateFiles(ctx.target.config);
      const name = args[3];
      if (name === undefined || name === '') {
        const paths = [...files.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        return dump(`# filename\n${paths.map((p) => `${p}\n`).join('')}`);
      }
      const pem = files.get(name);
      const text = pem === undefined ? undefined : details(name, pem, (der) => ctx.target.runtime.digest('sha1', der));
      if (text === undefined) return error("Can't display the certificate: Not found or the certificate is a bundle!\n");
      return dump(text);
    },
  },
];
