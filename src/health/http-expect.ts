/**
 * `http-check expect [!] status|rstatus|string|rstring PATTERN` rules, compiled once per
 * configuration and evaluated in order against a check's response, as HAProxy's
 * tcpcheck_eval_expect_http: `status` takes a code, a list `200,301` or ranges `200-399`;
 * `rstatus` is a regex on the status code; `string` / `rstring` look into the body. The first
 * rule that does not hold fails the check. With no rule, HAProxy's implicit
 * `http-check expect status 200-399` applies.
 */
import type { HttpCheckExpectModel } from '../config/model.ts';
import type { CheckOutcome } from './check-status.ts';

/** The part of a check response the rules look at. */
export interface CheckResponse {
  readonly status: number;
  readonly reason: string;
  /** Body bytes read (latin1), up to the check buffer size; "" when there was none. */
  readonly body: string;
  /** Response headers as received (`hdr`/`fhdr` rules); absent: none looked at. */
  readonly headers?: readonly (readonly [string, string])[];
}

interface CompiledExpect {
  readonly negate: boolean;
  readonly onBody: boolean;
  /** For status rules: does the code match? For body rules: does the body match? */
  readonly matches: (response: CheckResponse) => boolean;
}

/** A compiled rule list; `needsBody` tells the check to read the whole body before deciding. */
export interface HttpExpectation {
  readonly rules: readonly CompiledExpect[];
  readonly needsBody: boolean;
}

/** HAProxy's implicit rule when a backend has `option httpchk` and no `http-check expect`. */
const DEFAULT_RULES: readonly HttpCheckExpectModel[] = [{ negate: false, kind: 'status', pattern: '200-399' }];

export class HttpExpectError extends Error {
  readonly code = 'HTTP_CHECK_EXPECT';
}

/** Compiles expect rules; throws HttpExpectError naming the bad rule. */
export function compileExpectation(rules: readonly HttpCheckExpectModel[]): HttpExpectation {
  const compiled = (rules.length === 0 ? DEFAULT_RULES : rules).map(compileRule);
  return { rules: compiled, needsBody: compiled.some((r) => r.onBody) };
}

function compileRule(rule: HttpCheckExpectModel): CompiledExpect {
  const where = `'http-check expect ${rule.negate ? '! ' : ''}${rule.kind} ${rule.pattern}'`;
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
    case 'hdr':
    case 'fhdr':
      return { negate: rule.negate, onBody: false, matches: compileHeaderRule(rule, where) };
  }
}

/**
 * `hdr|fhdr name [-m M] NAME [value [-m M] VALUE]` (tcpcheck_eval_expect_http): a header whose
 * name matches (case-insensitively; a name regex too) and, when a value is given, one of whose
 * values matches (case-sensitively). `hdr` splits values on commas, `fhdr` and rules without a
 * value take the whole line.
 */
function compileHeaderRule(rule: HttpCheckExpectModel, where: string): (response: CheckResponse) => boolean {
  const header = rule.header ?? { nameMatch: 'str', valueMatch: 'str', value: undefined };
  const nameRe = header.nameMatch === 'reg' ? compileRegex(rule.pattern, where, 'i') : undefined;
  const name = rule.pattern.toLowerCase();
  const nameMatches = (candidate: string): boolean => {
    const lower = candidate.toLowerCase();
    switch (header.nameMatch) {
      case 'str':
        return lower === name;
      case 'beg':
        return lower.startsWith(name);
      case 'end':
        return lower.endsWith(name);
      case 'sub':
        return lower.includes(name);
      case 'reg':
        return (nameRe as RegExp).test(lower);
    }
  };
  const wanted = header.value;
  if (wanted === undefined) return (r) => (r.headers ?? []).some(([n]) => nameMatches(n));
  const valueRe = header.valueMatch === 'reg' ? compileRegex(wanted, where) : undefined;
  const valueMatches = (value: string): boolean => {
    switch (header.valueMatch) {
      case 'str':
        return value === wanted;
      case 'beg':
        return value.startsWith(wanted);
      case 'end':
        return value.endsWith(wanted);
      case 'sub':
        return value.includes(wanted);
      case 'reg':
        return (valueRe as RegExp).test(value);
    }
  };
  const full = rule.kind === 'fhdr';
  return (r) =>
    (r.headers ?? []).some(([n, v]) => {
      if (!nameMatches(n)) return false;
      if (full) return valueMatches(v.trim());
      return v.split(',').some((part) => valueMatches(part.trim()));
    });
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
 */
export function evaluateExpectation(expectation: HttpExpectation, response: CheckResponse): CheckOutcome {
  const code = response.status;
  for (const rule of expectation.rules) {
    if (rule.onBody && response.body === '') {
      return { status: 'L7RSP', code, desc: 'HTTP content check could not find a response body' };
    }
    if (rule.matches(response) !== rule.negate) continue;
    if (!rule.onBody) return { status: 'L7STS', code, desc: response.reason };
    const desc = rule.negate ? 'HTTP check matched unwanted content' : 'HTTP content check did not match';
    return { status: 'L7RSP', code, desc };
  }
  return { status: 'L7OK', code, desc: '' };
}
