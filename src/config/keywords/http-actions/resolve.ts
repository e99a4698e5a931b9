/**
 * Parser of `http-request do-resolve(VAR,RESOLVERS[,ipv4|ipv6]) EXPR` (HAProxy 2.6's
 * resolv_parse_do_resolve). The section is looked up once everything is read
 * (config/resolvers-resolve.ts), as HAProxy's check_action_do_resolve does.
 */
import { compileSampleFetch } from '../../../rules/sample-fetch.ts';
import type { DoResolveRuleModel } from '../../model.ts';
import type { ActionParseInput, HttpActionParser } from './types.ts';

/**
 * Reports a parse error as HAProxy does: the http rules' parser frames the action's message
 * ("error detected in ... while parsing '...' rule : MESSAGE."), the tcp rules' prints it bare.
 */
function fail({ ctx, keyword, word }: ActionParseInput, message: string): undefined {
  if (keyword.startsWith('tcp-')) ctx.error(message, word, keyword);
  else ctx.error(`error detected in ${ctx.proxy?.kind ?? 'proxy'} '${ctx.proxy?.name ?? ''}' while parsing '${keyword}' rule : ${message}.`, word, keyword);
  return undefined;
}

/** HAProxy's message for every malformed action word or expression, naming the word it stopped at. */
function cannotParse(input: ActionParseInput, what: string): undefined {
  return fail(input, `Can't parse '${what}'. Expects 'do-resolve(<varname>,<resolvers>[,<options>]) <expr>'. Available options are 'ipv4' and 'ipv6'`);
}

export interface DoResolveWord {
  readonly variable: string;
  readonly resolvers: string;
  readonly preferIPv4: boolean;
}

/**
 * `do-resolve(txn.ip,dns,ipv4)` split as HAProxy's strchr scan does: text after ')' is ignored,
 * and an option matches when it is a prefix of `ipv4` or `ipv6` (HAProxy compares with strncmp
 * over the option's length, so even an empty one selects ipv4).
 */
export function parseDoResolveWord(text: string): DoResolveWord | undefined {
  const open = text.indexOf('(');
  if (open < 0) return undefined;
  const comma = text.indexOf(',', open + 1);
  if (comma < 0) return undefined;
  const variable = text.slice(open + 1, comma);
  let end = text.indexOf(',', comma + 1);
  if (end < 0) end = text.indexOf(')', comma + 1);
  if (end < 0) return undefined;
  const resolvers = text.slice(comma + 1, end);
  let preferIPv4 = false;
  while (text[end] !== ')') {
    const begin = end + 1;
    end = text.indexOf(',', begin);
    if (end < 0) end = text.indexOf(')', begin);
    if (end < 0) return undefined;
    const option = text.slice(begin, end);
    if ('ipv4'.startsWith(option)) preferIPv4 = true;
    else if ('ipv6'.startsWith(option)) preferIPv4 = false;
    else return undefined;
  }
  return { variable, resolvers, preferIPv4 };
}

/** The rule fields of a `do-resolve` action (`http-request` and `tcp-request content`), or undefined after its error. */
export function parseDoResolveRule(input: ActionParseInput): Omit<DoResolveRuleModel, 'condition' | 'source'> | undefined {
  const { word, args, extra } = input;
  const parsed = parseDoResolveWord(word.text);
  if (parsed === undefined) return cannotParse(input, word.text);
  const expression = args[0]?.text ?? '';
  const compiled = compileSampleFetch(expression, { direction: 'request' });
  if (!compiled.ok) {
    if (compiled.unavailable === undefined) return cannotParse(input, expression);
    return fail(input, `fetch method '${expression}' extracts information from '${compiled.unavailable}', none of which is available here`);
  }
  if (extra(1)) return undefined;
  return { action: 'do-resolve', ...parsed, expression };
}

export const resolveActionParsers: readonly HttpActionParser[] = [{ name: 'do-resolve', sets: ['request'], prefix: true, parse: parseDoResolveRule }];
