/**
 * Content switching and the legacy redirect keyword (HAProxy's cfgparse-listen.c):
 *
 * - `use_backend NAME [if|unless COND]`: frontends pick a backend per request; NAME holding a
 *   `%` is a log-format string evaluated per request (a name no backend has falls back to
 *   `default_backend`), any other name must be a backend of the configuration;
 * - `use-server NAME if|unless COND` (backends): the first matching rule whose server may take
 *   traffic (UP, or any state with `option persist` / `force-persist`) gets the request;
 * - `force-persist if|unless COND`, `ignore-persist if|unless COND` (backends): persistence to a
 *   DOWN server allowed / persistence ignored when the condition holds;
 * - `redirect location|prefix|scheme DEST [code N] [drop-query] [append-slash] [set-cookie|clear-cookie C] [if|unless COND]`:
 *   a literal destination, evaluated after the proxy's `http-request` rules.
 */
import type { ConditionModel } from '../model.ts';
import type { KeywordContext, KeywordList, SectionKeyword } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { compileCondition, parseCondition } from '../../rules/condition.ts';
import { compileLogFormat } from '../../rules/log-format.ts';
import { compileRedirect } from '../../rules/actions/redirect-action.ts';
import { parseRedirect } from './reply-args.ts';

const SECTIONS = ['defaults', 'frontend', 'backend', 'listen'] as const;

function notInDefaults(ctx: KeywordContext, keyword: string): boolean {
  if (ctx.section !== 'defaults') return false;
  ctx.error(`'${keyword}' not allowed in 'defaults' section.`);
  return true;
}

/** Parses and checks `if|unless ...` (words[0] is if/unless); undefined after reporting an error. */
function condition(ctx: KeywordContext, words: readonly Token[], what: string, where: string): ConditionModel | null | undefined {
  if (words.length === 0) return undefined;
  const proxy = ctx.proxy;
  const { file, line } = ctx.place();
  const parsed = parseCondition(
    words.map((t) => t.text),
    (name) => proxy?.acls.some((a) => a.name === name) ?? false,
    { file, line },
  );
  if (!parsed.ok) {
    ctx.error(`error detected while parsing ${what} : ${parsed.message}.`, words[parsed.word] ?? words[words.length - 1]);
    return null;
  }
  const acls = proxy?.acls ?? [];
  const compiled = compileCondition(parsed.condition, (name) => acls.filter((a) => a.name === name), 'request', where);
  if (!compiled.ok) {
    ctx.error(`error detected while parsing ${what} : ${compiled.message}.`, words[0]);
    return null;
  }
  for (const warning of compiled.warnings) ctx.warning(`${warning}.`, words[0]);
  return parsed.condition;
}

function parseUseBackend(ctx: KeywordContext, args: readonly Token[]): void {
  if (notInDefaults(ctx, 'use_backend')) return;
  if (ctx.ignoredWithoutCapability('frontend')) return;
  const name = args[1];
  if (name === undefined) {
    ctx.error("'use_backend' expects a backend name.");
    return;
  }
  const next = args[2];
  if (next !== undefined && next.text !== 'if' && next.text !== 'unless') {
    ctx.error(`unexpected keyword '${next.text}' after switching rule, only 'if' and 'unless' are allowed.`, next);
    return;
  }
  const cond = condition(ctx, args.slice(2), 'switching rule', 'frontend switching rule');
  if (cond === null) return;
  const dynamic = name.text.includes('%');
  if (dynamic) {
    const format = compileLogFormat(name.text, 'request');
    if (!format.ok) {
      ctx.error(`Parsing [${ctx.file}:${ctx.line}]: failed to parse use_backend rule '${name.text}' : ${format.message}.`, name);
      return;
    }
  }
  const { file, line } = ctx.place();
  ctx.proxy?.switchingRules.push({ rule: { backend: name.text, dynamic, condition: cond, source: { file, line } }, place: ctx.place(name) });
}

function parseRedirectKeyword(ctx: KeywordContext, args: readonly Token[]): void {
  if (notInDefaults(ctx, 'redirect')) return;
  const parsed = parseRedirect(args, 1, false, false);
  const fail = (message: string, at?: Token) =>
    ctx.error(`error detected in ${ctx.proxy?.kind ?? 'proxy'} '${ctx.proxy?.name ?? ''}' while parsing redirect rule : ${message}.`, at);
  if (!parsed.ok) return fail(parsed.message, args[parsed.at]);
  const cond = condition(ctx, args.slice(1 + parsed.used), 'redirect rule', 'redirect rule');
  if (cond === null) return;
  const compiled = compileRedirect(parsed.value, 'request');
  if (!compiled.ok) return fail(compiled.message);
  const { file, line } = ctx.place();
  ctx.proxy?.redirectRules.push({ redirect: parsed.value, condition: cond, source: { file, line } });
}

function parseUseServer(ctx: KeywordContext, args: readonly Token[]): void {
  if (notInDefaults(ctx, 'use-server')) return;
  if (ctx.ignoredWithoutCapability('backend')) return;
  const name = args[1];
  if (name === undefined) {
    ctx.error("'use-server' expects a server name.");
    return;
  }
  if (args[2]?.text !== 'if' && args[2]?.text !== 'unless') {
    ctx.error("'use-server' requires either 'if' or 'unless' followed by a condition.", args[2]);
    return;
  }
  if (name.text.includes('%')) {
    ctx.error(`'use-server ${name.text}' : dynamic server names are not supported by Switchyard yet.`, name);
    return;
  }
  const cond = condition(ctx, args.slice(2), 'switching rule', 'backend server rule');
  if (cond === null || cond === undefined) return;
  const { file, line } = ctx.place();
  ctx.proxy?.serverRules.push({ server: name.text, condition: cond, source: { file, line }, place: ctx.place(name) });
}

function parsePersistRule(kind: 'force' | 'ignore', ctx: KeywordContext, args: readonly Token[]): void {
  const keyword = `${kind}-persist`;
  if (notInDefaults(ctx, keyword)) return;
  if (ctx.ignoredWithoutCapability('backend')) return;
  if (args[1]?.text !== 'if' && args[1]?.text !== 'unless') {
    ctx.error(`'${keyword}' requires either 'if' or 'unless' followed by a condition.`, args[1]);
    return;
  }
  const cond = condition(ctx, args.slice(1), `a '${keyword}' rule`, `backend ${keyword} rule`);
  if (cond === null || cond === undefined) return;
  const { file, line } = ctx.place();
  ctx.proxy?.persistRules.push({ kind, condition: cond, source: { file, line } });
}

const keywords: SectionKeyword[] = [
  { name: 'use-server', sections: SECTIONS, parse: parseUseServer },
  { name: 'force-persist', sections: SECTIONS, parse: (ctx, args) => parsePersistRule('force', ctx, args) },
  { name: 'ignore-persist', sections: SECTIONS, parse: (ctx, args) => parsePersistRule('ignore', ctx, args) },
  { name: 'use_backend', sections: SECTIONS, parse: parseUseBackend },
  { name: 'redirect', sections: SECTIONS, parse: parseRedirectKeyword },
];

export const switchingKeywords: KeywordList = { keywords };
