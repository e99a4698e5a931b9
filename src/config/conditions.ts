/**
 * HAProxy's conditional blocks (`.if` / `.elif` / `.else` / `.endif`) and their expressions.
 *
 * An expression is terms joined by `&&` (binds tighter) and `||`, each term optionally negated
 * with `!` and possibly parenthesized. A term is an integer (non-zero = true) or a predicate:
 * `defined(NAME)`, `streq(A,B)`, `strneq(A,B)`, `strstr(A,B)`, `feature(NAME)`, `enabled(NAME)`,
 * and the TLS library's `ssllib_name_startswith(S)`, `openssl_version_atleast(V)`,
 * `openssl_version_before(V)` (Runtime.tlsLibrary).
 * Quotes and variables were already resolved by the tokenizer, so `.if streq("$MODE",prod)`
 * reaches here as `streq(value,prod)`.
 */

import type { TlsLibrary } from '../runtime.ts';
import type { EnvLookup } from './tokenizer.ts';

export type ConditionResult =
  | { readonly ok: true; readonly value: boolean }
  | { readonly ok: false; readonly message: string; /** 0-based offset in the expression. */ readonly offset: number };

class ConditionSyntaxError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

/** What predicates may look at. */
interface PredicateContext {
  readonly env: EnvLookup;
  readonly tlsLibrary: TlsLibrary | undefined;
}

/** Thrown by a predicate that cannot answer; reported at the predicate. */
class PredicateError extends Error {}

type Predicate = (args: readonly string[], context: PredicateContext) => boolean;

interface PredicateDefinition {
  readonly arity: number;
  readonly evaluate: Predicate;
}

/**
 * HAProxy's openssl_version_parser: "X.Y.Z" with an optional patch letter ("1.1.1k"), as
 * comparable numbers; undefined when it cannot be read.
 */
function opensslVersion(text: string): [number, number, number, number] | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)([a-z]?)$/.exec(text);
  if (match === null) return undefined;
  const letter = match[4] === undefined || match[4] === '' ? 0 : match[4].charCodeAt(0) - 0x60;
  return [Number(match[1]), Number(match[2]), Number(match[3]), letter];
}

/** The runtime's OpenSSL version compared with `wanted`: <0 older, 0 same, >0 newer. */
function compareOpensslVersion(wanted: string, library: TlsLibrary | undefined): number {
  const target = opensslVersion(wanted);
  if (target === undefined) throw new PredicateError(`cannot parse OpenSSL version '${wanted}'`);
  const current = library?.opensslVersion === undefined ? undefined : opensslVersion(library.opensslVersion);
  if (current === undefined) {
    throw new PredicateError(`the runtime's TLS library (${library?.name ?? 'unknown'}) has no OpenSSL version to compare`);
  }
  for (let i = 0; i < 4; i++) {
    const diff = (current[i] as number) - (target[i] as number);
    if (diff !== 0) return diff;
  }
  return 0;
}

const PREDICATES: Readonly<Record<string, PredicateDefinition>> = {
  defined: { arity: 1, evaluate: ([name], { env }) => env(name ?? '') !== undefined },
  streq: { arity: 2, evaluate: ([a, b]) => a === b },
  strneq: { arity: 2, evaluate: ([a, b]) => a !== b },
  strstr: { arity: 2, evaluate: ([a, b]) => (a ?? '').includes(b ?? '') },
  // HAProxy build features (OPENSSL, LUA, ...) and runtime options (POLL, SPLICE, ...) do not
  // exist here; asking for them is valid and simply false.
  feature: { arity: 1, evaluate: () => false },
  enabled: { arity: 1, evaluate: () => false },
  // The TLS library under the runtime (Runtime.tlsLibrary), as HAProxy asks its OpenSSL.
  ssllib_name_startswith: { arity: 1, evaluate: ([prefix], { tlsLibrary }) => tlsLibrary !== undefined && tlsLibrary.name.startsWith(prefix ?? '') },
  openssl_version_atleast: { arity: 1, evaluate: ([version], { tlsLibrary }) => compareOpensslVersion(version ?? '', tlsLibrary) >= 0 },
  openssl_version_before: { arity: 1, evaluate: ([version], { tlsLibrary }) => compareOpensslVersion(version ?? '', tlsLibrary) < 0 },
};

const UNSUPPORTED_PREDICATES = new Set([
  'version_atleast',
  'version_before',
  'awslc_api_atleast',
  'awslc_api_before',
]);

class ExpressionParser {
  readonly #text: string;
  readonly #context: PredicateContext;
  #pos = 0;

  constructor(text: string, context: PredicateContext) {
    this.#text = text;
    this.#context = context;
  }

  parse(): boolean {
    this.#skipBlanks();
    if (this.#pos >= this.#text.length) throw new ConditionSyntaxError('empty conditional expression', 0);
    const value = this.#parseOr();
    this.#skipBlanks();
    if (this.#pos < this.#text.length) {
      throw new ConditionSyntaxError(
        `unparsable conditional expression '${this.#text.slice(this.#pos)}'`,
        this.#pos,
      );
    }
    return value;
  }

  #skipBlanks(): void {
    while (this.#text[this.#pos] === ' ' || this.#text[this.#pos] === '\t') this.#pos++;
  }

  #parseOr(): boolean {
    let value = this.#parseAnd();
    for (;;) {
      this.#skipBlanks();
      if (!this.#text.startsWith('||', this.#pos)) return value;
      this.#pos += 2;
      const right = this.#parseAnd();
      value = value || right;
    }
  }

  #parseAnd(): boolean {
    let value = this.#parseTerm();
    for (;;) {
      this.#skipBlanks();
      if (!this.#text.startsWith('&&', this.#pos)) return value;
      this.#pos += 2;
      const right = this.#parseTerm();
      value = value && right;
    }
  }

  #parseTerm(): boolean {
    this.#skipBlanks();
    let negate = false;
    while (this.#text[this.#pos] === '!') {
      negate = !negate;
      this.#pos++;
      this.#skipBlanks();
    }
    const value = this.#parsePositiveTerm();
    return negate ? !value : value;
  }

  #parsePositiveTerm(): boolean {
    const start = this.#pos;
    const rest = this.#text.slice(start);
    if (rest.startsWith('(')) {
      this.#pos++;
      const value = this.#parseOr();
      this.#skipBlanks();
      if (this.#text[this.#pos] !== ')') {
        throw new ConditionSyntaxError(`expected ')' after conditional expression '${rest}'`, this.#pos);
      }
      this.#pos++;
      return value;
    }
    const number = /^[+-]?(?:0[xX][0-9a-fA-F]+|\d+)/.exec(rest);
    if (number) {
      this.#pos += number[0].length;
      return Number(number[0].replace(/^\+/, '')) !== 0;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest)?.[0];
    if (name !== undefined && this.#text[start + name.length] === '(') {
      const definition = PREDICATES[name];
      if (definition === undefined) {
        const message = UNSUPPORTED_PREDICATES.has(name)
          ? `predicate '${name}' is not supported by Switchyard`
          : `unparsable conditional expression '${rest}'`;
        throw new ConditionSyntaxError(message, start);
      }
      this.#pos = start + name.length + 1;
      const args = this.#parseArguments(name);
      if (args.length !== definition.arity) {
        throw new ConditionSyntaxError(
          `predicate '${name}' expects ${definition.arity} argument${definition.arity > 1 ? 's' : ''}, got ${args.length}`,
          start,
        );
      }
      try {
        return definition.evaluate(args, this.#context);
      } catch (err) {
        if (err instanceof PredicateError) throw new ConditionSyntaxError(`predicate '${name}' : ${err.message}`, start);
        throw err;
      }
    }
    throw new ConditionSyntaxError(`unparsable conditional expression '${rest}'`, start);
  }

  /** Reads comma-separated arguments up to the closing parenthesis. */
  #parseArguments(predicate: string): string[] {
    const args: string[] = [];
    let current = '';
    for (;;) {
      const c = this.#text[this.#pos];
      if (c === undefined) {
        throw new ConditionSyntaxError(`missing ')' after the arguments of predicate '${predicate}'`, this.#pos);
      }
      this.#pos++;
      if (c === ')') {
        if (current.trim() !== '' || args.length > 0) args.push(current.trim());
        return args;
      }
      if (c === ',') {
        args.push(current.trim());
        current = '';
      } else {
        current += c;
      }
    }
  }
}

export function evaluateCondition(expression: string, env: EnvLookup, tlsLibrary?: TlsLibrary): ConditionResult {
  try {
    return { ok: true, value: new ExpressionParser(expression, { env, tlsLibrary }).parse() };
  } catch (err) {
    if (err instanceof ConditionSyntaxError) return { ok: false, message: err.message, offset: err.offset };
    throw err;
  }
}

/**
 * The state of nested `.if` blocks within one file (HAProxy's nested_conds[]).
 * `take` = lines are used; `drop` = this branch is false but a later one may be taken;
 * `skip` = a branch was already taken, or the whole block sits in a masked block.
 */
type BlockState = 'if-take' | 'if-drop' | 'if-skip' | 'elif-take' | 'elif-drop' | 'elif-skip' | 'else-take' | 'else-drop';

const MAX_NESTING = 100;

export type DirectiveOutcome = { readonly ok: true } | { readonly ok: false; readonly message: string; readonly offset?: number };

export class ConditionalBlocks {
  readonly #stack: BlockState[] = [];

  get depth(): number {
    return this.#stack.length;
  }

  /** True when lines at this point are masked out by a false condition. */
  get masked(): boolean {
    const top = this.#stack[this.#stack.length - 1];
    return top !== undefined && !top.endsWith('-take');
  }

  /** `.if`: `evaluate` is only called when the enclosing block is live (as in HAProxy). */
  openIf(evaluate: () => ConditionResult): DirectiveOutcome {
    if (this.#stack.length >= MAX_NESTING) {
      return { ok: false, message: `too many nested '.if', max is ${MAX_NESTING}` };
    }
    if (this.masked) {
      this.#stack.push('if-skip');
      return { ok: true };
    }
    const result = evaluate();
    if (!result.ok) {
      this.#stack.push('if-skip');
      return { ok: false, message: result.message, offset: result.offset };
    }
    this.#stack.push(result.value ? 'if-take' : 'if-drop');
    return { ok: true };
  }

  elif(evaluate: () => ConditionResult): DirectiveOutcome {
    const top = this.#stack[this.#stack.length - 1];
    if (top === undefined) return { ok: false, message: "lone '.elif' with no matching '.if'" };
    if (top.startsWith('else')) return { ok: false, message: "'.elif' after '.else' is not permitted" };
    if (top === 'if-take' || top === 'if-skip' || top === 'elif-take' || top === 'elif-skip') {
      this.#replaceTop('elif-skip');
      return { ok: true };
    }
    const result = evaluate();
    if (!result.ok) {
      this.#replaceTop('elif-skip');
      return { ok: false, message: result.message, offset: result.offset };
    }
    this.#replaceTop(result.value ? 'elif-take' : 'elif-drop');
    return { ok: true };
  }

  else(): DirectiveOutcome {
    const top = this.#stack[this.#stack.length - 1];
    if (top === undefined) return { ok: false, message: "lone '.else' with no matching '.if'" };
    if (top.startsWith('else')) return { ok: false, message: "'.else' after '.else' is not permitted" };
    const taken = top === 'if-take' || top === 'if-skip' || top === 'elif-take' || top === 'elif-skip';
    this.#replaceTop(taken ? 'else-drop' : 'else-take');
    return { ok: true };
  }

  endif(): DirectiveOutcome {
    if (this.#stack.length === 0) return { ok: false, message: "lone '.endif' with no matching '.if'" };
    this.#stack.pop();
    return { ok: true };
  }

  #replaceTop(state: BlockState): void {
    this.#stack[this.#stack.length - 1] = state;
  }
}
