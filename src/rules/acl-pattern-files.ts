/**
 * The patterns of an ACL line with `-f FILE`s: the inline patterns, compiled once, and each
 * file's live reference (pattern-ref.ts), recompiled at the first match after `add acl`,
 * `del acl`, `clear acl` or an `add-acl`/`del-acl` action changed it, as HAProxy's ACLs see
 * their pat_ref's updates at once.
 */
import type { AclModel } from '../config/model.ts';
import { parsedPatternFile, patternRef } from './pattern-files.ts';
import type { PatternRef, PatternRefEntry } from './pattern-ref.ts';
import { compileMatcher, type CompiledMatcher, type Matcher, type MatchMethod } from './pattern-match.ts';
import { Sample } from './sample.ts';

/** HAProxy's pat_idx_fcts: which methods index their patterns in a tree (`get acl`'s `idx=`). */
const TREE_METHODS: ReadonlySet<MatchMethod> = new Set(['str', 'beg', 'ip']);

const NEVER: Matcher = () => false;

class LiveAclPatterns {
  readonly #ref: PatternRef;
  readonly #method: MatchMethod;
  readonly #ignoreCase: boolean;
  #version = -1;
  #match: Matcher = NEVER;

  constructor(ref: PatternRef, method: MatchMethod, ignoreCase: boolean) {
    this.#ref = ref;
    this.#method = method;
    this.#ignoreCase = ignoreCase;
  }

  /** The compiled entries, or the first error (entries read from the file). */
  build(): string | undefined {
    this.#version = this.#ref.version;
    const compiled = compileMatcher(this.#method, this.#ref.current.map((e) => e.key), this.#ignoreCase);
    if (!compiled.ok) return compiled.message;
    this.#match = compiled.match;
    return undefined;
  }

  readonly match = (s: Sample): boolean => {
    if (this.#version !== this.#ref.version) this.build();
    return this.#match(s);
  };

  /** `get acl`: the first entry matching `text`, tested one by one (the CLI only). */
  find(text: string): PatternRefEntry | undefined {
    for (const entry of this.#ref.current) {
      const one = compileMatcher(this.#method, [entry.key], this.#ignoreCase);
      const s = new Sample();
      s.setStr(text);
      if (one.ok && one.match(s)) return entry;
    }
    return undefined;
  }
}

function liveAclPatterns(ref: PatternRef, method: MatchMethod, ignoreCase: boolean): LiveAclPatterns | string {
  return parsedPatternFile(`live-acl:${method}:${ignoreCase ? 'i' : ''}:${ref.reference}`, (): LiveAclPatterns | string => {
    const live = new LiveAclPatterns(ref, method, ignoreCase);
    const error = live.build();
    if (error !== undefined) return error;
    // pat_ref_push's check of a new pattern (the expression's parse function).
    ref.addCheck((key) => {
      const one = compileMatcher(method, [key], ignoreCase);
      return one.ok ? undefined : one.message;
    });
    ref.addUser({
      method,
      ignoreCase,
      tree: TREE_METHODS.has(method) && !ignoreCase,
      find: (text) => {
        const entry = live.find(text);
        return entry === undefined ? undefined : { entry, type: undefined };
      },
    });
    return live;
  });
}

/** The matcher of an ACL line's patterns for `method` (not found/bool, which take none). */
export function aclPatternMatcher(model: AclModel, method: MatchMethod): CompiledMatcher {
  const files = model.files ?? [];
  if (files.length === 0) return compileMatcher(method, model.patterns, model.ignoreCase);
  let fromFiles = 0;
  for (const f of files) fromFiles += f.count;
  const fixed = model.patterns.slice(fromFiles);
  const live: Matcher[] = [];
  let at = 0;
  for (const f of files) {
    const ref = patternRef(f.path, f.map, 'acl');
    if (typeof ref === 'string' && ref !== 'pending') return { ok: false, message: ref };
    if (ref === undefined || ref === 'pending') {
      // No live references (a validation pass): the patterns as read with the configuration.
      fixed.push(...model.patterns.slice(at, at + f.count));
    } else {
      const patterns = liveAclPatterns(ref, method, model.ignoreCase);
      if (typeof patterns === 'string') return { ok: false, message: patterns };
      live.push(patterns.match);
    }
    at += f.count;
  }
  const inline = compileMatcher(method, fixed, model.ignoreCase);
  if (!inline.ok || live.length === 0) return inline;
  const first = fixed.length > 0 ? inline.match : NEVER;
  return {
    ok: true,
    match: (s) => {
      if (first(s)) return true;
      for (let i = 0; i < live.length; i++) if ((live[i] as Matcher)(s)) return true;
      return false;
    },
  };
}
