/**
 * The `tcp-request` / `tcp-response` actions Switchyard parses, with the rule sets accepting
 * each (HAProxy registers them per set in tcp_act.c, tcp_rules.c and vars.c). A new action is
 * one entry here plus its compiler in src/rules/tcp/tcp-actions.ts; the keyword code in
 * tcp-rules.ts never changes for it.
 *
 * The stick counter actions (`track-sc0|1|2 KEY [table T]`, `sc-inc-gpc0|1(N)`,
 * `sc-set-gpt0(N)`) share the http rules' parsers (http-actions/stick.ts).
 */
import type { TcpRuleModel, TcpRuleSet } from '../model.ts';
import type { KeywordContext } from '../registry.ts';
import { compileSampleFetch, type SampleDirection } from '../../rules/sample-fetch.ts';
import type { Token } from '../tokenizer.ts';
import { parseVarWord } from './http-actions/vars.ts';
import { stickActionParsers } from './http-actions/stick.ts';
import { parseDoResolveRule } from './http-actions/resolve.ts';
import { parseTcpCapture } from './tcp-capture.ts';
import { parseSetLogLevel, parseSetNice } from './http-actions/stream.ts';

/** A rule model without its condition and place. */
export type TcpRuleFields = TcpRuleModel extends infer R ? (R extends TcpRuleModel ? Omit<R, 'condition' | 'source'> : never) : never;

export interface TcpActionParseInput {
  readonly ctx: KeywordContext;
  /** The rule set the line adds to. */
  readonly set: TcpRuleSet;
  /** The action keyword (`set-var` for `set-var(txn.x)`). */
  readonly action: string;
  /** The action word as written. */
  readonly word: Token;
  /** `tcp-request content set-var(txn.x)`, for messages. */
  readonly keyword: string;
  /** The words after the action, before `if`/`unless`. */
  readonly args: readonly Token[];
  /** What the rule's fetches read: the request bytes, or the response's (tcp-response). */
  readonly direction: SampleDirection;
  /** Reports a word left at `args[used]`; true when there was one. */
  extra(used: number): boolean;
}

export interface TcpActionParser {
  readonly name: string;
  readonly sets: readonly TcpRuleSet[];
  /** The action word carries arguments in parentheses (`set-var(txn.x)`). */
  readonly prefix?: boolean;
  parse(input: TcpActionParseInput): TcpRuleFields | undefined;
}

const REQUEST: readonly TcpRuleSet[] = ['connection', 'session', 'content'];
const ALL: readonly TcpRuleSet[] = ['connection', 'session', 'content', 'response'];

function verdict(name: 'accept' | 'reject' | 'close' | 'silent-drop', sets: readonly TcpRuleSet[]): TcpActionParser {
  return { name, sets, parse: ({ extra }) => (extra(0) ? undefined : { action: name }) };
}

function address(name: 'set-src' | 'set-dst' | 'set-src-port' | 'set-dst-port'): TcpActionParser {
  return {
    name,
    sets: REQUEST,
    parse({ ctx, keyword, args, extra, word }) {
      const expression = args[0]?.text;
      if (expression === undefined || expression === '') {
        ctx.error(`'${keyword}' expects a sample expression.`, word, keyword);
        return undefined;
      }
      return extra(1) ? undefined : { action: name, expression };
    },
  };
}

/**
 * `set-priority-class|set-priority-offset EXPR` (queue.c's parsers, which HAProxy registers for
 * `tcp-request content` too): the fetches must be available on the request; the message
 * names the rule's first word where it says "fetch method", as HAProxy's does.
 */
function priority(name: 'set-priority-class' | 'set-priority-offset'): TcpActionParser {
  return {
    name,
    sets: ['content'],
    parse({ ctx, keyword, args, extra, word }) {
      const expression = args[0]?.text;
      if (expression === undefined || expression === '') {
        ctx.error('missing fetch method', word, keyword);
        return undefined;
      }
      const compiled = compileSampleFetch(expression, { direction: 'request' });
      if (!compiled.ok) {
        const message = compiled.unavailable === undefined ? compiled.message : `fetch method 'tcp-request' extracts information from '${compiled.unavailable}', none of which is available here`;
        ctx.error(message, args[0], keyword);
        return undefined;
      }
      return extra(1) ? undefined : { action: name, expression };
    },
  };
}

function variable(name: 'set-var' | 'set-var-fmt' | 'unset-var', sets: readonly TcpRuleSet[]): TcpActionParser {
  return {
    name,
    sets,
    prefix: true,
    parse({ ctx, action, word, keyword, args, extra }) {
      const fail = (message: string): undefined => {
        ctx.error(`error detected in ${ctx.proxy?.kind ?? 'proxy'} '${ctx.proxy?.name ?? ''}' while parsing '${keyword}' rule : ${message}.`, word, keyword);
        return undefined;
      };
      const parsed = parseVarWord(action, word.text);
      if (typeof parsed === 'string') return fail(parsed);
      const { variable: name2, conditions } = parsed;
      if (action === 'unset-var') return extra(0) ? undefined : { action: 'unset-var', variable: name2 };
      if (action === 'set-var-fmt') return extra(1) ? undefined : { action: 'set-var-fmt', variable: name2, conditions, format: args[0]?.text ?? '' };
      const expression = args[0]?.text;
      if (expression === undefined || expression === '') return fail('missing fetch method');
      return extra(1) ? undefined : { action: 'set-var', variable: name2, conditions, expression };
    },
  };
}

export const TCP_ACTION_PARSERS: readonly TcpActionParser[] = [
  verdict('accept', ALL),
  verdict('reject', ALL),
  verdict('close', ['response']),
  // HAProxy's tcp_exec_action_silent_drop: the connection ends without a word (see tcp-actions.ts).
  verdict('silent-drop', ALL),
  {
    name: 'expect-proxy',
    sets: ['connection'],
    parse({ ctx, keyword, args, extra, word }) {
      if (args[0]?.text !== 'layer4') {
        ctx.error(`'${keyword}' only supports 'layer4', in '${keyword} layer4'.`, args[0] ?? word, keyword);
        return undefined;
      }
      return extra(1) ? undefined : { action: 'expect-proxy' };
    },
  },
  { name: 'set-log-level', sets: ['content', 'response'], parse: (input) => parseSetLogLevel(input) },
  { name: 'set-nice', sets: ['content', 'response'], parse: (input) => parseSetNice(input) },
  {
    name: 'expect-netscaler-cip',
    sets: ['connection'],
    parse({ ctx, keyword, args, extra, word }) {
      if (args[0]?.text !== 'layer4') {
        ctx.error(`'${keyword}' only supports 'layer4', in '${keyword} layer4'.`, args[0] ?? word, keyword);
        return undefined;
      }
      return extra(1) ? undefined : { action: 'expect-netscaler-cip' };
    },
  },
  {
    name: 'switch-mode',
    sets: ['content'],
    parse({ ctx, keyword, args, extra, word }) {
      // tcp_parse_switch_mode: only a proxy with a frontend (a backend's streams are past their mux).
      if (ctx.proxy?.kind === 'backend') {
        ctx.error(`'tcp-request switch-mode' not allowed because backend '${ctx.proxy.name}' has no frontend capability`, word, keyword);
        return undefined;
      }
      if (args[0]?.text !== 'http') {
        ctx.error(`'${keyword}' expects a mode as argument ('http' only).`, args[0] ?? word, keyword);
        return undefined;
      }
      if (args[1]?.text !== 'proto') return extra(1) ? undefined : { action: 'switch-mode-http' };
      // stream_parse_switch_mode / check_tcp_switch_stream_mode: a frontend HTTP mux.
      const proto = args[2];
      if (proto === undefined) {
        ctx.error(`'${keyword}': 'proto' expects a protocol as argument.`, args[1], keyword);
        return undefined;
      }
      if (proto.text === 'none') {
        ctx.error(`MUX protocol 'none' is not compatible with the selected mode.`, proto, keyword);
        return undefined;
      }
      if (proto.text !== 'h1' && proto.text !== 'h2') {
        ctx.error(`'${keyword}': 'proto' expects a valid MUX protocol, if specified (got '${proto.text}')`, proto, keyword);
        return undefined;
      }
      return extra(3) ? undefined : { action: 'switch-mode-http', proto: proto.text };
    },
  },
  address('set-src'),
  address('set-dst'),
  address('set-src-port'),
  address('set-dst-port'),
  variable('set-var', ALL),
  variable('set-var-fmt', ALL),
  variable('unset-var', ALL),
  priority('set-priority-class'),
  priority('set-priority-offset'),
  // HAProxy parses `capture` in every tcp-request set, then refuses it outside content rules.
  { name: 'capture', sets: REQUEST, parse: parseTcpCapture },
  // `track-scN KEY [table T]`, `sc-inc-gpc0|1(N)`, `sc-set-gpt0(N) VALUE`: HAProxy's grammar and
  // messages, shared with the http rules (request fetches; tcp-response rules cannot track).
  // `do-resolve(VAR,RESOLVERS[,ipv4|ipv6]) EXPR`: HAProxy registers the same parser for both sets.
  { name: 'do-resolve', sets: ['content'], prefix: true, parse: (input) => parseDoResolveRule(input) },
  ...stickActionParsers.map(
    (p): TcpActionParser => ({
      name: p.name,
      sets: p.name === 'track-sc' ? REQUEST : ALL,
      prefix: true,
      parse: (input) => p.parse(input) as TcpRuleFields | undefined,
    }),
  ),
];

/** HAProxy 2.6's other tcp actions: named as not supported yet, never ignored (`*`: a prefix). */
export const UNSUPPORTED_TCP_ACTIONS: Readonly<Record<TcpRuleSet, readonly string[]>> = {
  connection: ['set-mark', 'set-tos', 'lua.*'],
  session: ['set-mark', 'set-tos', 'attach-srv', 'lua.*'],
  content: [
    'use-service', 'set-mark',
    'set-tos', 'send-spoe-group', 'set-bandwidth-limit', 'lua.*',
  ],
  response: ['send-spoe-group', 'set-mark', 'set-tos', 'lua.*'],
};
