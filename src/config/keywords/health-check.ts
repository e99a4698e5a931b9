/**
 * How a backend checks its `check` servers (HAProxy's tcpcheck.c): a TCP connect by default or
 * with `option tcp-check` alone, or HTTP requests with `option httpchk [METHOD] [URI]
 * [VERSION]`, shaped by `http-check send [meth M] [uri U|uri-lf FMT] [ver V] [hdr NAME FMT]*
 * [body S|body-lf FMT]` and judged by `http-check expect [!] status|rstatus|string|rstring|hdr|fhdr
 * PATTERN` (several, all must pass, in order; none = any 2xx or 3xx status). `http-check
 * connect` (http-check-connect.ts) opens a further request, in HAProxy's rule order.
 *
 * `option httpchk` and `option tcp-check` replace each other, as in HAProxy. The `http-check`
 * rules of a defaults section are inherited only by proxies writing none of their own.
 * `disable-on-404` and `send-state` are proxy options (inherited, never reset); `set-var` /
 * `unset-var` are in http-check-vars.ts, the `tcp-check` rules in tcp-check.ts.
 */

import type { HttpCheckSendDraft, ProxyDraft } from '../draft.ts';
import type { HttpCheckExpectModel, HttpCheckMatch } from '../model.ts';
import type { KeywordContext, KeywordList, ProxyOption, SectionKeyword } from '../registry.ts';
import { didYouMean } from '../suggest.ts';
import type { Token } from '../tokenizer.ts';
import { isHeaderName } from './http.ts';
import { noExtraArgs } from './args.ts';
import { checkLogFormatError, isCheckVarAction, parseCheckVarAction } from './http-check-vars.ts';
import { parseHttpCheckConnect } from './http-check-connect.ts';
import { EXPECT_OPTION_WORDS, parseExpectOption } from './check-expect-options.ts';

/** An HTTP method is an RFC 9110 token. */
function isMethod(text: string): boolean {
  return isHeaderName(text);
}

/**
 * The legacy way of adding headers, still accepted by HAProxy 2.6: `option httpchk GET /
 * "HTTP/1.1\r\nHost: www"`. Returns the version and the headers, or a message.
 */
function splitLegacyVersion(text: string): { version: string; headers: [string, string][] } | string {
  const [version = '', ...lines] = text.split('\r\n');
  const headers: [string, string][] = [];
  for (const line of lines) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon).trim();
    if (!isHeaderName(name)) return `invalid header line '${line}' after the HTTP version`;
    headers.push([name, line.slice(colon + 1).trim()]);
  }
  if (version === '') return 'empty HTTP version';
  return { version, headers };
}

/** `option httpchk`, `option httpchk URI`, `option httpchk METHOD URI [VERSION]`. */
const httpchk: ProxyOption = {
  name: 'httpchk',
  capability: 'backend',
  prefixes: [],
  builtinDefault: false,
  read: (proxy) => proxy.healthCheck.kind === 'http',
  apply(ctx, proxy, _enabled, args) {
    if (!noExtraArgs(ctx, args, 5, 2)) return;
    let method: string | undefined;
    let uri: string | undefined;
    let versionToken: Token | undefined;
    if (args.length === 3) {
      uri = (args[2] as Token).text;
    } else if (args.length >= 4) {
      const methodToken = args[2] as Token;
      if (!isMethod(methodToken.text)) {
        ctx.error(`'option httpchk' : invalid HTTP method '${methodToken.text}'.`, methodToken, 'option httpchk');
        return;
      }
      method = methodToken.text;
      uri = (args[3] as Token).text;
      versionToken = args[4];
    }
    if (uri === '') {
      ctx.error("'option httpchk' : the URI cannot be empty.", args[args.length === 3 ? 2 : 3], 'option httpchk');
      return;
    }
    let version: string | undefined;
    let headers: [string, string][] = [];
    if (versionToken !== undefined) {
      const split = splitLegacyVersion(versionToken.text);
      if (typeof split === 'string') {
        ctx.error(`'option httpchk' : ${split}.`, versionToken, 'option httpchk');
        return;
      }
      version = split.version;
      headers = split.headers;
    }
    // A proxy's own `option httpchk` starts its own rule set: inherited http-check rules are dropped.
    if (proxy.healthCheck.rulesInherited) dropInheritedRules(proxy.healthCheck);
    proxy.healthCheck.kind = 'http';
    proxy.healthCheck.httpchk = { method, uri, version, headers };
    proxy.healthCheck.protocol = undefined;
    proxy.healthCheck.tcpOption = false;
  },
};

/** `option tcp-check`: the `tcp-check` rules (tcp-check.ts) run, or a plain connect without any. */
const tcpCheck: ProxyOption = {
  name: 'tcp-check',
  capability: 'backend',
  prefixes: [],
  builtinDefault: false,
  read: (proxy) => proxy.healthCheck.kind === 'tcp',
  apply(ctx, proxy, _enabled, args) {
    if (!noExtraArgs(ctx, args, 2, 2)) return;
    proxy.healthCheck.kind = 'tcp';
    proxy.healthCheck.httpchk = undefined;
    proxy.healthCheck.protocol = undefined;
    proxy.healthCheck.tcpOption = true;
  },
};

/** The proxy's own rules replace inherited ones at its first `http-check` line. */
function ownRules(ctx: KeywordContext, proxy: ProxyDraft): void {
  const check = proxy.healthCheck;
  if (check.rulesInherited) {
    // HAProxy starts a new rule set for the proxy: the inherited `option httpchk` request goes too.
    if (check.httpchk !== undefined) check.httpchk = { method: undefined, uri: undefined, version: undefined, headers: [] };
    dropInheritedRules(check);
  }
  check.rulesPlace ??= ctx.place();
}

function dropInheritedRules(check: ProxyDraft['healthCheck']): void {
  check.send = undefined;
  check.expect = [];
  check.connect = undefined;
  check.before = [];
  check.segments = [];
  check.lastRule = undefined;
  check.lastIndex = -1;
  check.rulesInherited = false;
  check.rulesPlace = undefined;
}

const SEND_OPTIONS = ['meth', 'uri', 'uri-lf', 'ver', 'hdr', 'body', 'body-lf', 'comment'];

/** A log-format value of `http-check send` (uri-lf, body-lf, every hdr value); HAProxy's message on a bad one. */
function validFormat(ctx: KeywordContext, value: Token, quoted: boolean): boolean {
  const error = checkLogFormatError(value.text);
  if (error === undefined) return true;
  ctx.error(quoted ? `'http-check send' : '${value.text}' invalid log-format string (${error}).` : `'http-check send' : ${error}.`, value);
  return false;
}

function parseSend(ctx: KeywordContext, args: readonly Token[]): HttpCheckSendDraft | undefined {
  const send: HttpCheckSendDraft = { method: undefined, uri: undefined, version: undefined, headers: [], body: undefined };
  let i = 2;
  while (i < args.length) {
    const word = args[i] as Token;
    if (!SEND_OPTIONS.includes(word.text)) {
      ctx.error(
        `'http-check send' : expects 'comment', 'meth', 'uri', 'uri-lf', 'ver', 'hdr', 'body' or 'body-lf' but got '${word.text}' as argument${didYouMean(word.text, SEND_OPTIONS)}.`,
        word,
      );
      return undefined;
    }
    const value = args[i + 1];
    if (value === undefined) {
      ctx.error(`'http-check send' : '${word.text}' expects ${word.text === 'hdr' ? '<name> and <value> as arguments' : 'a string as argument..'}`, word);
      return undefined;
    }
    switch (word.text) {
      case 'meth':
        if (!isMethod(value.text)) {
          ctx.error(`'http-check send' : invalid HTTP method '${value.text}'.`, value);
          return undefined;
        }
        send.method = value.text;
        break;
      case 'uri':
        if (value.text === '') {
          ctx.error("'http-check send' : the URI cannot be empty.", value);
          return undefined;
        }
        send.uri = value.text;
        send.uriFormat = false;
        break;
      case 'uri-lf':
        if (value.text === '') {
          ctx.error("'http-check send' : 'uri-lf' expects a string as argument..", word);
          return undefined;
        }
        if (!validFormat(ctx, value, true)) return undefined;
        send.uri = value.text;
        send.uriFormat = true;
        break;
      case 'body-lf':
        if (!validFormat(ctx, value, true)) return undefined;
        send.body = value.text;
        send.bodyFormat = true;
        break;
      case 'comment':
        // Comments name rules in step messages, which HTTP checks do not print.
        break;
      case 'ver':
        send.version = value.text;
        break;
      case 'body':
        send.body = value.text;
        send.bodyFormat = false;
        break;
      default: {
        const headerValue = args[i + 2];
        if (headerValue === undefined) {
          ctx.error("'http-check send' : 'hdr' expects <name> and <value> as arguments", word);
          return undefined;
        }
        if (!isHeaderName(value.text)) {
          ctx.error(`'http-check send' : '${value.text}' is not a valid header name.`, value);
          return undefined;
        }
        // Every header value is a log-format string in HAProxy 2.6.
        if (!validFormat(ctx, headerValue, false)) return undefined;
        send.headers.push([value.text, headerValue.text]);
        i += 1;
      }
    }
    i += 2;
  }
  return send;
}

const EXPECT_KINDS = ['status', 'rstatus', 'string', 'rstring', 'hdr', 'fhdr'];
const MATCHES: readonly HttpCheckMatch[] = ['str', 'beg', 'end', 'sub', 'reg'];

/** `hdr|fhdr name [-m M] NAME [value [-m M] VALUE]` from args[at] (the word after hdr/fhdr); the rule and the index after it. */
function parseHeaderExpect(ctx: KeywordContext, args: readonly Token[], at: number, kind: 'hdr' | 'fhdr', negate: boolean): { rule: HttpCheckExpectModel; next: number } | undefined {
  let i = at;
  const part = (keyword: 'name' | 'value'): { match: HttpCheckMatch; pattern: string; format: boolean } | undefined => {
    const word = args[i];
    const format = word?.text === `${keyword}-lf`;
    if (word?.text !== keyword && !format) {
      ctx.error(`'http-check expect ${kind}' expects at the ${keyword} keyword as ${keyword === 'name' ? 'first ' : ''}argument followed by a pattern.`, word ?? args[at - 1]);
      return undefined;
    }
    i++;
    let match: HttpCheckMatch = 'str';
    if (args[i]?.text === '-m') {
      const method = args[i + 1];
      const found = MATCHES.find((m) => m === method?.text);
      if (found === undefined) {
        ctx.error(`'http-check expect ${kind}' : '-m' only supports 'str', 'beg', 'end', 'sub' or 'reg' (got '${method?.text ?? ''}').`, method ?? args[i]);
        return undefined;
      }
      match = found;
      i += 2;
    }
    const pattern = args[i];
    if (pattern === undefined || pattern.text === '') {
      ctx.error(`'http-check expect ${kind}' expects a pattern after '${keyword}'.`, args[i - 1]);
      return undefined;
    }
    if (format) {
      const error = checkLogFormatError(pattern.text);
      if (error !== undefined) {
        ctx.error(`'http-check expect ${kind}' : ${error}`, pattern);
        return undefined;
      }
    } else if (match === 'reg') {
      try {
        new RegExp(pattern.text);
      } catch (err) {
        ctx.error(`'http-check expect ${kind}' : invalid regex '${pattern.text}' (${(err as Error).message}).`, pattern);
        return undefined;
      }
    }
    i++;
    return { match, pattern: pattern.text, format };
  };
  const name = part('name');
  if (name === undefined) return undefined;
  let value: { match: HttpCheckMatch; pattern: string; format: boolean } | undefined;
  // The value part is optional: what follows may be the rule's options.
  if (args[i]?.text === 'value' || args[i]?.text === 'value-lf') {
    value = part('value');
    if (value === undefined) return undefined;
  }
  const rule: HttpCheckExpectModel = {
    negate,
    kind,
    pattern: name.pattern,
    header: {
      nameMatch: name.match,
      valueMatch: value?.match ?? 'str',
      value: value?.pattern,
      ...(name.format ? { nameFormat: true } : {}),
      ...(value?.format === true ? { valueFormat: true } : {}),
    },
  };
  return { rule, next: i };
}
/** `200`, `200-399`, `200,301,302-308`. */
const STATUS_LIST = /^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/;

/** HAProxy's answer to a word that is neither an option nor a pattern (its quotes as they are). */
const ONLY_SUPPORTS =
  "'only supports min-recv, [!]string', '[!]rstring', '[!]string-lf', '[!]status', '[!]rstatus', [!]hdr, [!]fhdr or comment";

/**
 * `http-check expect [OPTIONS] [!] KIND PATTERN [OPTIONS]`: the options (check-expect-options.ts)
 * may come before or after the pattern, as HAProxy's parse_tcpcheck_expect reads them.
 */
function parseExpect(ctx: KeywordContext, args: readonly Token[]): HttpCheckExpectModel | undefined {
  const where = "'http-check expect'";
  const options: Parameters<typeof parseExpectOption>[5] = {};
  let negate = false;
  let negatedLast = false;
  let rule: HttpCheckExpectModel | undefined;
  let i = 2;
  while (i < args.length) {
    const word = args[i] as Token;
    if (EXPECT_OPTION_WORDS.includes(word.text)) {
      const next = parseExpectOption(ctx, where, args, i, negatedLast, options);
      if (next === undefined) return undefined;
      i = next;
      continue;
    }
    if (word.text === '!') {
      negate = !negate;
      negatedLast = true;
      i++;
      continue;
    }
    if (rule !== undefined) {
      const known = EXPECT_KINDS.includes(word.text) || word.text === 'string-lf';
      ctx.error(`${where} : ${known ? 'only on pattern expected.' : `${ONLY_SUPPORTS} but got '${word.text}' as argument..`}`, word);
      return undefined;
    }
    const parsed = parseExpectPattern(ctx, args, i, negate);
    if (parsed === undefined) return undefined;
    rule = parsed.rule;
    i = parsed.next;
    negatedLast = false;
  }
  if (rule === undefined) {
    if (i > 2) ctx.error(`${where} : pattern not found.`, args[1]);
    else ctx.error("'http-check expect' expects a matching method: 'status', 'rstatus', 'string', 'rstring', 'string-lf', 'hdr' or 'fhdr'.", args[1]);
    return undefined;
  }
  return { ...rule, ...options };
}

/** The `KIND PATTERN` part at args[i]; the rule and the index after it. */
function parseExpectPattern(ctx: KeywordContext, args: readonly Token[], i: number, negate: boolean): { rule: HttpCheckExpectModel; next: number } | undefined {
  const kindToken = args[i] as Token;
  if (kindToken.text === 'custom') {
    // HAProxy keeps `custom` for its own protocol checks: it has no function a configuration could name.
    ctx.error("'http-check expect custom' is internal to HAProxy's protocol checks and cannot be configured.", kindToken);
    return undefined;
  }
  const kind = [...EXPECT_KINDS, 'string-lf'].find((k) => k === kindToken.text) as HttpCheckExpectModel['kind'] | undefined;
  if (kind === undefined) {
    ctx.error(
      `'http-check expect' only supports 'status', 'rstatus', 'string', 'rstring', 'string-lf', 'hdr' and 'fhdr' matching methods (got '${kindToken.text}')${didYouMean(kindToken.text, EXPECT_KINDS)}.`,
      kindToken,
    );
    return undefined;
  }
  if (kind === 'hdr' || kind === 'fhdr') return parseHeaderExpect(ctx, args, i + 1, kind, negate);
  const pattern = args[i + 1];
  if (pattern === undefined || pattern.text === '') {
    ctx.error(`'http-check expect ${kind}' expects <pattern> as argument.`, kindToken);
    return undefined;
  }
  if (kind === 'status' && !STATUS_LIST.test(pattern.text)) {
    ctx.error(`'http-check expect status' expects a status code, a list or a range such as '200', '200,302' or '200-399' (got '${pattern.text}').`, pattern);
    return undefined;
  }
  if (kind === 'rstatus' || kind === 'rstring') {
    try {
      new RegExp(pattern.text);
    } catch (err) {
      ctx.error(`'http-check expect ${kind}' : invalid regex '${pattern.text}' (${(err as Error).message}).`, pattern);
      return undefined;
    }
  }
  if (kind === 'string-lf') {
    const error = checkLogFormatError(pattern.text);
    if (error !== undefined) {
      ctx.error(`'http-check expect' : '${pattern.text}' invalid log-format string (${error}).`, pattern);
      return undefined;
    }
  }
  return { rule: { negate, kind, pattern: pattern.text }, next: i + 2 };
}

const HTTP_CHECK_ACTIONS = ['comment', 'connect', 'send', 'expect', 'send-state', 'disable-on-404', 'set-var', 'set-var-fmt', 'unset-var'];

type HealthCheck = ProxyDraft['healthCheck'];

/** The rules the next line adds to: the last `http-check connect`'s, or the first request's. */
function currentSegment(check: HealthCheck): { send: HttpCheckSendDraft | undefined; before: HttpCheckExpectModel[]; expect: HttpCheckExpectModel[] } {
  return check.segments[check.segments.length - 1] ?? check;
}

/**
 * HAProxy's tcpcheck_add_http_rule order checks: a send follows a connect, an expect a send or
 * an expect, a connect an expect (comments and set-var lines are skipped). Returns the message
 * or undefined; the step is HAProxy's rule index + 1.
 */
function orderError(check: HealthCheck, action: 'connect' | 'send' | 'expect'): string | undefined {
  const last = check.lastRule;
  const step = check.lastIndex + 2;
  if (last === undefined) return undefined;
  if (action === 'send' && last !== 'connect') return `unable to add http-check send rule at step ${step} (missing connect rule).`;
  if (action === 'expect' && last !== 'send' && last !== 'expect') return `unable to add http-check expect rule at step ${step} (missing send rule).`;
  if (action === 'connect' && last !== 'expect') return `unable to add http-check connect rule at step ${step} (missing expect rule).`;
  return undefined;
}

function hasConnect(check: HealthCheck): boolean {
  return check.connect !== undefined || check.segments.length > 0;
}

function parseHttpCheck(ctx: KeywordContext, args: readonly Token[]): void {
  const action = args[1];
  if (action?.text === 'send-state' || action?.text === 'disable-on-404') {
    // Proxy options in HAProxy (PR_O2_CHK_SNDST, PR_O_DISABLE404), not rules: inherited, never reset.
    // HAProxy's too_many_args(1) names only 'http-check'.
    if (!noExtraArgs(ctx, args, 2, 1)) return;
    const proxy = ctx.proxy;
    if (proxy === undefined || ctx.ignoredWithoutCapability('backend', action, `http-check ${action.text}`)) return;
    if (action.text === 'send-state') proxy.healthCheck.sendState = true;
    else proxy.healthCheck.disableOn404 = true;
    return;
  }
  if (action !== undefined && isCheckVarAction(action.text)) {
    const parsed = parseCheckVarAction(ctx, args);
    const proxy = ctx.proxy;
    if (parsed === undefined || proxy === undefined || ctx.ignoredWithoutCapability('backend', action, 'http-check')) return;
    ownRules(ctx, proxy);
    const check = proxy.healthCheck;
    const segment = currentSegment(check);
    // Before the send it runs before the request is built; after it, once the response came.
    (segment.send === undefined && segment.expect.length === 0 ? segment.before : segment.expect).push(parsed);
    check.lastIndex++;
    return;
  }
  if (action?.text === 'comment') {
    if (args[2] === undefined) {
      ctx.error("'http-check comment' : expects a string as argument.", action);
      return;
    }
    const proxy = ctx.proxy;
    if (proxy === undefined || ctx.ignoredWithoutCapability('backend', action, 'http-check comment')) return;
    // Comments name rules in step messages, which HTTP checks do not print: only the step counts.
    ownRules(ctx, proxy);
    proxy.healthCheck.lastIndex++;
    return;
  }
  if (action === undefined || !['connect', 'send', 'expect'].includes(action.text)) {
    // HAProxy's text, its '. but got' included.
    const got = action === undefined ? '' : ` but got '${action.text}'${didYouMean(action.text, HTTP_CHECK_ACTIONS)}`;
    ctx.error(`'http-check' only supports 'disable-on-404', 'send-state', 'comment', 'connect', 'send', 'expect', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)'.${got}`, action);
    return;
  }
  const kind = action.text as 'connect' | 'send' | 'expect';
  const parsed = kind === 'connect' ? parseHttpCheckConnect(ctx, args) : kind === 'send' ? parseSend(ctx, args) : parseExpect(ctx, args);
  if (parsed === undefined) return;
  const proxy = ctx.proxy;
  if (proxy === undefined || ctx.ignoredWithoutCapability('backend', action, `http-check ${action.text}`)) return;
  ownRules(ctx, proxy);
  const check = proxy.healthCheck;
  if (kind === 'connect' && check.lastRule !== undefined && !hasConnect(check)) {
    ctx.error(
      "'http-check connect' : first step MUST also be a 'connect', optionally preceded by a 'set-var', an 'unset-var' or a 'comment', when there is a 'connect' step in the tcp-check ruleset.",
      action,
    );
    return;
  }
  const misplaced = orderError(check, kind);
  if (misplaced !== undefined) {
    ctx.error(`'http-check ${kind}' : ${misplaced}.`, action);
    return;
  }
  // The first send takes the place of `option httpchk`'s (HAProxy merges them, keeping its index).
  const mergesOption = kind === 'send' && check.segments.length === 0 && check.httpchk !== undefined;
  check.lastIndex = mergesOption ? 0 : check.lastIndex + 1;
  check.lastRule = kind;
  if ('action' in parsed) {
    if (check.lastRule === 'connect' && !hasConnect(check) && check.send === undefined && check.expect.length === 0) check.connect = parsed;
    else check.segments.push({ connect: parsed, before: [], send: undefined, expect: [] });
    return;
  }
  const segment = currentSegment(check);
  if ('kind' in parsed) segment.expect.push(parsed);
  else segment.send = parsed;
}

const keywords: SectionKeyword[] = [
  { name: 'http-check', sections: ['defaults', 'frontend', 'backend', 'listen'], parse: parseHttpCheck },
];

export const healthCheckKeywords: KeywordList = { keywords, options: [httpchk, tcpCheck] };
