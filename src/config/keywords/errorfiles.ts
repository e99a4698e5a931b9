/**
 * Error pages (HAProxy's http_htx.c): the proxy keywords `errorfile`, `errorloc`,
 * `errorloc302`, `errorloc303`, `errorfiles` and `http-error`, and the `http-errors NAME`
 * section with its `errorfile` lines. Each proxy line is kept in order (defaults' lines first)
 * and resolved once every section is read (resolve-errors.ts); files are read by the loader
 * (reply-files.ts), never at request time. Messages are HAProxy 2.6's.
 */
import type { ProxyErrorDraft } from '../error-drafts.ts';
import type { HttpReplyModel } from '../model.ts';
import type { KeywordContext, KeywordList, SectionHeader, SectionKeyword, SectionKind } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { invalidNameCharacter } from './names.ts';
import { parseHttpReply } from './reply-args.ts';
import { ERROR_STATUSES } from '../../http/codec/error-pages.ts';
import { parseErrorMessage } from '../../http/error-message.ts';
import { compileReplyBuilder } from '../../rules/actions/reply-actions.ts';
import { atol } from './args.ts';

const ALL_PROXIES: readonly SectionKind[] = ['defaults', 'frontend', 'backend', 'listen'];


/** The configuration is text; a file's content is kept one character per byte. */
function latin1Of(text: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) out += String.fromCharCode(byte);
  return out;
}

function errorfileReply(status: number, path: string, content: string): HttpReplyModel {
  return { status, contentType: undefined, body: { kind: 'errorfile', path, content }, headers: [] };
}

function addError(ctx: KeywordContext, entry: ProxyErrorDraft): void {
  ctx.proxy?.errors.push(entry);
}

/** Lists an errorfile for the loader; the reply's content is filled in from it. */
function referenceErrorfile(ctx: KeywordContext, status: number, token: Token, prefix: string): void {
  const location = ctx.resolvePath(token.text);
  ctx.global.replyFiles.push({
    path: token.text,
    ...(location !== token.text ? { location } : {}),
    place: ctx.place(token),
    keyword: 'errorfile',
    use: 'errorfile',
    prefix,
    suffix: '',
    status,
    contentType: undefined,
    direction: 'request',
  });
}

/** `CODE FILE` of an `errorfile` line (proxy or http-errors section): checked, file referenced. */
function errorfileArgs(ctx: KeywordContext, args: readonly Token[], usagePrefix: string): { status: number; file: Token } | undefined {
  const code = args[1];
  const file = args[2];
  if (code === undefined || code.text === '' || file === undefined || file.text === '') {
    ctx.error(`${usagePrefix}expects <status_code> and <file> as arguments.`);
    return undefined;
  }
  const status = atol(code.text);
  if (!ERROR_STATUSES.includes(status)) {
    ctx.error(`errorfile : status code '${status}' not handled.`, code);
    return undefined;
  }
  referenceErrorfile(ctx, status, file, 'errorfile : ');
  return { status, file };
}

/** `errorfile CODE FILE`: the file, a whole HTTP response, answers for CODE. */
function parseErrorfile(ctx: KeywordContext, args: readonly Token[]): void {
  const parsed = errorfileArgs(ctx, args, 'errorfile : ');
  if (parsed === undefined) return;
  const { status, file } = parsed;
  addError(ctx, { kind: 'reply', status, reply: errorfileReply(status, file.text, ''), place: ctx.place(file), keyword: 'errorfile' });
}

/** `errorloc[302|303] CODE URL`: a redirect to URL answers for CODE. */
function parseErrorloc(ctx: KeywordContext, args: readonly Token[]): void {
  const keyword = (args[0] as Token).text;
  const code = args[1];
  const url = args[2];
  if (code === undefined || code.text === '' || url === undefined || url.text === '') {
    ctx.error(`${keyword} : expects <status_code> and <url> as arguments.`);
    return;
  }
  const status = atol(code.text);
  if (!ERROR_STATUSES.includes(status)) {
    ctx.error(`${keyword} : status code '${status}' not handled.`, code);
    return;
  }
  const redirect = keyword === 'errorloc303' ? 303 : 302;
  const statusLine = redirect === 302 ? 'HTTP/1.1 302 Found' : 'HTTP/1.1 303 See Other';
  const content = latin1Of(`${statusLine}\r\nCache-Control: no-cache\r\nContent-length: 0\r\nLocation: ${url.text}\r\n\r\n`);
  const parsed = parseErrorMessage(Uint8Array.from(content, (c) => c.charCodeAt(0)));
  if (!parsed.ok) {
    ctx.error(`${keyword} : invalid error message: ${parsed.error}`, url);
    return;
  }
  addError(ctx, {
    kind: 'reply',
    status,
    reply: errorfileReply(status, `errorloc${redirect} ${url.text}`, content),
    place: ctx.place(url),
    keyword,
  });
}

/** `errorfiles NAME [CODE...]`: the `http-errors NAME` section's pages (all, or those CODEs). */
function parseErrorfiles(ctx: KeywordContext, args: readonly Token[]): void {
  const name = args[1];
  if (name === undefined || name.text === '') {
    ctx.error('errorfiles : expects <name> as argument.');
    return;
  }
  const codes = args.slice(2);
  const statuses: number[] = [];
  for (const code of codes) {
    const status = atol(code.text);
    if (!ERROR_STATUSES.includes(status)) {
      ctx.error(`errorfiles : status code '${status}' not handled.`, code);
      return;
    }
    statuses.push(status);
  }
  addError(ctx, {
    kind: 'section',
    name: name.text,
    statuses: codes.length === 0 ? ERROR_STATUSES : statuses,
    explicit: codes.length > 0,
    place: ctx.place(name),
    keyword: 'errorfiles',
  });
}

/** `http-error status CODE [content-type T] [payload] [hdr NAME FMT]...`: an http reply for CODE. */
function parseHttpError(ctx: KeywordContext, args: readonly Token[]): void {
  const parsed = parseHttpReply(ctx, args, 1, 0, 'none', { keyword: 'http-error', prefix: 'http-error : ', suffix: '', direction: 'request' });
  if (!parsed.ok) {
    ctx.error(`http-error : ${parsed.message}`, args[parsed.at]);
    return;
  }
  const reply = parsed.value;
  if (reply.status === 0) {
    ctx.error('http-error : expects at least a <status> as arguments.');
    return;
  }
  if (!ERROR_STATUSES.includes(reply.status)) {
    ctx.error(`http-error: status code '${reply.status}' not handled.`);
    return;
  }
  const extra = args[1 + parsed.used];
  if (extra !== undefined) {
    ctx.error(`http-error : unknown keyword '${extra.text}'.`, extra);
    return;
  }
  if (reply.body.kind === 'errorfiles') {
    addError(ctx, { kind: 'section', name: reply.body.name, statuses: [reply.status], explicit: true, place: ctx.place(), keyword: 'http-error' });
    return;
  }
  // Log-format parts must compile (their file, for `lf-file`, is checked once read).
  const compiled = compileReplyBuilder(reply, 'request');
  if (!compiled.ok) {
    ctx.error(`http-error : ${compiled.message}`);
    return;
  }
  addError(ctx, { kind: 'reply', status: reply.status, reply, place: ctx.place(), keyword: 'http-error' });
}

/** `http-errors NAME`: opens a section of `errorfile CODE FILE` lines. */
function openHttpErrors(ctx: KeywordContext, args: readonly Token[]): void {
  const header = args[0] as Token;
  const nameToken = args[1];
  const name = nameToken?.text ?? '';
  if (name === '') {
    ctx.error('missing name for http-errors section.', header);
  } else {
    const bad = invalidNameCharacter(name);
    if (bad !== undefined) ctx.error(`character '${bad}' is not permitted in 'http-errors' name '${name}'.`, nameToken);
    const other = ctx.global.httpErrors.find((section) => section.name === name);
    if (other !== undefined) {
      ctx.error(`http-errors section '${name}' already exists (declared at ${other.place.file}:${other.place.line}).`, nameToken);
    }
  }
  // Even a refused header opens its section, so the lines under it are checked too.
  ctx.global.httpErrors.push({ name, place: ctx.place(header), replies: new Map() });
}

/** `errorfile CODE FILE` in an `http-errors` section. */
function parseSectionErrorfile(ctx: KeywordContext, args: readonly Token[]): void {
  // HAProxy's http-errors parser words its usage message without the space before the colon.
  const parsed = errorfileArgs(ctx, args, 'errorfile: ');
  if (parsed === undefined) return;
  const { status, file } = parsed;
  ctx.global.httpErrors.at(-1)?.replies.set(status, errorfileReply(status, file.text, ''));
}

function proxyKeyword(name: string, parse: (ctx: KeywordContext, args: readonly Token[]) => void): SectionKeyword {
  return { name, sections: ALL_PROXIES, parse };
}

const httpErrorsSection: SectionHeader = { name: 'http-errors', open: openHttpErrors };

export const errorfileKeywords: KeywordList = {
  sections: [httpErrorsSection],
  keywords: [
    proxyKeyword('errorfile', parseErrorfile),
    proxyKeyword('errorloc', parseErrorloc),
    proxyKeyword('errorloc302', parseErrorloc),
    proxyKeyword('errorloc303', parseErrorloc),
    proxyKeyword('errorfiles', parseErrorfiles),
    proxyKeyword('http-error', parseHttpError),
    { name: 'errorfile', sections: ['http-errors'], parse: parseSectionErrorfile },
  ],
};
