/**
 * `tcp-request inspect-delay T`, `tcp-request connection|session|content ACTION [if|unless COND]`,
 * `tcp-response inspect-delay T` and `tcp-response content ACTION [if|unless COND]` (HAProxy's
 * tcp_rules.c parsers). The actions each rule set accepts are a table (tcp-actions.ts); HAProxy's
 * other actions are refused by name as not supported yet, at their line. Conditions are the
 * http rules' (`acl` names declared earlier, anonymous `{ ... }` ACLs), compiled here so errors
 * point at their line.
 */
import type { ConditionModel, TcpRuleModel, TcpRuleSet } from '../model.ts';
import type { KeywordContext, KeywordList, SectionKeyword } from '../registry.ts';
import { didYouMean } from '../suggest.ts';
import type { Token } from '../tokenizer.ts';
import { compileCondition } from '../../rules/condition.ts';
import { extraWordReporter, parseRuleCondition, splitCondition } from './rule-words.ts';
import { compileTcpAction } from '../../rules/tcp/tcp-actions.ts';
import type { SampleDirection } from '../../rules/sample-fetch.ts';
import { parseTime } from './args.ts';
import { TCP_ACTION_PARSERS, UNSUPPORTED_TCP_ACTIONS, type TcpActionParser } from './tcp-actions.ts';

const SECTIONS = ['defaults', 'frontend', 'backend', 'listen'] as const;

function anonymousDefaults(ctx: KeywordContext): boolean {
  return ctx.section === 'defaults' && ctx.proxy?.name === '';
}

function findParser(set: TcpRuleSet, word: string): TcpActionParser | undefined {
  let found: TcpActionParser | undefined;
  for (const p of TCP_ACTION_PARSERS) {
    if (!p.sets.includes(set)) continue;
    if (p.name === word) return p;
    // `set-var(txn.x)`, `track-sc0`, `sc-inc-gpc0(1)`: the longest prefix wins (set-var-fmt).
    if (p.prefix === true && word.startsWith(p.name) && (found === undefined || p.name.length > found.name.length)) found = p;
  }
  return found;
}

function parseInspectDelay(ctx: KeywordContext, args: readonly Token[], keyword: string, response: boolean): void {
  const value = args[2];
  if (value === undefined || args.length > 3) {
    ctx.error(`'${keyword}' expects a positive delay in milliseconds.`, args[1], keyword);
    return;
  }
  const ms = parseTime(ctx, value, `'${keyword}'`);
  if (ms === undefined) return;
  const proxy = ctx.proxy;
  if (proxy === undefined) return;
  if (!response && anonymousDefaults(ctx)) {
    ctx.error(`${keyword} is not allowed in anonymous 'defaults' sections`, args[0], keyword);
    return;
  }
  if (response && (proxy.kind === 'frontend' || anonymousDefaults(ctx))) {
    ctx.error(`${keyword} is only allowed in 'backend' sections or 'defaults' section with a name`, args[0], keyword);
    return;
  }
  if (response) proxy.tcpResponseInspectDelay = ms;
  else proxy.tcpInspectDelay = ms;
}

function parseTcpRule(ctx: KeywordContext, args: readonly Token[], request: boolean): void {
  const head = request ? 'tcp-request' : 'tcp-response';
  const which = args[1];
  const sets = request ? ['connection', 'session', 'content', 'inspect-delay'] : ['content', 'inspect-delay'];
  if (which === undefined || !sets.includes(which.text)) {
    ctx.error(
      `'${head}' expects ${sets.map((s) => `'${s}'`).join(', ')}${which === undefined ? '' : `, but got '${which.text}'${didYouMean(which.text, sets)}`}.`,
      which,
      head,
    );
    return;
  }
  if (which.text === 'inspect-delay') return parseInspectDelay(ctx, args, `${head} inspect-delay`, !request);
  const set: TcpRuleSet = request ? (which.text as TcpRuleSet) : 'response';
  const keyword = `${head} ${which.text}`;
  // A named defaults section keeps its rules for the proxies inheriting from it (HAProxy 2.5+).
  if (set !== 'response' && anonymousDefaults(ctx)) {
    ctx.error(`${keyword} is not allowed in anonymous 'defaults' sections`, args[0], keyword);
    return;
  }
  // HAProxy: connection and session rules need a frontend, response rules a backend (it warns and ignores).
  if ((set === 'connection' || set === 'session') && ctx.ignoredWithoutCapability('frontend', which, keyword)) return;
  if (set === 'response' && (ctx.proxy?.kind === 'frontend' || anonymousDefaults(ctx))) {
    ctx.error(`${keyword} is only allowed in 'backend' sections or 'defaults' section with a name`, args[0], keyword);
    return;
  }

  const actionToken = args[2];
  const supported = TCP_ACTION_PARSERS.filter((p) => p.sets.includes(set)).map((p) => p.name);
  const list = supported.map((n) => `'${n}'`).join(', ');
  if (actionToken === undefined) {
    ctx.error(`'${keyword}' expects an action (supported: ${list}).`, which, keyword);
    return;
  }
  const parser = findParser(set, actionToken.text);
  if (parser === undefined) {
    const base = actionToken.text.replace(/\(.*$/, '');
    if (UNSUPPORTED_TCP_ACTIONS[set].some((name) => name === base || (name.endsWith('*') && base.startsWith(name.slice(0, -1))))) {
      ctx.error(`'${keyword} ${base}' is not supported by Switchyard yet (supported: ${list}).`, actionToken, `${keyword} ${base}`);
    } else {
      ctx.error(`'${keyword}' expects ${list}, but got '${actionToken.text}'${didYouMean(actionToken.text, supported)}.`, actionToken, keyword);
    }
    return;
  }
  const ruleKeyword = `${keyword} ${actionToken.text}`;
  const { args: ruleArgs, condition: conditionWords } = splitCondition(args.slice(3));
  const direction: SampleDirection = set === 'response' ? 'response' : 'request';
  const extra = extraWordReporter(ctx, ruleKeyword, ruleArgs);
  const fields = parser.parse({ ctx, set, action: parser.name, word: actionToken, keyword: ruleKeyword, args: ruleArgs, direction, extra });
  if (fields === undefined) return;
  const { file, line } = ctx.place();
  const condition = parseRuleCondition(ctx, ruleKeyword, conditionWords);
  if (condition === null) return;
  if (condition !== undefined) {
    const acls = ctx.proxy?.acls ?? [];
    const compiled = compileCondition(condition, (name) => acls.filter((a) => a.name === name), direction, `${keyword} rule`);
    if (!compiled.ok) {
      ctx.error(`error detected while parsing an '${ruleKeyword}' condition : ${compiled.message}.`, conditionWords[0], ruleKeyword);
      return;
    }
  }
  const model = { ...fields, condition, source: { file, line } } as TcpRuleModel;
  const action = compileTcpAction(model, direction);
  if (!action.ok) {
    ctx.error(`error detected in ${ctx.proxy?.kind ?? 'proxy'} '${ctx.proxy?.name ?? ''}' while parsing '${ruleKeyword}' rule : ${action.message}.`, actionToken, ruleKeyword);
    return;
  }
  ctx.proxy?.tcpRules[set].push(model);
}

const keywords: SectionKeyword[] = [
  { name: 'tcp-request', sections: SECTIONS, parse: (ctx, args) => parseTcpRule(ctx, args, true) },
  { name: 'tcp-response', sections: SECTIONS, parse: (ctx, args) => parseTcpRule(ctx, args, false) },
];

export const tcpRuleKeywords: KeywordList = { keywords };
