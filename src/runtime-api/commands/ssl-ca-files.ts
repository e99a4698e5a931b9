/**
 * The CA and CRL file commands of HAProxy's ssl_ckch.c: `new`, `set`, `commit`, `abort`,
 * `del` and `show ssl ca-file` / `crl-file`, with HAProxy 2.6's messages (lower-case
 * "transaction created for CA", "Transaction aborted for certificate" included). A commit
 * rebuilds the listeners verifying client certificates with the file and the servers
 * verifying with it (ssl/certificate-store.ts), without a reload.
 */
import { formatCrlDetail, pemCrlsToDers, readCrl } from '../../util/x509-crl.ts';
import { usage, type CliCommand, type CommandContext } from '../command.ts';
import { dump, error, SEVERITY_NOTICE, type CliAnswer } from '../output.ts';
import { caCertificates, caPayload, type CaStore } from '../ssl/ca-store.ts';
import { certificateDetail } from '../ssl/certificate-detail.ts';
import type { CaKind } from '../ssl/certificate-store.ts';
import { caStoreOf } from '../ssl/stores.ts';

function notice(text: string): CliAnswer {
  return { kind: 'message', severity: SEVERITY_NOTICE, text };
}

/** What differs between the two kinds in HAProxy's messages. */
interface Words {
  /** "CA" / "CRL" in "New CA file created", "CA file '...' deleted!". */
  readonly upper: string;
  /** "CAs" / "CRLs" in the usage error of `set`. */
  readonly payload: string;
  /** The `del` usage error's noun. */
  readonly delNoun: string;
}

const WORDS: Readonly<Record<CaKind, Words>> = {
  'ca-file': { upper: 'CA', payload: 'CAs', delNoun: 'CA file name' },
  'crl-file': { upper: 'CRL', payload: 'CRLs', delNoun: 'CRL file name' },
};

function storeOf(ctx: CommandContext): CaStore {
  return caStoreOf(ctx.target);
}

function count(kind: CaKind, pem: string | undefined): number {
  if (pem === undefined) return 0;
  return kind === 'ca-file' ? caCertificates(pem).length : pemCrlsToDers(pem).length;
}

function newFile(kind: CaKind, args: readonly string[], ctx: CommandContext): CliAnswer {
  const name = args[3] ?? '';
  const w = WORDS[kind];
  if (name === '') return error(`'new ssl ${kind}' expects a filename\n`);
  if (!storeOf(ctx).create(kind, name)) return error(`${w.upper} file '${name}' already exists!\n`);
  return notice(`New ${w.upper} file created '${name}'!\n`);
}

function setFile(kind: CaKind, args: readonly string[], ctx: CommandContext, payload: string | undefined): CliAnswer {
  const name = args[3] ?? '';
  const w = WORDS[kind];
  if (name === '' || payload === undefined) return error(`'set ssl ${kind} expects a filename and ${w.payload} as a payload\n`);
  const store = storeOf(ctx);
  const transaction = store.transaction(kind);
  let problem: string | undefined;
  if (transaction !== undefined && transaction.path !== name) problem = `The ongoing transaction is about '${transaction.path}' but you are trying to set '${name}'\n`;
  else if (transaction === undefined && store.get(name) === undefined) problem = `Can't replace a ${w.upper} file which is not referenced by the configuration!\n`;
  const pem = problem === undefined ? caPayload(kind, payload) : undefined;
  if (problem === undefined && pem === undefined) problem = 'Invalid payload\n';
  if (problem !== undefined || pem === undefined) return error(`${problem ?? ''}Can't update ${name}!\n`);
  store.stage(kind, name, pem);
  return notice(`transaction ${transaction === undefined ? 'created' : 'updated'} for ${w.upper} ${name}!\n`);
}

function commitFile(kind: CaKind, args: readonly string[], ctx: CommandContext): CliAnswer {
  const name = args[3] ?? '';
  // HAProxy's usage error says ca-file for both commands.
  if (name === '') return error("'commit ssl ca-file expects a filename\n");
  const store = storeOf(ctx);
  const transaction = store.transaction(kind);
  if (transaction === undefined) return error(`No ongoing transaction! !\nCan't commit ${name}!\n`);
  if (transaction.path !== name) return error(`The ongoing transaction is about '${transaction.path}' but you are trying to set '${name}'\nCan't commit ${name}!\n`);
  const result = store.commit(kind);
  if (!result.ok) return dump(`Committing ${name}\n${result.message}Failed!\n`);
  return dump(`Committing ${name}${'.'.repeat(result.instances)}\nSuccess!\n`);
}

function abortFile(kind: CaKind, args: readonly string[], ctx: CommandContext): CliAnswer {
  const name = args[3] ?? '';
  if (name === '') return error(`'abort ssl ${kind}' expects a filename\n`);
  const store = storeOf(ctx);
  const transaction = store.transaction(kind);
  if (transaction === undefined) return error('No ongoing transaction!\n');
  if (transaction.path !== name) return error(`The ongoing transaction is about '${transaction.path}' but you are trying to abort a transaction for '${name}'\n`);
  store.abort(kind);
  return notice(`Transaction aborted for certificate '${name}'!\n`);
}

function delFile(kind: CaKind, args: readonly string[], ctx: CommandContext): CliAnswer {
  const name = args[3] ?? '';
  const w = WORDS[kind];
  if (name === '') return error(`'del ssl ${kind}' expects a ${w.delNoun}\n`);
  const store = storeOf(ctx);
  const entry = store.get(name);
  // HAProxy wraps the reason, which already ends in a line feed, in a message ending in another.
  if (entry === undefined) return error(`Can't remove the ${w.upper} file: ${w.upper} file '${name}' doesn't exist!\n\n`);
  if (kind === 'crl-file' && entry.kind !== 'crl-file') return error("Can't remove the CRL file: 'del ssl crl-file' does not work on CA files!\n\n");
  if (store.used(entry.kind, name)) return error(`Can't remove the ${w.upper} file: ${w.upper} file '${name}' in use, can't be deleted!\n\n`);
  store.delete(entry.kind, name);
  return notice(`${w.upper} file '${name}' deleted!\n`);
}

/** `NAME[:INDEX]`: the name and the 1-based index (0: all), or HAProxy's error. */
function nameAndIndex(kind: CaKind, arg: string): { name: string; index: number } | CliAnswer {
  const colon = arg.indexOf(':');
  if (colon < 0) return { name: arg, index: 0 };
  const digits = arg.slice(colon + 1);
  const index = /^[+-]?\d+$/.test(digits) ? Number(digits) : Number.NaN;
  if (!(index > 0)) return error(`wrong ${kind === 'ca-file' ? 'CA' : 'CRL'} index after colons in '${arg}'!`);
  return { name: arg.slice(0, colon), index };
}

function showFile(kind: CaKind, args: readonly string[], ctx: CommandContext): CliAnswer {
  // HAProxy answers a `user` level this way (cli_has_level's message is overwritten).
  if (ctx.session.level === 'user') return error("Can't allocate memory!\n");
  const store = storeOf(ctx);
  const transaction = store.transaction(kind);
  const arg = args[3] ?? '';
  if (arg === '') {
    const suffix = (pem: string | undefined): string => (kind === 'ca-file' ? ` - ${count(kind, pem)} certificate(s)` : '');
    let out = transaction === undefined ? '' : `# transaction\n*${transaction.path}${suffix(transaction.pem)}\n`;
    out += '# filename\n';
    for (const path of store.paths(kind)) out += `${path}${suffix(store.get(path)?.pem)}\n`;
    return dump(out);
  }
  const parsed = nameAndIndex(kind, arg);
  if ('kind' in parsed) return parsed;
  const notFound = error(`Can't display the ${kind === 'ca-file' ? 'CA' : 'CRL'} file : Not found!\n`);
  let path = parsed.name;
  let pem: string | undefined;
  let staged = false;
  if (path.startsWith('*')) {
    if (transaction === undefined || transaction.path !== path.slice(1)) return notFound;
    path = transaction.path;
    pem = transaction.pem;
    staged = true;
  } else {
    const entry = store.get(path);
    if (entry === undefined || entry.kind !== kind) return notFound;
    pem = entry.pem;
  }
  // HAProxy 2.6.12 prints nothing for an entry `new ssl ...` made and nothing filled yet.
  if (pem === undefined) return dump('');
  const status = !staged && store.used(kind, path) ? 'Used' : 'Unused';
  let out = `Filename: ${staged ? '*' : ''}${path}\nStatus: ${status}\n`;
  if (kind === 'ca-file') {
    const sha1 = (der: Uint8Array): Uint8Array => ctx.target.runtime.digest('sha1', der);
    const certificates = caCertificates(pem);
    const first = parsed.index === 0 ? 0 : parsed.index - 1;
    const last = parsed.index === 0 ? certificates.length : Math.min(parsed.index, certificates.length);
    for (let i = first; i < last; i++) out += ` \nCertificate #${i + 1}:\n${certificateDetail(certificates[i] as Uint8Array, [], sha1) ?? ''}`;
    return dump(out);
  }
  const crls = pemCrlsToDers(pem);
  for (const [i, der] of crls.entries()) {
    if (parsed.index !== 0 && parsed.index - 1 !== i) continue;
    const crl = readCrl(der);
    out += ` \nCertificate Revocation List #${i + 1}:\n${crl === undefined ? '' : formatCrlDetail(crl)}`;
  }
  return dump(out);
}

function commands(kind: CaKind, synopsis: Readonly<Record<string, string>>): CliCommand[] {
  const noun = kind === 'ca-file' ? 'a CA file' : 'a CRL file';
  return [
    { words: ['new', 'ssl', kind], usage: usage(synopsis.new as string, `create a new ${kind === 'ca-file' ? 'CA' : 'CRL'} file to be used in a crt-list`), level: 'admin', run: (args, ctx) => newFile(kind, args, ctx) },
    { words: ['set', 'ssl', kind], usage: usage(synopsis.set as string, `replace ${noun}`), level: 'admin', run: (args, ctx, payload) => setFile(kind, args, ctx, payload) },
    { words: ['commit', 'ssl', kind], usage: usage(synopsis.commit as string, `commit ${noun}`), level: 'admin', run: (args, ctx) => commitFile(kind, args, ctx) },
    { words: ['abort', 'ssl', kind], usage: usage(synopsis.abort as string, `abort a transaction for ${noun}`), level: 'admin', run: (args, ctx) => abortFile(kind, args, ctx) },
    { words: ['del', 'ssl', kind], usage: usage(synopsis.del as string, `delete an unused ${kind === 'ca-file' ? 'CA' : 'CRL'} file`), level: 'admin', run: (args, ctx) => delFile(kind, args, ctx) },
    { words: ['show', 'ssl', kind], usage: synopsis.show as string, level: 'user', run: (args, ctx) => showFile(kind, args, ctx) },
  ];
}

export const sslCaFileCommands: readonly CliCommand[] = [
  ...commands('ca-file', {
    new: 'new ssl ca-file <cafile>',
    set: 'set ssl ca-file <cafile> <payload>',
    commit: 'commit ssl ca-file <cafile>',
    abort: 'abort ssl ca-file <cafile>',
    del: 'del ssl ca-file <cafile>',
    show: usage(
      'show ssl ca-file [<cafile>[:<index>]]',
      'display the SSL CA files used in memory, or the details of a <cafile>, or a single certificate of index <index> of a CA file <cafile>',
    ),
  }),
  ...commands('crl-file', {
    // HAProxy's usage line says `crlfile` for this one.
    new: 'new ssl crlfile <crlfile>',
    set: 'set ssl crl-file <crlfile> <payload>',
    commit: 'commit ssl crl-file <crlfile>',
    abort: 'abort ssl crl-file <crlfile>',
    del: 'del ssl crl-file <crlfile>',
    show: usage(
      'show ssl crl-file [<crlfile[:<index>>]]',
      'display the SSL CRL files used in memory, or the details of a <crlfile>, or a single CRL of index <index> of CRL file <crlfile>',
    ),
  }),
];
