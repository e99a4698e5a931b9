/**
 * Rule conditions (HAProxy's section 7.2): `if|unless TERM...`, terms joined by an implicit
 * AND, alternatives separated by `||` or `or`, a term negated by `!` (attached, `!name`, or
 * alone before the term), and anonymous ACLs between `{` and `}` words. Parsed from config
 * words into a ConditionModel, then compiled against a proxy's ACLs once per generation.
 */
import type { AclModel, AclTermModel, ConditionModel, SourceLocation } from '../config/model.ts';
import { type CompiledAcl, compileAcl, predefinedAcl } from './acl.ts';
import { compilingAcl } from './implicit-proxy-args.ts';
import { Sample } from './sample.ts';
import type { SampleContext } from './sample-context.ts';
import type { SampleDirection } from './sample-fetch.ts';
import { parseAclWords } from './acl-words.ts';

export type ConditionParse =
  | { readonly ok: true; readonly condition: ConditionModel }
  /** `word` is the index of the offending word in the input (or its length when it is missing). */
  | { readonly ok: false; readonly message: string; readonly word: number };

/**
 * Parses `words` (starting with `if` or `unless`). `known(name)` says whether a named ACL exists
 * at this point of the configuration (HAProxy refuses names declared later or nowhere);
 * predefined ACLs are always known.
 */
export function parseCondition(words: readonly string[], known: (name: string) => boolean, source: SourceLocation): ConditionParse {
  const kind = words[0];
  if (kind !== 'if' && kind !== 'unless') return { ok: false, message: `expects 'if' or 'unless', got '${kind ?? ''}'`, word: 0 };
  const alternatives: AclTermModel[][] = [];
  let terms: AclTermModel[] = [];
  let negate = false;
  let i = 1;
  while (i < words.length) {
    let word = words[i] as string;
    if (word === '||' || word === 'or') {
      if (negate) return { ok: false, message: `'!' must be followed by an ACL, not '${word}'`, word: i };
      if (terms.length === 0) return { ok: false, message: `missing ACL before '${word}'`, word: i };
      alternatives.push(terms);
      terms = [];
      i++;
      continue;
    }
    while (word.startsWith('!')) {
      negate = !negate;
      word = word.slice(1);
    }
    if (word === '') {
      i++;
      continue;
    }
    if (word === '{') {
      const close = words.indexOf('}', i + 1);
      if (close < 0) return { ok: false, message: "missing closing '}' in condition", word: words.length };
      const inner = words.slice(i + 1, close);
      if (inner.length === 0) return { ok: false, message: "empty anonymous ACL '{ }'", word: i };
      const acl = parseAclWords('', inner, source);
      if (!acl.ok) return { ok: false, message: acl.message, word: i + 1 + acl.word };
      terms.push({ negate, acl: acl.acl });
      negate = false;
      i = close + 1;
      continue;
    }
    if (word === '}') return { ok: false, message: "unexpected '}' without an opening '{'", word: i };
    if (!known(word) && predefinedAcl(word) === undefined) return { ok: false, message: `no such ACL : '${word}'`, word: i };
    terms.push({ negate, acl: word });
    negate = false;
    i++;
  }
  if (negate) return { ok: false, message: "'!' must be followed by an ACL", word: words.length };
  if (terms.length > 0) alternatives.push(terms);
  if (alternatives.length === 0) return { ok: false, message: `expects a condition after '${kind}'`, word: words.length };
  return { ok: true, condition: { kind, anyOf: alternatives } };
}

/** A compiled condition: evaluate() is allocation free. */
export interface CompiledCondition {
  evaluate(ctx: SampleContext): boolean;
  /**
   * HAProxy's three-valued acl_exec_cond for rules that may wait for data (tcp content rules):
   * ConditionResult.miss when the outcome depends on a fetch that raised `missing.mayChange`.
   */
  evaluateOrMiss(ctx: SampleContext, missing: { mayChange: boolean }): ConditionResult;
}

/** ACL_TEST_FAIL / ACL_TEST_MISS / ACL_TEST_PASS, as bits so that AND is & and OR is |. */
export const ConditionResult = { fail: 0, miss: 1, pass: 3 } as const;
export type ConditionResult = (typeof ConditionResult)[keyof typeof ConditionResult];

interface CompiledTerm {
  readonly negate: boolean;
  /** Every line of the named ACL (they OR together), or the anonymous one. */
  readonly lines: readonly CompiledAcl[];
}

export type ConditionCompile =
  | { readonly ok: true; readonly condition: CompiledCondition; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly message: string };

/** Looks up the lines of a named ACL of the proxy (empty when it has none). */
export type AclLookup = (name: string) => readonly AclModel[];

const SCRATCH = new Sample();

class Condition implements CompiledCondition {
  readonly #unless: boolean;
  readonly #anyOf: readonly (readonly CompiledTerm[])[];

  constructor(unless: boolean, anyOf: readonly (readonly CompiledTerm[])[]) {
    this.#unless = unless;
    this.#anyOf = anyOf;
  }

  evaluate(ctx: SampleContext): boolean {
    let result = false;
    for (const terms of this.#anyOf) {
      let all = true;
      for (const term of terms) {
        let any = false;
        for (const line of term.lines) {
          if (line.test(ctx, SCRATCH)) {
            any = true;
            break;
          }
        }
        if (any === term.negate) {
          all = false;
          break;
        }
      }
      if (all) {
        result = true;
        break;
      }
    }
    return result !== this.#unless;
  }

  evaluateOrMiss(ctx: SampleContext, missing: { mayChange: boolean }): ConditionResult {
    let cond: number = ConditionResult.fail;
    for (const terms of this.#anyOf) {
      let suite: number = ConditionResult.pass;
      for (const term of terms) {
        let acl: number = ConditionResult.fail;
        for (const line of term.lines) {
          missing.mayChange = false;
          if (line.test(ctx, SCRATCH)) {
            acl = ConditionResult.pass;
            break;
          }
          if (missing.mayChange) acl = ConditionResult.miss;
        }
        if (term.negate) acl = acl === ConditionResult.miss ? acl : ConditionResult.pass - acl;
        suite &= acl;
        if (suite === ConditionResult.fail) break;
      }
      cond |= suite;
      if (cond === ConditionResult.pass) break;
    }
    missing.mayChange = false;
    if (cond === ConditionResult.miss) return ConditionResult.miss;
    return (cond === ConditionResult.pass) !== this.#unless ? ConditionResult.pass : ConditionResult.fail;
  }
}

/**
 * Compiles a condition for `direction` rules. `where` names the rule for HAProxy's warning about
 * ACLs that can never match there (e.g. "frontend http-response header rule").
 */
export function compileCondition(model: ConditionModel, lookup: AclLookup, direction: SampleDirection, where: string): ConditionCompile {
  const warnings: string[] = [];
  const anyOf: CompiledTerm[][] = [];
  for (const alternative of model.anyOf) {
    const terms: CompiledTerm[] = [];
    for (const term of alternative) {
      const models = typeof term.acl === 'string' ? namedAcl(term.acl, lookup) : [term.acl];
      if (models.length === 0) return { ok: false, message: `no such ACL : '${String(term.acl)}'` };
      const lines: CompiledAcl[] = [];
      for (const model of models) {
        const compiled = compilingAcl(typeof term.acl === 'string', () => compileAcl(model, direction));
        if (!compiled.ok) return { ok: false, message: `ACL '${model.name}': ${compiled.message}` };
        lines.push(compiled.acl);
      }
      if (lines.every((l) => l.unusable)) {
        const name = typeof term.acl === 'string' ? `acl '${term.acl}'` : 'anonymous acl';
        warnings.push(`${name} will never match because it only involves keywords that are incompatible with '${where}'`);
      }
      terms.push({ negate: term.negate, lines });
    }
    anyOf.push(terms);
  }
  return { ok: true, condition: new Condition(model.kind === 'unless', anyOf), warnings };
}

function namedAcl(name: string, lookup: AclLookup): readonly AclModel[] {
  const own = lookup(name);
  if (own.length > 0) return own;
  const predefined = predefinedAcl(name);
  return predefined === undefined ? [] : [predefined];
}
