/**
 * `fcgi-app NAME` sections and the proxies' `use-fcgi-app NAME` (HAProxy 2.6's fcgi-app.c:
 * cfg_parse_fcgi_app and proxy_parse_use_fcgi_app, with their messages). The sections become
 * FcgiAppModels in config/fcgi-apps.ts, which also checks the backends using them; the FCGI mux
 * (src/mux/fcgi-server.ts) speaks for them to `proto fcgi` servers.
 */
import type { LogDraft, Place } from '../draft.ts';
import type { AclModel, ConditionModel } from '../model.ts';
import type { KeywordContext, KeywordList, SectionHeader, SectionKeyword } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { parseAclWords } from '../../rules/acl-words.ts';
import { parseCondition } from '../../rules/condition.ts';
import { parseLogTarget } from './log.ts';

const SECTIONS = ['fcgi-app'] as const;
const PROXY_SECTIONS = ['defaults', 'backend', 'listen', 'frontend'] as const;

/** A rule as read; `name` already in HAProxy's form (parameter key, or lowercase header name). */
export interface FcgiRuleDraft {
  readonly kind: 'set-param' | 'pass-header' | 'hide-header';
  readonly name: string;
  readonly value: string | undefined;
  readonly condition: ConditionModel | undefined;
}

/** An `fcgi-app NAME` section as read. */
export interface FcgiAppDraft {
  readonly name: string;
  readonly place: Place;
  docroot: string | undefined;
  index: string | undefined;
  pathInfo: string | undefined;
  keepConn: boolean;
  getValues: boolean;
  mpxsConns: boolean;
  maxReqs: number;
  logStderr: LogDraft[];
  readonly acls: AclModel[];
  readonly rules: FcgiRuleDraft[];
}

/**
 * HAProxy's fcgi_param_name without its ':fcgi-' prefix: lowercase, every character other than
 * a letter or a digit becomes '_' (the PARAMS record then sends it uppercase).
 */
export function fcgiParamKey(name: string): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    out += alnum ? name[i]!.toLowerCase() : '_';
  }
  return out;
}

/** The headers every fcgi-app hides from the application (HAProxy adds them when a section opens). */
const HIDDEN_HEADERS = ['connection', 'keep-alive', 'authorization', 'proxy', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailers', 'transfer-encoding', 'upgrade'];

function current(ctx: KeywordContext): FcgiAppDraft | undefined {
  return ctx.global.fcgiApps?.at(-1);
}

/** HAProxy's invalid_char: names are letters, digits, '-', '_', '.' and ':'. */
function invalidChar(text: string): string | undefined {
  return /[^A-Za-z0-9_.:-]/.exec(text)?.[0];
}

/** alertif_too_many_args_idx: the words after `max` arguments past `first` are refused. */
function tooManyArgs(ctx: KeywordContext, args: readonly Token[], first: number, max: number): boolean {
  const extra = args[first + max + 1];
  if (extra === undefined) return false;
  const keyword = args.slice(0, first + 1).map((t) => t.text).join(' ');
  ctx.error(`'${keyword}' cannot handle unexpected argument '${extra.text}'.`, extra);
  return true;
}

function openFcgiApp(ctx: KeywordContext, args: readonly Token[]): void {
  const header = args[0] as Token;
  const nameToken = args[1];
  const name = nameToken?.text ?? '';
  const apps = (ctx.global.fcgiApps ??= []);
  if (name === '') {
    ctx.error("'fcgi-app' expects <name> as argument.", header);
  } else if (!tooManyArgs(ctx, args, 0, 1)) {
    const bad = invalidChar(name);
    if (bad !== undefined) ctx.error(`character '${bad}' is not permitted in 'fcgi-app' name '${name}'.`, nameToken);
    const other = apps.find((a) => a.name === name);
    if (other !== undefined) ctx.error(`fcgi-app section '${name}' has the same name as another one declared at ${other.place.file}:${other.place.line}.`, nameToken);
  }
  apps.push({
    name,
    place: ctx.place(header),
    docroot: undefined,
    index: undefined,
    pathInfo: undefined,
    keepConn: true,
    getValues: false,
    mpxsConns: false,
    maxReqs: 1,
    logStderr: [],
    acls: [],
    rules: [
      // What HAProxy's section starts with: the authentication, then the hop-by-hop headers hidden.
      { kind: 'set-param', name: 'remote_user', value: '%[http_auth_user]', condition: undefined },
      { kind: 'set-param', name: 'auth_type', value: '%[http_auth_type]', condition: undefined },
      ...HIDDEN_HEADERS.map((h) => ({ kind: 'hide-header' as const, name: h, value: undefined, condition: undefined })),
    ],
  });
}

function parseValueKeyword(ctx: KeywordContext, args: readonly Token[], what: string, set: (app: FcgiAppDraft, value: string) => void): void {
  const app = current(ctx);
  if (app === undefined) return;
  const value = args[1]?.text ?? '';
  if (value === '') return ctx.error(`'${(args[0] as Token).text}' expects <${what}> as argument.`);
  if (tooManyArgs(ctx, args, 0, 1)) return;
  set(app, value);
}

function parsePathInfo(ctx: KeywordContext, args: readonly Token[]): void {
  parseValueKeyword(ctx, args, 'regex', (app, value) => {
    try {
      new RegExp(value);
    } catch (error) {
      ctx.error(`'${value}' : ${(error as Error).message}.`, args[1]);
      return;
    }
    app.pathInfo = value;
  });
}

function parseAcl(ctx: KeywordContext, args: readonly Token[]): void {
  const app = current(ctx);
  if (app === undefined) return;
  const nameToken = args[1];
  const name = nameToken?.text ?? '';
  const bad = invalidChar(name);
  if (bad !== undefined) return ctx.error(`character '${bad}' is not permitted in acl name '${name}'.`, nameToken);
  if (name.toLowerCase() === 'or') {
    return ctx.error(`acl name '${name}' will never match. 'or' is used to express a logical disjunction within a condition.`, nameToken);
  }
  if (name === '' || args.length < 3) return ctx.error(`error detected while parsing ACL '${name}' : missing ACL criterion.`, nameToken);
  const words = args.slice(2);
  const { file, line } = ctx.place();
  const parsed = parseAclWords(name, words.map((t) => t.text), { file, line });
  if (!parsed.ok) return ctx.error(`error detected while parsing ACL '${name}' : ${parsed.message}.`, words[parsed.word] ?? nameToken);
  app.acls.push(parsed.acl);
}

/** The optional `if|unless COND` from `args[at]`; undefined without one, null when invalid (reported). */
function ruleCondition(ctx: KeywordContext, app: FcgiAppDraft, args: readonly Token[], at: number, name: string): ConditionModel | undefined | null {
  const first = args[at];
  if (first === undefined) return undefined;
  const words = args.slice(at).map((t) => t.text);
  const { file, line } = ctx.place();
  const parsed = parseCondition(words, (acl) => app.acls.some((a) => a.name === acl), { file, line });
  if (!parsed.ok) {
    ctx.error(`'${name}' : ${parsed.message}.`, args[at + parsed.word] ?? first);
    return null;
  }
  return parsed.condition;
}

function parseSetParam(ctx: KeywordContext, args: readonly Token[]): void {
  const app = current(ctx);
  if (app === undefined) return;
  const name = args[1]?.text ?? '';
  const value = args[2]?.text ?? '';
  if (name === '' || value === '') return ctx.error("'set-param' expects <name> and <value> as arguments.");
  const condition = ruleCondition(ctx, app, args, 3, name);
  if (condition === null) return;
  app.rules.push({ kind: 'set-param', name: fcgiParamKey(name), value, condition });
}

function parsePassHeader(ctx: KeywordContext, args: readonly Token[]): void {
  const app = current(ctx);
  if (app === undefined) return;
  const name = args[1]?.text ?? '';
  if (name === '') return ctx.error("'pass-header' expects <name> as arguments.");
  const condition = ruleCondition(ctx, app, args, 2, name);
  if (condition === null) return;
  app.rules.push({ kind: 'pass-header', name: name.toLowerCase(), value: undefined, condition });
}

function parseOption(ctx: KeywordContext, args: readonly Token[]): void {
  const app = current(ctx);
  if (app === undefined) return;
  const option = args[1];
  if (option === undefined || option.text === '') return ctx.error("'option' expects an option name.");
  const on = ctx.modifier === 'none';
  const flag = (set: (value: boolean) => void): void => {
    if (tooManyArgs(ctx, args, 1, 0)) return;
    // `default option X` leaves the flag as it is (HAProxy's KWM_DEF on an fcgi-app option).
    if (ctx.modifier !== 'default') set(on);
  };
  switch (option.text) {
    case 'keep-conn':
      return flag((v) => (app.keepConn = v));
    case 'get-values':
      return flag((v) => (app.getValues = v));
    case 'mpxs-conns':
      return flag((v) => (app.mpxsConns = v));
    case 'max-reqs': {
      if (!on) return ctx.error(`negation/default is not supported for option '${option.text}'.`, option);
      const value = args[2]?.text ?? '';
      if (value === '') return ctx.error(`option '${option.text}' expects an integer argument.`, option);
      if (tooManyArgs(ctx, args, 1, 1)) return;
      // atol: the leading digits; 0 (or none) is refused.
      const n = Number(/^\s*[+-]?\d+/.exec(value)?.[0] ?? '0');
      if (n <= 0) return ctx.error(`option '${option.text}' expects a strictly positive integer argument.`, args[2]);
      app.maxReqs = n;
      return;
    }
    default:
      ctx.error(`unknown option '${option.text}'.`, option);
  }
}

function parseLogStderr(ctx: KeywordContext, args: readonly Token[]): void {
  const app = current(ctx);
  if (app === undefined) return;
  const target = args[1];
  if (target?.text === 'global') {
    if (tooManyArgs(ctx, args, 0, 1)) return;
    app.logStderr.push({ global: true, source: { file: ctx.file, line: ctx.line } });
    return;
  }
  const parsed = parseLogTarget(ctx, args);
  if (parsed !== undefined) app.logStderr.push(parsed);
}

/** `use-fcgi-app NAME` in a backend or listen (HAProxy's proxy_parse_use_fcgi_app). */
function parseUseFcgiApp(ctx: KeywordContext, args: readonly Token[]): void {
  const proxy = ctx.proxy;
  if (proxy === undefined) return;
  if (proxy.kind === 'frontend') return ctx.error("'use-fcgi-app' only available in backend or listen section");
  const name = args[1]?.text ?? '';
  if (name === '') return ctx.error("'use-fcgi-app' expects <name> as argument");
  // Filters are not inherited from a defaults section: there it is accepted and has no effect.
  if (proxy.kind === 'defaults') return;
  if (proxy.useFcgiApp !== undefined && proxy.useFcgiApp.name !== name) return ctx.error("'use-fcgi-app' : only one fcgi-app supported per backend");
  proxy.useFcgiApp = { name, place: ctx.place(args[1]) };
}

/** `filter fcgi-app NAME` (HAProxy's parse_fcgi_flt): the explicit form of `use-fcgi-app NAME`. */
export function parseFcgiAppFilter(ctx: KeywordContext, args: readonly Token[]): string | undefined {
  const name = args[2]?.text ?? '';
  if (name === '') return 'fcgi-app : expects a <name> argument';
  if (args[3] !== undefined) return `'filter fcgi-app' : unknown keyword '${args[3].text}'.`;
  const proxy = ctx.proxy;
  if (proxy === undefined || proxy.kind === 'defaults') return undefined;
  if (proxy.useFcgiApp !== undefined && proxy.useFcgiApp.name !== name) return `proxy '${proxy.name}' : only one fcgi-app supported per backend.`;
  proxy.useFcgiApp = { name, place: ctx.place(args[2]) };
  return undefined;
}

const fcgiAppSection: SectionHeader = { name: 'fcgi-app', open: openFcgiApp };

const keywords: SectionKeyword[] = [
  { name: 'docroot', sections: SECTIONS, parse: (ctx, args) => parseValueKeyword(ctx, args, 'path', (app, v) => (app.docroot = v)) },
  { name: 'index', sections: SECTIONS, parse: (ctx, args) => parseValueKeyword(ctx, args, 'filename', (app, v) => (app.index = v)) },
  { name: 'path-info', sections: SECTIONS, parse: parsePathInfo },
  { name: 'acl', sections: SECTIONS, parse: parseAcl },
  { name: 'set-param', sections: SECTIONS, parse: parseSetParam },
  { name: 'pass-header', sections: SECTIONS, parse: parsePassHeader },
  { name: 'option', sections: SECTIONS, parse: parseOption, modifiers: true },
  { name: 'log-stderr', sections: SECTIONS, parse: parseLogStderr },
  { name: 'use-fcgi-app', sections: PROXY_SECTIONS, parse: parseUseFcgiApp },
];

export const fcgiAppKeywords: KeywordList = { sections: [fcgiAppSection], keywords };
