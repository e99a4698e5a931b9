/**
 * Parsers of `set-map(FILE) KEYFMT VALUEFMT`, `del-map(FILE) KEYFMT`, `add-acl(FILE) KEYFMT`
 * and `del-acl(FILE) KEYFMT` (HAProxy 2.6's parse_http_set_map, its messages). The file is part
 * of the action word: prefix actions. The formats are checked when the rules compile.
 */
import type { ActionParseInput, HttpActionParser, RuleFields } from './types.ts';

function parse({ ctx, action, word, keyword, args, extra }: ActionParseInput): RuleFields | undefined {
  const name = action as 'set-map' | 'del-map' | 'add-acl' | 'del-acl';
  const fail = (message: string): undefined => {
    ctx.error(`error detected in ${ctx.proxy?.kind ?? 'proxy'} '${ctx.proxy?.name ?? ''}' while parsing '${keyword}' rule : ${message}.`, word, keyword);
    return undefined;
  };
  const wanted = name === 'set-map' ? 2 : 1;
  if (args.length < wanted || args.slice(0, wanted).some((a) => a.text === '')) return fail(`expects exactly ${wanted} arguments`);
  // HAProxy cuts `set-map(` and the last character, whatever it is.
  const file = word.text.slice(name.length + 1, Math.max(name.length + 1, word.text.length - 1));
  if (extra(wanted)) return undefined;
  return { action: name, file, key: args[0]?.text ?? '', value: name === 'set-map' ? (args[1]?.text ?? '') : undefined };
}

/** HAProxy 2.6 registers them for http-request and http-response only (http-after-response has them from 2.8). */
const SETS = ['request', 'response'] as const;

export const mapActionParsers: readonly HttpActionParser[] = [
  { name: 'set-map', sets: SETS, prefix: true, parse },
  { name: 'del-map', sets: SETS, prefix: true, parse },
  { name: 'add-acl', sets: SETS, prefix: true, parse },
  { name: 'del-acl', sets: SETS, prefix: true, parse },
];
