/**
 * HAProxy's constant and internal fetches (sample.c, backend.c, frontend.c) with their declared
 * arguments: `int(N) str(S) bool(B) ipv4(A) ipv6(A) bin(HEX) meth(M)` constants, `rand([N])`,
 * `date([OFFSET[,UNIT]])`, `date_us`, `uuid([4])`, `env(NAME)`, `nbproc`, `proc`, `thread`,
 * `be_name`, `fe_name`, `nbsrv([BACKEND])`, `srv_id`, `srv_name`, `so_id`, `so_name`,
 * `last_rule_file`, `last_rule_line`. Registered into the fetch table by sample-fetch.ts.
 */
import { formatIpv4, formatIpv6 } from '../util/ip-address.ts';
import { CAPTURE_FETCHES } from './capture-fetches.ts';
import { dateUnit, type TimeUnit } from './converters/time.ts';
import type { Args, ArgSpec } from './sample-args.ts';
import type { Sample } from './sample.ts';
import type { SampleContext } from './sample-context.ts';
import type { FetchBody } from './sample-fetch.ts';
import { threadIndex } from '../threads/thread-identity.ts';

export interface MiscFetch {
  readonly args: ArgSpec;
  /** Checks the arguments (HAProxy's val_args) and returns the fetch, or the check's message. */
  compile(args: Args): FetchBody | string;
}

type Read = (ctx: SampleContext, out: Sample) => boolean;

/**
 * A fetch that needs no connection (HAProxy's SMP_USE_CONST and SMP_USE_INTRN ones): usable
 * anywhere, the global `set-var` included.
 */
function constant(type: FetchBody['type'], read: Read, declared?: FetchBody['declared']): FetchBody {
  return declared === undefined ? { scope: 'constant', type, sample: read } : { scope: 'constant', type, declared, sample: read };
}

/** A fetch reading the stream's proxies (HAProxy's SMP_USE_FTEND / BKEND / INTRN, named in messages). */
function ofStream(source: 'frontend' | 'backend' | 'internal state'): (type: FetchBody['type'], read: Read) => FetchBody {
  return (type, read) => ({ scope: 'connection', type, source, sample: read });
}

/** A fetch reading the server connection (HAProxy's SMP_USE_SERVR): known from the response on. */
function ofServer(type: FetchBody['type'], read: Read): FetchBody {
  return { scope: 'response', type, source: 'server', sample: read };
}

const NONE: ArgSpec = { min: 0, types: [] };

function noArgs(type: FetchBody['type'], read: Read, body: typeof constant = constant): MiscFetch {
  return { args: NONE, compile: () => body(type, read) };
}

function str(args: Args, i: number): string {
  const a = args[i];
  return a?.type === 'str' ? a.value : '';
}

/** RFC 9110 tchar. */
function isTokenChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) || "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c));
}

/** parse_binary: pairs of hex digits. */
function parseBinary(text: string): string | { readonly error: string } {
  if (text.length % 2 !== 0) return { error: 'an even number of hex digit is expected' };
  let out = '';
  for (let i = 0; i < text.length; i += 2) {
    const h = parseInt(text[i] as string, 16);
    if (Number.isNaN(h)) return { error: `an hex digit is expected (found '${text[i]}')` };
    const l = parseInt(text[i + 1] as string, 16);
    if (Number.isNaN(l)) return { error: `an hex digit is expected (found '${text[i + 1]}')` };
    out += String.fromCharCode(h * 16 + l);
  }
  return out;
}

/** ha_random32(): 32 uniformly random bits. */
function random32(): number {
  return Math.floor(Math.random() * 0x100000000);
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** ha_generate_uuid(): a random (version 4) UUID in lower case. */
export function uuid4(): string {
  const a = random32();
  const b = random32();
  const c = random32();
  const d = random32();
  const e = random32();
  return `${hex(a, 8)}-${hex(b & 0xffff, 4)}-${hex(((b >>> 16) & 0xfff) | 0x4000, 4)}-${hex((c & 0x3fff) | 0x8000, 4)}-${hex(d & 0xffff, 4)}${hex(e, 8)}`;
}

function dateValue(ctx: SampleContext, offset: number, unit: TimeUnit | undefined): number | undefined {
  const runtime = ctx.runtime;
  if (runtime === undefined) return undefined;
  const ms = runtime.wallClock();
  const seconds = Math.floor(ms / 1000);
  if (unit === 'ms') return Math.floor(ms) + offset;
  if (unit === 'us') return seconds * 1_000_000 + Math.floor((ms - seconds * 1000) * 1000) + offset;
  return seconds + offset;
}

export const MISC_FETCHES: ReadonlyMap<string, MiscFetch> = new Map<string, MiscFetch>([
  [
    'int',
    {
      args: { min: 1, types: ['sint'] },
      compile(args) {
        const n = args[0]?.type === 'sint' ? args[0].value : 0;
        return constant('int', (_ctx, out) => out.setInt(n));
      },
    },
  ],
  ['str', { args: { min: 1, types: ['str'] }, compile: (args) => constant('str', (_ctx, out) => out.setStr(str(args, 0))) }],
  [
    'bool',
    {
      args: { min: 1, types: ['str'] },
      compile(args) {
        const word = str(args, 0).toLowerCase();
        if (word !== 'true' && word !== '1' && word !== 'false' && word !== '0') return "Expects 'true', 'false', '0' or '1'";
        const value = word === 'true' || word === '1';
        return constant('bool', (_ctx, out) => out.setBool(value));
      },
    },
  ],
  [
    'ipv4',
    {
      args: { min: 1, types: ['ipv4'] },
      compile(args) {
        const text = formatIpv4(args[0]?.type === 'ipv4' ? args[0].value : 0);
        return constant('ip', (_ctx, out) => out.setIp(text));
      },
    },
  ],
  [
    'ipv6',
    {
      args: { min: 1, types: ['ipv6'] },
      compile(args) {
        const text = formatIpv6(args[0]?.type === 'ipv6' ? args[0].value : [0, 0, 0, 0]);
        return constant('ip', (_ctx, out) => out.setIp(text), 'ipv6');
      },
    },
  ],
  [
    'bin',
    {
      args: { min: 1, types: ['str'] },
      compile(args) {
        const bytes = parseBinary(str(args, 0));
        if (typeof bytes !== 'string') return bytes.error;
        return constant('bin', (_ctx, out) => out.setBin(bytes));
      },
    },
  ],
  [
    'meth',
    {
      args: { min: 1, types: ['str'] },
      compile(args) {
        const method = str(args, 0);
        for (let i = 0; i < method.length; i++) if (!isTokenChar(method.charCodeAt(i))) return 'expects valid method.';
        return constant('str', (_ctx, out) => out.setStr(method), 'meth');
      },
    },
  ],
  [
    'rand',
    {
      args: { min: 0, types: ['sint'] },
      compile(args) {
        const range = args[0]?.type === 'sint' ? args[0].value : undefined;
        // HAProxy scales the 32 random bits to the range (no modulo bias): (r * N) >> 32.
        if (range === undefined) return constant('int', (_ctx, out) => out.setInt(random32()));
        return constant('int', (_ctx, out) => out.setInt(Math.floor((random32() * range) / 0x100000000)));
      },
    },
  ],
  [
    'date',
    {
      args: { min: 0, types: ['sint', 'str'] },
      compile(args) {
        const checked = dateUnit(args[1]?.type === 'str' ? args[1].value : undefined);
        if ('error' in checked) return checked.error;
        const offset = args[0]?.type === 'sint' ? args[0].value : 0;
        const unit = checked.unit;
        return constant('int', (ctx, out) => {
          const value = dateValue(ctx, offset, unit);
          return value === undefined ? false : out.setInt(value);
        });
      },
    },
  ],
  [
    'date_us',
    noArgs('int', (ctx, out) => {
      const runtime = ctx.runtime;
      if (runtime === undefined) return false;
      const ms = runtime.wallClock();
      return out.setInt(Math.floor((ms - Math.floor(ms / 1000) * 1000) * 1000));
    }),
  ],
  [
    'uuid',
    {
      args: { min: 0, types: ['sint'] },
      compile(args) {
        const version = args[0];
        if (version?.type === 'sint' && version.value !== 4) return `Unsupported UUID version: '${version.value}'`;
        return constant('str', (_ctx, out) => out.setStr(uuid4()));
      },
    },
  ],
  [
    'env',
    {
      args: { min: 1, types: ['str'] },
      compile(args) {
        const name = str(args, 0);
        return constant('str', (ctx, out) => {
          const value = ctx.runtime?.env(name);
          return value === undefined ? false : out.setStr(value);
        });
      },
    },
  ],
  ['nbproc', noArgs('int', (_ctx, out) => out.setInt(1))],
  ['proc', noArgs('int', (_ctx, out) => out.setInt(1))],
  // HAProxy's thread ids start at 0 (the main thread's).
  ['thread', noArgs('int', (_ctx, out) => out.setInt(threadIndex()))],
  // Until a backend is chosen the stream's backend is its frontend, as in HAProxy.
  ['be_name', noArgs('str', (ctx, out) => {
    const name = ctx.backend?.name ?? ctx.frontendName;
    return name === undefined ? false : out.setStr(name);
  }, ofStream('backend'))],
  // The server of the stream, once one was chosen and connected (response rules, logs).
  ['srv_id', noArgs('int', (ctx, out) => (ctx.chosenServer === undefined || ctx.chosenServer.direct !== undefined ? false : out.setInt(ctx.chosenServer.id)), ofServer)],
  ['srv_name', noArgs('str', (ctx, out) => (ctx.chosenServer === undefined || ctx.chosenServer.direct !== undefined ? false : out.setStr(ctx.chosenServer.name)), ofServer)],
  // The `name` of the bind that accepted the connection; absent when it has none.
  // The rule that ended a list with a final verdict in this stream (HAProxy's stream.c).
  ['last_rule_file', noArgs('str', (ctx, out) => (ctx.lastRule === undefined ? false : out.setStr(ctx.lastRule.file)), ofStream('internal state'))],
  ['last_rule_line', noArgs('int', (ctx, out) => (ctx.lastRule === undefined ? false : out.setInt(ctx.lastRule.line)), ofStream('internal state'))],
  // HAProxy's internal.strm.is_htx: the stream carries HTTP (mode http, or a tcp stream after
  // `switch-mode http`): a parsed request head is what Switchyard's HTTP streams have. A tcp
  // rule's context reads its inspected bytes as HTTP too (HTTP fetches in tcp mode), so only a
  // context without a payload under inspection is an HTTP stream.
  ['internal.strm.is_htx', noArgs('bool', (ctx, out) => out.setBool(ctx.requestPayload === undefined && ctx.lbHead !== undefined), ofStream('internal state'))],
  ['so_id', noArgs('int', (ctx, out) => (ctx.bindId === undefined ? false : out.setInt(ctx.bindId)), ofStream('frontend'))],
  ['so_name', noArgs('str', (ctx, out) => (ctx.bindName === undefined ? false : out.setStr(ctx.bindName)), ofStream('frontend'))],
  ['fe_name', noArgs('str', (ctx, out) => (ctx.frontendName === undefined ? false : out.setStr(ctx.frontendName)), ofStream('frontend'))],
  [
    'nbsrv',
    {
      args: { min: 1, types: ['be'] },
      compile(args) {
        const name = args[0]?.type === 'str' && args[0].value !== '' ? args[0].value : undefined;
        return ofStream('internal state')('int', (ctx, out) => {
          const backend = name === undefined ? ctx.backend : ctx.backendNamed?.(name);
          return backend === undefined ? false : out.setInt(backend.usableServers);
        });
      },
    },
  ],
  ...CAPTURE_FETCHES,
]);
