/**
 * Log-format keywords of proxies (HAProxy's cfgparse-listen.c): `log-format`,
 * `log-format-sd`, `error-log-format`, `unique-id-format`, `unique-id-header`. The formats are kept as written
 * here and compiled (and checked against the proxy's mode) once every section is read, in
 * resolve.ts, as HAProxy's check_config_validity does. `option httplog|tcplog [clf]` share
 * the `log-format` slot (options.ts).
 */

import type { KeywordContext, KeywordList, SectionKeyword } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { setLogFormat } from './options.ts';

/** HAProxy's check for these keywords: exactly one word, spaces escaped. */
function oneArgument(ctx: KeywordContext, args: readonly Token[]): Token | undefined {
  const keyword = args[0]?.text ?? '';
  const value = args[1];
  if (value === undefined) {
    ctx.error(`'${keyword}' expects an argument.`);
    return undefined;
  }
  const extra = args[2];
  if (extra !== undefined) {
    ctx.error(`'${keyword}' expects only one argument, don't forget to escape spaces!`, extra);
    return undefined;
  }
  return value;
}

function keyword(name: string, parse: (ctx: KeywordContext, args: readonly Token[]) => void): SectionKeyword {
  return { name, sections: ['defaults', 'frontend', 'backend', 'listen'], parse };
}

const keywords: SectionKeyword[] = [
  keyword('log-format', (ctx, args) => {
    const value = oneArgument(ctx, args);
    if (value === undefined || ctx.proxy === undefined) return;
    setLogFormat(ctx, ctx.proxy, 'log-format', value.text, args[0], 'log-format');
  }),
  keyword('error-log-format', (ctx, args) => {
    const value = oneArgument(ctx, args);
    const proxy = ctx.proxy;
    if (value === undefined || proxy === undefined) return;
    if (proxy.errorLogFormat !== undefined && proxy.kind === 'defaults') {
      ctx.warning("'error-log-format' overrides previous 'error-log-format' in 'defaults' section.");
    }
    if (proxy.kind === 'backend') ctx.warning(`backend '${proxy.name}' : 'error-log-format' directive is ignored in backends.`);
    proxy.errorLogFormat = { text: value.text, place: ctx.place(args[0]) };
  }),
  keyword('log-format-sd', (ctx, args) => {
    const value = oneArgument(ctx, args);
    const proxy = ctx.proxy;
    if (value === undefined || proxy === undefined) return;
    if (proxy.kind === 'backend') ctx.warning(`backend '${proxy.name}' : 'log-format-sd' directive is ignored in backends.`);
    proxy.logFormatSd = { text: value.text, place: ctx.place(args[0]) };
  }),
  // Only the frontend's format is used (HAProxy reads sess->fe's); a backend's is accepted and ignored.
  keyword('unique-id-format', (ctx, args) => {
    const value = oneArgument(ctx, args);
    if (value === undefined || ctx.proxy === undefined) return;
    ctx.proxy.uniqueIdFormat = { text: value.text, place: ctx.place(args[0]) };
  }),
  keyword('unique-id-header', (ctx, args) => {
    const value = args[1];
    if (value === undefined) {
      ctx.error("'unique-id-header' expects an argument.");
      return;
    }
    if (ctx.proxy !== undefined) ctx.proxy.uniqueIdHeader = value.text;
  }),
];

export const logFormatKeywords: KeywordList = { keywords };
