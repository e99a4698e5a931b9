/**
 * Variables (HAProxy's vars.c): `set-var(SCOPE.NAME)`, `set-var-fmt`, `unset-var`, the `var()`
 * fetch and the `set-var` / `unset-var` converters store and read typed samples by name.
 *
 * Scopes and lifetimes, as HAProxy 2.6:
 * - `proc`: the process — here one configuration generation (a reload starts afresh, as a new
 *   HAProxy process does); the global `set-var` fills it when the generation starts;
 * - `sess`: one client connection, across its keep-alive requests;
 * - `txn`: one transaction (request and response);
 * - `req` / `res`: one message. They share one store, HAProxy's vars_reqres: it serves `req`
 *   while the request is analysed, then is emptied and serves `res` from the moment a server
 *   is wanted (before balancing) to the end of the transaction. A variable of the other scope
 *   is neither stored nor read;
 * - `check`: health checks (none here), so it never holds anything.
 *
 * Stores are Maps created on first write, so a session that never sets a variable allocates
 * nothing for them; reading an absent store allocates nothing either.
 */
import { Sample, type SampleType } from './sample.ts';

export type VarScope = 'proc' | 'sess' | 'txn' | 'req' | 'res' | 'check';

/** `scope.name`, parsed once at configuration time. */
export interface VarName {
  readonly scope: VarScope;
  /** The name after the scope (what the store is keyed by). */
  readonly name: string;
}

const SCOPE_PREFIXES: readonly (readonly [string, VarScope])[] = [
  ['proc.', 'proc'],
  ['sess.', 'sess'],
  ['txn.', 'txn'],
  ['req.', 'req'],
  ['res.', 'res'],
  ['check.', 'check'],
];

/**
 * HAProxy's vars_hash_name: the scope prefix, then letters, digits, '_' and '.' only. `rest` is
 * what follows the name in the text HAProxy scans (the ')' of `set-var(txn.a-b)`), so its
 * "invalid syntax at char" message quotes the same characters.
 */
export function parseVarName(text: string, rest = ''): VarName | string {
  if (text.length === 0) return 'Empty variable name cannot be accepted';
  for (const [prefix, scope] of SCOPE_PREFIXES) {
    if (text.length <= prefix.length || !text.startsWith(prefix)) continue;
    const name = text.slice(prefix.length);
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i);
      const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
      if (!alnum && c !== 0x5f /* _ */ && c !== 0x2e /* . */) return `invalid syntax at char '${name.slice(i)}${rest}'`;
    }
    return { scope, name };
  }
  return `invalid variable name '${text}'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'`;
}

/** set-var conditions (HAProxy's VF_COND_*), a bit set. */
export const VarCondition = {
  ifexists: 1,
  ifnotexists: 2,
  ifempty: 4,
  ifnotempty: 8,
  ifset: 16,
  ifnotset: 32,
  ifgt: 64,
  iflt: 128,
} as const;
export type VarConditionName = keyof typeof VarCondition;
export const VAR_CONDITIONS = Object.keys(VarCondition) as VarConditionName[];

export function isVarCondition(word: string): word is VarConditionName {
  return Object.hasOwn(VarCondition, word);
}

/** The bit set of condition names (each already checked with isVarCondition). */
export function conditionBits(names: readonly VarConditionName[]): number {
  let bits = 0;
  for (const n of names) bits |= VarCondition[n];
  return bits;
}

/**
 * One stored variable. `type` undefined is HAProxy's SMP_T_ANY: the variable exists (an
 * `ifexists` test sees it) but holds nothing (`var()` reads it as absent).
 */
class StoredVar {
  type: SampleType | undefined = undefined;
  str = '';
  num = 0;
  wide: bigint | undefined = undefined;
}

/** The variables of one scope instance (a session's `sess`, a transaction's `txn`...). */
export class VarStore {
  readonly #vars = new Map<string, StoredVar>();
  /** `proc` variables exist from startup: HAProxy creates each one the configuration names. */
  readonly #permanent: boolean;

  constructor(permanent = false) {
    this.#permanent = permanent;
  }

  /** Copies the variable into `out`; false when it is absent or unset. */
  get(name: string, out: Sample): boolean {
    const v = this.#vars.get(name);
    if (v === undefined || v.type === undefined) return false;
    out.type = v.type;
    out.str = v.str;
    out.num = v.num;
    out.wide = v.wide;
    return true;
  }

  /** HAProxy's var_set: stores `s` under `name` unless `conditions` say otherwise; true when stored. */
  set(name: string, s: Sample, conditions: number): boolean {
    let v = this.#vars.get(name);
    if (v !== undefined || this.#permanent) {
      if (conditions & VarCondition.ifnotexists) return false;
    } else if (conditions & VarCondition.ifexists) {
      return false;
    }
    if (v === undefined) {
      // Created before the remaining conditions are tested: a failed `ifset` still leaves
      // an existing (unset) variable behind, as HAProxy does.
      v = new StoredVar();
      this.#vars.set(name, v);
    }
    if ((conditions & VarCondition.ifset && v.type === undefined) || (conditions & VarCondition.ifnotset && v.type !== undefined)) return false;
    // Scalar samples are never empty.
    const hasBytes = s.type === 'str' || s.type === 'bin';
    if (conditions & VarCondition.ifempty && !hasBytes) return false;
    if (hasBytes) {
      if ((conditions & VarCondition.ifnotempty && s.str.length === 0) || (conditions & VarCondition.ifempty && s.str.length > 0)) return false;
    } else if (s.type === 'int' && v.type === 'int') {
      if ((conditions & VarCondition.ifgt && !(v.num > s.num)) || (conditions & VarCondition.iflt && !(v.num < s.num))) return false;
    }
    v.type = s.type;
    v.str = s.type === 'int' || s.type === 'bool' ? '' : s.str;
    v.num = s.type === 'int' || s.type === 'bool' ? s.num : 0;
    v.wide = s.type === 'int' ? s.wide : undefined;
    return true;
  }

  /** HAProxy's var_unset: a `proc` variable stays, unset; others are removed. */
  unset(name: string): void {
    if (!this.#permanent) {
      this.#vars.delete(name);
      return;
    }
    const v = this.#vars.get(name);
    if (v !== undefined) v.type = undefined;
  }

  clear(): void {
    this.#vars.clear();
  }

  get size(): number {
    return this.#vars.size;
  }
}

/**
 * Where a context keeps its variables. `store(scope, false)` is for reading: undefined when the
 * scope holds nothing yet or is not available at this point (`res` during the request...);
 * `store(scope, true)` creates it when the scope is available.
 */
export interface VarScopes {
  store(scope: VarScope, create: boolean): VarStore | undefined;
  /** The scope exists at this point (HAProxy's get_vars found it, with the right scope). */
  available(scope: VarScope): boolean;
}

/** A context with only the process scope (configuration time, tcp sessions, sessions without rules). */
export class ProcessVars implements VarScopes {
  readonly proc = new VarStore(true);
  store(scope: VarScope): VarStore | undefined {
    return scope === 'proc' ? this.proc : undefined;
  }
  available(scope: VarScope): boolean {
    return scope === 'proc';
  }
}

/**
 * The variables of one client connection: its `sess` store and the `txn` and `req`/`res`
 * stores of the transaction in flight, next to the generation's `proc` store. One per session
 * with rules, reused by every transaction; the maps exist only once something was stored.
 */
export class SessionVars implements VarScopes {
  readonly #process: ProcessVars;
  /**
   * The connection's variables, when these are one stream's of a multiplexed (HTTP/2)
   * connection: its streams are concurrent transactions, each with its own `txn` and message
   * stores, and share the connection's `sess` store (HAProxy's stream and session variables).
   */
  readonly #session: SessionVars | undefined;
  #sess: VarStore | undefined = undefined;
  #txn: VarStore | undefined = undefined;
  #message: VarStore | undefined = undefined;
  /** Which scope the message store serves now. */
  #phase: 'req' | 'res' = 'req';

  constructor(process: ProcessVars, session?: SessionVars) {
    this.#process = process;
    this.#session = session;
  }

  store(scope: VarScope, create: boolean): VarStore | undefined {
    switch (scope) {
      case 'proc':
        return this.#process.proc;
      case 'sess':
        if (this.#session !== undefined) return this.#session.store('sess', create);
        return create ? (this.#sess ??= new VarStore()) : this.#sess;
      case 'txn':
        return create ? (this.#txn ??= new VarStore()) : this.#txn;
      case 'req':
      case 'res':
        if (scope !== this.#phase) return undefined;
        return create ? (this.#message ??= new VarStore()) : this.#message;
      case 'check':
        return undefined;
    }
  }

  available(scope: VarScope): boolean {
    return scope === 'req' || scope === 'res' ? scope === this.#phase : scope !== 'check';
  }

  /** No transaction began yet: what the store holds was set by the connection's `tcp-request content` rules. */
  #first = true;

  /**
   * The connection's tcp stream ends without becoming an HTTP transaction (upgraded to HTTP/2,
   * whose mux starts streams of its own): its `txn` and `req` variables go with it.
   */
  endTcpStream(): void {
    this.#first = false;
    this.#txn?.clear();
    this.#message?.clear();
  }

  /**
   * A new transaction: `txn` and `req` start empty (HAProxy's http_create_txn), except the
   * first, whose stream already ran the frontend's tcp-request content rules (HAProxy creates
   * the txn before them; here they ran on the connection, before any transaction began).
   */
  beginTransaction(): void {
    this.#phase = 'req';
    if (this.#first) {
      this.#first = false;
      return;
    }
    this.#txn?.clear();
    this.#message?.clear();
    this.#phase = 'req';
  }

  /**
   * A tcp session's response (`tcp-response content` rules): HAProxy keeps one store for both
   * message scopes of a stream and only HTTP empties it between them, so `res` variables are
   * set and read from here on and the request's stay.
   */
  beginTcpResponse(): void {
    this.#phase = 'res';
  }

  /** The request is analysed, a server is wanted: `req` variables go, `res` ones may come. */
  beginResponse(): void {
    if (this.#phase === 'res') return;
    this.#message?.clear();
    this.#phase = 'res';
  }
}

/**
 * Reads `variable` into `out` (HAProxy's vars_get_by_desc): true when found; otherwise the
 * `fallback` string when the scope is available here, and false when it is not — a default
 * never stands in for a variable of a scope that does not exist at this point.
 */
export function readVar(scopes: VarScopes | undefined, variable: VarName, out: Sample, fallback?: string): boolean {
  if (scopes === undefined || !scopes.available(variable.scope)) return false;
  const store = scopes.store(variable.scope, false);
  if (store !== undefined && store.get(variable.name, out)) return true;
  return fallback !== undefined && out.setStr(fallback);
}

/** Stores `s` as `variable` (HAProxy's var_set); false when not stored. */
export function writeVar(scopes: VarScopes | undefined, variable: VarName, s: Sample, conditions: number): boolean {
  const store = scopes?.store(variable.scope, true);
  return store !== undefined && store.set(variable.name, s, conditions);
}

/** Removes `variable` (HAProxy's var_unset); false when its scope is not available here. */
export function clearVar(scopes: VarScopes | undefined, variable: VarName): boolean {
  if (scopes === undefined || !scopes.available(variable.scope)) return false;
  scopes.store(variable.scope, false)?.unset(variable.name);
  return true;
}

/** A detached copy of a sample (a fetch's scratch sample is reused by the next fetch). */
export function copySample(from: Sample, to: Sample = new Sample()): Sample {
  to.type = from.type;
  to.str = from.str;
  to.num = from.num;
  to.wide = from.wide;
  return to;
}
