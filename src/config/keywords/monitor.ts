/**
 * `monitor-uri URI` and `monitor fail if|unless COND` (HAProxy's cfgparse-listen.c): a request
 * for that URI is answered by the proxy itself, 200 ("Service ready."), or 503 when a `monitor
 * fail` condition holds, before any rule runs (src/http/monitor-uri.ts).
 */
import type { KeywordContext, KeywordList, SectionKeyword } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { compileCondition } from '../../rules/condition.ts';
import { noExtraArgs } from './args.ts';
import { parseRuleCondition } from './rule-words.ts';

function parseMonitorUri(ctx: KeywordContext, args: readonly Token[]): void {
  const uri = args[1];
  if (uri === undefined || uri.text === '') {
    ctx.error("'monitor-uri' expects an URI.", args[0]);
    return;
  }
  if (!noExtraArgs(ctx, args, 2)) return;
  const proxy = ctx.proxy;
  if (proxy === undefined || ctx.ignoredWithoutCapability('frontend', args[0])) return;
  proxy.monitor = { uri: uri.text, fail: proxy.monitor?.fail ?? [] };
}

function parseMonitor(ctx: KeywordContext, args: readonly Token[]): void {
  if (ctx.section === 'defaults') {
    ctx.error("'monitor' not allowed in 'defaults' section.");
    return;
  }
  const word = args[1];
  if (word?.text !== 'fail') {
    ctx.error("'monitor' only supports 'fail'.", word ?? args[0]);
    return;
  }
  const condition = args.slice(2);
  if (condition[0]?.text !== 'if' && condition[0]?.text !== 'unless') {
    ctx.error("'monitor fail' requires either 'if' or 'unless' followed by a condition.", condition[0] ?? word);
    return;
  }
  const parsed = parseRuleCondition(ctx, 'monitor fail', condition);
  if (parsed === null || parsed === undefined) return;
  const proxy = ctx.proxy;
  if (proxy === undefined || ctx.ignoredWithoutCapability('frontend', args[0])) return;
  const acls = proxy.acls;
  const compiled = compileCondition(parsed, (name) => acls.filter((a) => a.name === name), 'request', "'monitor fail' condition");
  if (!compiled.ok) {
    ctx.error(`error detected while parsing a 'monitor fail' condition : ${compiled.message}.`, condition[0]);
    return;
  }
  proxy.monitor = { uri: proxy.monitor?.uri, fail: [...(proxy.monitor?.fail ?? []), parsed] };
}

const keywords: SectionKeyword[] = [
  { name: 'monitor-uri', sections: ['defaults', 'frontend', 'listen'], parse: parseMonitorUri },
  { name: 'monitor', sections: ['defaults', 'frontend', 'listen'], parse: parseMonitor },
];

export const monitorKeywords: KeywordList = { keywords };
