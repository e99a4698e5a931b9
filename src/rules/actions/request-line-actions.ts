/**
 * The `http-request` actions rewriting the request line, as HAProxy 2.6's http_act.c and
 * http_htx.c do them:
 *
 * - `set-method FMT`; `set-uri FMT` (an absolute URI also rewrites every Host header to its
 *   authority, http_update_host);
 * - `set-path FMT` / `set-pathq FMT`: the path without / with its query string; the scheme and
 *   authority of an absolute-form target stay (a target without a path is replaced whole, as
 *   HAProxy does);
 * - `set-query FMT`: what follows the '?' (an empty FMT keeps a bare '?' or adds none);
 * - `replace-path|replace-pathq|replace-uri REGEX FMT`: when REGEX matches the part, the whole
 *   part becomes FMT with `\1`..`\9` (and `\xHH`) taken from the match (HAProxy's exp_replace);
 * - `normalize-uri NORMALIZER` (uri-normalizers.ts).
 *
 * The new line is written through the HeadEditor and applied to the parsed head at once
 * (RequestHead.rewriteRequestLine), so later rules, `use_backend`, balancing and the server all
 * see it — HAProxy edits its message in place. A line no request may carry (a space or a
 * control character from a client-supplied sample, an empty method) is not written: the
 * rewrite is skipped and counted, as the header actions do.
 */
import type { HttpRequestLineRuleModel, UriNormalizerModel } from '../../config/model.ts';
import { H_HOST, type HttpHead, type RequestHead } from '../../http/codec/head.ts';
import { uriAuthorityEnd, uriAuthorityStart, uriPathStart } from '../../http/codec/request-target.ts';
import type { HeadEditor } from '../../http/codec/serialize.ts';
import { errorPageReply } from '../../http/local-reply.ts';
import { Verdict, type HttpAction, type HttpActionCompile, type HttpActionContext } from '../http-action.ts';
import { compileLogFormat, type LogFormat } from '../log-format.ts';
import type { SampleDirection } from '../sample-fetch.ts';
import {
  encodeFragment,
  mergeSlashes,
  percentDecodeUnreserved,
  percentToUppercase,
  sortQuery,
  stripDot,
  stripDotDot,
  stripFragment,
} from '../uri-normalizers.ts';
import { rewriteFailed } from './strict-mode.ts';

/** Which part of the line a rewrite replaces (HAProxy's http_req_replace_stline actions). */
type Part = 'method' | 'path' | 'pathq' | 'query' | 'uri';

/** The target with `part` replaced by `value` (HAProxy's http_replace_req_path/query). */
function replacePart(target: string, part: 'path' | 'pathq' | 'query', value: string): string {
  if (part === 'query') {
    const q = target.indexOf('?');
    if (q >= 0) return target.slice(0, q + 1) + value;
    return value === '' ? target : `${target}?${value}`;
  }
  // Without a path, HAProxy takes the whole target as the path to replace.
  const found = uriPathStart(target);
  const start = found < 0 ? 0 : found;
  let end = target.length;
  if (part === 'path') {
    const q = target.indexOf('?', start);
    if (q >= 0) end = q;
  }
  return target.slice(0, start) + value + target.slice(end);
}

/**
 * Writes the new line (editor and parsed head together); false when it cannot be a request
 * line (a failed rewrite: the caller reports it), then nothing changed. `uri`: Host headers follow an absolute URI's authority.
 */
function rewrite(ctx: HttpActionContext, head: RequestHead, editor: HeadEditor, part: Part, value: string): boolean {
  let method = head.method;
  let target = head.target;
  if (part === 'method') method = value;
  else if (part === 'uri') target = value;
  else target = replacePart(target, part, value);
  let authority: string | undefined;
  if (part === 'uri' && method !== 'CONNECT') {
    const start = uriAuthorityStart(target);
    if (start >= 0) {
      authority = target.slice(start, uriAuthorityEnd(target));
      // HAProxy refuses an absolute URI without an authority (http_update_host fails).
      if (authority === '') return false;
    }
  } else if (part === 'uri' && target.charCodeAt(0) !== 0x2f && target !== '*') {
    authority = target;
  }
  try {
    editor.setRequestLine(method, target, head.versionMinor);
  } catch {
    return false;
  }
  head.rewriteRequestLine(method, target);
  if (authority !== undefined) rewriteHostHeaders(editor, head, authority);
  return true;
}

/** Every Host header (received or added by a rule) takes the new authority. */
function rewriteHostHeaders(editor: HeadEditor, head: HttpHead, authority: string): void {
  for (let i = head.indexOf(H_HOST); i >= 0; i = head.indexOf(H_HOST, i + 1)) {
    if (!editor.isRemoved(i)) editor.replace(i, authority);
  }
  for (let j = 0; j < editor.appendedCount; j++) {
    const name = editor.appendedName(j).lower;
    if (name.length === 4 && name[0] === 0x68 && name[1] === 0x6f && name[2] === 0x73 && name[3] === 0x74) editor.replaceAppended(j, authority);
  }
}

/** `set-method|set-path|set-pathq|set-query|set-uri FMT`. */
class SetPart implements HttpAction {
  readonly #part: Part;
  readonly #format: LogFormat;
  constructor(part: Part, format: LogFormat) {
    this.#part = part;
    this.#format = format;
  }
  run(ctx: HttpActionContext, _head: HttpHead, editor: HeadEditor): Verdict {
    const req = ctx.lbHead;
    if (req !== undefined && !rewrite(ctx, req, editor, this.#part, this.#format.evaluate(ctx))) return rewriteFailed(ctx);
    return Verdict.continue;
  }
}

/**
 * HAProxy's exp_replace: the template with `\N` replaced by group N (nothing when it did not
 * participate), `\xHH` by that byte, `\c` by c. undefined for a template ending in '\'.
 */
export function expandReplacement(template: string, match: RegExpExecArray): string | undefined {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    i++;
    if (i >= template.length) return undefined;
    const next = template.charCodeAt(i);
    if (next >= 0x30 && next <= 0x39) {
      out += match[next - 0x30] ?? '';
    } else if (next === 0x78 /* x */) {
      if (i + 2 >= template.length) return undefined;
      const hi = hexNibble(template.charCodeAt(i + 1));
      const lo = hexNibble(template.charCodeAt(i + 2));
      out += String.fromCharCode(((hi << 4) + lo) & 0xff);
      i += 2;
    } else {
      out += template[i];
    }
  }
  return out;
}

/** HAProxy's lenient hex digit: toupper(c) - '0', letters past '9' shifted. */
function hexNibble(c: number): number {
  let v = (c >= 0x61 && c <= 0x7a ? c - 0x20 : c) - 0x30;
  if (v > 9) v -= 0x41 - 0x39 - 1;
  return v & 0xff;
}

/** `replace-path|replace-pathq|replace-uri REGEX FMT`. */
class ReplacePart implements HttpAction {
  readonly #part: 'path' | 'pathq' | 'uri';
  readonly #regex: RegExp;
  readonly #format: LogFormat;
  constructor(part: 'path' | 'pathq' | 'uri', regex: RegExp, format: LogFormat) {
    this.#part = part;
    this.#regex = regex;
    this.#format = format;
  }
  run(ctx: HttpActionContext, _head: HttpHead, editor: HeadEditor): Verdict {
    const req = ctx.lbHead;
    if (req === undefined) return Verdict.continue;
    const target = req.target;
    let subject = target;
    if (this.#part !== 'uri') {
      const start = uriPathStart(target);
      if (start < 0) return Verdict.continue;
      subject = target.slice(start);
      if (this.#part === 'path') {
        const q = subject.indexOf('?');
        if (q >= 0) subject = subject.slice(0, q);
      }
    }
    if (subject === '') return Verdict.continue;
    const match = this.#regex.exec(subject);
    if (match === null) return Verdict.continue;
    const replaced = expandReplacement(this.#format.evaluate(ctx), match);
    if (replaced === undefined || !rewrite(ctx, req, editor, this.#part, replaced)) return rewriteFailed(ctx);
    return Verdict.continue;
  }
}

/** `normalize-uri NORMALIZER`; a strict normalizer meeting a bad escape answers 400. */
class NormalizeUri implements HttpAction {
  readonly #normalizer: UriNormalizerModel;
  constructor(normalizer: UriNormalizerModel) {
    this.#normalizer = normalizer;
  }
  run(ctx: HttpActionContext, _head: HttpHead, editor: HeadEditor): Verdict {
    const req = ctx.lbHead;
    if (req === undefined) return Verdict.continue;
    const target = req.target;
    const start = uriPathStart(target);
    if (start < 0) return Verdict.continue;
    const pathq = target.slice(start);
    const q = pathq.indexOf('?');
    const path = q < 0 ? pathq : pathq.slice(0, q);
    let part: 'path' | 'pathq' | 'query' = 'path';
    let value: string | undefined;
    switch (this.#normalizer) {
      case 'path-merge-slashes':
        value = mergeSlashes(path);
        break;
      case 'path-strip-dot':
        value = stripDot(path);
        break;
      case 'path-strip-dotdot':
      case 'path-strip-dotdot-full':
        value = stripDotDot(path, this.#normalizer === 'path-strip-dotdot-full');
        break;
      case 'query-sort-by-name':
        if (q < 0) return Verdict.continue;
        part = 'query';
        value = sortQuery(pathq.slice(q)).slice(1);
        break;
      case 'percent-to-uppercase':
      case 'percent-to-uppercase-strict':
        part = 'pathq';
        value = percentToUppercase(pathq, this.#normalizer === 'percent-to-uppercase-strict');
        break;
      case 'percent-decode-unreserved':
      case 'percent-decode-unreserved-strict':
        part = 'pathq';
        value = percentDecodeUnreserved(pathq, this.#normalizer === 'percent-decode-unreserved-strict');
        break;
      case 'fragment-strip':
        part = 'pathq';
        value = stripFragment(pathq);
        break;
      case 'fragment-encode':
        part = 'pathq';
        value = encodeFragment(pathq);
        break;
    }
    if (value === undefined) {
      // HAProxy's ACT_RET_INV: the request is invalid, answered 400 and the connection closed.
      ctx.reply = errorPageReply(400);
      ctx.invalidRequest = true;
      return Verdict.reply;
    }
    return rewrite(ctx, req, editor, part, value) ? Verdict.continue : rewriteFailed(ctx);
  }
}

const SET_PARTS: Readonly<Record<string, Part>> = {
  'set-method': 'method',
  'set-path': 'path',
  'set-pathq': 'pathq',
  'set-query': 'query',
  'set-uri': 'uri',
};

export function compileRequestLineAction(rule: HttpRequestLineRuleModel, direction: SampleDirection): HttpActionCompile {
  if (direction !== 'request') return { ok: false, message: `'${rule.action}' only applies to requests` };
  if (rule.action === 'normalize-uri') return { ok: true, action: new NormalizeUri(rule.normalizer) };
  const format = compileLogFormat(rule.format, direction);
  if (!format.ok) return format;
  if (rule.action === 'replace-path' || rule.action === 'replace-pathq' || rule.action === 'replace-uri') {
    let regex: RegExp;
    try {
      regex = new RegExp(rule.regex);
    } catch (error) {
      return { ok: false, message: `failed to parse the regex : regex '${rule.regex}' is invalid (${error instanceof Error ? error.message : String(error)})` };
    }
    const part = rule.action === 'replace-path' ? 'path' : rule.action === 'replace-pathq' ? 'pathq' : 'uri';
    return { ok: true, action: new ReplacePart(part, regex, format.format) };
  }
  return { ok: true, action: new SetPart(SET_PARTS[rule.action] as Part, format.format) };
}
