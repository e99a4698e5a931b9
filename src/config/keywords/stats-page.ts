/**
 * The `stats` keywords of proxy sections (HAProxy's cfgparse-listen.c "stats" and uri_auth.c):
 * the stats page. Any `stats` line enables the page; a proxy's first `stats` line detaches it
 * from its defaults' page (HAProxy: "we must detach from the default config").
 */
import type { ConditionModel } from '../model.ts';
import type { StatsAccessRuleModel, StatsPageModel } from '../stats-page-model.ts';
import type { KeywordContext, KeywordList, SectionKeyword } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { PROXY_SECTIONS } from '../registry.ts';
import { compileCondition } from '../../rules/condition.ts';
import { parseRuleCondition, splitCondition, extraWordReporter } from './rule-words.ts';
import { authActionParsers } from './http-actions/auth.ts';
import { finalActionParsers } from './http-actions/final.ts';
import type { HttpActionParser } from './http-actions/types.ts';

/** HAProxy's STATS_DEFAULT_URI and STATS_DEFAULT_REALM. */
export const STATS_DEFAULT_URI = '/haproxy?stats';
export const STATS_DEFAULT_REALM = 'HAProxy Statistics';

export interface StatsPageDraft {
  uri: string;
  realm: string | undefined;
  refresh: number;
  users: { user: string; password: string }[];
  scopes: string[];
  hideVersion: boolean;
  showLegends: boolean;
  showNode: string | undefined;
  showDesc: string | undefined;
  admin: ConditionModel[];
  accessRules: StatsAccessRuleModel[];
  place: { readonly file: string; readonly line: number };
}

function newStatsDraft(ctx: KeywordContext): StatsPageDraft {
  const { file, line } = ctx.place();
  return {
    uri: STATS_DEFAULT_URI,
    realm: undefined,
    refresh: 0,
    users: [],
    scopes: [],
    hideVersion: false,
    showLegends: false,
    showNode: undefined,
    showDesc: undefined,
    admin: [],
    accessRules: [],
    place: { file, line },
  };
}

/** The page this line edits: the proxy's own (created, and detached from the defaults', on its first line). */
function page(ctx: KeywordContext): StatsPageDraft {
  const proxy = ctx.proxy;
  if (proxy === undefined) return newStatsDraft(ctx);
  if (!proxy.statsOwn) {
    proxy.statsOwn = true;
    proxy.stats = undefined;
  }
  proxy.stats ??= newStatsDraft(ctx);
  return proxy.stats;
}

/** HAProxy's parse_time_err with TIME_UNIT_S, to whole seconds. */
function parseRefresh(ctx: KeywordContext, value: Token | undefined): number | undefined {
  const text = value?.text ?? '';
  const m = /^(\d+)(us|ms|s|m|h|d)?/.exec(text);
  if (m === null || m[0].length !== text.length) {
    const bad = m === null ? text.charAt(0) : text.charAt(m[0].length);
    ctx.error(`unexpected character '${bad}' in argument to stats refresh interval.`, value);
    return undefined;
  }
  const n = Number(m[1]);
  const unitMs = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 's'] as number;
  const seconds = Math.floor((n * unitMs) / 1000);
  if (n > 0 && seconds === 0) {
    ctx.error(`timer underflow in argument <${text}> to stats refresh interval, minimum non-null value is 1 s.`, value);
    return undefined;
  }
  if (seconds > 2_147_483_647) {
    ctx.error(`timer overflow in argument <${text}> to stats refresh interval, maximum value is 2147483647 s (~68 years).`, value);
    return undefined;
  }
  return seconds;
}

const ACCESS_ACTIONS: readonly HttpActionParser[] = [...finalActionParsers, ...authActionParsers].filter((p) => p.name === 'allow' || p.name === 'deny' || p.name === 'auth');

/** `stats http-request allow|deny|auth [realm R] [if|unless COND]` (HAProxy's parse_http_req_cond). */
function parseAccessRule(ctx: KeywordContext, args: readonly Token[]): void {
  if (ctx.section === 'defaults') {
    ctx.error("'stats' not allowed in 'defaults' section.");
    return;
  }
  const stats = page(ctx);
  const last = stats.accessRules[stats.accessRules.length - 1];
  if (last !== undefined && last.condition === undefined) ctx.warning("previous 'stats' action has no condition attached, further entries are NOOP.");
  const actionToken = args[2];
  const parser = ACCESS_ACTIONS.find((p) => p.name === actionToken?.text);
  if (actionToken === undefined || parser === undefined) {
    const what = actionToken === undefined ? "'stats http-request' expects an action" : `'stats http-request ${actionToken.text}' is not supported by Switchyard (HAProxy's stats page implements`;
    ctx.error(actionToken === undefined ? `${what} ('allow', 'deny' or 'auth').` : `${what} 'allow', 'deny' and 'auth' only).`, actionToken ?? args[1]);
    return;
  }
  const keyword = `http-request ${actionToken.text}`;
  const { args: ruleArgs, condition: conditionWords } = splitCondition(args.slice(3));
  const rule = parser.parse({ ctx, action: parser.name, word: actionToken, keyword, args: ruleArgs, direction: 'request', extra: extraWordReporter(ctx, keyword, ruleArgs) });
  if (rule === undefined) return;
  const condition = parseRuleCondition(ctx, keyword, conditionWords);
  if (condition === null) return;
  if (condition !== undefined && !conditionCompiles(ctx, condition, conditionWords[0], keyword)) return;
  // An `auth` without `realm` asks for HAProxy's stats realm, not the proxy's name.
  const explicitRealm = ruleArgs[0]?.text === 'realm';
  const fields = rule.action === 'auth' && !explicitRealm ? { ...rule, realm: STATS_DEFAULT_REALM } : rule;
  const { file, line } = ctx.place();
  stats.accessRules.push({ ...fields, condition, source: { file, line } } as StatsAccessRuleModel);
}

function conditionCompiles(ctx: KeywordContext, condition: ConditionModel, at: Token | undefined, keyword: string): boolean {
  const acls = ctx.proxy?.acls ?? [];
  const side = ctx.proxy?.kind === 'backend' ? 'backend' : ctx.proxy?.kind === 'listen' ? 'proxy' : 'frontend';
  const compiled = compileCondition(condition, (name) => acls.filter((a) => a.name === name), 'request', `${side} http-request header rule`);
  if (!compiled.ok) {
    ctx.error(`error detected while parsing a '${keyword}' rule : ${compiled.message}.`, at, keyword);
    return false;
  }
  for (const warning of compiled.warnings) ctx.warning(`${warning}.`, at, keyword);
  return true;
}

function parseAdmin(ctx: KeywordContext, args: readonly Token[]): void {
  if (ctx.section === 'defaults') {
    ctx.error("'stats admin' not allowed in 'defaults' section.");
    return;
  }
  const stats = page(ctx);
  const word = args[2]?.text;
  if (word !== 'if' && word !== 'unless') {
    ctx.error("'stats admin' requires either 'if' or 'unless' followed by a condition.", args[2] ?? args[1]);
    return;
  }
  const condition = parseRuleCondition(ctx, 'stats admin', args.slice(2));
  if (condition === null || condition === undefined) return;
  if (!conditionCompiles(ctx, condition, args[2], 'stats admin')) return;
  stats.admin.push(condition);
}

/** HAProxy's show-node name check: letters, digits, `_`, `-`, `.`. */
const NODE_NAME = /^[A-Za-z0-9_.-]+$/;

function parseStats(ctx: KeywordContext, args: readonly Token[]): void {
  const sub = args[1]?.text ?? '';
  const value = args[2];
  switch (sub) {
    case 'admin':
      return parseAdmin(ctx, args);
    case 'http-request':
      return parseAccessRule(ctx, args);
    case 'uri':
      if (value === undefined || value.text === '') return ctx.error("'uri' needs an URI prefix.", args[1]);
      page(ctx).uri = value.text;
      return;
    case 'realm':
      if (value === undefined || value.text === '') return ctx.error("'realm' needs an realm name.", args[1]);
      page(ctx).realm = value.text;
      return;
    case 'refresh': {
      const seconds = parseRefresh(ctx, value);
      if (seconds !== undefined) page(ctx).refresh = seconds;
      return;
    }
    case 'auth': {
      if (value === undefined || value.text === '') return ctx.error("'auth' needs a user:password account.", args[1]);
      // HAProxy's stats_add_auth: the user is what precedes the first ':', the password the rest.
      const colon = value.text.indexOf(':');
      if (colon < 0) return ctx.error(`'stats auth' expects 'user:password' (got '${value.text}').`, value);
      page(ctx).users.push({ user: value.text.slice(0, colon), password: value.text.slice(colon + 1) });
      return;
    }
    case 'scope':
      if (value === undefined || value.text === '') return ctx.error("'scope' needs a proxy name.", args[1]);
      page(ctx).scopes.push(value.text);
      return;
    case 'enable':
      page(ctx);
      return;
    case 'hide-version':
      page(ctx).hideVersion = true;
      return;
    case 'show-legends':
      page(ctx).showLegends = true;
      return;
    case 'show-modules':
      return ctx.error("'stats show-modules' is not supported by Switchyard (its stats modules are not shown on the page).", args[1]);
    case 'show-node':
      if (value !== undefined && value.text !== '' && !NODE_NAME.test(value.text)) {
        return ctx.error(`'stats show-node' invalid node name - should be a stringwith digits(0-9), letters(A-Z, a-z), hyphen(-) or underscode(_).`, value);
      }
      page(ctx).showNode = value?.text ?? '';
      return;
    case 'show-desc': {
      if (value === undefined || value.text === '') {
        // Without words, the global `description` as read so far (HAProxy checks it here).
        if (ctx.global.description === undefined) {
          ctx.warning("'show-desc' requires a parameter or 'desc' to be set in the global section.", args[1]);
          return;
        }
        page(ctx).showDesc = '';
        return;
      }
      page(ctx).showDesc = args.slice(2).map((t) => t.text).join(' ');
      return;
    }
    case 'socket':
    case 'timeout':
    case 'maxconn':
    case 'bind-process':
    default:
      ctx.error(
        `${sub !== '' ? 'unknown stats parameter' : 'missing keyword in'} '${sub !== '' ? sub : 'stats'}', expects 'admin', 'uri', 'realm', 'auth', 'scope', 'enable', 'hide-version', 'show-node', 'show-desc' or 'show-legends'.`,
        args[1],
      );
  }
}

/** HAProxy refuses `stats auth`/`stats realm` together with `stats http-request` (check_config_validity). */
export function statsPageModel(draft: StatsPageDraft): StatsPageModel | string {
  if (draft.accessRules.length > 0 && (draft.users.length > 0 || draft.realm !== undefined)) {
    return "stats 'auth'/'realm' and 'http-request' can't be used at the same time.";
  }
  return {
    uri: draft.uri,
    ...(draft.realm !== undefined ? { realm: draft.realm } : {}),
    refresh: draft.refresh,
    users: draft.users.map((u) => ({ ...u })),
    scopes: [...draft.scopes],
    hideVersion: draft.hideVersion,
    showLegends: draft.showLegends,
    ...(draft.showNode !== undefined ? { showNode: draft.showNode } : {}),
    ...(draft.showDesc !== undefined ? { showDesc: draft.showDesc } : {}),
    admin: [...draft.admin],
    accessRules: [...draft.accessRules],
    source: draft.place,
  };
}

const stats: SectionKeyword = { name: 'stats', sections: PROXY_SECTIONS, parse: parseStats };

export const statsPageKeywords: KeywordList = { keywords: [stats] };
