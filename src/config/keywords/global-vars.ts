/**
 * The global section's `set-var proc.NAME EXPR` and `set-var-fmt proc.NAME FMT` (HAProxy's
 * vars_parse_global_set_var): process variables set when a configuration generation starts,
 * from constants only (`int()`, `str()`, `hostname`, other `proc` variables...). And
 * `expose-experimental-directives`, which HAProxy 2.6 requires before `normalize-uri`.
 * Messages are HAProxy 2.6's.
 */
import type { KeywordContext, KeywordList, SectionKeyword } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { noExtraArgs } from './args.ts';
import { parseVarWord } from './http-actions/vars.ts';
import { compileLogFormat } from '../../rules/log-format.ts';
import { compileSampleFetch } from '../../rules/sample-fetch.ts';
import { parseVarName } from '../../rules/vars.ts';

function parseSetVar(ctx: KeywordContext, args: readonly Token[]): void {
  const keyword = (args[0] as Token).text;
  const fmt = keyword === 'set-var-fmt';
  const nameToken = args[1];
  const valueToken = args[2];
  if (nameToken === undefined || nameToken.text === '' || valueToken === undefined || valueToken.text === '') {
    ctx.error(`'${keyword}' requires a process-wide variable name ('proc.<name>') and ${fmt ? 'a format string' : 'a sample expression'}.`);
    return;
  }
  // HAProxy parses it as the action `set-var(NAME) VALUE`; words after VALUE are ignored.
  const word = `${keyword}(${nameToken.text})`;
  const parsed = parseVarWord(keyword, word);
  if (typeof parsed === 'string') {
    ctx.error(parsed, nameToken);
    return;
  }
  if (fmt) {
    const format = compileLogFormat(valueToken.text, 'request', true);
    if (!format.ok) {
      ctx.error(format.message, valueToken);
      return;
    }
  } else {
    const compiled = compileSampleFetch(valueToken.text, { constantOnly: true });
    if (!compiled.ok) {
      const message = compiled.unavailable === undefined ? compiled.message : `fetch method '${word}' extracts information from '${compiled.unavailable}', none of which is available here`;
      ctx.error(message, valueToken);
      return;
    }
  }
  const variable = parseVarName(parsed.variable);
  if (typeof variable !== 'string' && variable.scope !== 'proc') {
    ctx.error(`'${keyword}': cannot set variable '${nameToken.text}', only scope 'proc' is permitted in the global section.`, nameToken);
    return;
  }
  const { file, line } = ctx.place();
  ctx.global.setVars.push({ variable: parsed.variable, conditions: parsed.conditions, kind: fmt ? 'fmt' : 'expr', value: valueToken.text, source: { file, line } });
}

const keywords: SectionKeyword[] = [
  { name: 'set-var', sections: ['global'], parse: parseSetVar },
  { name: 'set-var-fmt', sections: ['global'], parse: parseSetVar },
  {
    name: 'expose-experimental-directives',
    sections: ['global'],
    parse: (ctx, args) => {
      if (noExtraArgs(ctx, args, 1)) ctx.global.experimental = true;
    },
  },
];

export const globalVarKeywords: KeywordList = { keywords };
