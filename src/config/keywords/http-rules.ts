/**
 * ACLs and HTTP rules (HAProxy's cfgparse-listen.c `acl` and http_rules.c):
 *
 * - `acl NAME CRITERION [-i] [-m METHOD] [-n] [-u ID] [--] PATTERN...`;
 * - `http-request|http-response set-header|add-header NAME FMT [if|unless COND]`;
 * - `http-request|http-response del-header NAME [-m str|beg|end|sub|reg] [if|unless COND]`;
 * - `http-request|http-response replace-header|replace-value NAME REGEX FMT [if|unless COND]`;
 * - `http-request|http-response allow`, `deny [deny_status N] [REPLY...]`, `return [REPLY...]`,
 *   `redirect location|prefix|scheme ...` (see reply-args.ts for the reply and redirect grammars).
 *
 * Everything is checked here, at its line: the criterion, patterns and regexes, the ACL names a
 * condition uses (declared earlier, or predefined), log-format values and the fetches they
 * use. Every other HAProxy action is refused by name as not supported yet. In `defaults`
 * sections (HAProxy 2.6 allows these only in named defaults, with restrictions) they are refused.
 */
import type { ConditionModel, HttpFinalRuleModel, HttpRuleModel } from '../model.ts';
import type { KeywordContext, KeywordList, SectionKeyword } from '../registry.ts';
import { didYouMean } from '../suggest.ts';
import type { Token } from '../tokenizer.ts';
import { parseAclWords } from '../../rules/acl-words.ts';
import { compileCondition } from '../../rules/condition.ts';
import { extraWordReporter, parseRuleCondition, splitCondition } from './rule-words.ts';
import { compileRuleAction } from '../../rules/actions/index.ts';
import { HTTP_ACTION_PARSERS, type HttpActionParser, type HttpRuleSet } from './http-actions/index.ts';
import type { SampleDirection } from '../../rules/sample-fetch.ts';

/** The actions each rule set accepts, in alphabetical order (for messages). */
function supportedActions(set: HttpRuleSet): HttpActionParser[] {
  return HTTP_ACTION_PARSERS.filter((p) => p.sets.includes(set)).sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** The parser of `word`: its exact name, else the longest prefix action it starts with (`set-var(txn.x)`). */
function findParser(parsers: readonly HttpActionParser[], word: string | undefined): HttpActionParser | undefined {
  if (word === undefined) return undefined;
  let found = parsers.find((p) => p.name === word);
  if (found !== undefined) return found;
  for (const p of parsers) if (p.prefix === true && word.startsWith(p.name) && (found === undefined || p.name.length > found.name.length)) found = p;
  return found;
}

/** HAProxy 2.6's other actions (its "expects ..." list): named as not supported, never ignored. */
const HAPROXY_REQUEST_ACTIONS = [
  'wait-for-handshake', 'set-log-level', 'set-nice', 'use-service', 'sc-inc-gpc', 'sc-inc-gpc0', 'sc-inc-gpc1', 'sc-set-gpt',
  'sc-set-gpt0', 'send-spoe-group', 'do-resolve', 'cache-use', 'add-acl', 'allow', 'auth', 'capture', 'del-acl', 'del-map', 'deny',
  'disable-l7-retry', 'early-hint', 'normalize-uri', 'redirect', 'reject', 'replace-path', 'replace-pathq', 'replace-uri', 'return',
  'set-map', 'set-method', 'set-path', 'set-pathq', 'set-query', 'set-uri', 'strict-mode', 'tarpit', 'track-sc0', 'track-sc1',
  'track-sc2', 'track-sc', 'set-timeout', 'wait-for-body', 'set-var-fmt', 'set-var', 'unset-var', 'set-dst', 'set-dst-port', 'set-mark',
  'set-src', 'set-src-port', 'set-tos', 'silent-drop', 'ot-group',
];
/**
 * HAProxy 2.6's http-after-response actions (http_after_res_keywords, as 2.6.12's "expects" list
 * names them): no map, ACL or sc-* action, which come in 2.8.
 */
const HAPROXY_AFTER_RESPONSE_ACTIONS = [
  'ot-group', 'add-header', 'allow', 'capture', 'del-header', 'replace-header', 'replace-value', 'set-header', 'set-status',
  'strict-mode', 'set-var-fmt', 'set-var', 'unset-var',
];
const HAPROXY_RESPONSE_ACTIONS = [
  'allow', 'deny', 'redirect', 'return', 'add-acl', 'del-acl', 'set-map', 'del-map', 'capture', 'set-log-level', 'set-nice', 'set-mark',
  'set-tos', 'set-status', 'set-var', 'set-var-fmt', 'unset-var', 'sc-inc-gpc', 'sc-inc-gpc0', 'sc-inc-gpc1', 'sc-set-gpt', 'sc-set-gpt0',
  'send-spoe-group', 'cache-store', 'track-sc0', 'track-sc1', 'track-sc2', 'track-sc', 'strict-mode', 'silent-drop', 'wait-for-body',
  'set-timeout', 'ot-group',
];

/** `sc-inc-gpc(1,2)` -> `sc-inc-gpc`, `set-var(txn.x)` -> `set-var`. */
function actionBase(word: string): string {
  const paren = word.indexOf('(');
  return paren < 0 ? word : word.slice(0, paren);
}

/**
 * ACLs and HTTP rules are allowed in a named defaults section only (HAProxy 2.5+): the proxies
 * inheriting from it run its rules before their own (see DefaultRulesModel).
 */
function notInDefaults(ctx: KeywordContext, keyword: string): boolean {
  if (ctx.section !== 'defaults' || ctx.proxy === undefined || ctx.proxy.name !== '') return false;
  ctx.error(`'${keyword}' not allowed in anonymous 'defaults' section.`);
  return true;
}

function parseAcl(ctx: KeywordContext, args: readonly Token[]): void {
  if (notInDefaults(ctx, 'acl')) return;
  const nameToken = args[1];
  if (nameToken === undefined) {
    ctx.error("'acl' expects an ACL name and a criterion.");
    return;
  }
  const bad = /[^A-Za-z0-9_.:-]/.exec(nameToken.text)?.[0];
  if (bad !== undefined) {
    ctx.error(`character '${bad}' is not permitted in acl name '${nameToken.text}'.`, nameToken);
    return;
  }
  if (args.length < 3) {
    ctx.error(`error detected while parsing ACL '${nameToken.text}' : missing ACL criterion.`, nameToken);
    return;
  }
  const words = args.slice(2);
  const { file, line } = ctx.place();
  const parsed = parseAclWords(nameToken.text, words.map((t) => t.text), { file, line });
  if (!parsed.ok) {
    ctx.error(`error detected while parsing ACL '${nameToken.text}' : ${parsed.message}.`, words[parsed.word] ?? nameToken);
    return;
  }
  if (parsed.warning !== undefined) ctx.warning(`acl '${nameToken.text}' : ${parsed.warning}.`, words[0]);
  ctx.proxy?.acls.push(parsed.acl);
}

function parseHttpRule(set: HttpRuleSet, ctx: KeywordContext, args: readonly Token[]): void {
  const keyword = `http-${set}`;
  // Fetches of after-response rules read the response, as http-response rules do.
  const direction: SampleDirection = set === 'request' ? 'request' : 'response';
  if (notInDefaults(ctx, keyword)) return;
  const actionToken = args[1];
  const known = set === 'request' ? HAPROXY_REQUEST_ACTIONS : set === 'response' ? HAPROXY_RESPONSE_ACTIONS : HAPROXY_AFTER_RESPONSE_ACTIONS;
  const parsers = supportedActions(set);
  const parser = findParser(parsers, actionToken?.text);
  if (actionToken === undefined || parser === undefined) {
    const list = parsers.map((p) => `'${p.name}'`).join(', ');
    if (actionToken === undefined) {
      ctx.error(`'${keyword}' expects an action (supported: ${list}).`);
    } else if (known.includes(actionBase(actionToken.text))) {
      ctx.error(`'${keyword} ${actionBase(actionToken.text)}' is not supported by Switchyard yet (supported: ${list}).`, actionToken, `${keyword} ${actionBase(actionToken.text)}`);
    } else {
      ctx.error(
        `'${keyword}' expects ${list}, but got '${actionToken.text}'${didYouMean(actionToken.text, [...parsers.map((p) => p.name), ...known])}.`,
        actionToken,
      );
    }
    return;
  }
  // HAProxy names the rule by its action word as written: 'http-request set-var(txn.x)'.
  const ruleKeyword = `${keyword} ${actionToken.text}`;
  const { args: ruleArgs, condition: conditionWords } = splitCondition(args.slice(2));
  const extra = extraWordReporter(ctx, ruleKeyword, ruleArgs);
  const rule = parser.parse({ ctx, action: parser.name, word: actionToken, keyword: ruleKeyword, args: ruleArgs, direction, extra });
  if (rule === undefined) return;
  const { file, line } = ctx.place();
  const condition = parseRuleCondition(ctx, ruleKeyword, conditionWords);
  if (condition === null) return;
  const model = { ...rule, condition, source: { file, line } } as HttpRuleModel | HttpFinalRuleModel;
  const action = compileRuleAction(model, direction);
  if (!action.ok) {
    ctx.error(`error detected in ${ctx.proxy?.kind ?? 'proxy'} '${ctx.proxy?.name ?? ''}' while parsing '${ruleKeyword}' rule : ${action.message}.`, actionToken, ruleKeyword);
    return;
  }
  if (condition !== undefined) {
    const acls = ctx.proxy?.acls ?? [];
    const side = ctx.proxy?.kind === 'backend' ? 'backend' : ctx.proxy?.kind === 'listen' ? 'proxy' : 'frontend';
    const compiled = compileCondition(condition, (name) => acls.filter((a) => a.name === name), direction, `${side} http-${direction} header rule`);
    if (!compiled.ok) {
      ctx.error(`error detected while parsing an '${ruleKeyword}' condition : ${compiled.message}.`, conditionWords[0], ruleKeyword);
      return;
    }
    for (const warning of compiled.warnings) ctx.warning(`${warning}.`, conditionWords[0], ruleKeyword);
  }
  const proxy = ctx.proxy;
  if (proxy === undefined) return;
  proxy.httpRulesPlace ??= ctx.place(args[0]);
  (set === 'request' ? proxy.httpRequestRules : set === 'response' ? proxy.httpResponseRules : proxy.httpAfterResponseRules).push(model);
}

const SECTIONS = ['defaults', 'frontend', 'backend', 'listen'] as const;

const keywords: SectionKeyword[] = [
  { name: 'acl', sections: SECTIONS, parse: parseAcl },
  { name: 'http-request', sections: SECTIONS, parse: (ctx, args) => parseHttpRule('request', ctx, args) },
  { name: 'http-response', sections: SECTIONS, parse: (ctx, args) => parseHttpRule('response', ctx, args) },
  { name: 'http-after-response', sections: SECTIONS, parse: (ctx, args) => parseHttpRule('after-response', ctx, args) },
];

export const httpRuleKeywords: KeywordList = { keywords };
