/**
 * The argument grammars the final HTTP actions share, as HAProxy 2.6 parses them:
 * http_parse_http_reply (`status`, `content-type`, a payload, `hdr NAME FMT`) for `deny` and
 * `return`, and http_parse_redirect_rule for `redirect` (the `redirect` keyword and the
 * `http-request|http-response redirect` action).
 */
import type { ReplyFileReference } from '../error-drafts.ts';
import type { HttpReplyModel, RedirectModel } from '../model.ts';
import type { KeywordContext } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { ERROR_STATUSES } from '../../http/codec/error-pages.ts';
import type { SampleDirection } from '../../rules/sample-fetch.ts';

type Parsed<T> = { readonly ok: true; readonly value: T; readonly used: number } | { readonly ok: false; readonly message: string; readonly at: number };

const PAYLOADS = ['string', 'lf-string', 'errorfile', 'errorfiles', 'file', 'lf-file', 'default-errorfiles'] as const;
/** What HAProxy names each payload's argument in its messages. */
const ARGUMENT_NAMES: Readonly<Record<string, string>> = {
  string: 'str',
  'lf-string': 'fmt',
  errorfile: 'fmt',
  errorfiles: 'name',
  file: 'file',
  'lf-file': 'file',
};

/** How messages about a reply's file read, and where its log-format parts are evaluated. */
export interface ReplyFileContext {
  /** The keyword diagnostics name (`http-request deny`, `http-error`). */
  readonly keyword: string;
  /** Messages about the file read `${prefix}${detail}${suffix}`. */
  readonly prefix: string;
  readonly suffix: string;
  readonly direction: SampleDirection;
}

/**
 * Parses HAProxy's http reply arguments from `args[from]` until a word it does not know
 * (`if`/`unless` end the rule). `payloadDefault` is the body without payload arguments
 * (`none` for return; `errorpage` for deny). Files named by `errorfile`, `file` and `lf-file`
 * are listed in `ctx.global.replyFiles` for the loader, which fills the body in.
 */
export function parseHttpReply(
  ctx: KeywordContext,
  args: readonly Token[],
  from: number,
  status: number,
  payloadDefault: 'none' | 'errorpage',
  files: ReplyFileContext,
): Parsed<HttpReplyModel> {
  let contentType: string | undefined;
  let body: HttpReplyModel['body'] | undefined;
  let payloadWord: string | undefined;
  let fileToken: Token | undefined;
  const headers: { name: string; format: string }[] = [];
  let i = from;
  const fail = (message: string, at = i): Parsed<HttpReplyModel> => ({ ok: false, message, at });
  while (i < args.length) {
    const word = (args[i] as Token).text;
    const value = args[i + 1]?.text;
    if (word === 'status') {
      if (value === undefined) return fail(`'status' expects <status_code> as argument`);
      const n = /^\d+$/.test(value) ? Number(value) : NaN;
      if (!(n >= 200 && n <= 599)) return fail(`Unexpected status code '${value}'`, i + 1);
      status = n;
      i += 2;
    } else if (word === 'content-type') {
      if (value === undefined) return fail(`'content-type' expects <ctype> as argument`);
      contentType = value;
      i += 2;
    } else if ((PAYLOADS as readonly string[]).includes(word)) {
      if (payloadWord !== undefined) return fail(`unexpected '${word}' argument, '${payloadWord}' already defined`);
      payloadWord = word;
      if (word === 'default-errorfiles') {
        body = { kind: 'errorpage' };
        i += 1;
        continue;
      }
      if (value === undefined) return fail(`'${word}' expects <${ARGUMENT_NAMES[word] ?? 'file'}> as argument`);
      // An errorfile keeps its name (HAProxy's errorfiles are known by name); a payload is read at its line.
      const path = word === 'errorfile' ? value : ctx.resolvePath(value);
      if (word === 'string') body = { kind: 'string', text: value };
      else if (word === 'lf-string') body = { kind: 'lf-string', format: value };
      else if (word === 'errorfiles') body = { kind: 'errorfiles', name: value };
      else if (word === 'errorfile') body = { kind: 'errorfile', path, content: '' };
      else if (word === 'file') body = { kind: 'file', path, content: '' };
      else body = { kind: 'lf-file', path, format: '' };
      fileToken = args[i + 1];
      i += 2;
    } else if (word === 'hdr') {
      const format = args[i + 2]?.text;
      if (value === undefined || format === undefined) return fail(`'hdr' expects <name> and <value> as arguments`);
      if (/^(content-length|transfer-encoding|content-type)$/i.test(value)) {
        ctx.warning(`header '${value}' always ignored by the http reply.`, args[i + 1]);
      } else {
        headers.push({ name: value, format });
      }
      i += 3;
    } else {
      break;
    }
  }
  if (body === undefined) body = payloadDefault === 'errorpage' ? { kind: 'errorpage' } : { kind: 'none' };
  if (body.kind === 'none') {
    if (contentType !== undefined) ctx.warning(`content-type '${contentType}' ignored by the http reply because neither errorfile nor payload defined.`);
    contentType = undefined;
  } else if (body.kind === 'errorpage' || body.kind === 'errorfiles' || body.kind === 'errorfile') {
    // An errorfile brings its own status line; the others need a built-in page or a section's.
    if (body.kind !== 'errorfile' && !ERROR_STATUSES.includes(status)) {
      return fail(`status code '${status}' not handled by default with '${payloadWord ?? 'default-errorfiles'}' argument.`, from);
    }
    if (contentType !== undefined) ctx.warning(`content-type '${contentType}' ignored by the http reply when used with an erorrfile.`);
    if (headers.length > 0) ctx.warning('hdr parameters ignored by the http reply when used with an erorrfile.');
    contentType = undefined;
    headers.length = 0;
  } else if (body.kind === 'file') {
    // Checks on the payload's length wait for the file (reply-files.ts).
  } else if (body.kind === 'string') {
    if ((status === 204 || status === 304) && body.text !== '') return fail(`No body expected for ${status} responses`, from);
    if (contentType === undefined && body.text !== '') return fail('a content type must be defined when non-empty payload is configured', from);
    if (contentType !== undefined && body.text === '') {
      ctx.warning(`content-type '${contentType}' ignored by the http reply when used with an empty payload.`);
      contentType = undefined;
    }
  } else {
    if (status === 204 || status === 304) return fail(`No body expected for ${status} responses`, from);
    if (contentType === undefined) return fail('a content type must be defined with a log-format payload', from);
  }
  if (body.kind === 'errorfile' || body.kind === 'file' || body.kind === 'lf-file') {
    // A payload's path is already joined; an errorfile keeps its name and is read from here.
    const location = body.kind === 'errorfile' ? ctx.resolvePath(body.path) : body.path;
    const reference: ReplyFileReference = {
      path: body.path,
      ...(location !== body.path ? { location } : {}),
      place: ctx.place(fileToken),
      keyword: files.keyword,
      use: body.kind,
      prefix: files.prefix,
      suffix: files.suffix,
      status,
      contentType,
      direction: files.direction,
    };
    ctx.global.replyFiles.push(reference);
  }
  return { ok: true, value: { status, contentType, body, headers }, used: i - from };
}

const CODES = new Set([301, 302, 303, 307, 308]);

/**
 * Parses redirect arguments from `args[from]` up to `if`/`unless`. `logFormat`: the
 * destination is a log-format string (`http-request redirect`) rather than a literal.
 */
export function parseRedirect(args: readonly Token[], from: number, logFormat: boolean, response: boolean): Parsed<RedirectModel> {
  let type: RedirectModel['type'] | undefined;
  let destination = '';
  let code: RedirectModel['code'] = 302;
  let dropQuery = false;
  let appendSlash = false;
  let ignoreEmpty = false;
  let cookie: RedirectModel['cookie'];
  let i = from;
  const fail = (message: string, at = i): Parsed<RedirectModel> => ({ ok: false, message, at });
  for (; i < args.length; i++) {
    const word = (args[i] as Token).text;
    if (word === 'if' || word === 'unless') break;
    const value = args[i + 1]?.text;
    switch (word) {
      case 'location':
      case 'prefix':
      case 'scheme':
        if (value === undefined) return fail(`missing argument for '${word}'`);
        type = word;
        destination = value;
        i++;
        break;
      case 'set-cookie':
      case 'clear-cookie':
        if (value === undefined) return fail(`missing argument for '${word}'`);
        cookie = { value, set: word === 'set-cookie' };
        i++;
        break;
      case 'code': {
        if (value === undefined) return fail(`missing argument for '${word}'`);
        const n = Number(value);
        if (!CODES.has(n) || !/^\d+$/.test(value)) return fail(`'code': unsupported HTTP code '${value}' (must be one of 301, 302, 303, 307 or 308)`, i + 1);
        code = n as RedirectModel['code'];
        i++;
        break;
      }
      case 'drop-query':
        dropQuery = true;
        break;
      case 'append-slash':
        appendSlash = true;
        break;
      case 'ignore-empty':
        ignoreEmpty = true;
        break;
      default:
        return fail(
          `expects 'code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', 'drop-query', 'ignore-empty' or 'append-slash' (was '${word}')`,
        );
    }
  }
  if (type === undefined) return fail("redirection type expected ('prefix', 'location', or 'scheme')", from);
  if (response && type !== 'location') return fail("response only supports redirect type 'location'", from);
  return { ok: true, value: { type, destination, logFormat, code, dropQuery, appendSlash, ignoreEmpty, cookie }, used: i - from };
}
