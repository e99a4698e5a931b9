/**
 * Parsers of the `http-request` actions rewriting the request line (HAProxy's http_act.c
 * parse_set_req_line, parse_replace_uri, parse_http_normalize_uri): `set-method|set-path|
 * set-pathq|set-query|set-uri FMT`, `replace-path|replace-pathq|replace-uri REGEX FMT`,
 * `normalize-uri NORMALIZER`. Request rules only; the messages are HAProxy 2.6's.
 */
import type { UriNormalizerModel } from '../../model.ts';
import type { ActionParseInput, HttpActionParser, RuleFields } from './types.ts';

const REQUEST = ['request'] as const;

function failer({ ctx, word, keyword }: ActionParseInput): (message: string) => undefined {
  return (message) => {
    ctx.error(`error detected in ${ctx.proxy?.kind ?? 'proxy'} '${ctx.proxy?.name ?? ''}' while parsing '${keyword}' rule : ${message}.`, word, keyword);
    return undefined;
  };
}

function setPart(input: ActionParseInput): RuleFields | undefined {
  const format = input.args[0]?.text;
  if (format === undefined || format === '' || input.args.length > 1) return failer(input)('expects exactly 1 argument <format>');
  return { action: input.action as 'set-method' | 'set-path' | 'set-pathq' | 'set-query' | 'set-uri', format };
}

function replacePart(input: ActionParseInput): RuleFields | undefined {
  const regex = input.args[0]?.text;
  const format = input.args[1]?.text;
  if (regex === undefined || regex === '' || format === undefined || format === '' || input.args.length > 2) {
    return failer(input)('expects exactly 2 arguments <match-regex> and <replace-format>');
  }
  return { action: input.action as 'replace-path' | 'replace-pathq' | 'replace-uri', regex, format };
}

/** Normalizers taking an optional `full` / `strict` word, and the model name it gives. */
const OPTIONAL_WORD: Readonly<Record<string, readonly [string, UriNormalizerModel]>> = {
  'path-strip-dotdot': ['full', 'path-strip-dotdot-full'],
  'percent-decode-unreserved': ['strict', 'percent-decode-unreserved-strict'],
  'percent-to-uppercase': ['strict', 'percent-to-uppercase-strict'],
};

const PLAIN: readonly UriNormalizerModel[] = ['path-merge-slashes', 'path-strip-dot', 'query-sort-by-name', 'fragment-strip', 'fragment-encode'];

function normalizeUri(input: ActionParseInput): RuleFields | undefined {
  const { ctx, args, extra } = input;
  const fail = failer(input);
  // HAProxy 2.6 lists normalize-uri among its experimental actions.
  if (!ctx.global.experimental) {
    ctx.error("'normalize-uri' action is experimental, must be allowed via a global 'expose-experimental-directives'", input.word, input.keyword);
    return undefined;
  }
  const name = args[0]?.text;
  if (name === undefined || name === '') return fail('missing argument <normalizer>');
  const optional = OPTIONAL_WORD[name];
  if (optional !== undefined) {
    const next = args[1]?.text;
    if (next === undefined) return { action: 'normalize-uri', normalizer: name as UriNormalizerModel };
    if (next !== optional[0]) return fail(`unknown argument '${next}' for '${name}' normalizer`);
    return extra(2) ? undefined : { action: 'normalize-uri', normalizer: optional[1] };
  }
  const plain = PLAIN.find((n) => n === name);
  if (plain === undefined) return fail(`unknown normalizer '${name}'`);
  return extra(1) ? undefined : { action: 'normalize-uri', normalizer: plain };
}

export const requestLineActionParsers: readonly HttpActionParser[] = [
  { name: 'set-method', sets: REQUEST, parse: setPart },
  { name: 'set-path', sets: REQUEST, parse: setPart },
  { name: 'set-pathq', sets: REQUEST, parse: setPart },
  { name: 'set-query', sets: REQUEST, parse: setPart },
  { name: 'set-uri', sets: REQUEST, parse: setPart },
  { name: 'replace-path', sets: REQUEST, parse: replacePart },
  { name: 'replace-pathq', sets: REQUEST, parse: replacePart },
  { name: 'replace-uri', sets: REQUEST, parse: replacePart },
  { name: 'normalize-uri', sets: REQUEST, parse: normalizeUri },
];
