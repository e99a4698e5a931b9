/**
 * The crt-list commands of HAProxy's ssl_crtlist.c: `show ssl crt-list [-n] [<list>]`,
 * `add ssl crt-list <list> <certfile>` (or one line as a payload: the certificate and its SNI
 * filters) and `del ssl crt-list <list> <certfile[:line]>`, with HAProxy 2.6's messages. Adding
 * or deleting a line changes the certificates of every bind loading the list at once
 * (ssl/certificate-store.ts). A line's options in brackets (config/crt-list-line.ts) may name
 * CA and CRL files the CA store holds (`new ssl ca-file`, or read with the configuration).
 */
import type { CertificateFile, PemFile } from '../../config/model.ts';
import { formatCrtListSslConf, parseCrtListLine } from '../../config/crt-list-line.ts';
import { usage, type CliCommand, type CommandContext } from '../command.ts';
import { dump, error, SEVERITY_NOTICE, type CliAnswer } from '../output.ts';
import type { CertificateStore } from '../ssl/certificate-store.ts';
import { caStoreOf, certificateStoreOf } from '../ssl/stores.ts';

function notice(text: string): CliAnswer {
  return { kind: 'message', severity: SEVERITY_NOTICE, text };
}

function storeOf(ctx: CommandContext): CertificateStore {
  return certificateStoreOf(ctx.target);
}

/** HAProxy strips the trailing slashes of a list name (`list/` and `list` are the same). */
function listName(arg: string): string {
  let end = arg.length;
  while (end > 0 && arg[end - 1] === '/') end--;
  return arg.slice(0, end);
}

/** One line of `show ssl crt-list FILE`: the certificate, its line with -n, its filters. */
function entryLine(entry: CertificateFile, withLine: boolean): string {
  let out = entry.path;
  if (withLine) out += `:${entry.crtList?.line ?? 0}`;
  if (entry.sslConf !== undefined) out += formatCrtListSslConf(entry.sslConf);
  for (const filter of entry.serverNames ?? []) out += ` ${filter}`;
  return `${out}\n`;
}

/** The PEM of each CA and CRL file a line's options name, as the CA store holds it (empty while a `new` one is unfilled). */
function sslConfFilesOf(conf: NonNullable<CertificateFile['sslConf']>, pemOf: (path: string) => string | undefined): PemFile[] {
  const paths = [conf.caFile, conf.caVerifyFile, conf.crlFile].filter((p) => p !== undefined);
  return [...new Set(paths)].map((path) => ({ path, pem: pemOf(path) ?? '' }));
}

function showCrtList(args: readonly string[], ctx: CommandContext): CliAnswer {
  const numbered = args[3] === '-n';
  const file = numbered ? (args[4] ?? '') : (args[3] ?? '');
  if (numbered && file === '') return error("'show ssl crt-list -n' expects a filename or a directory\n");
  const store = storeOf(ctx);
  if (file === '') return dump(store.crtListPaths().map((p) => `${p}\n`).join(''));
  const name = listName(file);
  const entries = store.crtList(name);
  if (entries === undefined) return error("didn't find the specified filename\n");
  return dump(`# ${name}\n${entries.map((e) => entryLine(e, numbered)).join('')}`);
}

function addCrtList(args: readonly string[], ctx: CommandContext, payload: string | undefined): CliAnswer {
  const listArg = args[3] ?? '';
  if (listArg === '' || (payload === undefined && (args[4] ?? '') === '')) return error("'add ssl crtlist' expects a filename and a certificate name\n");
  const fail = (why: string): CliAnswer => error(`Can't edit the crt-list: ${why}\n`);
  const store = storeOf(ctx);
  const list = listName(listArg);
  const entries = store.crtList(list);
  if (entries === undefined) return fail(`crt-list '${list}' does not exist!`);
  let path: string | undefined;
  let filters: string[] = [];
  let sslConf: CertificateFile['sslConf'];
  const cas = caStoreOf(ctx.target);
  if (payload !== undefined) {
    if (payload.includes('\n')) return fail('only one line of payload is supported!');
    // HAProxy's from_cli: the CA and CRL files must already be in its store, none is read.
    // (`ca-base` is not kept past the configuration's loading: paths are taken as given.)
    const line = parseCrtListLine(payload, 'CLI:1', { usable: (_kind, p) => cas.get(p) !== undefined }, false);
    if (line.kind === 'error') return fail(line.message);
    if (line.kind === 'line') {
      path = line.path;
      filters = line.filters;
      sslConf = line.conf;
    }
  } else {
    path = args[4];
  }
  if (path === undefined) return fail("'add ssl crtlist' should contain the certificate name in the payload");
  const data = store.get(path);
  if (data === undefined) return fail(`certificate '${path}' does not exist!`);
  if (data.certPem === undefined || data.keyPem === undefined) return fail(`certificate '${path}' is empty!`);
  const entry: CertificateFile = {
    path,
    certPem: data.certPem,
    keyPem: data.keyPem,
    ...(filters.length > 0 ? { serverNames: filters } : {}),
    ...(sslConf !== undefined ? { sslConf, sslConfFiles: sslConfFilesOf(sslConf, (p) => cas.get(p)?.pem) } : {}),
  };
  const result = store.addCrtListEntry(list, entry);
  const head = `Inserting certificate '${path}' in crt-list '${list}'`;
  if (!result.ok) return dump(`${head}\n${result.message}Failed!\n`);
  return dump(`${head}${'.'.repeat(result.instances)}\nSuccess!\n`);
}

function delCrtList(args: readonly string[], ctx: CommandContext): CliAnswer {
  const listArg = args[3] ?? '';
  const certArg = args[4] ?? '';
  if (listArg === '' || certArg === '') return error("'del ssl crtlist' expects a filename and a certificate name\n");
  const fail = (why: string): CliAnswer => error(`Can't delete the entry: ${why}\n`);
  let path = certArg;
  let line = 0;
  const colon = certArg.indexOf(':');
  if (colon >= 0) {
    const digits = certArg.slice(colon + 1);
    if (!/^\s*[+-]?\d+$/.test(digits)) return fail(`wrong line number after colons in '${certArg}'!`);
    line = Number(digits);
    path = certArg.slice(0, colon);
  }
  const store = storeOf(ctx);
  const list = listName(listArg);
  const entries = store.crtList(list);
  if (entries === undefined) return fail(`crt-list '${list}' does not exist!`);
  const data = store.get(path);
  if (data === undefined) return fail(`certificate '${path}' does not exist!`);
  if (data.certPem === undefined) return fail(`certificate '${path}' is empty!`);
  const candidates = entries.filter((e) => e.path === path);
  if (candidates.length === 0) return fail(`certificate '${path}' can't be found in crt-list '${list}'!`);
  const lines = candidates.map((e) => e.crtList?.line ?? 0).join(', ');
  const entry = candidates.find((e) => line === 0 || e.crtList?.line === line);
  if (entry === undefined) {
    return fail(`found a certificate '${path}' but the line number is incorrect, please specify a correct line number preceded by colons (${lines})!`);
  }
  if (line === 0 && candidates.length > 1) {
    return fail(`found the certificate '${path}' in several entries, please specify a line number preceded by colons (${lines})!`);
  }
  const defaults = store.defaultOf(entry);
  if (defaults.length > 0) {
    let why = `certificate '${path}' cannot be deleted, it is used as default certificate by the following frontends:\n`;
    for (const bind of defaults) why += `\t- ${bind.file}:${bind.line}\n`;
    return fail(why);
  }
  const result = store.deleteCrtListEntry(list, entry);
  if (!result.ok) return fail(result.message);
  return notice(`Entry '${path}' deleted in crtlist '${list}'!\n`);
}

export const sslCrtListCommands: readonly CliCommand[] = [
  {
    words: ['add', 'ssl', 'crt-list'],
    usage: usage('add ssl crt-list <list> <cert> [opts]*', 'add to crt-list file <list> a line <cert> or a payload'),
    level: 'admin',
    run: (args, ctx, payload) => addCrtList(args, ctx, payload),
  },
  {
    words: ['del', 'ssl', 'crt-list'],
    usage: usage('del ssl crt-list <list> <cert[:line]>', 'delete a line <cert> from crt-list file <list>'),
    level: 'admin',
    run: (args, ctx) => delCrtList(args, ctx),
  },
  {
    words: ['show', 'ssl', 'crt-list'],
    usage: usage('show ssl crt-list [-n] [<list>]', 'show the list of crt-lists or the content of a crt-list file <list>'),
    level: 'admin',
    run: (args, ctx) => showCrtList(args, ctx),
  },
];
