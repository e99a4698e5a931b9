/**
 * The header actions of `http-request` / `http-response` (HAProxy's set-header, add-header,
 * del-header, replace-header, replace-value), applied to a message head through the codec's
 * HeadEditor: the head is rewritten once when forwarded, never rebuilt per rule, and later
 * rules read the edits (see header-view.ts).
 *
 * Framing headers (Content-Length, Transfer-Encoding) are not the rules' to change: the proxy
 * frames bodies itself, and a rule changing them would desynchronise client and server
 * (request smuggling). Configurations naming them are refused; `del-header -m` patterns skip them.
 */
import type { HeaderNameMatch, HttpHeaderRuleModel } from '../config/model.ts';
import { latin1String } from '../http/codec/chars.ts';
import { H_CONTENT_LENGTH, H_TRANSFER_ENCODING, type HeaderName, type HttpHead, headerName } from '../http/codec/head.ts';
import { receivedFieldValue, type FieldValue, type HeadEditor } from '../http/codec/serialize.ts';
import { compileLogFormat, type LogFormat } from './log-format.ts';
import type { SampleContext } from './sample-context.ts';
import type { SampleDirection } from './sample-fetch.ts';
import { bytesEqual } from '../util/bytes.ts';

export interface HeaderAction {
  apply(ctx: SampleContext, head: HttpHead, editor: HeadEditor): void;
}

export type HeaderActionCompile = { readonly ok: true; readonly action: HeaderAction } | { readonly ok: false; readonly message: string };

const FRAMING = new Set(['content-length', 'transfer-encoding']);

/** Why a rule may not touch this header, or undefined. */
export function protectedHeader(name: string): string | undefined {
  return FRAMING.has(name.toLowerCase())
    ? `'${name}' is a framing header: Switchyard frames message bodies itself and does not let rules change it`
    : undefined;
}

function isFraming(name: Uint8Array): boolean {
  return bytesEqual(name, H_CONTENT_LENGTH.lower) || bytesEqual(name, H_TRANSFER_ENCODING.lower);
}

function text(value: FieldValue): string {
  return typeof value === 'string' ? value : latin1String(value, 0, value.length);
}

class SetHeader implements HeaderAction {
  readonly #name: HeaderName;
  readonly #format: LogFormat;
  readonly #replace: boolean;
  constructor(name: HeaderName, format: LogFormat, replace: boolean) {
    this.#name = name;
    this.#format = format;
    this.#replace = replace;
  }
  apply(ctx: SampleContext, _head: HttpHead, editor: HeadEditor): void {
    // The value is computed before the removal, so `set-header X %[req.hdr(x)],y` can extend X.
    const value = this.#format.evaluate(ctx);
    if (this.#replace) editor.set(this.#name, value);
    else editor.append(this.#name, value);
  }
}

/** `del-header NAME [-m str|beg|end|sub|reg]`. */
class DelHeader implements HeaderAction {
  readonly #name: HeaderName | undefined;
  readonly #test: ((lowerName: string) => boolean) | undefined;
  constructor(name: HeaderName | undefined, test: ((lowerName: string) => boolean) | undefined) {
    this.#name = name;
    this.#test = test;
  }
  apply(_ctx: SampleContext, head: HttpHead, editor: HeadEditor): void {
    const test = this.#test;
    if (test === undefined) {
      if (this.#name !== undefined) editor.delete(this.#name);
      return;
    }
    const o = head.offsets;
    for (let i = 0; i < head.headerCount; i++) {
      const lower = latin1String(head.raw, o[4 * i] as number, o[4 * i + 1] as number).toLowerCase();
      if (!editor.isRemoved(i) && !FRAMING.has(lower) && test(lower)) editor.remove(i);
    }
    for (let j = editor.appendedCount - 1; j >= 0; j--) {
      const name = editor.appendedName(j);
      if (!isFraming(name.lower) && test(name.name.toLowerCase())) editor.dropAppended(j);
    }
  }
}

/** `replace-header` (whole values) and `replace-value` (each comma-separated value). */
class ReplaceHeader implements HeaderAction {
  readonly #name: HeaderName;
  readonly #regex: RegExp;
  readonly #format: LogFormat;
  readonly #perValue: boolean;
  constructor(name: HeaderName, regex: RegExp, format: LogFormat, perValue: boolean) {
    this.#name = name;
    this.#regex = regex;
    this.#format = format;
    this.#perValue = perValue;
  }

  apply(ctx: SampleContext, head: HttpHead, editor: HeadEditor): void {
    const template = this.#format.evaluate(ctx);
    const lower = this.#name.lower;
    for (let i = head.indexOf(lower); i >= 0; i = head.indexOf(lower, i + 1)) {
      const value = editor.editedValue(i);
      if (value === undefined) continue;
      const replaced = this.#rewrite(text(value), template);
      if (replaced !== undefined) editor.replace(i, receivedFieldValue(replaced));
    }
    for (let j = 0; j < editor.appendedCount; j++) {
      if (!bytesEqual(editor.appendedName(j).lower, lower)) continue;
      const replaced = this.#rewrite(text(editor.appendedValue(j)), template);
      if (replaced !== undefined) editor.replaceAppended(j, replaced);
    }
  }

  /** The new value, or undefined when nothing matched. */
  #rewrite(value: string, template: string): string | undefined {
    if (!this.#perValue) return this.#replaceWhole(value, template);
    let changed = false;
    // Separators (the comma and the spaces around it) are kept as they were.
    const rewritten = value.replace(/[^,]+/g, (element) => {
      const start = element.length - element.trimStart().length;
      const core = element.trim();
      const replaced = this.#replaceWhole(core, template);
      if (replaced === undefined) return element;
      changed = true;
      return element.slice(0, start) + replaced + element.slice(start + core.length);
    });
    return changed ? rewritten : undefined;
  }

  /** HAProxy replaces the whole value by the template, with \0..\9 taken from the match. */
  #replaceWhole(value: string, template: string): string | undefined {
    const m = this.#regex.exec(value);
    if (m === null) return undefined;
    return template.replace(/\\(\d)/g, (_all, digit: string) => m[Number(digit)] ?? '');
  }
}

function nameTest(match: HeaderNameMatch, pattern: string): ((lowerName: string) => boolean) | string {
  const p = pattern.toLowerCase();
  switch (match) {
    case 'str':
      return (n) => n === p;
    case 'beg':
      return (n) => n.startsWith(p);
    case 'end':
      return (n) => n.endsWith(p);
    case 'sub':
      return (n) => n.includes(p);
    case 'reg': {
      try {
        const regex = new RegExp(pattern, 'i');
        return (n) => regex.test(n);
      } catch (error) {
        return `regex '${pattern}' is invalid (${error instanceof Error ? error.message : String(error)})`;
      }
    }
  }
}

/** Compiles the action of one rule (its condition is compiled separately). */
export function compileHeaderAction(rule: HttpHeaderRuleModel, direction: SampleDirection): HeaderActionCompile {
  if (rule.action === 'del-header' && rule.match !== 'str') {
    // The "name" is a pattern here (a prefix, a regex...), not necessarily a token.
    const test = nameTest(rule.match, rule.header);
    if (typeof test === 'string') return { ok: false, message: test };
    return { ok: true, action: new DelHeader(undefined, test) };
  }
  let name: HeaderName;
  try {
    // HAProxy's HTX holds names in lower case: what a rule adds goes out so (http_add_header).
    name = headerName(rule.header.toLowerCase());
  } catch {
    return { ok: false, message: `'${rule.header}' is not a valid header name` };
  }
  const guarded = protectedHeader(rule.header);
  if (guarded !== undefined) return { ok: false, message: guarded };
  switch (rule.action) {
    case 'set-header':
    case 'add-header': {
      const format = compileLogFormat(rule.format, direction);
      if (!format.ok) return format;
      return { ok: true, action: new SetHeader(name, format.format, rule.action === 'set-header') };
    }
    case 'del-header':
      return { ok: true, action: new DelHeader(name, undefined) };
    case 'replace-header':
    case 'replace-value': {
      let regex: RegExp;
      try {
        regex = new RegExp(rule.regex);
      } catch (error) {
        return { ok: false, message: `regex '${rule.regex}' is invalid (${error instanceof Error ? error.message : String(error)})` };
      }
      const format = compileLogFormat(rule.format, direction);
      if (!format.ok) return format;
      return { ok: true, action: new ReplaceHeader(name, regex, format.format, rule.action === 'replace-value') };
    }
  }
}
