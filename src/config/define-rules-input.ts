/**
 * defineConfig()'s ACLs, HTTP rules and content switching, as valibot schemas, and how each
 * typed rule becomes the words of its haproxy.cfg line.
 *
 * Every rule is either HAProxy's text (the words after the keyword, quoted as in haproxy.cfg:
 * `'deny deny_status 429 if { path_beg /admin }'`) or a typed object
 * (`{ action: 'set-header', name: 'X-Forwarded-Proto', value: 'https', if: 'ssl_fc' }`). Both
 * end up as the words of a haproxy.cfg line, parsed by the keyword's own parser
 * (define-rules.ts): the schemas here only shape the input and check nothing the parsers check,
 * so the two forms cannot drift from haproxy.cfg.
 */
import * as v from 'valibot';
import { nameSchema } from './schema.ts';

/** A condition as written after `if` / `unless` in haproxy.cfg (`is_api`, `{ path_beg /api } !ssl_fc`). */
const conditionTextSchema = v.pipe(v.string(), v.minLength(1, 'a condition cannot be empty'));

const conditionEntries = {
  if: v.optional(conditionTextSchema),
  unless: v.optional(conditionTextSchema),
};

/** At most one of `if` and `unless`. */
function oneCondition(input: { if?: string | undefined; unless?: string | undefined }): boolean {
  return input.if === undefined || input.unless === undefined;
}
const ONE_CONDITION = "give either 'if' or 'unless', not both";

/** Words given to a parser: any string (the parser says what is wrong with it). */
const word = v.string();
const statusCode = v.pipe(v.number(), v.integer());

/** The reply arguments of `deny`, `tarpit`, `return` and `http-error` (HAProxy's http reply). */
const replyEntries = {
  contentType: v.optional(word),
  /** `string TEXT`: a literal payload. */
  string: v.optional(word),
  /** `lf-string FMT`: a log-format payload. */
  lfString: v.optional(word),
  /** `errorfiles NAME`: the page of an `http-errors` section. */
  errorfiles: v.optional(word),
  /** `default-errorfiles`: the proxy's error page. */
  defaultErrorfiles: v.optional(v.literal(true)),
  /** `hdr NAME FMT` lines, in order. */
  headers: v.optional(v.record(v.string(), v.string())),
};

/** `redirect location|prefix|scheme DEST [code N] [drop-query] [append-slash] [ignore-empty] [set-cookie|clear-cookie C]`. */
const redirectEntries = {
  location: v.optional(word),
  prefix: v.optional(word),
  scheme: v.optional(word),
  code: v.optional(v.picklist([301, 302, 303, 307, 308])),
  dropQuery: v.optional(v.boolean()),
  appendSlash: v.optional(v.boolean()),
  ignoreEmpty: v.optional(v.boolean()),
  setCookie: v.optional(word),
  clearCookie: v.optional(word),
};

function oneRedirectType(input: { location?: string | undefined; prefix?: string | undefined; scheme?: string | undefined }): boolean {
  return [input.location, input.prefix, input.scheme].filter((d) => d !== undefined).length === 1;
}
const ONE_REDIRECT_TYPE = "give exactly one of 'location', 'prefix' and 'scheme'";

const actions = {
  allow: v.strictObject({ action: v.literal('allow'), ...conditionEntries }),
  /** `deny [deny_status N] [reply...]`; `status` is `deny_status`. */
  deny: v.strictObject({ action: v.literal('deny'), status: v.optional(statusCode), ...replyEntries, ...conditionEntries }),
  tarpit: v.strictObject({ action: v.literal('tarpit'), status: v.optional(statusCode), ...replyEntries, ...conditionEntries }),
  return: v.strictObject({ action: v.literal('return'), status: v.optional(statusCode), ...replyEntries, ...conditionEntries }),
  redirect: v.strictObject({ action: v.literal('redirect'), ...redirectEntries, ...conditionEntries }),
  setHeader: v.strictObject({ action: v.literal('set-header'), name: word, value: word, ...conditionEntries }),
  addHeader: v.strictObject({ action: v.literal('add-header'), name: word, value: word, ...conditionEntries }),
  delHeader: v.strictObject({
    action: v.literal('del-header'),
    name: word,
    match: v.optional(v.picklist(['str', 'beg', 'end', 'sub', 'reg'])),
    ...conditionEntries,
  }),
  replaceHeader: v.strictObject({ action: v.literal('replace-header'), name: word, regex: word, replacement: word, ...conditionEntries }),
  replaceValue: v.strictObject({ action: v.literal('replace-value'), name: word, regex: word, replacement: word, ...conditionEntries }),
  setMethod: v.strictObject({ action: v.literal('set-method'), value: word, ...conditionEntries }),
  setPath: v.strictObject({ action: v.literal('set-path'), value: word, ...conditionEntries }),
  setPathq: v.strictObject({ action: v.literal('set-pathq'), value: word, ...conditionEntries }),
  setQuery: v.strictObject({ action: v.literal('set-query'), value: word, ...conditionEntries }),
  setUri: v.strictObject({ action: v.literal('set-uri'), value: word, ...conditionEntries }),
  replacePath: v.strictObject({ action: v.literal('replace-path'), regex: word, replacement: word, ...conditionEntries }),
  replacePathq: v.strictObject({ action: v.literal('replace-pathq'), regex: word, replacement: word, ...conditionEntries }),
  replaceUri: v.strictObject({ action: v.literal('replace-uri'), regex: word, replacement: word, ...conditionEntries }),
  /** `set-var(NAME[,COND...]) EXPR`: `name` is `txn.x`, `conditions` e.g. `['ifnotset']`. */
  setVar: v.strictObject({ action: v.literal('set-var'), name: word, expression: word, conditions: v.optional(v.array(word)), ...conditionEntries }),
  setVarFmt: v.strictObject({ action: v.literal('set-var-fmt'), name: word, format: word, conditions: v.optional(v.array(word)), ...conditionEntries }),
  unsetVar: v.strictObject({ action: v.literal('unset-var'), name: word, ...conditionEntries }),
  auth: v.strictObject({ action: v.literal('auth'), realm: v.optional(word), ...conditionEntries }),
  setStatus: v.strictObject({ action: v.literal('set-status'), status: statusCode, reason: v.optional(word), ...conditionEntries }),
  setTimeout: v.strictObject({
    action: v.literal('set-timeout'),
    timeout: v.picklist(['server', 'tunnel']),
    /** A duration (`'5s'`, or milliseconds) or a sample expression. */
    value: v.union([word, v.pipe(v.number(), v.integer(), v.minValue(0))]),
    ...conditionEntries,
  }),
  setLogLevel: v.strictObject({
    action: v.literal('set-log-level'),
    level: v.picklist(['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug', 'silent']),
    ...conditionEntries,
  }),
  waitForBody: v.strictObject({
    action: v.literal('wait-for-body'),
    /** A duration (`'1s'`, or milliseconds). */
    time: v.union([word, v.pipe(v.number(), v.integer(), v.minValue(0))]),
    /** A size (`'16k'`, or bytes). */
    atLeast: v.optional(v.union([word, v.pipe(v.number(), v.integer(), v.minValue(0))])),
    ...conditionEntries,
  }),
} as const;

const a = actions;
const headerActions = [a.setHeader, a.addHeader, a.delHeader, a.replaceHeader, a.replaceValue] as const;
const varActions = [a.setVar, a.setVarFmt, a.unsetVar] as const;

type Conditioned = { action?: string; if?: string | undefined; unless?: string | undefined };

/** A typed rule of a rule set: one of its actions, `if`/`unless` at most once, one redirect type. */
function typedRule<const T extends v.VariantOptions<'action'>>(options: T) {
  return v.pipe(
    v.variant('action', options),
    v.check((rule) => oneCondition(rule as Conditioned), ONE_CONDITION),
    v.check((rule) => (rule as Conditioned).action !== 'redirect' || oneRedirectType(rule as RedirectInput), ONE_REDIRECT_TYPE),
  );
}

const requestRuleSchema = typedRule([
  a.allow, a.deny, a.tarpit, a.return, a.redirect, ...headerActions,
  a.setMethod, a.setPath, a.setPathq, a.setQuery, a.setUri, a.replacePath, a.replacePathq, a.replaceUri,
  ...varActions, a.auth, a.setTimeout, a.setLogLevel, a.waitForBody,
]);
const responseRuleSchema = typedRule([a.allow, a.deny, a.return, a.redirect, ...headerActions, a.setStatus, ...varActions, a.setLogLevel, a.waitForBody]);
const afterResponseRuleSchema = typedRule([a.allow, ...headerActions, a.setStatus, ...varActions]);

/** A rule's text: the words after the keyword, as in haproxy.cfg. */
const ruleTextSchema = v.pipe(v.string(), v.minLength(1, 'a rule cannot be empty'));

/** Every action keyword the typed forms know (for "did you mean"). */
export const TYPED_ACTIONS: readonly string[] = Object.values(actions).map((schema) => schema.entries.action.literal);

/**
 * An ACL definition: its text (`'path_beg -i /api /v2'`) or `{ criterion, flags?, patterns? }`
 * (`{ criterion: 'hdr(host)', flags: ['-i', '-m', 'end'], patterns: ['.example.com'] }`), whose
 * patterns are taken as they are (spaces, quotes, a leading '-').
 */
const aclDefinitionSchema = v.union([
  ruleTextSchema,
  v.strictObject({ criterion: ruleTextSchema, flags: v.optional(v.array(word)), patterns: v.optional(v.array(word)) }),
]);

/** `acl NAME CRITERION [FLAGS] [PATTERNS]` as `NAME: definition`; several definitions add to the same ACL (HAProxy ORs them). */
export const aclsInputSchema = v.record(nameSchema, v.union([aclDefinitionSchema, v.pipe(v.array(aclDefinitionSchema), v.minLength(1))]));

export type AclDefinition = v.InferInput<typeof aclDefinitionSchema>;

/** A typed ACL definition as the words after its name; `--` ends the flags when a pattern could pass for one. */
export function aclWords(acl: Exclude<AclDefinition, string>): string[] {
  const patterns = acl.patterns ?? [];
  const guard = patterns.some((p) => p.startsWith('-')) ? ['--'] : [];
  return [acl.criterion, ...(acl.flags ?? []), ...guard, ...patterns];
}

export const httpRequestRulesSchema = v.array(v.union([ruleTextSchema, requestRuleSchema]));
export const httpResponseRulesSchema = v.array(v.union([ruleTextSchema, responseRuleSchema]));
export const httpAfterResponseRulesSchema = v.array(v.union([ruleTextSchema, afterResponseRuleSchema]));

/** `use_backend NAME [if|unless COND]`. */
export const useBackendInputSchema = v.array(
  v.union([ruleTextSchema, v.pipe(v.strictObject({ backend: ruleTextSchema, ...conditionEntries }), v.check((rule) => oneCondition(rule), ONE_CONDITION))]),
);

/** `use-server NAME if|unless COND`. */
export const useServerInputSchema = v.array(
  v.union([ruleTextSchema, v.pipe(v.strictObject({ server: ruleTextSchema, ...conditionEntries }), v.check((rule) => oneCondition(rule), ONE_CONDITION))]),
);

/** `force-persist if|unless COND`, `ignore-persist if|unless COND`: `'if COND'` or `{ if }` / `{ unless }`. */
export const persistInputSchema = v.array(
  v.union([ruleTextSchema, v.pipe(v.strictObject(conditionEntries), v.check((rule) => oneCondition(rule), ONE_CONDITION))]),
);

/** The legacy `redirect` keyword. */
export const redirectInputSchema = v.array(
  v.union([
    ruleTextSchema,
    v.pipe(
      v.strictObject({ ...redirectEntries, ...conditionEntries }),
      v.check((rule) => oneCondition(rule), ONE_CONDITION),
      v.check((rule) => oneRedirectType(rule), ONE_REDIRECT_TYPE),
    ),
  ]),
);

/** `errorfiles NAME [CODE...]`: `'NAME'` or `{ section, codes? }`. */
export const errorfilesFromInputSchema = v.array(
  v.union([ruleTextSchema, v.strictObject({ section: ruleTextSchema, codes: v.optional(v.array(statusCode)) })]),
);

/** `http-error status N [reply...]`: its text (`'status 503 content-type text/plain string down'`) or `{ status, ...reply }`. */
export const httpErrorInputSchema = v.array(v.union([ruleTextSchema, v.strictObject({ status: statusCode, ...replyEntries })]));

/**
 * haproxy.cfg lines of the section (`'capture request header Host len 32'`), for keywords that
 * have no key of their own yet: any keyword of the section, read by its haproxy.cfg parser.
 */
export const linesInputSchema = v.array(ruleTextSchema);

/** The rule entries of frontends, backends and listens (defineConfig's proxy schemas spread them). */
export const ruleEntries = {
  acls: v.optional(aclsInputSchema),
  lines: v.optional(linesInputSchema),
  httpRequest: v.optional(httpRequestRulesSchema),
  httpResponse: v.optional(httpResponseRulesSchema),
  httpAfterResponse: v.optional(httpAfterResponseRulesSchema),
  redirect: v.optional(redirectInputSchema),
  errorfilesFrom: v.optional(errorfilesFromInputSchema),
  httpError: v.optional(httpErrorInputSchema),
};
export const frontendRuleEntries = { useBackend: v.optional(useBackendInputSchema) };
export const backendRuleEntries = {
  useServer: v.optional(useServerInputSchema),
  forcePersist: v.optional(persistInputSchema),
  ignorePersist: v.optional(persistInputSchema),
};

/** A typed `http-request` rule. */
export type HttpRequestRule = v.InferInput<typeof requestRuleSchema>;
/** A typed `http-response` rule. */
export type HttpResponseRule = v.InferInput<typeof responseRuleSchema>;
/** A typed `http-after-response` rule. */
export type HttpAfterResponseRule = v.InferInput<typeof afterResponseRuleSchema>;
/** Any typed HTTP rule (the union of the three sets' actions). */
export type TypedHttpRule = HttpRequestRule | HttpResponseRule | HttpAfterResponseRule;
export type UseBackendRule = v.InferInput<typeof useBackendInputSchema>[number];
export type UseServerRule = v.InferInput<typeof useServerInputSchema>[number];
export type PersistRule = v.InferInput<typeof persistInputSchema>[number];
export type RedirectRule = v.InferInput<typeof redirectInputSchema>[number];
export type HttpErrorRule = v.InferInput<typeof httpErrorInputSchema>[number];
export type ErrorfilesFromRule = v.InferInput<typeof errorfilesFromInputSchema>[number];
type ReplyInput = { status?: number | undefined } & { [K in keyof typeof replyEntries]?: v.InferOutput<(typeof replyEntries)[K]> };
type RedirectInput = { [K in keyof typeof redirectEntries]?: v.InferOutput<(typeof redirectEntries)[K]> };

/** `if COND` / `unless COND` as text (tokenized by the caller like the rest of the line). */
export interface ConditionText {
  readonly keyword: 'if' | 'unless';
  readonly text: string;
}

export function conditionOf(input: { if?: string | undefined; unless?: string | undefined }): ConditionText | undefined {
  if (input.if !== undefined) return { keyword: 'if', text: input.if };
  if (input.unless !== undefined) return { keyword: 'unless', text: input.unless };
  return undefined;
}

/** The reply arguments as words, in HAProxy's order. */
export function replyWords(reply: ReplyInput, statusWord: string | undefined): string[] {
  const words: string[] = [];
  if (reply.status !== undefined && statusWord !== undefined) words.push(statusWord, String(reply.status));
  if (reply.contentType !== undefined) words.push('content-type', reply.contentType);
  if (reply.string !== undefined) words.push('string', reply.string);
  if (reply.lfString !== undefined) words.push('lf-string', reply.lfString);
  if (reply.errorfiles !== undefined) words.push('errorfiles', reply.errorfiles);
  if (reply.defaultErrorfiles === true) words.push('default-errorfiles');
  for (const [name, format] of Object.entries(reply.headers ?? {})) words.push('hdr', name, format);
  return words;
}

export function redirectWords(redirect: RedirectInput): string[] {
  const words: string[] = [];
  if (redirect.location !== undefined) words.push('location', redirect.location);
  if (redirect.prefix !== undefined) words.push('prefix', redirect.prefix);
  if (redirect.scheme !== undefined) words.push('scheme', redirect.scheme);
  if (redirect.code !== undefined) words.push('code', String(redirect.code));
  if (redirect.dropQuery === true) words.push('drop-query');
  if (redirect.appendSlash === true) words.push('append-slash');
  if (redirect.ignoreEmpty === true) words.push('ignore-empty');
  if (redirect.setCookie !== undefined) words.push('set-cookie', redirect.setCookie);
  if (redirect.clearCookie !== undefined) words.push('clear-cookie', redirect.clearCookie);
  return words;
}

function varWord(action: string, name: string, conditions: readonly string[] | undefined): string {
  return `${action}(${[name, ...(conditions ?? [])].join(',')})`;
}

/** A typed HTTP rule as the words of its line after `http-request` (condition excluded). */
export function httpRuleWords(rule: TypedHttpRule): string[] {
  switch (rule.action) {
    case 'allow':
      return ['allow'];
    case 'deny':
    case 'tarpit':
      return [rule.action, ...replyWords(rule, 'deny_status')];
    case 'return':
      return ['return', ...replyWords(rule, 'status')];
    case 'redirect':
      return ['redirect', ...redirectWords(rule)];
    case 'set-header':
    case 'add-header':
      return [rule.action, rule.name, rule.value];
    case 'del-header':
      return rule.match === undefined ? ['del-header', rule.name] : ['del-header', rule.name, '-m', rule.match];
    case 'replace-header':
    case 'replace-value':
      return [rule.action, rule.name, rule.regex, rule.replacement];
    case 'set-method':
    case 'set-path':
    case 'set-pathq':
    case 'set-query':
    case 'set-uri':
      return [rule.action, rule.value];
    case 'replace-path':
    case 'replace-pathq':
    case 'replace-uri':
      return [rule.action, rule.regex, rule.replacement];
    case 'set-var':
      return [varWord('set-var', rule.name, rule.conditions), rule.expression];
    case 'set-var-fmt':
      return [varWord('set-var-fmt', rule.name, rule.conditions), rule.format];
    case 'unset-var':
      return [varWord('unset-var', rule.name, undefined)];
    case 'auth':
      return rule.realm === undefined ? ['auth'] : ['auth', 'realm', rule.realm];
    case 'set-status':
      return rule.reason === undefined ? ['set-status', String(rule.status)] : ['set-status', String(rule.status), 'reason', rule.reason];
    case 'set-timeout':
      return ['set-timeout', rule.timeout, String(rule.value)];
    case 'set-log-level':
      return ['set-log-level', rule.level];
    case 'wait-for-body':
      return rule.atLeast === undefined ? ['wait-for-body', 'time', String(rule.time)] : ['wait-for-body', 'time', String(rule.time), 'at-least', String(rule.atLeast)];
  }
}
