/**
 * `http-check expect [OPTIONS] [!] status|rstatus|string|rstring|string-lf PATTERN` rules,
 * compiled once per configuration and evaluated in order against a check's response, as
 * HAProxy's tcpcheck_eval_expect_http: `status` takes a code, a list `200,301` or ranges
 * `200-399`; `rstatus` is a regex on the status code; `string` / `rstring` / `string-lf` look
 * into the body. The first rule that does not hold fails the check. With no rule, HAProxy's
 * implicit `http-check expect status 200-399` applies.
 *
 * The options decide what the check reports (tcpcheck_expect_onerror_message / _onsuccess_message):
 * a failing rule's `error-status` and `on-error` text (else HAProxy's info) plus " comment: C";
 * the last rule's `ok-status` and `on-success` text when all pass; `status-code` sets the code
 * either way; the first rule's `tout-status` is the status of a response that never came.
 */
import { parseVarName } from '../rules/vars.ts';
import type { CheckExpectOptions, HttpCheckExpectModel, HttpCheckMatch } from '../config/model.ts';
import type { CheckOutcome, CheckStatus } from './check-status.ts';
import { compileLogFormat } from '../rules/log-format.ts';
import { readInt64, Sample, sampleText } from '../rules/sample.ts';
import { compileSampleFetch, type SampleContext } from '../rules/sample-fetch.ts';

/** The part of a check response the rules look at. */
export interface CheckResponse {
  readonly status: number;
  readonly reason: string;
  /** Body bytes read (latin1), up to the check buffer size; "" when there was none. */
  readonly body: string;
  /** Response headers as received (`hdr`/`fhdr` rules); absent: none looked at. */
  readonly headers?: readonly (readonly [string, string])[];
  /** The check's sample context (set-var steps, `name-lf`/`value-lf`); absent: those read nothing. */
  readonly context?: SampleContext | undefined;
}

/** A rule's options, compiled (absent: HAProxy's defaults). */
interface CompiledOptions {
  readonly okStatus?: CheckStatus | undefined;
  readonly errorStatus?: CheckStatus | undefined;
  readonly onSuccess?: ((response: CheckResponse) => string) | undefined;
  readonly onError?: ((response: CheckResponse) => string) | undefined;
  readonly statusCode?: ((response: CheckResponse) => number | undefined) | undefined;
  readonly comment?: string | undefined;
}

interface CompiledExpect extends CompiledOptions {
  readonly negate: boolean;
  readonly onBody: boolean;
  /** For status rules: does the code match? For body rules: does the body match? */
  readonly matches: (response: CheckResponse) => boolean;
  /** A `set-var` / `set-var-fmt` / `unset-var` step: run it, it never fails the check. */
  readonly step?: ((response: CheckResponse, received: boolean) => void) | undefined;
}

/** A compiled rule list; `needsBody` tells the check to read the whole body before deciding. */
export interface HttpExpectation {
  readonly rules: readonly CompiledExpect[];
  readonly needsBody: boolean;
  /** The first expect rule's `tout-status`: a connected check whose response never came ends so. */
  readonly timeoutStatus?: CheckStatus | undefined;
}

/** HAProxy's implicit rule when a backend has `option httpchk` and no `http-check expect`. */
const DEFAULT_RULES: readonly HttpCheckExpectModel[] = [{ negate: false, kind: 'status', pattern: '200-399' }];

export class HttpExpectError extends Error {
  readonly code = 'HTTP_CHECK_EXPECT';
}

/** Compiles expect rules; throws HttpExpectError naming the bad rule. */
export function compileExpectation(rules: readonly HttpCheckExpectModel[]): HttpExpectation {
  // Only set-var steps: HAProxy's implicit status rule still applies (it is added when no expect is written).
  const effective = rules.some((r) => !isVarStep(r)) ? rules : [...rules, ...DEFAULT_RULES];
  const compiled = effective.map((rule) => {
    const where = `'http-check expect ${rule.negate ? '! ' : ''}${rule.kind} ${rule.pattern}'`;
    const options = compileOptions(rule, where);
    const base = compileRule(rule, where);
    return options === undefined ? base : { ...base, ...options };
  });
  const first = effective.find((r) => !isVarStep(r));
  return { rules: compiled, needsBody: compiled.some((r) => r.onBody), timeoutStatus: first?.toutStatus };
}

function isVarStep(rule: HttpCheckExpectModel): boolean {
  return rule.kind === 'set-var' || rule.kind === 'set-var-fmt' || rule.kind === 'unset-var';
}

/** The rule's options; undefined when it has none (the common case). */
function compileOptions(rule: CheckExpectOptions, where: string): CompiledOptions | undefined {
  const { okStatus, errorStatus, onSuccess, onError, statusCode, comment } = rule;
  if (okStatus === undefined && errorStatus === undefined && onSuccess === undefined && onError === undefined && statusCode === undefined && comment === undefined) return undefined;
  return {
    okStatus,
    errorStatus,
    comment,
    onSuccess: onSuccess === undefined ? undefined : textOf(onSuccess, `${where} on-success`),
    onError: onError === undefined ? undefined : textOf(onError, `${where} on-error`),
    statusCode: statusCode === undefined ? undefined : codeOf(statusCode, where),
  };
}

/** An on-success / on-error log-format string, built from the check's context. */
function textOf(format: string, where: string): (response: CheckResponse) => string {
  const compiled = compileLogFormat(format, 'response');
  if (!compiled.ok) throw new HttpExpectError(`${where}: ${compiled.message}`);
  const built = compiled.format;
  return (r) => (r.context === undefined ? '' : built.evaluate(r.context));
}

/** `status-code EXPR`: fetched as a string, then cast to an integer as HAProxy's c_str2int (none when empty or absent). */
function codeOf(expression: string, where: string): (response: CheckResponse) => number | undefined {
  const compiled = compileSampleFetch(expression, { direction: 'response' });
  if (!compiled.ok) throw new HttpExpectError(`${where} status-code: ${compiled.message}`);
  const fetch = compiled.fetch;
  return (r) => {
    if (r.context === undefined) return undefined;
    const sample = new Sample();
    if (!fetch.sample(r.context, sample)) return undefined;
    const text = sample.type === 'int' || sample.type === 'bool' ? undefined : sampleText(sample);
    if (text === undefined) return sample.num;
    return text === '' ? undefined : readInt64(text);
  };
}

function compileRule(rule: HttpCheckExpectModel, where: string): CompiledExpect {
  switch (rule.kind) {
    case 'status': {
      const ranges = parseStatusRanges(rule.pattern);
      if (ranges === undefined) {
        throw new HttpExpectError(`${where}: expected status codes such as 200, 200,301 or 200-399`);
      }
      return {
        negate: rule.negate,
        onBody: false,
        matches: (r) => ranges.some(([lo, hi]) => r.status >= lo && r.status <= hi),
      };
    }
    case 'rstatus': {
      const re = compileRegex(rule.pattern, where);
      return { negate: rule.negate, onBody: false, matches: (r) => re.test(String(r.status)) };
    }
    case 'string': {
      const needle = rule.pattern;
      return { negate: rule.negate, onBody: true, matches: (r) => r.body.includes(needle) };
    }
    case 'rstring': {
      const re = compileRegex(rule.pattern, where);
      return { negate: rule.negate, onBody: true, matches: (r) => re.test(r.body) };
    }
    case 'string-lf': {
      const needle = patternOf(rule.pattern, true, where);
      return {
        negate: rule.negate,
        onBody: true,
        matches: (r) => {
          const built = needle(r);
          if (built === '') throw new EmptyPattern();
          return r.body.includes(built);
        },
      };
    }
    case 'hdr':
    case 'fhdr':
      return { negate: rule.negate, onBody: false, matches: compileHeaderRule(rule, where) };
    case 'set-var':
    case 'set-var-fmt':
    case 'unset-var':
      return { negate: false, onBody: false, matches: () => true, step: compileVarStep(rule) };
  }
}

/**
 * `set-var` / `unset-var` lines written before an `http-check send`: they run before its
 * request is built, with no response to read.
 */
export function compileVarSteps(rules: readonly HttpCheckExpectModel[]): (context: SampleContext) => void {
  const steps = rules.map(compileVarStep);
  return (context) => {
    const response: CheckResponse = { status: 0, reason: '', body: '', context };
    for (const step of steps) step(response, false);
  };
}

/**
 * `set-var(SCOPE.NAME) EXPR` / `set-var-fmt(SCOPE.NAME) FMT` / `unset-var(SCOPE.NAME)`: into the
 * store of that scope the check run reaches (check-sample-context.ts), if any.
 */
function compileVarStep(rule: HttpCheckExpectModel): (response: CheckResponse, received: boolean) => void {
  const parsed = parseVarName(rule.pattern);
  if (typeof parsed === 'string') throw new HttpExpectError(`'http-check ${rule.kind}(${rule.pattern})': ${parsed}`);
  const { scope, name } = parsed;
  if (rule.kind === 'unset-var') return (r) => r.context?.vars?.store(scope, false)?.unset(name);
  if (rule.kind === 'set-var-fmt') {
    const compiled = compileLogFormat(rule.expression ?? '', 'response');
    if (!compiled.ok) throw new HttpExpectError(`'http-check set-var-fmt(${rule.pattern})': ${compiled.message}`);
    const format = compiled.format;
    return (r, received) => {
      let ctx = r.context;
      if (ctx === undefined) return;
      if (!received) ctx = { ...ctx, response: undefined };
      const sample = new Sample();
      sample.setStr(format.evaluate(ctx));
      ctx.vars?.store(scope, true)?.set(name, sample, 0);
    };
  }
  const compiled = compileSampleFetch(rule.expression ?? '', { direction: 'response' });
  if (!compiled.ok) throw new HttpExpectError(`'http-check set-var(${rule.pattern})': ${compiled.message}`);
  const fetch = compiled.fetch;
  return (r, received) => {
    let ctx = r.context;
    if (ctx === undefined) return;
    // Before the first expect the response is not read yet (HAProxy runs the rules in order after the send).
    if (!received) ctx = { ...ctx, response: undefined };
    const sample = new Sample();
    if (fetch.sample(ctx, sample)) ctx.vars?.store(scope, true)?.set(name, sample, 0);
  };
}

/** A pattern as written, or a `name-lf`/`value-lf` log-format string built for each check. */
function patternOf(text: string, format: boolean | undefined, where: string): (response: CheckResponse) => string {
  if (format !== true) return () => text;
  const compiled = compileLogFormat(text, 'response');
  if (!compiled.ok) throw new HttpExpectError(`${where}: ${compiled.message}`);
  const built = compiled.format;
  return (r) => (r.context === undefined ? '' : built.evaluate(r.context));
}

/** HAProxy's answer to a `name-lf`/`value-lf` pattern built empty. */
const EMPTY_FORMAT = 'log-format string evaluated to an empty string';

/** Thrown by a header rule whose pattern was built empty: the check fails with L7RSP. */
class EmptyPattern extends Error {}

/**
 * `hdr|fhdr name [-m M] NAME [value [-m M] VALUE]` (tcpcheck_eval_expect_http): a header whose
 * name matches (case-insensitively; a name regex too) and, when a value is given, one of whose
 * values matches (case-sensitively). `hdr` splits values on commas, `fhdr` and rules without a
 * value take the whole line.
 */
function compileHeaderRule(rule: HttpCheckExpectModel, where: string): (response: CheckResponse) => boolean {
  const header = rule.header ?? { nameMatch: 'str', valueMatch: 'str', value: undefined };
  const nameOf = patternOf(rule.pattern, header.nameFormat, where);
  // A fixed regex is compiled once; a `name-lf`/`value-lf` one for each check (a check is rare).
  const fixedNameRe = header.nameMatch === 'reg' && header.nameFormat !== true ? compileRegex(rule.pattern, where, 'i') : undefined;
  const wanted = header.value;
  const valueOf = wanted === undefined ? undefined : patternOf(wanted, header.valueFormat, where);
  const fixedValueRe = wanted !== undefined && header.valueMatch === 'reg' && header.valueFormat !== true ? compileRegex(wanted, where) : undefined;
  const full = rule.kind === 'fhdr';
  return (r) => {
    const name = nameOf(r).toLowerCase();
    if (name === '' && header.nameFormat === true) throw new EmptyPattern();
    const nameRe = header.nameMatch === 'reg' ? (fixedNameRe ?? regexOrUndefined(nameOf(r), 'i')) : undefined;
    if (header.nameMatch === 'reg' && nameRe === undefined) return false;
    const nameMatches = (candidate: string): boolean => matchText(header.nameMatch, candidate.toLowerCase(), name, nameRe);
    if (valueOf === undefined) return (r.headers ?? []).some(([n]) => nameMatches(n));
    const value = valueOf(r);
    if (value === '' && header.valueFormat === true) throw new EmptyPattern();
    const valueRe = header.valueMatch === 'reg' ? (fixedValueRe ?? regexOrUndefined(value, '')) : undefined;
    if (header.valueMatch === 'reg' && valueRe === undefined) return false;
    const valueMatches = (candidate: string): boolean => matchText(header.valueMatch, candidate, value, valueRe);
    return (r.headers ?? []).some(([n, v]) => {
      if (!nameMatches(n)) return false;
      if (full) return valueMatches(v.trim());
      return v.split(',').some((part) => valueMatches(part.trim()));
    });
  };
}

function matchText(method: HttpCheckMatch, candidate: string, pattern: string, re: RegExp | undefined): boolean {
  switch (method) {
    case 'str':
      return candidate === pattern;
    case 'beg':
      return candidate.startsWith(pattern);
    case 'end':
      return candidate.endsWith(pattern);
    case 'sub':
      return candidate.includes(pattern);
    case 'reg':
      return (re as RegExp).test(candidate);
  }
}

function regexOrUndefined(pattern: string, flags: string): RegExp | undefined {
  try {
    return new RegExp(pattern, flags);
  } catch {
    return undefined;
  }
}

/** "200", "200,301", "200-399", "200-299,304" -> inclusive ranges; undefined when malformed. */
export function parseStatusRanges(pattern: string): (readonly [number, number])[] | undefined {
  const ranges: (readonly [number, number])[] = [];
  for (const part of pattern.split(',')) {
    const m = /^(\d{1,3})(?:-(\d{1,3}))?$/.exec(part.trim());
    if (m === null) return undefined;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo > hi) return undefined;
    ranges.push([lo, hi]);
  }
  return ranges.length > 0 ? ranges : undefined;
}

function compileRegex(pattern: string, where: string, flags = ''): RegExp {
  try {
    return new RegExp(pattern, flags);
  } catch (error) {
    throw new HttpExpectError(`${where}: invalid regex: ${(error as Error).message}`);
  }
}

/**
 * Evaluates the rules in order. Status failures are L7STS with the reason phrase as info; body
 * failures are L7RSP with HAProxy's texts. A pass is L7OK with the status code and no info.
 * A rule's options change those (see the top of this file).
 * `softStop404` (`http-check disable-on-404` on a running server): a 404 skips every expect rule
 * and passes conditionally (L7OKC, no info), as tcpcheck_eval_expect_http and tcpcheck_main.
 */
export function evaluateExpectation(expectation: HttpExpectation, response: CheckResponse, softStop404 = false): CheckOutcome {
  const code = response.status;
  const skipExpects = softStop404 && code === 404;
  let received = false;
  let last: CompiledExpect | undefined;
  for (const rule of expectation.rules) {
    if (rule.step !== undefined) {
      rule.step(response, received);
      continue;
    }
    received = true;
    if (skipExpects) continue;
    last = rule;
    if (rule.onBody && response.body === '') {
      return failed(rule, response, rule.errorStatus ?? 'L7RSP', 'HTTP content check could not find a response body');
    }
    let matched: boolean;
    try {
      matched = rule.matches(response);
    } catch (error) {
      if (!(error instanceof EmptyPattern)) throw error;
      // HAProxy's fixed answer: neither error-status nor on-error change it.
      return failed(rule, response, 'L7RSP', EMPTY_FORMAT, true);
    }
    if (matched !== rule.negate) continue;
    if (!rule.onBody) return failed(rule, response, rule.errorStatus ?? 'L7STS', response.reason);
    return failed(rule, response, rule.errorStatus ?? 'L7RSP', rule.negate ? 'HTTP check matched unwanted content' : 'HTTP content check did not match');
  }
  if (skipExpects) return { status: 'L7OKC', code, desc: '' };
  return { status: last?.okStatus ?? 'L7OK', code: last?.statusCode?.(response) ?? code, desc: last?.onSuccess?.(response) ?? '' };
}

/** A failing rule's outcome: its on-error text unless HAProxy's info is fixed, then its comment; its status-code. */
function failed(rule: CompiledExpect, response: CheckResponse, status: CheckStatus, info: string, fixed = false): CheckOutcome {
  let desc = !fixed && rule.onError !== undefined ? rule.onError(response) : info;
  if (rule.comment !== undefined) desc += ` comment: ${rule.comment}`;
  return { status, code: rule.statusCode?.(response) ?? response.status, desc };
}
