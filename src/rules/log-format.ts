/**
 * Log-format strings (HAProxy's section 8.2.6) as header values: literal text, `%[EXPR]`
 * sample expressions, `%%` for a verbatim '%', and the common `%` variables that make sense
 * while a message head is processed, optionally with `%{+Q}` / `%{+X}` / `%{+E}` flags.
 * Compiled once; a format without variables evaluates to its constant text (no allocation).
 *
 * As HAProxy 2.6 does for header values: spaces are kept as written (the config tokenizer
 * already applied quotes and escapes), an absent sample gives an empty string, an absent
 * variable gives '-', and flags change variables only (`%{+Q}[expr]` is not quoted).
 * `%HM`, `%HU`, `%HP`, `%HQ` give the request line as received (HAProxy's txn->uri), not as
 * `set-path` and friends rewrote it.
 */
import { Sample, sampleText } from './sample.ts';
import type { SampleContext } from './sample-context.ts';
import { compileEmbeddedSampleFetch, type SampleDirection, type SampleFetch } from './sample-fetch.ts';

interface Flags {
  readonly quote: boolean;
  readonly hex: boolean;
  readonly escape: boolean;
}

/** A `%` variable: reads its value into a sample, false when unknown here. */
type VariableRead = (ctx: SampleContext, out: Sample) => boolean;

const VARIABLES: ReadonlyMap<string, { read: VariableRead; needs: 'connection' | 'request' | 'response' }> = new Map([
  ['ci', { needs: 'connection', read: (ctx, out) => out.setIp(ctx.clientAddress) }],
  ['cp', { needs: 'connection', read: (ctx, out) => ctx.clientPort !== undefined && out.setInt(ctx.clientPort) }],
  ['fi', { needs: 'connection', read: (ctx, out) => ctx.localAddress !== undefined && out.setIp(ctx.localAddress) }],
  ['fp', { needs: 'connection', read: (ctx, out) => ctx.localPort !== undefined && out.setInt(ctx.localPort) }],
  ['H', { needs: 'connection', read: (ctx, out) => ctx.hostname !== undefined && out.setStr(ctx.hostname) }],
  ['f', { needs: 'connection', read: (ctx, out) => ctx.frontendName !== undefined && out.setStr(ctx.frontendName) }],
  [
    'ft',
    {
      needs: 'connection',
      read: (ctx, out) => ctx.frontendName !== undefined && out.setStr(ctx.clientTls === undefined ? ctx.frontendName : `${ctx.frontendName}~`),
    },
  ],
  ['pid', { needs: 'connection', read: (ctx, out) => ctx.pid !== undefined && out.setInt(ctx.pid) }],
  ['HM', { needs: 'request', read: (ctx, out) => ctx.lbHead !== undefined && out.setStr(ctx.lbHead.receivedMethod) }],
  ['HU', { needs: 'request', read: (ctx, out) => ctx.lbHead !== undefined && out.setStr(ctx.lbHead.receivedTarget) }],
  [
    'HP',
    {
      needs: 'request',
      read: (ctx, out) => {
        if (ctx.lbHead === undefined) return false;
        const t = ctx.lbHead.receivedTarget;
        const q = t.indexOf('?');
        return out.setStr(q < 0 ? t : t.slice(0, q));
      },
    },
  ],
  [
    'HQ',
    {
      needs: 'request',
      read: (ctx, out) => {
        if (ctx.lbHead === undefined) return false;
        const t = ctx.lbHead.receivedTarget;
        const q = t.indexOf('?');
        return out.setStr(q < 0 ? '' : t.slice(q));
      },
    },
  ],
  ['HV', { needs: 'request', read: (ctx, out) => ctx.lbHead !== undefined && out.setStr(ctx.lbHead.versionMinor === 0 ? 'HTTP/1.0' : 'HTTP/1.1') }],
  ['ST', { needs: 'response', read: (ctx, out) => ctx.response !== undefined && out.setInt(ctx.response.status) }],
]);

/** HAProxy variables that exist but are not served here (timers, counters, captures...). */
const KNOWN_ELSEWHERE = new Set([
  'o', 'B', 'CC', 'CS', 'HPO', 'ID', 'T', 'Ta', 'Tc', 'Td', 'Tl', 'Th', 'Ti', 'Tq', 'TR', 'Tr', 'Ts', 'Tt', 'Tu', 'Tw', 'U', 'ac', 'b', 'bc',
  'bi', 'bp', 'bq', 'fc', 'lc', 'hr', 'hrl', 'hs', 'hsl', 'ms', 'r', 'rc', 'rt', 's', 'sc', 'si', 'sp', 'sq', 'sslc', 'sslv', 't', 'tr',
  'trg', 'trl', 'ts', 'tsc',
]);

type Part =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'sample'; readonly fetch: SampleFetch }
  | { readonly kind: 'variable'; readonly read: VariableRead; readonly flags: Flags };

export interface LogFormat {
  /** The format as written. */
  readonly text: string;
  /** True when it has no variable: evaluate() returns the same string every time. */
  readonly constant: boolean;
  evaluate(ctx: SampleContext): string;
}

export type LogFormatCompile = { readonly ok: true; readonly format: LogFormat } | { readonly ok: false; readonly message: string };

const SCRATCH = new Sample();

class CompiledLogFormat implements LogFormat {
  readonly text: string;
  readonly constant: boolean;
  readonly #parts: readonly Part[];

  constructor(text: string, parts: readonly Part[]) {
    this.text = text;
    this.#parts = parts;
    this.constant = parts.every((p) => p.kind === 'text');
  }

  evaluate(ctx: SampleContext): string {
    const parts = this.#parts;
    if (parts.length === 1 && parts[0]?.kind === 'text') return parts[0].text;
    let out = '';
    for (const part of parts) {
      if (part.kind === 'text') out += part.text;
      else if (part.kind === 'sample') out += part.fetch.sample(ctx, SCRATCH) ? sampleText(SCRATCH) : '';
      else out += part.read(ctx, SCRATCH) ? formatVariable(SCRATCH, part.flags) : '-';
    }
    return out;
  }
}

function formatVariable(s: Sample, flags: Flags): string {
  if (flags.hex && (s.type === 'int' || s.type === 'bool')) return s.num.toString(16).toUpperCase().padStart(s.num > 0xffff ? 8 : 4, '0');
  if (flags.hex && s.type === 'ip' && /^\d+\.\d+\.\d+\.\d+$/.test(s.str)) {
    return s.str
      .split('.')
      .map((b) => Number(b).toString(16).toUpperCase().padStart(2, '0'))
      .join('');
  }
  let text = sampleText(s);
  if (flags.escape) text = text.replace(/["\\\]]/g, '\\$&');
  if (flags.quote && s.type !== 'int' && s.type !== 'bool') text = `"${text}"`;
  return text;
}

function parseFlags(text: string): Flags | string {
  let quote = false;
  let hex = false;
  let escape = false;
  for (const flag of text.split(',')) {
    const m = /^([+-]?)([QXE])$/.exec(flag.trim());
    if (m === null) return `unknown flag '${flag}' in '%{${text}}' (supported: Q, X, E with '+' or '-')`;
    const on = m[1] !== '-';
    if (m[2] === 'Q') quote = on;
    else if (m[2] === 'X') hex = on;
    else escape = on;
  }
  return { quote, hex, escape };
}

const NO_FLAGS: Flags = { quote: false, hex: false, escape: false };

/**
 * Compiles `text` for use in `direction` rules: sample expressions and variables reading a
 * message that is not available there are errors (as in HAProxy). `constantOnly`: sample
 * expressions may read nothing but constants (the global `set-var-fmt`, evaluated without a
 * connection; connection variables such as `%ci` then read as absent).
 */
export function compileLogFormat(text: string, direction: SampleDirection, constantOnly = false): LogFormatCompile {
  const parts: Part[] = [];
  let literal = '';
  let i = 0;
  const fail = (message: string): LogFormatCompile => ({ ok: false, message });
  while (i < text.length) {
    const c = text[i] as string;
    if (c !== '%') {
      literal += c;
      i++;
      continue;
    }
    i++;
    if (i >= text.length) return fail("truncated line after '%'");
    if (text[i] === '%') {
      literal += '%';
      i++;
      continue;
    }
    let flags = NO_FLAGS;
    if (text[i] === '{') {
      const close = text.indexOf('}', i);
      if (close < 0) return fail("missing '}' after '%{'");
      const parsed = parseFlags(text.slice(i + 1, close));
      if (typeof parsed === 'string') return fail(parsed);
      flags = parsed;
      i = close + 1;
      if (i >= text.length) return fail("truncated line after '%{...}'");
    }
    if (literal !== '') {
      parts.push({ kind: 'text', text: literal });
      literal = '';
    }
    if (text[i] === '[') {
      // The expression ends where it cannot continue (HAProxy's sample_parse_expr), which must be a ']'.
      const compiled = compileEmbeddedSampleFetch(text, i + 1, { direction, constantOnly });
      if (!compiled.ok) return fail(`failed to parse sample expression <${text.slice(i + 1)}> : ${compiled.message}`);
      const close = compiled.end;
      if (text[close] !== ']') {
        const found = text[close];
        return fail(found !== undefined && found >= ' ' && found <= '~' ? `expected ']' after '${text.slice(i + 1, close)}', but found '${found}'` : `missing ']' after '${text.slice(i + 1, close)}'`);
      }
      parts.push({ kind: 'sample', fetch: compiled.fetch });
      i = close + 1;
      continue;
    }
    const name = /^[A-Za-z]+/.exec(text.slice(i))?.[0] ?? '';
    const variable = VARIABLES.get(name);
    if (variable === undefined) {
      if (KNOWN_ELSEWHERE.has(name)) return fail(`format variable '%${name}' is not supported by Switchyard in header values yet`);
      return fail(`no such format variable '${name}'. If you wanted to emit the '%' character verbatim, you need to use '%%'`);
    }
    // At configuration time HAProxy evaluates formats on a dummy session of a non-HTTP proxy.
    if (constantOnly && variable.needs !== 'connection') return fail(`format variable '${name}' is reserved for HTTP mode`);
    if (variable.needs !== 'connection' && variable.needs !== direction) {
      return fail(`format variable '%${name}' needs the HTTP ${variable.needs}, which is not available here`);
    }
    parts.push({ kind: 'variable', read: variable.read, flags });
    i += name.length;
  }
  if (literal !== '' || parts.length === 0) parts.push({ kind: 'text', text: literal });
  return { ok: true, format: new CompiledLogFormat(text, parts) };
}
