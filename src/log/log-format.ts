/**
 * HAProxy's log-format strings (section 8.2.4; src/log.c parse_logformat_string and
 * sess_build_logline): literal text, `%%`, variables (`%ci`, `%{+Q}r`...), sample expressions
 * (`%[src,lower]`) and the `%o` global option, compiled once per configuration generation into
 * a node list that evaluate() walks without parsing anything again.
 *
 * One compiler for every use, each with HAProxy's options: log lines (`log-format`,
 * `error-log-format`, and the formats `option httplog|tcplog` stand for) print '-' for absent
 * values and merge runs of spaces; header values and `use_backend` names keep text as written
 * and %-encode sample values; `unique-id-format` merges spaces and encodes like header values.
 */
import { compileEmbeddedSampleFetch, type SampleDirection, type SampleFetch } from '../rules/sample-fetch.ts';
import type { SampleContext } from '../rules/sample-context.ts';
import { Sample, sampleText } from '../rules/sample.ts';
import { encodeText, HTTP_ENCODE, LogOpt, textValue } from './log-encode.ts';
import { LOG_VARIABLES, type LogVariable, type VariableStage } from './log-variables.ts';
import { liveRecordOf, type LogRecord } from './log-record.ts';

/** Where a format is used, which decides its options and what it may read. */
export type LogFormatUsage =
  /** A log line: every variable; fetches valid at the end of the stream. */
  | { readonly kind: 'log-line'; readonly mode: 'tcp' | 'http'; readonly logasap?: boolean }
  /** `unique-id-format`: connection, request and stream facts. */
  | { readonly kind: 'unique-id'; readonly mode: 'tcp' | 'http' }
  /**
   * An HTTP rule's value (header value, redirect, `use_backend`): that message's facts.
   * `constantOnly`: evaluated without a connection (global `set-var-fmt`).
   */
  | { readonly kind: 'rule'; readonly direction: SampleDirection; readonly constantOnly?: boolean };

type Node =
  /** `endsWithSpace`: a folded separator, which leaves HAProxy's last_isspace set. */
  | { readonly kind: 'text'; readonly text: string; readonly endsWithSpace: boolean }
  | { readonly kind: 'separator' }
  | { readonly kind: 'variable'; readonly variable: LogVariable; readonly options: number }
  | { readonly kind: 'sample'; readonly fetch: SampleFetch; readonly options: number };

export interface CompiledFormat {
  /** The format as written. */
  readonly text: string;
  /** No variable nor sample: evaluate() always returns the same string. */
  readonly constant: boolean;
  /** Some variable is final only at the end of the stream (HAProxy's LW_BYTES). */
  readonly waitsForBytes: boolean;
  /** Reads the front connection's addresses: %fi, %fp or a sample expression (HAProxy's LW_FRTIP, LW_XPRT). */
  readonly readsFrontAddress: boolean;
  /** Reads the server connection's addresses: %si, %sp, %bi, %bp. */
  readonly readsServerAddress: boolean;
  /**
   * The string for `ctx`, which must be the context the usage implies: a LogRecord for log
   * lines, a StreamContext for unique ids, the rule's SampleContext otherwise.
   */
  evaluate(ctx: SampleContext): string;
}

export type FormatCompile = { readonly ok: true; readonly format: CompiledFormat } | { readonly ok: false; readonly message: string };

const SCRATCH = new Sample();

class CompiledLogFormat implements CompiledFormat {
  readonly text: string;
  readonly constant: boolean;
  readonly waitsForBytes: boolean;
  readonly readsFrontAddress: boolean;
  readonly readsServerAddress: boolean;
  readonly #nodes: readonly Node[];
  readonly #asap: boolean;
  /** A rule's value: its end-of-stream variables read the stream's live record, not the context. */
  readonly #live: boolean;
  readonly #constantText: string | undefined;

  constructor(text: string, parsed: readonly Node[], asap: boolean, live: boolean) {
    this.text = text;
    const nodes = foldSeparators(parsed);
    this.#nodes = nodes;
    this.#asap = asap;
    this.#live = live && nodes.some((n) => n.kind === 'variable' && n.variable.stage === 'log');
    this.constant = nodes.every((n) => n.kind === 'text');
    this.waitsForBytes = nodes.some((n) => n.kind === 'variable' && n.variable.waitsForBytes);
    const uses = (names: readonly string[]): boolean => nodes.some((n) => n.kind === 'variable' && names.includes(n.variable.name));
    this.readsFrontAddress = uses(['fi', 'fp']) || nodes.some((n) => n.kind === 'sample');
    this.readsServerAddress = uses(['si', 'sp', 'bi', 'bp']);
    this.#constantText = this.constant ? nodes.map((n) => (n.kind === 'text' ? n.text : '')).join('') : undefined;
  }

  evaluate(ctx: SampleContext): string {
    if (this.#constantText !== undefined) return this.#constantText;
    const nodes = this.#nodes;
    const asap = this.#asap;
    // Made at the first end-of-stream variable, once per value.
    let record: LogRecord | undefined;
    let out = '';
    // HAProxy starts as if a space had just been written: leading separators write nothing.
    let lastSpace = true;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i] as Node;
      switch (node.kind) {
        case 'text':
          out += node.text;
          lastSpace = node.endsWithSpace;
          break;
        case 'separator':
          if (!lastSpace) {
            out += ' ';
            lastSpace = true;
          }
          break;
        case 'variable': {
          let value: string | undefined;
          if (this.#live && node.variable.stage === 'log') {
            record ??= liveRecordOf(ctx);
            value = node.variable.render(record, node.options, asap || record.plusUnfinished === true);
          } else {
            value = node.variable.render(ctx, node.options, asap);
          }
          if (value !== undefined) {
            out += value;
            lastSpace = false;
          }
          break;
        }
        case 'sample': {
          const found = node.fetch.sample(ctx, SCRATCH);
          const value = found ? sampleText(SCRATCH) : undefined;
          if ((node.options & LogOpt.http) !== 0) out += value === undefined ? '' : encodeText(value, '%', HTTP_ENCODE, node.options);
          else out += textValue(value, node.options);
          lastSpace = false;
          break;
        }
      }
    }
    return out;
  }
}

/**
 * Resolves at compile time the separators whose outcome is known: one at the start writes
 * nothing, one after text or after a node that always writes something is a plain space.
 * Only a separator after a variable that may write nothing (header captures) stays a run-time
 * decision. Adjacent texts are then joined: the usual line is a few texts and values.
 */
function foldSeparators(nodes: readonly Node[]): Node[] {
  const out: Node[] = [];
  for (const node of nodes) {
    let current: Node = node;
    if (node.kind === 'separator') {
      const previous = out[out.length - 1];
      if (previous === undefined) continue;
      const conditional = previous.kind === 'separator' || (previous.kind === 'variable' && previous.variable.mayWriteNothing);
      if (conditional) {
        if (previous.kind !== 'separator') out.push(node);
        continue;
      }
      current = { kind: 'text', text: ' ', endsWithSpace: true };
    }
    const previous = out[out.length - 1];
    if (current.kind === 'text' && previous?.kind === 'text') {
      out[out.length - 1] = { kind: 'text', text: previous.text + current.text, endsWithSpace: current.endsWithSpace };
    } else {
      out.push(current);
    }
  }
  return out;
}

/** The stages a usage can read, and what to say about the others. */
function stageAllowed(usage: LogFormatUsage, stage: VariableStage): boolean {
  switch (usage.kind) {
    case 'log-line':
      return true;
    case 'unique-id':
      return stage === 'connection' || stage === 'request' || stage === 'stream';
    case 'rule':
      // The request line stays known on the response (HAProxy's txn->uri). A global
      // `set-var-fmt` runs without a stream. The end-of-stream variables read the stream as
      // it is when the rule runs (StreamContext.liveRecord).
      if (stage === 'stream' || stage === 'route' || stage === 'log') return usage.constantOnly !== true;
      return stage === 'connection' || stage === 'request' || (stage === 'response' && usage.direction === 'response');
  }
}

function stageRefusal(usage: LogFormatUsage, name: string, stage: VariableStage): string {
  if (usage.kind === 'rule' && stage === 'response') return `format variable '%${name}' needs the HTTP response, which is not available here`;
  const where = usage.kind === 'unique-id' ? 'unique-id-format' : 'header values';
  return `format variable '%${name}' is not supported by Switchyard in ${where} yet`;
}

function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isAlnum(c: number): boolean {
  return isAlpha(c) || (c >= 0x30 && c <= 0x39);
}

/** parse_logformat_var_args: `+X` sets, `-X` clears, for X in M, Q, X, E; anything else is ignored. */
function applyFlags(args: string, options: number): number {
  for (const item of args.split(',')) {
    const sign = item.charCodeAt(0);
    if (sign !== 0x2b /* + */ && sign !== 0x2d /* - */) continue;
    const bit = FLAG_BITS.get(item.slice(1));
    if (bit === undefined) continue;
    options = sign === 0x2b ? options | bit : options & ~bit;
  }
  return options;
}

const FLAG_BITS: ReadonlyMap<string, number> = new Map([
  ['M', LogOpt.mandatory],
  ['Q', LogOpt.quote],
  ['X', LogOpt.hex],
  ['E', LogOpt.escape],
]);

function baseOptions(usage: LogFormatUsage): number {
  switch (usage.kind) {
    case 'log-line':
      return LogOpt.mandatory | LogOpt.mergeSpaces;
    case 'unique-id':
      return LogOpt.http | LogOpt.mergeSpaces;
    case 'rule':
      return LogOpt.http;
  }
}

/** Compiles `text` for `usage`, or explains why it cannot be, in HAProxy's words. */
export function compileFormat(text: string, usage: LogFormatUsage): FormatCompile {
  const nodes: Node[] = [];
  let options = baseOptions(usage);
  const merge = (options & LogOpt.mergeSpaces) !== 0;
  // At configuration time HAProxy evaluates formats on a dummy session of a non-HTTP proxy.
  const constantOnly = usage.kind === 'rule' && usage.constantOnly === true;
  const httpMode = usage.kind === 'rule' ? !constantOnly : usage.mode === 'http';
  let literal = '';
  // Rule values (headers, reply payloads) and log lines are bytes, as the samples in them are
  // (one char per byte): the configuration's own text goes in as its UTF-8 bytes, as HAProxy
  // copies it.
  const bytes = usage.kind === 'rule' || usage.kind === 'log-line';
  const flush = (): void => {
    if (literal !== '') nodes.push({ kind: 'text', text: bytes ? utf8ByteString(literal) : literal, endsWithSpace: false });
    literal = '';
  };
  const fail = (message: string): FormatCompile => ({ ok: false, message });
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x20 /* space */ && merge) {
      flush();
      while (text.charCodeAt(i) === 0x20) i++;
      nodes.push({ kind: 'separator' });
      continue;
    }
    if (c !== 0x25 /* % */) {
      literal += text[i];
      i++;
      continue;
    }
    i++;
    if (i >= text.length) return fail("truncated line after '%'");
    let next = text.charCodeAt(i);
    if (next === 0x25) {
      literal += '%';
      i++;
      continue;
    }
    if ((next >= 0x30 && next <= 0x39) || next === 0x20 || next === 0x09) {
      return fail(
        `unexpected variable name near '${text[i]}' at position ${i} line : '${text}'. Maybe you want to write a single '%', use the syntax '%%'`,
      );
    }
    let nodeOptions = options;
    let args: string | undefined;
    if (next === 0x7b /* { */) {
      const close = text.indexOf('}', i + 1);
      if (close < 0) return fail(`truncated line after '${text.slice(i + 1)}'`);
      args = text.slice(i + 1, close);
      nodeOptions = applyFlags(args, options);
      i = close + 1;
      next = i < text.length ? text.charCodeAt(i) : 0;
      if (next !== 0x5b /* [ */ && !isAlnum(next)) return fail(`parse argument modifier without variable name near '%{${args}}'`);
    } else if (next !== 0x5b && !isAlpha(next)) {
      // HAProxy drops a '%' followed by anything else and keeps the character as text.
      continue;
    }
    flush();
    if (next === 0x5b) {
      // The expression ends where it cannot continue (HAProxy's sample_parse_expr), which must be a ']'.
      const compiled = compileEmbeddedSampleFetch(
        text,
        i + 1,
        usage.kind === 'rule' ? { direction: usage.direction, constantOnly } : { logEnd: usage.kind === 'log-line' },
      );
      if (!compiled.ok) return fail(`failed to parse sample expression <${text.slice(i + 1)}> : ${compiled.message}`);
      const close = compiled.end;
      if (text[close] !== ']') {
        const found = text[close];
        const expression = text.slice(i + 1, close);
        return fail(found !== undefined && found >= ' ' && found <= '~' ? `expected ']' after '${expression}', but found '${found}'` : `missing ']' after '${expression}'`);
      }
      nodes.push({ kind: 'sample', fetch: compiled.fetch, options: nodeOptions });
      i = close + 1;
      continue;
    }
    let end = i;
    while (end < text.length && isAlnum(text.charCodeAt(end))) end++;
    const name = text.slice(i, end);
    i = end;
    if (name === 'o') {
      // The global option: its flags become the default of every later node.
      options = nodeOptions;
      continue;
    }
    const variable = LOG_VARIABLES.get(name);
    if (variable === undefined) {
      return fail(`no such format variable '${name}'. If you wanted to emit the '%' character verbatim, you need to use '%%'`);
    }
    if (variable.httpOnly && !httpMode) return fail(`format variable '${name}' is reserved for HTTP mode`);
    if (!stageAllowed(usage, variable.stage)) return fail(stageRefusal(usage, name, variable.stage));
    nodes.push({ kind: 'variable', variable, options: nodeOptions });
  }
  flush();
  const asap = usage.kind === 'log-line' && usage.logasap === true;
  return { ok: true, format: new CompiledLogFormat(text, nodes, asap, usage.kind === 'rule') };
}

const utf8 = new TextEncoder();

/** `text` as the string of its UTF-8 bytes, one char per byte (ASCII returned as it is). */
function utf8ByteString(text: string): string {
  let ascii = true;
  for (let i = 0; i < text.length && ascii; i++) ascii = text.charCodeAt(i) < 0x80;
  if (ascii) return text;
  let out = '';
  for (const b of utf8.encode(text)) out += String.fromCharCode(b);
  return out;
}
