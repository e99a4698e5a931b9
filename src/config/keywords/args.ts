/** Argument checks shared by keyword handlers, with HAProxy-style messages. */

import type { KeywordContext } from '../registry.ts';
import { parseDuration } from '../time.ts';
import type { Token } from '../tokenizer.ts';

/** "'timeout client'" — the words that name what is being configured, quoted. */
export function quoteKeyword(args: readonly Token[], words = 1): string {
  return `'${args
    .slice(0, words)
    .map((t) => t.text)
    .join(' ')}'`;
}

/**
 * True when `args` has at least `count` arguments after the first `words` words; otherwise
 * reports "'KEYWORD' expects USAGE." at the keyword.
 */
export function requireArgs(
  ctx: KeywordContext,
  args: readonly Token[],
  count: number,
  usage: string,
  words = 1,
): boolean {
  if (args.length >= words + count) return true;
  ctx.error(`${quoteKeyword(args, words)} expects ${usage}.`, args[words - 1]);
  return false;
}

/** True when nothing follows the `used` first words; otherwise reports the first extra word. */
export function noExtraArgs(ctx: KeywordContext, args: readonly Token[], used: number, words = 1): boolean {
  const extra = args[used];
  if (extra === undefined) return true;
  ctx.error(`${quoteKeyword(args, words)} cannot handle unexpected argument '${extra.text}'.`, extra);
  return false;
}

export interface IntegerRange {
  readonly min: number;
  readonly max: number;
}

/** Parses a decimal integer within a range; reports and returns undefined otherwise. */
export function parseInteger(
  ctx: KeywordContext,
  token: Token,
  range: IntegerRange,
  what: string,
): number | undefined {
  if (!/^\d+$/.test(token.text)) {
    ctx.error(`${what} expects an integer argument, got '${token.text}'.`, token);
    return undefined;
  }
  const value = Number(token.text);
  if (value < range.min || value > range.max) {
    ctx.error(`${what} must be between ${range.min} and ${range.max}, got '${token.text}'.`, token);
    return undefined;
  }
  return value;
}

/** Parses a HAProxy time value (see time.ts); reports and returns undefined when invalid. */
export function parseTime(ctx: KeywordContext, token: Token, what: string): number | undefined {
  const result = parseDuration(token.text);
  if (!result.ok) {
    ctx.error(`${what} : ${result.message}.`, token);
    return undefined;
  }
  return result.ms;
}

/** Joins a relative path to a base directory (HAProxy's crt-base/ca-base rule: not starting with '/'). */
export function resolveAgainstBase(path: string, base: string | undefined): string {
  if (base === undefined || base === '' || path.startsWith('/')) return path;
  return base.endsWith('/') ? `${base}${path}` : `${base}/${path}`;
}

/**
 * A HAProxy size (parse_size_err): digits with an optional k, m or g suffix (x1024), e.g.
 * `100k`. Undefined when malformed or beyond 2^31-1.
 */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+)([kKmMgG]?)$/.exec(text);
  if (m === null) return undefined;
  const unit = (m[2] ?? '').toLowerCase();
  const factor = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  const value = Number(m[1]) * factor;
  return value > 2_147_483_647 ? undefined : value;
}

/** C's atol(), shared with the runtime API's commands. */
export { atol, atolInt32 } from '../../util/c-atol.ts';
