/** Parsers of the header actions: set-header, add-header, del-header, replace-header, replace-value. */
import type { HeaderNameMatch } from '../../model.ts';
import type { Token } from '../../tokenizer.ts';
import type { ActionParseInput, HttpActionParser, RuleFields } from './types.ts';

const NAME_MATCHES: readonly HeaderNameMatch[] = ['str', 'beg', 'end', 'sub', 'reg'];
/** Header actions exist in every rule set. */
const BOTH = ['request', 'response', 'after-response'] as const;

function setOrAdd({ ctx, action, keyword, args, extra }: ActionParseInput): RuleFields | undefined {
  if (args.length < 2) {
    ctx.error(`'${keyword}' expects exactly 2 arguments (a header name and a value format).`, undefined, keyword);
    return undefined;
  }
  if (extra(2)) return undefined;
  return { action: action as 'set-header' | 'add-header', header: (args[0] as Token).text, format: (args[1] as Token).text };
}

function del({ ctx, keyword, args, extra }: ActionParseInput): RuleFields | undefined {
  if (args.length < 1) {
    ctx.error(`'${keyword}' expects a header name.`, undefined, keyword);
    return undefined;
  }
  let match: HeaderNameMatch = 'str';
  let used = 1;
  if (args[1]?.text === '-m') {
    const method = NAME_MATCHES.find((m) => m === args[2]?.text);
    if (method === undefined) {
      ctx.error(`'${keyword}' : '-m' expects one of ${NAME_MATCHES.map((m) => `'${m}'`).join(', ')}.`, args[2] ?? args[1], keyword);
      return undefined;
    }
    match = method;
    used = 3;
  }
  if (extra(used)) return undefined;
  return { action: 'del-header', header: (args[0] as Token).text, match };
}

function replace({ ctx, action, keyword, args, extra }: ActionParseInput): RuleFields | undefined {
  if (args.length < 3) {
    ctx.error(`'${keyword}' expects exactly 3 arguments (a header name, a regex and a replacement format).`, undefined, keyword);
    return undefined;
  }
  if (extra(3)) return undefined;
  return {
    action: action as 'replace-header' | 'replace-value',
    header: (args[0] as Token).text,
    regex: (args[1] as Token).text,
    format: (args[2] as Token).text,
  };
}

export const headerActionParsers: readonly HttpActionParser[] = [
  { name: 'set-header', sets: BOTH, parse: setOrAdd },
  { name: 'add-header', sets: BOTH, parse: setOrAdd },
  { name: 'del-header', sets: BOTH, parse: del },
  { name: 'replace-header', sets: BOTH, parse: replace },
  { name: 'replace-value', sets: BOTH, parse: replace },
];
