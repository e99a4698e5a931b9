/**
 * Sample expressions (HAProxy's section 7.3): a fetch method and optional converters,
 * `fetch[(args)][,converter[(args)]]...`, compiled once per config generation into objects
 * that read a SampleContext into a typed Sample. Used by `balance hash`, `stick` rules
 * (through the string form, `fetch()`), ACLs and log-format values.
 *
 * Every fetch declares its scope: the connection (src, dst, ssl_fc, hostname...), the request
 * (method, path, req.hdr...) or the response (status, res.hdr). Where the request or the
 * response is not known (tcp mode, a response rule reading the request) the fetch yields
 * nothing, and compileSampleExpression refuses what cannot work where it is used, as HAProxy.
 *
 * Header fetches split values on commas (`req.hdr`, `hdr`, `res.hdr`, `*_cnt`) or not
 * (`req.fhdr`, `res.fhdr`) and return the last occurrence by default, as HAProxy's do.
 */

import { TLS_FETCHES } from './fetches-tls.ts';
import type { LbRequest } from '../balance/balancer.ts';
import { latin1Bytes, latin1String } from '../http/codec/chars.ts';
import { versionText, type HttpHead, type RequestHead } from '../http/codec/head.ts';
import type { HeadEditor } from '../http/codec/serialize.ts';
import { AUTH_FETCHES } from './auth-fetches.ts';
import { URL_HASH_FETCHES } from './url-hash-fetches.ts';
import { CACHE_FETCHES } from '../cache/cache-fetches.ts';
import { COMPRESSION_FETCHES } from '../http/compression/compression-fetches.ts';
import { compileConverter, converterArgs, CONVERTERS, type Converter } from './converters.ts';
import { MISC_FETCHES as BASE_MISC_FETCHES, type MiscFetch } from './fetches-misc.ts';
import { CONNECTION_FETCHES } from './fetches-connection.ts';
import { PAYLOAD_FETCHES } from './fetches-payload.ts';
import { BODY_FETCHES } from './fetches-body.ts';
import { PROXY_STATE_FETCHES } from './fetches-proxy-state.ts';
import { HEADER_BLOCK_FETCHES } from './fetches-header-block.ts';
import { STICK_FETCHES } from '../stick/stick-fetches.ts';
import { collectHeaderValues, pickOccurrence } from './header-view.ts';
import { uriPathStart } from '../http/codec/request-target.ts';
import { inetPton4, inetPton6 } from '../util/ip-address.ts';
import { type ArgSpec, type ExpressionParse, parseSampleExpression } from './sample-args.ts';
import { type DeclaredType, declaredType } from './sample-casts.ts';
import { Sample, sampleText, type SampleOutputType } from './sample.ts';
import type { SampleContext } from './sample-context.ts';
import { noteImplicitProxyArguments } from './implicit-proxy-args.ts';
import { parseVarName, readVar } from './vars.ts';

export type { SampleContext } from './sample-context.ts';

/** Fetches declaring their own arguments, one family per file. */
const MISC_FETCHES: ReadonlyMap<string, MiscFetch> = new Map([
  ...BASE_MISC_FETCHES,
  ...CONNECTION_FETCHES,
  ...PAYLOAD_FETCHES,
  ...BODY_FETCHES,
  ...PROXY_STATE_FETCHES,
  ...HEADER_BLOCK_FETCHES,
  ...TLS_FETCHES,
]);

/**
 * What a fetch reads: nothing at all (constants, the host name, variables: usable even while
 * the configuration loads), the connection, only once the request is known, or only on the
 * response.
 */
export type SampleScope = 'constant' | 'connection' | 'request' | 'response';

/** Which message a rule runs on: `hdr` and `hdr_cnt` read that one. */
export type SampleDirection = 'request' | 'response';

export interface SampleFetch {
  /** The expression as written. */
  readonly expression: string;
  /** Reads the HTTP request or response: yields nothing in tcp mode. */
  readonly l7: boolean;
  readonly scope: SampleScope;
  /**
   * Its fetch reads a message's contents (HTTP, or the payload bytes): HAProxy's fetches not
   * available when a session is accepted (no SMP_VAL_FE_SES_ACC), which a content rule may find
   * incomplete without an inspect delay.
   */
  readonly readsContents: boolean;
  /** Output type (after converters): decides an ACL's default match method. */
  readonly type: SampleOutputType;
  /** Fills `out`; false when the sample is absent (no such header, tcp mode...). */
  sample(ctx: SampleContext, out: Sample): boolean;
  /**
   * For ACLs: offers every value of a multi-valued fetch (each header occurrence, each cookie of
   * that name) to `match` until it returns true; single-valued fetches offer their one value.
   */
  matchAny(ctx: SampleContext, out: Sample, match: (s: Sample) => boolean): boolean;
  /** The sample as text, or undefined when absent (the form balancing and stick rules use). */
  fetch(req: LbRequest | SampleContext): string | undefined;
}

export type CompiledFetch =
  | { readonly ok: true; readonly fetch: SampleFetch }
  | {
      readonly ok: false;
      readonly message: string;
      /**
       * Set when the fetch exists but reads what is not available where it is used: HAProxy's
       * words for what it reads ('HTTP response headers', 'client address'...), for callers
       * that phrase the error their own way (`set-var`: "extracts information from ...").
       */
      readonly unavailable?: string;
    };

export interface CompileOptions {
  /** Where the expression is used; default 'request' (balancing, stick rules, http-request). */
  readonly direction?: SampleDirection;
  /** Only fetches that need no connection (the global `set-var`, evaluated at startup). */
  readonly constantOnly?: boolean;
  /**
   * In a log line (HAProxy's SMP_VAL_FE_LOG_END): the connection's fetches and those marked
   * `atLogEnd` (the method, the status...), not header contents, which are gone by then.
   */
  readonly logEnd?: boolean;
}

/** Fetch names this module knows, for error messages. */
export const SAMPLE_FETCHES = [
  'src', 'method', 'path', 'url', 'query', 'base', 'req.hdr', 'hdr', 'url_param', 'urlp', 'req.cookie', 'cook', 'cookie',
  'src_port', 'dst', 'dst_port', 'ssl_fc', 'ssl_fc_sni', 'ssl_fc_alpn', 'ssl_fc_protocol', 'hostname', 'always_true', 'always_false',
  'req.ver', 'req.proto_http', 'req.fhdr', 'req.hdr_cnt', 'hdr_cnt', 'req.fhdr_cnt', 'req.hdr_val', 'hdr_val', 'req.hdr_ip', 'hdr_ip', 'req.cook', 'req.cook_cnt', 'cook_cnt', 'req.cook_val', 'cook_val',
  'status', 'res.ver', 'res.hdr', 'shdr', 'res.cook', 'scook', 'res.cook_cnt', 'scook_cnt', 'res.cook_val', 'scook_val', 'res.fhdr', 'res.hdr_cnt', 'shdr_cnt', 'res.fhdr_cnt', 'res.hdr_val', 'res.hdr_ip', 'shdr_ip',
  'be_server_timeout', 'be_tunnel_timeout', 'cur_server_timeout', 'cur_tunnel_timeout', 'prio_class', 'prio_offset',
  'pathq', 'var',
  'http_auth_type', 'http_auth_user', 'http_auth_pass', 'http_auth_bearer', 'http_auth', 'http_auth_group', 'unique-id',
  'base32', 'url32', 'base32+src', 'url32+src',
] as const;

/** One fetch, compiled with its arguments. */
export interface FetchBody {
  readonly scope: SampleScope;
  readonly type: SampleOutputType;
  /** The type HAProxy declares when it differs from the run-time one's (`ipv6(...)`, `meth(...)`). */
  readonly declared?: DeclaredType;
  /** HAProxy's name for what a connection fetch reads (default: by scope), for messages. */
  readonly source?: string;
  /** A request or response fetch HAProxy still serves in log lines (SMP_VAL_FE_LOG_END). */
  readonly atLogEnd?: boolean;
  sample(ctx: SampleContext, out: Sample): boolean;
  /** Multi-valued fetches only. */
  each?(ctx: SampleContext, out: Sample, match: (s: Sample) => boolean): boolean;
}

export type FetchFactory = (name: string, args: readonly string[], direction: SampleDirection) => FetchBody | string;

/** Reused scratch for header values: fetches run one at a time (single-threaded, not re-entrant). */
const VALUES: string[] = [];
/** Scratch sample for the string form. */
const SCRATCH = new Sample();

const noArgs = (name: string, args: readonly string[]): string | undefined => (args.length > 0 ? `fetch method '${name}' takes no argument` : undefined);

function simple(scope: SampleScope, type: SampleOutputType, sample: (ctx: SampleContext, out: Sample) => boolean, source?: string): FetchFactory {
  return (name, args) => noArgs(name, args) ?? (source === undefined ? { scope, type, sample } : { scope, type, sample, source });
}

/** A request or response fetch HAProxy keeps serving in log lines (what it reads outlives the head). */
function atLogEnd(factory: FetchFactory): FetchFactory {
  return (name, args, direction) => {
    const body = factory(name, args, direction);
    return typeof body === 'string' ? body : { ...body, atLogEnd: true };
  };
}

function requestHead(ctx: SampleContext): RequestHead | undefined {
  return ctx.lbHead;
}

// ---- headers ----

interface HeaderSource {
  head(ctx: SampleContext): HttpHead | undefined;
  edits(ctx: SampleContext): HeadEditor | undefined;
}

const REQUEST_HEADERS: HeaderSource = { head: (ctx) => ctx.lbHead, edits: (ctx) => ctx.requestEdits };
const RESPONSE_HEADERS: HeaderSource = { head: (ctx) => ctx.response, edits: (ctx) => ctx.responseEdits };

function collect(source: HeaderSource, ctx: SampleContext, lower: Uint8Array, split: boolean): number {
  VALUES.length = 0;
  const head = source.head(ctx);
  return head === undefined ? -1 : collectHeaderValues(head, source.edits(ctx), lower, split, VALUES);
}

function headerName(name: string, args: readonly string[], max: number): Uint8Array | string {
  const header = args[0];
  if (header === undefined || header === '') return `fetch method '${name}' expects a header name`;
  if (args.length > max) return `fetch method '${name}' takes at most ${max} argument${max > 1 ? 's' : ''}`;
  return latin1Bytes(header.toLowerCase());
}

function occurrence(name: string, arg: string | undefined): number | string {
  const occ = arg === undefined ? -1 : Number(arg);
  if (!Number.isInteger(occ) || occ === 0 || (arg !== undefined && !/^-?\d+$/.test(arg.trim()))) {
    return `fetch method '${name}': invalid occurrence '${arg ?? ''}'`;
  }
  return occ;
}

/** `req.hdr(NAME[,OCC])` and friends: one occurrence (the last by default); ACLs see them all. */
/** What a header fetch makes of a value: the text, an integer (`*_val`) or an address (`*_ip`). */
type HeaderValueKind = 'str' | 'int' | 'ip';

/**
 * HAProxy's smp_fetch_hdr_ip: an IPv4 address at the start of the value (url2ipv4: what follows,
 * e.g. `:port`, is ignored), else the whole value as an IPv6 address; else nothing.
 */
function headerAddress(value: string): string | undefined {
  const v4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/.exec(value)?.[0];
  if (v4 !== undefined && inetPton4(v4) >= 0) return v4;
  return inetPton6(value) === undefined ? undefined : value;
}

function headerFetch(fixed: HeaderSource | undefined, split: boolean, kind: HeaderValueKind): FetchFactory {
  return (name, args, direction) => {
    const lower = headerName(name, args, 2);
    if (typeof lower === 'string') return lower;
    const occ = occurrence(name, args[1]);
    if (typeof occ === 'string') return occ;
    const source = fixed ?? (direction === 'response' ? RESPONSE_HEADERS : REQUEST_HEADERS);
    const scope: SampleScope = source === RESPONSE_HEADERS ? 'response' : 'request';
    const set = (out: Sample, value: string): boolean => {
      if (kind === 'str') return out.setStr(value);
      if (kind === 'ip') {
        const address = headerAddress(value);
        return address === undefined ? false : out.setIp(address);
      }
      const n = Number.parseInt(value, 10);
      return Number.isNaN(n) ? false : out.setInt(n);
    };
    return {
      scope,
      type: kind,
      sample(ctx, out) {
        const count = collect(source, ctx, lower, split);
        if (count <= 0) return false;
        const value = pickOccurrence(VALUES, count, occ);
        return value === undefined ? false : set(out, value);
      },
      each(ctx, out, match) {
        const count = collect(source, ctx, lower, split);
        if (count <= 0) return false;
        // An explicit occurrence restricts the ACL to that one value.
        if (args[1] !== undefined) {
          const value = pickOccurrence(VALUES, count, occ);
          return value !== undefined && set(out, value) && match(out);
        }
        // Matchers and converters never fetch, so VALUES stays ours during the loop.
        for (let i = 0; i < count; i++) if (set(out, VALUES[i] as string) && match(out)) return true;
        return false;
      },
    };
  };
}

function headerCount(fixed: HeaderSource | undefined, split: boolean): FetchFactory {
  return (name, args, direction) => {
    const lower = headerName(name, args, 1);
    if (typeof lower === 'string') return lower;
    const source = fixed ?? (direction === 'response' ? RESPONSE_HEADERS : REQUEST_HEADERS);
    return {
      scope: source === RESPONSE_HEADERS ? 'response' : 'request',
      type: 'int',
      sample(ctx, out) {
        const count = collect(source, ctx, lower, split);
        return count < 0 ? false : out.setInt(count);
      },
    };
  };
}

// ---- cookies and the request target ----

const COOKIE = latin1Bytes('cookie');

/**
 * `req.cook([NAME])`, `req.cook_cnt([NAME])`, `req.cook_val([NAME])` (and `cook...`): the value
 * of the last cookie NAME, how many there are, the value as an integer (HAProxy's strl2ic:
 * leading digits, 0 without any). Without a name any cookie matches: the value is the first
 * cookie's, the count all cookies'. Names starting with '$' (RFC 2109 attributes) are skipped.
 */
function cookieFetch(kind: 'value' | 'count' | 'integer'): FetchFactory {
  return (name, args) => {
    const cookie = args[0] ?? '';
    if (args.length > 1) return `fetch method '${name}' expects a cookie name`;
    if (kind === 'count') {
      return {
        scope: 'request',
        type: 'int',
        sample(ctx, out) {
          const head = requestHead(ctx);
          if (head === undefined) return false;
          return out.setInt(requestCookieValues(head, ctx.requestEdits, cookie).length);
        },
      };
    }
    const value = (ctx: SampleContext): string | undefined => {
      const head = requestHead(ctx);
      if (head === undefined) return undefined;
      // Balancing and stick rules read the head as received: the allocation-free scan.
      if (ctx.requestEdits === undefined && cookie !== '') return requestCookie(head, cookie);
      const values = requestCookieValues(head, ctx.requestEdits, cookie);
      return cookie === '' ? values[0] : values[values.length - 1];
    };
    if (kind === 'integer') {
      return {
        scope: 'request',
        type: 'int',
        sample(ctx, out) {
          const text = value(ctx);
          return text === undefined ? false : out.setInt(strl2ic(text));
        },
      };
    }
    return {
      scope: 'request',
      type: 'str',
      sample(ctx, out) {
        const text = value(ctx);
        return text === undefined ? false : out.setStr(text);
      },
      each(ctx, out, match) {
        const head = requestHead(ctx);
        if (head === undefined) return false;
        for (const v of requestCookieValues(head, ctx.requestEdits, cookie)) if (out.setStr(v) && match(out)) return true;
        return false;
      },
    };
  };
}

const SET_COOKIE = latin1Bytes('set-cookie');

/**
 * `res.cook([NAME])`, `res.cook_cnt([NAME])`, `res.cook_val([NAME])` (and `scook...`): HAProxy's
 * smp_fetch_cookie on the response. Each Set-Cookie header carries one cookie, its first
 * `name=value` (what follows a ';' are attributes); the value of the last one called NAME (the
 * first cookie's without a name), their count, the value as an integer (strl2ic).
 */
function responseCookieFetch(kind: 'value' | 'count' | 'integer'): FetchFactory {
  return (name, args) => {
    const cookie = args[0] ?? '';
    if (args.length > 1) return `fetch method '${name}' expects a cookie name`;
    /** Fills VALUES with the matching cookies' values; -1 without a response. */
    const values = (ctx: SampleContext): number => {
      const count = collect(RESPONSE_HEADERS, ctx, SET_COOKIE, false);
      if (count < 0) return -1;
      let kept = 0;
      for (let i = 0; i < count; i++) {
        const v = setCookieValue(VALUES[i] as string, cookie);
        if (v !== undefined) VALUES[kept++] = v;
      }
      VALUES.length = kept;
      return kept;
    };
    const pick = (ctx: SampleContext): string | undefined => {
      const count = values(ctx);
      if (count <= 0) return undefined;
      return cookie === '' ? VALUES[0] : VALUES[count - 1];
    };
    if (kind === 'count') {
      return {
        scope: 'response',
        type: 'int',
        sample(ctx, out) {
          const count = values(ctx);
          return count < 0 ? false : out.setInt(count);
        },
      };
    }
    if (kind === 'integer') {
      return {
        scope: 'response',
        type: 'int',
        sample(ctx, out) {
          const text = pick(ctx);
          return text === undefined ? false : out.setInt(strl2ic(text));
        },
      };
    }
    return {
      scope: 'response',
      type: 'str',
      sample(ctx, out) {
        const text = pick(ctx);
        return text === undefined ? false : out.setStr(text);
      },
      each(ctx, out, match) {
        const count = values(ctx);
        for (let i = 0; i < count; i++) if (out.setStr(VALUES[i] as string) && match(out)) return true;
        return false;
      },
    };
  };
}

/** The value of a Set-Cookie header's cookie when it is called `name` (any name when empty). */
function setCookieValue(header: string, name: string): string | undefined {
  const eq = header.indexOf('=');
  if (eq < 0) return undefined;
  const semi = header.indexOf(';');
  if (semi >= 0 && semi < eq) return undefined;
  if (name !== '' && header.slice(0, eq).trim() !== name) return undefined;
  return header.slice(eq + 1, semi < 0 ? header.length : semi).trim();
}

/**
 * HAProxy's strl2ic, quirks included: a 32-bit int of the leading characters, stopping only at
 * one above '9' (a character below '0' still counts, as its negative digit value).
 */
export function strl2ic(text: string): number {
  let i = 0;
  const negative = text.charCodeAt(0) === 0x2d;
  for (let k = negative ? 1 : 0; k < text.length; k++) {
    const j = text.charCodeAt(k) - 0x30;
    if (j > 9) break;
    i = negative ? (Math.imul(i, 10) - j) | 0 : (Math.imul(i, 10) + j) | 0;
  }
  return i;
}

/** The values of the request's cookies called `name` (any cookie when `name` is empty), in order. */
function requestCookieValues(head: RequestHead, edits: HeadEditor | undefined, name: string): string[] {
  VALUES.length = 0;
  const n = collectHeaderValues(head, edits, COOKIE, false, VALUES);
  const found: string[] = [];
  for (let i = 0; i < n; i++) {
    for (const pair of (VALUES[i] as string).split(';')) {
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      const key = pair.slice(0, eq).trim();
      if (name === '' ? !key.startsWith('$') : key === name) found.push(pair.slice(eq + 1).trim());
    }
  }
  return found;
}

function targetFetch(part: 'path' | 'pathq' | 'url' | 'query' | 'base'): FetchFactory {
  return simple('request', 'str', (ctx, out) => {
    const head = requestHead(ctx);
    if (head === undefined) return false;
    const value = targetPart(head, part);
    return value === undefined ? false : out.setStr(value);
  });
}

const urlParamFetch: FetchFactory = (name, args) => {
  const param = args[0];
  if (param === undefined || param === '' || args.length > 2) return `fetch method '${name}' expects a parameter name`;
  const delimiter = args[1] ?? '&';
  return {
    scope: 'request',
    type: 'str',
    sample(ctx, out) {
      const head = requestHead(ctx);
      if (head === undefined) return false;
      const value = urlParam(head.target, param, delimiter);
      return value === undefined ? false : out.setStr(value);
    },
  };
};

/**
 * `var(SCOPE.NAME[,DEFAULT])`: the variable with the type it was stored with; DEFAULT (a
 * string) when it is absent. Usable everywhere, like HAProxy's (SMP_USE_CONST); a variable of a
 * scope not available where it is read is absent, default or not.
 */
const varFetch: FetchFactory = (name, args) => {
  if (args.length > 2) return `fetch method '${name}' : expected ')' before ',${args.slice(2).join(',')})'`;
  const variable = parseVarName(args[0] ?? '', args.length > 0 ? ')' : '');
  if (typeof variable === 'string') return `invalid args in fetch method '${name}' : ${variable}`;
  const fallback = args[1];
  return {
    scope: 'constant',
    type: 'any',
    sample: (ctx, out) => readVar(ctx.vars, variable, out, fallback),
  };
};

/** HAProxy's names for what the connection fetches read. */
const L4 = 'client address';
const L5 = 'client-side connection';

const FETCHES: ReadonlyMap<string, FetchFactory> = new Map<string, FetchFactory>([
  // connection
  ['src', simple('connection', 'ip', (ctx, out) => out.setIp(ctx.clientAddress), L4)],
  ['src_port', simple('connection', 'int', (ctx, out) => (ctx.clientPort === undefined ? false : out.setInt(ctx.clientPort)), L4)],
  ['dst', simple('connection', 'ip', (ctx, out) => (ctx.localAddress === undefined ? false : out.setIp(ctx.localAddress)), L4)],
  ['dst_port', simple('connection', 'int', (ctx, out) => (ctx.localPort === undefined ? false : out.setInt(ctx.localPort)), L4)],
  ['ssl_fc', simple('connection', 'bool', (ctx, out) => out.setBool(ctx.clientTls !== undefined), L5)],
  ['ssl_fc_sni', simple('connection', 'str', (ctx, out) => (ctx.clientTls?.sni === undefined ? false : out.setStr(ctx.clientTls.sni)), L5)],
  ['ssl_fc_alpn', simple('connection', 'str', (ctx, out) => (ctx.clientTls?.alpn === undefined ? false : out.setStr(ctx.clientTls.alpn)), L5)],
  ['ssl_fc_protocol', simple('connection', 'str', (ctx, out) => (ctx.clientTls?.protocol === undefined ? false : out.setStr(ctx.clientTls.protocol)), L5)],
  ['hostname', simple('constant', 'str', (ctx, out) => (ctx.hostname === undefined ? false : out.setStr(ctx.hostname)))],
  ['always_true', simple('constant', 'bool', (_ctx, out) => out.setBool(true))],
  ['always_false', simple('constant', 'bool', (_ctx, out) => out.setBool(false))],
  // The frontend's `unique-id-format`, generated on first use for the stream.
  ['unique-id', simple('connection', 'str', (ctx, out) => (ctx.uniqueId === undefined ? false : out.setStr(ctx.uniqueId)))],
  ['var', varFetch],
  // request
  ['method', atLogEnd(simple('request', 'str', (ctx, out) => (ctx.lbHead === undefined ? false : out.setStr(transactionMethod(ctx.lbHead)))))],
  ['path', targetFetch('path')],
  ['pathq', targetFetch('pathq')],
  ['url', targetFetch('url')],
  ['query', targetFetch('query')],
  ['base', targetFetch('base')],
  // HAProxy's smp_fetch_rqver / smp_fetch_stver: the version as received, without `HTTP/`.
  ['req.ver', simple('request', 'str', (ctx, out) => (ctx.lbHead === undefined ? false : out.setStr(versionText(ctx.lbHead).slice(5))))],
  ['req.proto_http', atLogEnd(simple('request', 'bool', (ctx, out) => out.setBool(ctx.lbHead !== undefined)))],
  ['req.hdr', headerFetch(REQUEST_HEADERS, true, 'str')],
  ['hdr', headerFetch(undefined, true, 'str')],
  ['req.fhdr', headerFetch(REQUEST_HEADERS, false, 'str')],
  ['req.hdr_cnt', headerCount(REQUEST_HEADERS, true)],
  ['hdr_cnt', headerCount(undefined, true)],
  ['req.fhdr_cnt', headerCount(REQUEST_HEADERS, false)],
  ['req.hdr_val', headerFetch(REQUEST_HEADERS, true, 'int')],
  ['req.hdr_ip', headerFetch(REQUEST_HEADERS, true, 'ip')],
  ['hdr_ip', headerFetch(undefined, true, 'ip')],
  ['hdr_val', headerFetch(undefined, true, 'int')],
  ['url_param', urlParamFetch],
  ['urlp', urlParamFetch],
  ['req.cook', cookieFetch('value')],
  ['req.cookie', cookieFetch('value')],
  ['cook', cookieFetch('value')],
  ['cookie', cookieFetch('value')],
  ['req.cook_cnt', cookieFetch('count')],
  ['cook_cnt', cookieFetch('count')],
  ['req.cook_val', cookieFetch('integer')],
  ['cook_val', cookieFetch('integer')],
  // the stream's timeouts (HAProxy's be_/cur_ server/tunnel timeouts; 0 = none)
  ['be_server_timeout', simple('connection', 'int', (ctx, out) => out.setInt(ctx.backendTimeouts?.server ?? 0))],
  ['be_tunnel_timeout', simple('connection', 'int', (ctx, out) => out.setInt(ctx.backendTimeouts?.tunnel ?? 0))],
  ['cur_server_timeout', simple('connection', 'int', (ctx, out) => out.setInt(ctx.serverTimeout ?? ctx.backendTimeouts?.server ?? 0))],
  ['cur_tunnel_timeout', simple('connection', 'int', (ctx, out) => out.setInt(ctx.tunnelTimeout ?? ctx.backendTimeouts?.tunnel ?? 0))],
  // the stream's queue priority (`set-priority-class`, `set-priority-offset`); none outside a stream
  ['prio_class', simple('connection', 'int', (ctx, out) => (ctx.priorityClass === undefined ? false : out.setInt(ctx.priorityClass)))],
  ['prio_offset', simple('connection', 'int', (ctx, out) => (ctx.priorityOffset === undefined ? false : out.setInt(ctx.priorityOffset)))],
  // response
  // In a log line the response head is gone: HAProxy accepts `status` there and finds nothing.
  ['status', atLogEnd(simple('response', 'int', (ctx, out) => (ctx.response === undefined ? false : out.setInt(ctx.responseStatus ?? ctx.response.status))))],
  ['res.ver', simple('response', 'str', (ctx, out) => (ctx.response === undefined ? false : out.setStr(versionText(ctx.response).slice(5))))],
  ['res.hdr', headerFetch(RESPONSE_HEADERS, true, 'str')],
  ['res.cook', responseCookieFetch('value')],
  ['scook', responseCookieFetch('value')],
  ['res.cook_cnt', responseCookieFetch('count')],
  ['scook_cnt', responseCookieFetch('count')],
  ['res.cook_val', responseCookieFetch('integer')],
  ['scook_val', responseCookieFetch('integer')],
  ['shdr', headerFetch(RESPONSE_HEADERS, true, 'str')],
  ['res.fhdr', headerFetch(RESPONSE_HEADERS, false, 'str')],
  ['res.hdr_cnt', headerCount(RESPONSE_HEADERS, true)],
  ['shdr_cnt', headerCount(RESPONSE_HEADERS, true)],
  ['res.fhdr_cnt', headerCount(RESPONSE_HEADERS, false)],
  ['res.hdr_val', headerFetch(RESPONSE_HEADERS, true, 'int')],
  ['res.hdr_ip', headerFetch(RESPONSE_HEADERS, true, 'ip')],
  ['shdr_ip', headerFetch(RESPONSE_HEADERS, true, 'ip')],
  ...AUTH_FETCHES,
  ...URL_HASH_FETCHES,
  ...CACHE_FETCHES,
  ...COMPRESSION_FETCHES,
]);

/** True when `name` is a fetch method (ACL criteria derive `path_beg` from `path`...). */
export function isFetchName(name: string): boolean {
  return FETCHES.has(name) || miscFetch(name) !== undefined;
}

/** A fetch declaring its arguments: constants and internals, stick counters. */
function miscFetch(name: string): MiscFetch | undefined {
  return MISC_FETCHES.get(name) ?? STICK_FETCHES.get(name);
}

/**
 * Arguments of the fetches above, which check their own arguments: any number of strings
 * (HAProxy's quoting and escapes applied).
 */
const TEXT_ARGS: ArgSpec = { min: 0, types: ['str', 'str', 'str', 'str', 'str', 'str', 'str', 'str'] };

const SPECS = {
  fetch: (name: string): ArgSpec | undefined => miscFetch(name)?.args ?? (FETCHES.has(name) ? TEXT_ARGS : undefined),
  converter: converterArgs,
};

function scopeAllowed(scope: SampleScope, direction: SampleDirection): boolean {
  return scope === 'constant' || scope === 'connection' || scope === direction;
}

const SCOPE_WORDS: Record<SampleScope, string> = {
  constant: 'nothing',
  connection: 'the connection',
  request: 'HTTP request headers',
  response: 'HTTP response headers',
};

/**
 * Compiles `expression` (e.g. `req.hdr(host)`, `src`, `url_param(id)`, `path,lower`), or
 * explains why not. A fetch that needs the request cannot be used on the response (HAProxy:
 * "may not be reliably used here").
 */
export function compileSampleFetch(expression: string, options: CompileOptions = {}): CompiledFetch {
  // Surrounding blanks are not part of it (a quoted word in a TypeScript configuration).
  const parsed = parseSampleExpression(expression.trim(), 0, SPECS, false);
  return compileParsed(expression, parsed, options);
}

/**
 * Compiles the expression starting at `from` inside a log-format string (`%[...]`): it ends at
 * the first character that cannot continue it, returned as `end` (HAProxy expects a ']' there).
 */
export function compileEmbeddedSampleFetch(
  text: string,
  from: number,
  options: CompileOptions = {},
): { readonly ok: true; readonly fetch: SampleFetch; readonly end: number } | { readonly ok: false; readonly message: string } {
  const parsed = parseSampleExpression(text, from, SPECS, true);
  if (!parsed.ok) return parseFailure(parsed);
  const compiled = compileParsed(text.slice(from, parsed.end), parsed, options);
  return compiled.ok ? { ok: true, fetch: compiled.fetch, end: parsed.end } : compiled;
}

/** The parser's refusal; an unknown fetch lists the known ones. */
function parseFailure(parsed: ExpressionParse & { ok: false }): { readonly ok: false; readonly message: string } {
  if (parsed.unknownFetch === undefined) return { ok: false, message: parsed.message };
  return { ok: false, message: `${parsed.message} (supported: ${[...SAMPLE_FETCHES, ...MISC_FETCHES.keys()].join(', ')})` };
}

function compileParsed(expression: string, parsed: ExpressionParse, options: CompileOptions): CompiledFetch {
  const direction = options.direction ?? 'request';
  if (!parsed.ok) return parseFailure(parsed);
  const first = parsed.fetch;
  let body: FetchBody | string;
  const misc = miscFetch(first.name);
  if (misc !== undefined) {
    body = misc.compile(first.args);
    if (typeof body === 'string') body = `invalid args in fetch method '${first.name}' : ${body}`;
    else noteImplicitProxyArguments(first.name, misc.args, first.args);
  } else {
    const factory = FETCHES.get(first.name) as FetchFactory;
    const texts = first.args.slice(0, first.count).map((a) => (a?.type === 'str' ? a.value : ''));
    body = factory(first.name, texts, direction);
  }
  if (typeof body === 'string') return { ok: false, message: body };
  if (options.constantOnly === true && body.scope !== 'constant') {
    const unavailable = body.source ?? SCOPE_WORDS[body.scope];
    return { ok: false, message: `fetch method '${first.name}' extracts information from '${unavailable}', none of which is available here`, unavailable };
  }
  const allowed =
    options.logEnd === true ? body.scope === 'constant' || body.scope === 'connection' || body.atLogEnd === true : scopeAllowed(body.scope, direction);
  if (!allowed) {
    const unavailable = body.source ?? SCOPE_WORDS[body.scope];
    return {
      ok: false,
      message: `sample fetch '${first.name}' may not be reliably used here because it needs '${unavailable}' which is not available here`,
      unavailable,
    };
  }
  const converters: Converter[] = [];
  let type: SampleOutputType = body.type;
  let declared: DeclaredType = body.declared ?? declaredType(body.type);
  for (const call of parsed.converters) {
    const converter = compileConverter(call, declared);
    if (typeof converter === 'string') return { ok: false, message: converter };
    converters.push(converter);
    type = converter.type;
    declared = converter.declared;
  }
  return { ok: true, fetch: new CompiledSampleFetch(expression, body, converters, type) };
}

export { CONVERTERS };

class CompiledSampleFetch implements SampleFetch {
  readonly expression: string;
  readonly l7: boolean;
  readonly scope: SampleScope;
  readonly readsContents: boolean;
  readonly type: SampleOutputType;
  readonly #body: FetchBody;
  readonly #converters: readonly Converter[];
  readonly #convertThenMatch: ((s: Sample) => boolean) | undefined;
  #match: (s: Sample) => boolean = () => false;
  /** The context of the matchAny in progress, for converters that read it (`set-var`). */
  #ctx: SampleContext | undefined = undefined;

  constructor(expression: string, body: FetchBody, converters: readonly Converter[], type: SampleOutputType) {
    this.expression = expression;
    this.scope = body.scope;
    this.l7 = body.scope === 'request' || body.scope === 'response';
    this.readsContents = this.l7 || (body.source?.includes('buffer contents') ?? false);
    this.type = type;
    this.#body = body;
    this.#converters = converters;
    // Bound once: matchAny must not build a closure per request.
    this.#convertThenMatch = converters.length === 0 ? undefined : (s) => this.#convert(s, this.#ctx as SampleContext) && this.#match(s);
  }

  sample(ctx: SampleContext, out: Sample): boolean {
    return this.#body.sample(ctx, out) && this.#convert(out, ctx);
  }

  matchAny(ctx: SampleContext, out: Sample, match: (s: Sample) => boolean): boolean {
    const each = this.#body.each;
    if (each === undefined) return this.sample(ctx, out) && match(out);
    if (this.#convertThenMatch === undefined) return each.call(this.#body, ctx, out, match);
    const previous = this.#match;
    const previousCtx = this.#ctx;
    this.#match = match;
    this.#ctx = ctx;
    try {
      return each.call(this.#body, ctx, out, this.#convertThenMatch);
    } finally {
      this.#match = previous;
      this.#ctx = previousCtx;
    }
  }

  fetch(req: LbRequest | SampleContext): string | undefined {
    return this.sample(req, SCRATCH) ? sampleText(SCRATCH) : undefined;
  }

  #convert(s: Sample, ctx: SampleContext): boolean {
    for (const converter of this.#converters) if (!converter.apply(s, ctx)) return false;
    return true;
  }
}

/** Start of the path in an origin-form or absolute-form target (after scheme://authority). */
export function pathStart(target: string): number {
  if (target.charCodeAt(0) === 0x2f /* / */) return 0;
  const scheme = target.indexOf('://');
  if (scheme < 0) return 0;
  const slash = target.indexOf('/', scheme + 3);
  return slash < 0 ? target.length : slash;
}

/**
 * A part of the request target as the rules left it (HAProxy reads the start line, edited in
 * place by set-path and friends). `path`/`pathq` follow HAProxy's http_parse_path: absent for
 * `*`, an authority-form target or an absolute one without a path; `base` adds the host to a
 * path starting with '/', and is the path alone without a host.
 */
function targetPart(head: RequestHead, part: 'path' | 'pathq' | 'url' | 'query' | 'base'): string | undefined {
  const target = head.target;
  if (part === 'url') return target;
  const q = target.indexOf('?');
  if (part === 'query') return q < 0 ? undefined : target.slice(q + 1);
  const start = uriPathStart(target);
  if (part === 'pathq') return start < 0 ? undefined : target.slice(start);
  const path = start < 0 ? undefined : target.slice(start, q < 0 ? target.length : q);
  if (part === 'path') return path;
  const host = head.host;
  if (host === undefined || host === '') return path;
  return path !== undefined && path.charCodeAt(0) === 0x2f ? host + path : host;
}

/**
 * The `method` fetch, as HAProxy's smp_fetch_meth: the method the transaction started with
 * (txn->meth, which `set-method` leaves alone) when it is one of the methods HAProxy knows;
 * otherwise the one on the request line now.
 */
function transactionMethod(head: RequestHead): string {
  const received = head.receivedMethod;
  return KNOWN_METHODS.has(received) ? received : head.method;
}

const KNOWN_METHODS: ReadonlySet<string> = new Set(['OPTIONS', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'TRACE', 'CONNECT']);

/** Value of the first `name=` parameter of the target's query string, or undefined. */
export function urlParam(target: string, name: string, delimiter = '&'): string | undefined {
  const q = target.indexOf('?');
  if (q < 0) return undefined;
  let start = q + 1;
  while (start <= target.length) {
    let end = target.indexOf(delimiter, start);
    if (end < 0) end = target.length;
    if (end - start > name.length && target.charCodeAt(start + name.length) === 0x3d /* = */ && target.startsWith(name, start)) {
      return target.slice(start + name.length + 1, end);
    }
    start = end + 1;
  }
  return undefined;
}

const SP = 0x20;
const HTAB = 0x09;
const SEMI = 0x3b;
const EQ = 0x3d;

/**
 * Value of the last cookie called `name` in the request's Cookie headers (as received), or
 * undefined. Scans the head's bytes in place: only the value found is turned into a string.
 */
export function requestCookie(head: RequestHead, name: string): string | undefined {
  const raw = head.raw;
  const o = head.offsets;
  let foundStart = -1;
  let foundEnd = -1;
  for (let i = head.indexOf(COOKIE); i >= 0; i = head.indexOf(COOKIE, i + 1)) {
    const end = o[4 * i + 3]!;
    let p = o[4 * i + 2]!;
    while (p < end) {
      while (p < end && (raw[p] === SP || raw[p] === HTAB || raw[p] === SEMI)) p++;
      const nameStart = p;
      while (p < end && raw[p] !== EQ && raw[p] !== SEMI) p++;
      if (p >= end || raw[p] !== EQ) continue;
      let nameEnd = p;
      while (nameEnd > nameStart && (raw[nameEnd - 1] === SP || raw[nameEnd - 1] === HTAB)) nameEnd--;
      let valueStart = ++p;
      while (p < end && raw[p] !== SEMI) p++;
      let valueEnd = p;
      while (valueStart < valueEnd && (raw[valueStart] === SP || raw[valueStart] === HTAB)) valueStart++;
      while (valueEnd > valueStart && (raw[valueEnd - 1] === SP || raw[valueEnd - 1] === HTAB)) valueEnd--;
      if (sameName(raw, nameStart, nameEnd, name)) {
        foundStart = valueStart;
        foundEnd = valueEnd;
      }
    }
  }
  return foundStart < 0 ? undefined : latin1String(raw, foundStart, foundEnd);
}

function sameName(raw: Uint8Array, start: number, end: number, name: string): boolean {
  if (end - start !== name.length) return false;
  for (let k = 0; k < name.length; k++) if (raw[start + k] !== name.charCodeAt(k)) return false;
  return true;
}
