/**
 * A proxy's `tcp-request connection|session|content` and `tcp-response content` rules, compiled
 * once per model, and their evaluation as HAProxy's tcp_rules.c does it: the first matching
 * `accept` or `reject` ends the list, other actions run and go on, and no verdict at the end is
 * an accept. Content rules may also wait: a condition that depends on bytes not received yet
 * (a fetch raised Payload.mayChange) stops the evaluation with `missing` until more data comes
 * or the inspect delay ends (tcp_inspect_request's missing_data).
 */
import { withStickTableScope } from '../../stick/table-scope.ts';
import type { SourceLocation, TcpRuleModel, TcpRuleSet, TcpRulesModel } from '../../config/model.ts';
import { compileCondition, ConditionResult, type CompiledCondition } from '../condition.ts';
import { HttpRuleError } from '../http-rules.ts';
import { patternFilesOf, withPatternFiles } from '../pattern-files.ts';
import { compilingProxyFormats } from '../log-format.ts';
import type { Payload } from '../payload.ts';
import type { SampleDirection } from '../sample-fetch.ts';
import type { AclModel, HttpRulesModel } from '../../config/model.ts';
import { TcpVerdict, type TcpAction, type TcpActionContext } from './tcp-action.ts';
import { compileTcpAction } from './tcp-actions.ts';

interface CompiledTcpRule {
  readonly condition: CompiledCondition | undefined;
  readonly action: TcpAction;
  /** Where a content or response rule was written (`last_rule_file`); connection and session rules run before any stream. */
  readonly source: SourceLocation | undefined;
}

export interface ProxyTcpRules {
  readonly connection: readonly CompiledTcpRule[];
  readonly session: readonly CompiledTcpRule[];
  readonly content: readonly CompiledTcpRule[];
  readonly response: readonly CompiledTcpRule[];
  /** ms; undefined = no waiting (rules decide on what is there). */
  readonly inspectDelay: number | undefined;
  readonly responseInspectDelay: number | undefined;
  /** A value among them has a variable final only at the end of the stream (compilingProxyFormats). */
  readonly waitsForEnd?: boolean;
}

/**
 * The outcome of a rule list; `missing` only for content rules that must wait for more bytes;
 * `drop` is `silent-drop` (HAProxy's ACT_RET_ABRT: no answer, counted as a denied request).
 */
export type TcpRulesOutcome = 'accept' | 'reject' | 'close' | 'drop' | 'missing';

type ProxyModel = HttpRulesModel & { readonly name: string };

const KEYWORDS: Readonly<Record<TcpRuleSet, string>> = {
  connection: 'tcp-request connection',
  session: 'tcp-request session',
  content: 'tcp-request content',
  response: 'tcp-response content',
};

/** Compiles a proxy's tcp rules; throws HttpRuleError (with the rule's line) on an invalid one. */
export function compileTcpRules(model: ProxyModel, side: 'frontend' | 'backend'): ProxyTcpRules | undefined {
  const tcp = model.tcpRules ?? (model.defaultRules?.tcpRules === undefined ? undefined : NO_RULES);
  if (tcp === undefined) return undefined;
  // A track-sc without `table` tracks in the proxy's own table (table-scope.ts).
  const { compiled, waitsForEnd } = compilingProxyFormats(() =>
    withPatternFiles(patternFilesOf(model.patternFiles), () => withStickTableScope(model.name, () => compile(model, tcp, side))),
  );
  return waitsForEnd ? { ...compiled, waitsForEnd } : compiled;
}

const NO_RULES: TcpRulesModel = { connection: [], session: [], content: [], response: [] };

function compile(model: ProxyModel, tcp: TcpRulesModel, side: 'frontend' | 'backend'): ProxyTcpRules {
  const compileIn = (proxyName: string, acls: readonly AclModel[], rules: readonly TcpRuleModel[], set: TcpRuleSet): CompiledTcpRule[] => {
    const lookup = (name: string): readonly AclModel[] => acls.filter((a) => a.name === name);
    const direction: SampleDirection = set === 'response' ? 'response' : 'request';
    return rules.map((rule: TcpRuleModel) => {
      const keyword = `${KEYWORDS[set]} ${rule.action}`;
      const action = compileTcpAction(rule, direction);
      if (!action.ok) throw new HttpRuleError(rule.source as SourceLocation, proxyName, keyword, action.message);
      let condition: CompiledCondition | undefined;
      if (rule.condition !== undefined) {
        const compiled = compileCondition(rule.condition, lookup, direction, `${side} ${KEYWORDS[set]} rule`);
        if (!compiled.ok) throw new HttpRuleError(rule.source, proxyName, keyword, compiled.message);
        condition = compiled.condition;
      }
      return { condition, action: action.action, source: set === 'content' || set === 'response' ? rule.source : undefined };
    });
  };
  // A named defaults section's rules run first, as one list with the proxy's own (an accept
  // among them ends both), and see only the defaults' ACLs (HAProxy's def_rules).
  const defaults = model.defaultRules;
  const inherited = defaults?.tcpRules;
  const list = (set: TcpRuleSet): CompiledTcpRule[] => [
    ...(defaults === undefined || inherited === undefined ? [] : compileIn(defaults.name, defaults.acls, inherited[set], set)),
    ...compileIn(model.name, model.acls ?? [], tcp[set], set),
  ];
  return {
    connection: list('connection'),
    session: list('session'),
    content: list('content'),
    response: list('response'),
    inspectDelay: tcp.inspectDelay,
    responseInspectDelay: tcp.responseInspectDelay,
  };
}

const cache = new WeakMap<object, ProxyTcpRules | null>();

/** The compiled tcp rules of a frontend or backend model (compiled on first use, then cached). */
export function tcpRulesOf(model: ProxyModel, side: 'frontend' | 'backend'): ProxyTcpRules | undefined {
  let rules = cache.get(model);
  if (rules === undefined) {
    rules = compileTcpRules(model, side) ?? null;
    cache.set(model, rules);
  }
  return rules ?? undefined;
}

/**
 * Where a content list stopped on an action's yield (HAProxy's s->current_rule): the next run
 * of that list resumes at the action, its condition not evaluated again and the rules before
 * it not run twice. One per inspected channel.
 */
export class TcpRuleCursor {
  list: readonly CompiledTcpRule[] | undefined = undefined;
  at = 0;
}

/**
 * Runs a rule list. With `payload` (content rules), a condition that cannot be decided on the
 * bytes so far returns `missing`, as does an action that yields (a `do-resolve` waiting, a
 * `track-sc` key not complete): with `cursor`, the next run resumes at that action.
 */
export function runTcpRules(rules: readonly CompiledTcpRule[], ctx: TcpActionContext, payload: Payload | undefined, cursor?: TcpRuleCursor): TcpRulesOutcome {
  let i = 0;
  let resumed = false;
  if (cursor !== undefined && cursor.list === rules) {
    i = cursor.at;
    resumed = true;
    cursor.list = undefined;
  }
  for (; i < rules.length; i++) {
    const rule = rules[i] as CompiledTcpRule;
    const condition = rule.condition;
    if (condition !== undefined && !resumed) {
      if (payload === undefined) {
        if (!condition.evaluate(ctx)) continue;
      } else {
        const result = condition.evaluateOrMiss(ctx, payload);
        if (result === ConditionResult.miss) return 'missing';
        if (result === ConditionResult.fail) continue;
      }
    }
    resumed = false;
    const verdict = rule.action.run(ctx);
    if (verdict === TcpVerdict.continue) continue;
    if (verdict === TcpVerdict.yield) {
      if (payload === undefined) continue;
      if (cursor !== undefined) {
        cursor.list = rules;
        cursor.at = i;
      }
      return 'missing';
    }
    // A final verdict names its rule for the stream's `last_rule_file` / `last_rule_line`.
    if (rule.source !== undefined) ctx.lastRule = rule.source;
    switch (verdict) {
      case TcpVerdict.accept:
        return 'accept';
      case TcpVerdict.reject:
        return 'reject';
      case TcpVerdict.close:
        return 'close';
      case TcpVerdict.drop:
        return 'drop';
    }
  }
  return 'accept';
}
