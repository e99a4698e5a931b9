/** Parsers of the final actions: allow, deny, return, redirect (grammars in ../reply-args.ts). */
import { parseHttpReply, parseRedirect, type ReplyFileContext } from '../reply-args.ts';
import type { ActionParseInput, HttpActionParser, RuleFields } from './types.ts';

const BOTH = ['request', 'response'] as const;

function allow({ extra }: ActionParseInput): RuleFields | undefined {
  return extra(0) ? undefined : { action: 'allow' };
}

/** Messages about a reply's file name the rule, as its other messages do. */
function files(keyword: string, direction: ActionParseInput['direction']): ReplyFileContext {
  return { keyword, prefix: `'${keyword}' : `, suffix: '.', direction };
}

/**
 * HAProxy's parse_http_deny, for `deny` and `tarpit`: no argument (or only `deny_status N`) is
 * the error page (403 for a request, 502 for a response, 500 for a tarpit).
 */
function deny({ ctx, action, keyword, args, direction, extra }: ActionParseInput): RuleFields | undefined {
  let from = 0;
  let status = action === 'tarpit' ? 500 : direction === 'request' ? 403 : 502;
  if (args[0]?.text === 'deny_status') {
    const value = args[1]?.text;
    const n = value !== undefined && /^\d+$/.test(value) ? Number(value) : NaN;
    if (!(n >= 200 && n <= 599)) {
      ctx.error(`'${keyword}' : Unexpected status code '${value ?? ''}'.`, args[1] ?? args[0], keyword);
      return undefined;
    }
    status = n;
    from = 2;
  }
  const reply = parseHttpReply(ctx, args, from, status, 'errorpage', files(keyword, direction));
  if (!reply.ok) {
    ctx.error(`'${keyword}' : ${reply.message}.`, args[reply.at], keyword);
    return undefined;
  }
  if (extra(from + reply.used)) return undefined;
  return { action: action === 'tarpit' ? 'tarpit' : 'deny', reply: reply.value };
}

function httpReturn({ ctx, keyword, args, direction, extra }: ActionParseInput): RuleFields | undefined {
  const reply = parseHttpReply(ctx, args, 0, 200, 'none', files(keyword, direction));
  if (!reply.ok) {
    ctx.error(`'${keyword}' : ${reply.message}.`, args[reply.at], keyword);
    return undefined;
  }
  if (extra(reply.used)) return undefined;
  return { action: 'return', reply: reply.value };
}

function redirect({ ctx, keyword, args, direction }: ActionParseInput): RuleFields | undefined {
  const parsed = parseRedirect(args, 0, true, direction === 'response');
  if (!parsed.ok) {
    ctx.error(`error detected in ${ctx.proxy?.kind ?? 'proxy'} '${ctx.proxy?.name ?? ''}' while parsing '${keyword}' rule : ${parsed.message}.`, args[parsed.at], keyword);
    return undefined;
  }
  return { action: 'redirect', redirect: parsed.value };
}

export const finalActionParsers: readonly HttpActionParser[] = [
  { name: 'allow', sets: ['request', 'response', 'after-response'], parse: allow },
  { name: 'deny', sets: BOTH, parse: deny },
  { name: 'tarpit', sets: ['request'], parse: deny },
  { name: 'return', sets: BOTH, parse: httpReturn },
  { name: 'redirect', sets: BOTH, parse: redirect },
];
