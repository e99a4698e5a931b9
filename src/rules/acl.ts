/**
 * ACLs (HAProxy's section 7.1): a criterion (a sample expression, or an ACL keyword deriving a
 * match method from a fetch: `path_beg` = `path -m beg`, `hdr_sub(host)` = `hdr(host) -m sub`),
 * flags and patterns, compiled once. An ACL line matches when some value of its sample (every
 * occurrence of a header, every cookie of that name) matches some pattern.
 *
 * HAProxy's defaults: the match method follows the sample type (bool, int, ip, str); a boolean
 * sample without patterns tests its truth; other methods without patterns never match.
 */
import type { AclMatchMethod, AclModel } from '../config/model.ts';
import { aclPatternMatcher } from './acl-pattern-files.ts';
import { compileMatcher, type Matcher, type MatchMethod } from './pattern-match.ts';
import { Sample, type SampleOutputType } from './sample.ts';
import type { SampleContext } from './sample-context.ts';
import { compileSampleFetch, isFetchName, type SampleDirection, type SampleFetch } from './sample-fetch.ts';

export interface CompiledAcl {
  readonly name: string;
  /** The fetch cannot work where the ACL is used (e.g. the request path in a response rule): never matches. */
  readonly unusable: boolean;
  test(ctx: SampleContext, sample: Sample): boolean;
}

export type AclCompileResult =
  | { readonly ok: true; readonly acl: CompiledAcl; readonly warning: string | undefined }
  | { readonly ok: false; readonly message: string };

/** ACL keyword suffixes and the match method each implies (`path_beg`, `hdr_dom(host)`...). */
const DERIVED_METHODS: Readonly<Record<string, MatchMethod>> = {
  beg: 'beg',
  end: 'end',
  sub: 'sub',
  reg: 'reg',
  dir: 'dir',
  dom: 'dom',
  len: 'len',
  found: 'found',
  ip: 'ip',
};

/** The fetch expression and implied method of a criterion: `hdr_beg(host)` -> `hdr(host)`, beg. */
export function resolveCriterion(criterion: string): { expression: string; method: MatchMethod | undefined } {
  const m = /^([a-z][a-z0-9._]*?)_(beg|end|sub|reg|dir|dom|len|found|ip)(\(.*|,.*)?$/.exec(criterion.trim());
  const name = /^[a-z][a-z0-9._]*/.exec(criterion.trim())?.[0] ?? '';
  if (m !== null && !isFetchName(name) && isFetchName(m[1] as string)) {
    return { expression: `${m[1]}${m[3] ?? ''}`, method: DERIVED_METHODS[m[2] as string] };
  }
  return { expression: criterion, method: undefined };
}

/** The match method a sample type implies; none for 'any' (a variable): `-m` is then required. */
const DEFAULT_METHOD: Readonly<Record<SampleFetch['type'], MatchMethod | undefined>> = { bool: 'bool', int: 'int', ip: 'ip', str: 'str', bin: 'bin', any: undefined };

class AclLine implements CompiledAcl {
  readonly name: string;
  readonly unusable: boolean;
  readonly #fetch: SampleFetch;
  readonly #match: Matcher;
  readonly #never: boolean;

  constructor(name: string, fetch: SampleFetch, match: Matcher, never: boolean, unusable: boolean) {
    this.name = name;
    this.#fetch = fetch;
    this.#match = match;
    this.#never = never;
    this.unusable = unusable;
  }

  test(ctx: SampleContext, sample: Sample): boolean {
    if (this.#never || this.unusable) return false;
    return this.#fetch.matchAny(ctx, sample, this.#match);
  }
}

/**
 * Whether HAProxy's sample_casts table converts a `type` sample to what an explicit `-m method`
 * matches (acl.c: `-m found` always applies): binary samples become neither integers nor
 * addresses, booleans not addresses. Switchyard's `ip` stands for both of HAProxy's families, so
 * it is let through to integers (IPv4 converts, IPv6 does not).
 */
function castsForMethod(type: SampleOutputType, method: AclMatchMethod): boolean {
  if (method === 'found' || type === 'any') return true;
  if (method === 'int' || method === 'bool') return type !== 'bin';
  if (method === 'ip') return type !== 'bin' && type !== 'bool';
  return true;
}

/**
 * Compiles one ACL line for use in `direction` rules. A fetch that cannot work there does not
 * make an error (HAProxy warns that the ACL "will never match"): the ACL is marked unusable.
 */
export function compileAcl(model: AclModel, direction: SampleDirection): AclCompileResult {
  const { expression, method: implied } = resolveCriterion(model.criterion);
  let compiled = compileSampleFetch(expression, { direction });
  let unusable = false;
  if (!compiled.ok) {
    const other = compileSampleFetch(expression, { direction: direction === 'request' ? 'response' : 'request' });
    if (!other.ok) {
      const message = compiled.message.startsWith('unknown fetch method')
        ? `${compiled.message} in ACL expression '${model.criterion}'`
        : compiled.message;
      return { ok: false, message };
    }
    compiled = other;
    unusable = true;
  }
  const fetch = compiled.fetch;
  // An explicit '-m' replaces the method a keyword implies (`hdr_dom(host) -m end`), as in HAProxy.
  const method = model.method ?? implied ?? DEFAULT_METHOD[fetch.type];
  if (method === undefined) {
    const keyword = /^[a-z][a-z0-9._-]*/.exec(expression.trim())?.[0] ?? expression;
    return { ok: false, message: `matching method must be specified first (using '-m') when using a sample fetch of this type ('${keyword}')` };
  }
  if (model.method !== undefined && !castsForMethod(fetch.type, model.method)) {
    const keyword = /^[a-z][a-z0-9._-]*/.exec(expression.trim())?.[0] ?? expression;
    return { ok: false, message: `matching method '${model.method}' cannot be used with fetch keyword '${keyword}'` };
  }
  let warning: string | undefined;
  let never = false;
  if (method === 'found' || method === 'bool') {
    if (method === 'bool' && fetch.type !== 'bool' && fetch.type !== 'int' && fetch.type !== 'any') {
      return { ok: false, message: `'-m bool' only applies to boolean or integer samples ('${model.criterion}' is a ${fetch.type === 'ip' ? 'address' : 'string'})` };
    }
    if (model.patterns.length > 0) warning = `'-m ${method}' takes no pattern: ${model.patterns.map((p) => `'${p}'`).join(', ')} ignored`;
  } else if (model.patterns.length === 0) {
    warning = 'no pattern to match against were provided, so this ACL will never match';
    // A pattern file may receive patterns at runtime (`add acl`).
    never = model.files === undefined || model.files.length === 0;
  }
  const matcher = method === 'found' || method === 'bool' ? compileMatcher(method, [], model.ignoreCase) : aclPatternMatcher(model, method);
  if (!matcher.ok) return { ok: false, message: matcher.message };
  return { ok: true, acl: new AclLine(model.name, fetch, matcher.match, never, unusable), warning };
}

/** HAProxy's predefined ACLs (section 7.4), those that make sense here. */
const PREDEFINED: ReadonlyMap<string, { criterion: string; method?: AclMatchMethod; patterns: readonly string[] }> = new Map([
  ['TRUE', { criterion: 'always_true', patterns: [] }],
  ['FALSE', { criterion: 'always_false', patterns: [] }],
  ['HTTP', { criterion: 'req.proto_http', patterns: [] }],
  ['HTTP_1.0', { criterion: 'req.ver', patterns: ['1.0'] }],
  ['HTTP_1.1', { criterion: 'req.ver', patterns: ['1.1'] }],
  ['HTTP_2.0', { criterion: 'req.ver', patterns: ['2.0'] }],
  ['HTTP_CONTENT', { criterion: 'req.hdr_val(content-length)', patterns: ['gt', '0'] }],
  ['HTTP_URL_ABS', { criterion: 'url_reg', patterns: ['^[^/:]*://'] }],
  ['HTTP_URL_SLASH', { criterion: 'url_beg', patterns: ['/'] }],
  ['HTTP_URL_STAR', { criterion: 'url', patterns: ['*'] }],
  ['LOCALHOST', { criterion: 'src', patterns: ['127.0.0.1/8', '::1'] }],
  ['METH_CONNECT', { criterion: 'method', patterns: ['CONNECT'] }],
  ['METH_DELETE', { criterion: 'method', patterns: ['DELETE'] }],
  ['METH_GET', { criterion: 'method', patterns: ['GET', 'HEAD'] }],
  ['METH_HEAD', { criterion: 'method', patterns: ['HEAD'] }],
  ['METH_OPTIONS', { criterion: 'method', patterns: ['OPTIONS'] }],
  ['METH_POST', { criterion: 'method', patterns: ['POST'] }],
  ['METH_PUT', { criterion: 'method', patterns: ['PUT'] }],
  ['METH_TRACE', { criterion: 'method', patterns: ['TRACE'] }],
  ['RDP_COOKIE', { criterion: 'req.rdp_cookie_cnt', patterns: ['gt', '0'] }],
  ['REQ_CONTENT', { criterion: 'req.len', patterns: ['gt', '0'] }],
  ['WAIT_END', { criterion: 'wait_end', patterns: [] }],
]);

export const PREDEFINED_ACLS: readonly string[] = [...PREDEFINED.keys()];

/** The predefined ACL called `name` as a model, or undefined. */
export function predefinedAcl(name: string): AclModel | undefined {
  const p = PREDEFINED.get(name);
  if (p === undefined) return undefined;
  return { name, criterion: p.criterion, method: p.method, ignoreCase: false, patterns: p.patterns, source: { file: '<builtin>', line: 0 } };
}
