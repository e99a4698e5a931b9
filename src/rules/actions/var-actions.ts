/**
 * `set-var(VAR[,COND...]) EXPR`, `set-var-fmt(VAR[,COND...]) FMT` and `unset-var(VAR)` as rule
 * actions (HAProxy's action_store / action_clear): they never end the rule list and ignore
 * failures — an absent sample stores nothing, a refused condition or a scope not available
 * here leaves the variable as it was.
 */
import type { HttpVarRuleModel, VarConditionModel } from '../../config/model.ts';
import { Verdict, type HttpAction, type HttpActionCompile, type HttpActionContext } from '../http-action.ts';
import { compileLogFormat, type LogFormat } from '../log-format.ts';
import { Sample } from '../sample.ts';
import { compileSampleFetch, type SampleDirection, type SampleFetch } from '../sample-fetch.ts';
import { clearVar, conditionBits, parseVarName, writeVar, type VarName } from '../vars.ts';

/** Actions run one at a time: one scratch sample serves them all. */
const SCRATCH = new Sample();

class SetVar implements HttpAction {
  readonly #variable: VarName;
  readonly #fetch: SampleFetch;
  readonly #conditions: number;
  constructor(variable: VarName, fetch: SampleFetch, conditions: number) {
    this.#variable = variable;
    this.#fetch = fetch;
    this.#conditions = conditions;
  }
  run(ctx: HttpActionContext): Verdict {
    if (this.#fetch.sample(ctx, SCRATCH)) writeVar(ctx.vars, this.#variable, SCRATCH, this.#conditions);
    return Verdict.continue;
  }
}

class SetVarFmt implements HttpAction {
  readonly #variable: VarName;
  readonly #format: LogFormat;
  readonly #conditions: number;
  constructor(variable: VarName, format: LogFormat, conditions: number) {
    this.#variable = variable;
    this.#format = format;
    this.#conditions = conditions;
  }
  run(ctx: HttpActionContext): Verdict {
    // Always a string, even an empty one.
    SCRATCH.setStr(this.#format.evaluate(ctx));
    writeVar(ctx.vars, this.#variable, SCRATCH, this.#conditions);
    return Verdict.continue;
  }
}

class UnsetVar implements HttpAction {
  readonly #variable: VarName;
  constructor(variable: VarName) {
    this.#variable = variable;
  }
  run(ctx: HttpActionContext): Verdict {
    clearVar(ctx.vars, this.#variable);
    return Verdict.continue;
  }
}

/** The action word HAProxy names in its messages: `set-var(txn.x,ifset)`. */
function actionWord(action: string, variable: string, conditions: readonly VarConditionModel[]): string {
  return `${action}(${[variable, ...conditions].join(',')})`;
}

export function compileVarAction(rule: HttpVarRuleModel, direction: SampleDirection): HttpActionCompile {
  const variable = parseVarName(rule.variable, ')');
  if (typeof variable === 'string') return { ok: false, message: variable };
  if (rule.action === 'unset-var') return { ok: true, action: new UnsetVar(variable) };
  const conditions = conditionBits(rule.conditions);
  if (rule.action === 'set-var-fmt') {
    const format = compileLogFormat(rule.format, direction);
    if (!format.ok) return format;
    return { ok: true, action: new SetVarFmt(variable, format.format, conditions) };
  }
  const compiled = compileSampleFetch(rule.expression, { direction });
  if (!compiled.ok) {
    if (compiled.unavailable === undefined) return compiled;
    const word = actionWord(rule.action, rule.variable, rule.conditions);
    return { ok: false, message: `fetch method '${word}' extracts information from '${compiled.unavailable}', none of which is available here` };
  }
  return { ok: true, action: new SetVar(variable, compiled.fetch, conditions) };
}
