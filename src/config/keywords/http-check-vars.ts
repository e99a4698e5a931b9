/**
 * `http-check set-var(SCOPE.NAME) EXPR`, `http-check set-var-fmt(SCOPE.NAME) FMT` and
 * `http-check unset-var(SCOPE.NAME)` (HAProxy's action keywords in a check ruleset): set
 * among the expect rules once the response arrived (the response fetches `res.fhdr`,
 * `status`... read the check's response), read back by `var(SCOPE.NAME)` in `name-lf` /
 * `value-lf` patterns. `check.` and `sess.` live for one check run, `proc.` is shared with the
 * traffic rules; `txn.`, `req.`, `res.` are accepted, as HAProxy, and store nothing (a check
 * has no stream).
 */
import type { HttpCheckExpectModel } from '../model.ts';
import type { KeywordContext } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { compileSampleFetch } from '../../rules/sample-fetch.ts';
import { compileLogFormat } from '../../rules/log-format.ts';
import { parseVarName } from '../../rules/vars.ts';
import { noExtraArgs } from './args.ts';

const VAR_ACTION = /^(set-var|set-var-fmt|unset-var)\((.*)\)$/;

/** Whether the action word is `set-var(...)` / `set-var-fmt(...)` / `unset-var(...)`. */
export function isCheckVarAction(word: string): boolean {
  return VAR_ACTION.test(word);
}

export function parseCheckVarAction(ctx: KeywordContext, args: readonly Token[]): HttpCheckExpectModel | undefined {
  const action = args[1] as Token;
  const m = VAR_ACTION.exec(action.text) as RegExpExecArray;
  const kind = m[1] as 'set-var' | 'set-var-fmt' | 'unset-var';
  const name = parseVarName(m[2] as string, ')');
  if (typeof name === 'string') {
    ctx.error(`'http-check ${kind}' : ${name}.`, action);
    return undefined;
  }
  if (kind === 'unset-var') {
    if (!noExtraArgs(ctx, args, 2, 2)) return undefined;
    return { negate: false, kind, pattern: m[2] as string };
  }
  const expression = args[2];
  if (kind === 'set-var-fmt') {
    if (expression === undefined) {
      ctx.error(`'http-check set-var-fmt' expects a log-format string.`, action);
      return undefined;
    }
    if (!noExtraArgs(ctx, args, 3, 2)) return undefined;
    const error = checkLogFormatError(expression.text);
    if (error !== undefined) {
      ctx.error(`'http-check set-var-fmt' : '${expression.text}' invalid log-format string (${error}).`, expression);
      return undefined;
    }
    return { negate: false, kind, pattern: m[2] as string, expression: expression.text };
  }
  if (expression === undefined || expression.text === '') {
    ctx.error(`'http-check set-var' expects a sample expression.`, action);
    return undefined;
  }
  if (!noExtraArgs(ctx, args, 3, 2)) return undefined;
  const compiled = compileSampleFetch(expression.text, { direction: 'response' });
  if (!compiled.ok) {
    ctx.error(`'http-check set-var' : ${compiled.message}`, expression);
    return undefined;
  }
  return { negate: false, kind, pattern: m[2] as string, expression: expression.text };
}

/** A `name-lf` / `value-lf` pattern: a log-format string reading the check's response. */
export function checkLogFormatError(text: string): string | undefined {
  const compiled = compileLogFormat(text, 'response');
  return compiled.ok ? undefined : compiled.message;
}
