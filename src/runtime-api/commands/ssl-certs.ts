/**
 * The certificate commands of HAProxy's ssl_ckch.c: `show ssl cert [<certfile>]` (the files of
 * the certificate store, sorted by path as HAProxy's ckch tree, the one in a transaction first;
 * or the details of one, read from the certificate itself, util/x509.ts), `set ssl cert` /
 * `commit ssl cert` / `abort ssl cert` (one transaction at a time, committed to the listeners
 * and servers using the file without a reload), `new ssl cert`, `del ssl cert`.
 */
import { pemToDers } from '../../util/x509.ts';
import { certificateDetail } from '../ssl/certificate-detail.ts';
import { usage, type CliCommand, type CommandContext } from '../command.ts';
import { dump, error, SEVERITY_NOTICE, type CliAnswer } from '../output.ts';
import type { CertificateData, CertificateStore } from '../ssl/certificate-store.ts';
import { ocspResponsesOf } from '../../proxy/ocsp-responses.ts';
import { readOcspResponse } from '../../util/ocsp-response.ts';
import { ocspResponseDetail } from './ssl-ocsp.ts';
import { certificateStoreOf } from '../ssl/stores.ts';
import { loadPayload, payloadTarget } from '../ssl/certificate-payload.ts';

function notice(text: string): CliAnswer {
  return { kind: 'message', severity: SEVERITY_NOTICE, text };
}

function storeOf(ctx: CommandContext): CertificateStore {
  return certificateStoreOf(ctx.target);
}

/**
 * ckch_store_build_certid: the hex CertID of the entry's OCSP response (its first single
 * response, valid or not), empty without one.
 */
function ocspKeyOf(response: Uint8Array | undefined): string {
  const id = response !== undefined ? readOcspResponse(response)?.basic?.responses[0]?.certId : undefined;
  let out = '';
  for (const b of id?.der ?? []) out += b.toString(16).padStart(2, '0');
  return out;
}

/** show_cert_detail's lines for a certificate file, then HAProxy's OCSP CERTID line. */
function details(name: string, status: string, data: CertificateData & { readonly certPem: string }, sha1: (der: Uint8Array) => Uint8Array): string | undefined {
  const [leaf, ...chain] = pemToDers(data.certPem);
  const lines = leaf === undefined ? undefined : certificateDetail(leaf, chain, sha1);
  if (lines === undefined) return undefined;
  return `Filename: ${name}\nStatus: ${status}\n${lines}OCSP Response Key: ${ocspKeyOf(data.ocspResponse)}\n`;
}

/**
 * `show ssl cert NAME.ocsp` (cli_io_handler_show_cert_ocsp_detail): a transaction's own
 * response as it is; otherwise the response the process staples for the entry's CertID
 * (nothing when there is none).
 */
function ocspDetail(data: CertificateData, staged: boolean, ctx: CommandContext): CliAnswer {
  if (staged && data.ocspResponse !== undefined) return dump(ocspResponseDetail(data.ocspResponse));
  const key = ocspKeyOf(data.ocspResponse);
  const entry = key !== '' ? ocspResponsesOf(ctx.target.runtime).get(key) : undefined;
  return dump(entry !== undefined ? ocspResponseDetail(entry.response) : '');
}

function showCert(args: readonly string[], ctx: CommandContext): CliAnswer {
  // HAProxy answers a `user` level this way (cli_has_level's message is overwritten).
  if (ctx.session.level === 'user') return error("Can't allocate memory!\n");
  const store = storeOf(ctx);
  let name = args[3];
  // `NAME.ocsp`: the details of the certificate's OCSP response.
  const ocsp = name?.endsWith('.ocsp') === true;
  if (ocsp) name = name?.slice(0, -'.ocsp'.length);
  if (name === undefined || name === '') {
    const transaction = store.transaction;
    const pending = transaction === undefined ? '' : `# transaction\n*${transaction.path}\n`;
    return dump(`${pending}# filename\n${store.paths().map((p) => `${p}\n`).join('')}`);
  }
  // `*name`: the certificate of the transaction on that file.
  const staged = name.startsWith('*') ? store.transaction : undefined;
  if (name.startsWith('*') && staged?.path !== name.slice(1)) return NOT_DISPLAYED;
  const path = staged?.path ?? name;
  const data = staged?.data ?? store.get(path);
  if (data === undefined) return NOT_DISPLAYED;
  const shown = staged !== undefined ? `*${path}` : path;
  if (ocsp) return ocspDetail(data, staged !== undefined, ctx);
  // An empty entry (`new ssl cert`): show_cert_detail has nothing to print but the OCSP key.
  if (data.certPem === undefined) return dump(`Filename: ${shown}\nStatus: Empty\nOCSP Response Key: \n`);
  const status = store.used(path) && staged === undefined ? 'Used' : 'Unused';
  const text = details(shown, status, { ...data, certPem: data.certPem }, (der) => ctx.target.runtime.digest('sha1', der));
  return text === undefined ? NOT_DISPLAYED : dump(text);
}

const NOT_DISPLAYED = error("Can't display the certificate: Not found or the certificate is a bundle!\n");

function setCert(args: readonly string[], ctx: CommandContext, payload: string | undefined): CliAnswer {
  const name = args[3] ?? '';
  if (name === '' || payload === undefined) return error("'set ssl cert expects a filename and a certificate as a payload\n");
  const store = storeOf(ctx);
  const target = payloadTarget(name);
  // With `ssl-load-extra-del-ext`, a name whose extension chose the loader may be `NAME.crt`.
  const delExt = ctx.target.config.global.sslLoadExtraDelExt === true && target.stripped;
  const transaction = store.transaction;
  let path: string | undefined;
  let prefix = '';
  if (transaction !== undefined) {
    if (transaction.path === target.path || (delExt && transaction.path === `${target.path}.crt`)) path = transaction.path;
    else if (delExt) prefix = `The ongoing transaction is about '${transaction.path}' but you are trying to set '${target.path}'\n`;
    // Without del-ext, HAProxy goes on with the transaction's file whatever the name.
    else path = transaction.path;
  } else if (store.get(target.path) !== undefined) path = target.path;
  else if (delExt && store.get(`${target.path}.crt`) !== undefined) path = `${target.path}.crt`;
  if (path === undefined) {
    const message = prefix !== '' ? prefix : "Can't replace a certificate which is not referenced by the configuration!\n";
    return error(`${message}Can't update ${name}!\n`);
  }
  const current = transaction?.data ?? store.get(path) ?? { certPem: undefined, keyPem: undefined };
  const loaded = loadPayload(target, payload, current);
  if (!loaded.ok) return error(`${loaded.message}Can't load the payload\nCan't update ${name}!\n`);
  store.stage(path, loaded.data);
  return notice(`Transaction ${transaction === undefined ? 'created' : 'updated'} for certificate ${path}!\n`);
}

function commitCert(args: readonly string[], ctx: CommandContext): CliAnswer {
  const name = args[3] ?? '';
  if (name === '') return error("'commit ssl cert expects a filename\n");
  const store = storeOf(ctx);
  const transaction = store.transaction;
  let problem: string | undefined;
  if (transaction === undefined) problem = 'No ongoing transaction! !\n';
  else if (transaction.path !== name) problem = `The ongoing transaction is about '${transaction.path}' but you are trying to set '${name}'\n`;
  else if (transaction.data.certPem !== undefined && transaction.data.keyPem === undefined) problem = 'The transaction must contain at least a certificate and a private key!\n';
  else if (transaction.data.certPem === undefined) problem = `inconsistencies between private key and certificate loaded '${transaction.path}'.\n`;
  if (problem !== undefined) return error(`${problem}Can't commit ${name}!\n`);
  const result = store.commit();
  // A listener refuses a key that does not fit its certificate (X509_check_private_key's case).
  if (!result.ok) return error(`${result.message}Can't commit ${name}!\n`);
  return dump(`Committing ${name}${'.'.repeat(result.instances)}\nSuccess!\n`);
}

function abortCert(args: readonly string[], ctx: CommandContext): CliAnswer {
  const name = args[3] ?? '';
  if (name === '') return error("'abort ssl cert' expects a filename\n");
  const store = storeOf(ctx);
  const transaction = store.transaction;
  if (transaction === undefined) return error('No ongoing transaction!\n');
  if (transaction.path !== name) return error(`The ongoing transaction is about '${transaction.path}' but you are trying to abort a transaction for '${name}'\n`);
  store.abort();
  return notice(`Transaction aborted for certificate '${name}'!\n`);
}

function newCert(args: readonly string[], ctx: CommandContext): CliAnswer {
  const name = args[3] ?? '';
  if (name === '') return error("'new ssl cert' expects a filename\n");
  if (!storeOf(ctx).create(name)) return error(`Certificate '${name}' already exists!\n`);
  return notice(`New empty certificate store '${name}'!\n`);
}

function delCert(args: readonly string[], ctx: CommandContext): CliAnswer {
  const name = args[3] ?? '';
  if (name === '') return error("'del ssl cert' expects a certificate name\n");
  const result = storeOf(ctx).delete(name);
  // HAProxy wraps the reason, which already ends in a line feed, in a message ending in another.
  if (result === 'missing') return error(`Can't remove the certificate: certificate '${name}' doesn't exist!\n\n`);
  if (result === 'used') return error(`Can't remove the certificate: certificate '${name}' in use, can't be deleted!\n\n`);
  return notice(`Certificate '${name}' deleted!\n`);
}

export const sslCertCommands: readonly CliCommand[] = [
  {
    words: ['new', 'ssl', 'cert'],
    usage: usage('new ssl cert <certfile>', 'create a new certificate file to be used in a crt-list or a directory'),
    level: 'admin',
    run: (args, ctx) => newCert(args, ctx),
  },
  {
    words: ['set', 'ssl', 'cert'],
    usage: usage('set ssl cert <certfile> <payload>', 'replace a certificate file'),
    level: 'admin',
    run: (args, ctx, payload) => setCert(args, ctx, payload),
  },
  {
    words: ['commit', 'ssl', 'cert'],
    usage: usage('commit ssl cert <certfile>', 'commit a certificate file'),
    level: 'admin',
    run: (args, ctx) => commitCert(args, ctx),
  },
  {
    words: ['abort', 'ssl', 'cert'],
    usage: usage('abort ssl cert <certfile>', 'abort a transaction for a certificate file'),
    level: 'admin',
    run: (args, ctx) => abortCert(args, ctx),
  },
  {
    words: ['del', 'ssl', 'cert'],
    usage: usage('del ssl cert <certfile>', 'delete an unused certificate file'),
    level: 'admin',
    run: (args, ctx) => delCert(args, ctx),
  },
  {
    words: ['show', 'ssl', 'cert'],
    usage: usage('show ssl cert [<certfile>]', 'display the SSL certificates used in memory, or the details of a file'),
    level: 'user',
    run: (args, ctx) => showCert(args, ctx),
  },
];
