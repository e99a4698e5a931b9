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

function compileRegex(pattern: string, where: string): RegExp {
  try {
    return new RegExp(pattern);
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
