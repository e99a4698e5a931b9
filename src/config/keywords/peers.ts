/**
 * The `peers NAME` section (HAProxy 2.6's cfg_parse_peers, section 3.5 of its manual), and the
 * global `localpeer NAME`:
 *
 *   peers NAME
 *     peer NAME ADDR:PORT            1.x form: the local peer's line is also the listener
 *     bind ADDR:PORT [ssl crt FILE]  2.x form, with `server` lines (one listener per section)
 *     server NAME [ADDR:PORT] [ssl] [crt FILE] [verify none|required] [ca-file FILE]
 *     default-server [ssl] [crt FILE] [verify ...] [ca-file FILE]
 *     default-bind [ssl] [crt FILE]
 *     table NAME type ... size ... [expire T] [nopurge] [store ...] [srvkey name|addr]
 *     disabled | enabled
 *
 * A table declared here is named `SECTION/NAME` by the proxies (`table peers/stkt`). Which peer is
 * the local one is decided when the section starts (src/peers/): `-L NAME`, else `localpeer`,
 * else the host name, as HAProxy.
 */
import type { PeerModel, PeersModel, StickTableModel } from '../model.ts';
import type { KeywordContext, KeywordList, SectionHeader, SectionKeyword } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { parseAddress } from '../address.ts';
import { invalidNameCharacter } from './names.ts';
import { parseStickTableArgs } from './persistence.ts';

/** TLS words of a `server`/`default-server`/`bind` line. */
interface PeerTls {
  ssl?: boolean;
  crt?: string;
  verify?: 'none' | 'required';
  caFile?: string;
}

/** A peers section being read. */
export interface PeersDraft {
  name: string;
  disabled: boolean;
  peers: PeerModel[];
  bind: PeersModel['bind'];
  /** `bind` or `peer` form, once one is chosen (HAProxy forbids mixing them). */
  form: 'bind' | 'peer' | undefined;
  tables: { name: string; table: StickTableModel }[];
  defaultServer: PeerTls;
  defaultBind: PeerTls;
  source: { file: string; line: number };
}

const PEERS = ['peers'] as const;

function current(ctx: KeywordContext): PeersDraft | undefined {
  return ctx.global.peers?.at(-1);
}

function openPeers(ctx: KeywordContext, args: readonly Token[]): void {
  const header = args[0] as Token;
  const nameToken = args[1];
  const name = nameToken?.text ?? '';
  if (name === '') {
    ctx.error('missing name for peers section.', header);
  } else {
    const bad = invalidNameCharacter(name);
    if (bad !== undefined) ctx.error(`character '${bad}' is not permitted in 'peers' name '${name}'.`, nameToken);
    const other = ctx.global.peers?.find((p) => p.name === name);
    if (other !== undefined) {
      ctx.error(`peers section '${name}' has the same name as another peers section declared at ${other.source.file}:${other.source.line}.`, nameToken);
    }
  }
  const list = (ctx.global.peers ??= []);
  list.push({
    name,
    disabled: false,
    peers: [],
    bind: undefined,
    form: undefined,
    tables: [],
    defaultServer: {},
    defaultBind: {},
    source: { file: ctx.file, line: ctx.line },
  });
}

/** Reads `ssl`, `crt F`, `verify V`, `ca-file F` from `args[start]` on; false after an error. */
function readTls(ctx: KeywordContext, args: readonly Token[], start: number, into: PeerTls): boolean {
  for (let i = start; i < args.length; i++) {
    const word = args[i] as Token;
    const value = args[i + 1];
    switch (word.text) {
      case 'ssl':
        into.ssl = true;
        continue;
      case 'no-ssl':
        into.ssl = false;
        continue;
      case 'crt':
      case 'ca-file':
      case 'verify':
        if (value === undefined) {
          ctx.error(`'${word.text}' expects an argument.`, word);
          return false;
        }
        i++;
        if (word.text === 'crt') into.crt = ctx.resolvePath(value.text);
        else if (word.text === 'ca-file') into.caFile = ctx.resolvePath(value.text);
        else if (value.text === 'none' || value.text === 'required') into.verify = value.text;
        else {
          ctx.error(`'verify' expects 'none' or 'required' (got '${value.text}').`, value);
          return false;
        }
        continue;
      default:
        ctx.error(`'${args[0]?.text}' : option '${word.text}' is not supported in a peers section by Switchyard.`, word);
        return false;
    }
  }
  return true;
}

function listenAddress(ctx: KeywordContext, token: Token): { host: string; port: number; fd?: number } | undefined {
  const parsed = parseAddress(token.text, true, { fd: true });
  if (!parsed.ok) {
    ctx.error(`'${ctx.place().file}' : ${parsed.message}.`, token);
    return undefined;
  }
  return { host: parsed.value.host, port: parsed.value.port, ...(parsed.value.fd !== undefined ? { fd: parsed.value.fd } : {}) };
}

function parseBind(ctx: KeywordContext, args: readonly Token[]): void {
  const section = current(ctx);
  if (section === undefined) return;
  const keyword = args[0] as Token;
  if (keyword.text === 'default-bind') {
    readTls(ctx, args, 1, section.defaultBind);
    return;
  }
  if (section.form === 'peer') {
    ctx.error('mixing "peer" and "bind" line is forbidden');
    return;
  }
  if (section.bind !== undefined) {
    const first = section.bind.source;
    ctx.error(`One listener per "peers" section is authorized but another is already configured at [${first.file}:${first.line}].`);
    return;
  }
  const addr = args[1];
  if (addr === undefined) {
    ctx.error(`'bind' expects <addr>:<port> as argument.`);
    return;
  }
  const tls: PeerTls = { ...section.defaultBind };
  const at = listenAddress(ctx, addr);
  if (at === undefined || !readTls(ctx, args, 2, tls)) return;
  section.form = 'bind';
  section.bind = { ...at, ssl: tls.ssl === true, ...(tls.crt !== undefined ? { crt: tls.crt } : {}), source: { file: ctx.file, line: ctx.line } };
}

function parsePeer(ctx: KeywordContext, args: readonly Token[]): void {
  const section = current(ctx);
  if (section === undefined) return;
  const keyword = (args[0] as Token).text;
  if (keyword === 'default-server') {
    readTls(ctx, args, 1, section.defaultServer);
    return;
  }
  const nameToken = args[1];
  if (nameToken === undefined) {
    ctx.error(`'${keyword}' expects <name> and <addr>[:<port>] as arguments.`);
    return;
  }
  if (keyword === 'peer' && section.form === 'bind') {
    ctx.error('mixing "peer" and "bind" line is forbidden');
    return;
  }
  const other = section.peers.find((p) => p.name === nameToken.text);
  if (other !== undefined) {
    ctx.error(`'${keyword} ${nameToken.text}' : peer name already declared at ${other.source.file}:${other.source.line}.`, nameToken);
    return;
  }
  const addrToken = args[2];
  // `server NAME` alone is the local peer of the 2.x form; `peer NAME ADDR` always has an address.
  const hasAddress = addrToken !== undefined && !['ssl', 'no-ssl', 'crt', 'verify', 'ca-file'].includes(addrToken.text);
  if (!hasAddress && keyword === 'peer') {
    ctx.error(`'peer' expects <name> and <addr>[:<port>] as arguments.`);
    return;
  }
  let host: string | undefined;
  let port: number | undefined;
  if (hasAddress && addrToken.text.includes('${')) {
    // An environment variable left unexpanded (outside double quotes HAProxy does not expand
    // it): HAProxy reads the address as 0.0.0.0 port 0, a peer it never reaches but that may
    // connect to us.
    ctx.warning(`'${keyword} ${nameToken.text}' : address '${addrToken.text}' is read as 0.0.0.0:0, as HAProxy: this peer is never connected to, it may connect to us.`, addrToken);
  } else if (hasAddress) {
    const parsed = parseAddress(addrToken.text, keyword === 'peer');
    if (!parsed.ok || parsed.value.port === 0) {
      ctx.error(`'${keyword} ${nameToken.text}' : ${parsed.ok ? `missing port in '${addrToken.text}'` : parsed.message}.`, addrToken);
      return;
    }
    host = parsed.value.host;
    port = parsed.value.port;
  }
  const tls: PeerTls = { ...section.defaultServer };
  if (!readTls(ctx, args, hasAddress ? 3 : 2, tls)) return;
  if (keyword === 'peer') section.form = 'peer';
  section.peers.push({
    name: nameToken.text,
    ...(host !== undefined ? { host, port } : {}),
    ...(tls.ssl === true ? { ssl: true } : {}),
    ...(tls.crt !== undefined ? { crt: tls.crt } : {}),
    ...(tls.verify !== undefined ? { verify: tls.verify } : {}),
    ...(tls.caFile !== undefined ? { caFile: tls.caFile } : {}),
    source: { file: ctx.file, line: ctx.line },
  });
}

function parseTable(ctx: KeywordContext, args: readonly Token[]): void {
  const section = current(ctx);
  if (section === undefined) return;
  const nameToken = args[1];
  if (nameToken === undefined) {
    ctx.error("'table' expects a table name.");
    return;
  }
  const other = section.tables.find((t) => t.name === nameToken.text);
  if (other !== undefined) {
    ctx.error(`stick-table name '${nameToken.text}' conflicts with table declared in peers '${section.name}' at ${other.table.source.file}:${other.table.source.line}.`, nameToken);
    return;
  }
  const table = parseStickTableArgs(ctx, args, 2, false);
  if (table !== undefined) section.tables.push({ name: nameToken.text, table: { ...table, peers: section.name } });
}

function parseState(ctx: KeywordContext, args: readonly Token[]): void {
  const section = current(ctx);
  if (section !== undefined) section.disabled = (args[0] as Token).text === 'disabled';
}

function parseLocalPeer(ctx: KeywordContext, args: readonly Token[]): void {
  const name = args[1];
  if (name === undefined || args.length > 2) {
    ctx.error("'localpeer' expects a name as its only argument.");
    return;
  }
  ctx.global.localPeer = name.text;
}

/** The sections' models, or none. */
export function peersModels(drafts: readonly PeersDraft[] | undefined): PeersModel[] {
  return (drafts ?? []).map((d) => ({
    name: d.name,
    disabled: d.disabled,
    peers: [...d.peers],
    ...(d.bind !== undefined ? { bind: d.bind } : {}),
    tables: [...d.tables],
    source: d.source,
  }));
}

const header: SectionHeader = { name: 'peers', open: openPeers };

const keywords: SectionKeyword[] = [
  { name: 'bind', sections: PEERS, parse: parseBind },
  { name: 'default-bind', sections: PEERS, parse: parseBind },
  { name: 'peer', sections: PEERS, parse: parsePeer },
  { name: 'server', sections: PEERS, parse: parsePeer },
  { name: 'default-server', sections: PEERS, parse: parsePeer },
  { name: 'table', sections: PEERS, parse: parseTable },
  { name: 'disabled', sections: PEERS, parse: parseState },
  { name: 'enabled', sections: PEERS, parse: parseState },
  { name: 'localpeer', sections: ['global'], parse: parseLocalPeer },
];

export const peersKeywords: KeywordList = { keywords, sections: [header] };
