/**
 * A backend's `stick match|on|store-request|store-response` rules, compiled once per
 * configuration generation (HAProxy's process_sticking_rules and process_store_rules).
 *
 * Before balancing, `match` and `on` rules are tried in order: the first one whose condition
 * holds and whose key is in its table, naming a server that may take the session (not
 * DOWN/MAINT, or any state but MAINT with `option persist`), gives the persistence target. Once
 * the server answered (its response head in HTTP mode; in TCP once connected and past the
 * tcp-response content rules: HAProxy's AN_RES_STORE_RULES), each table gets the key of its
 * first `on`/`store-request` rule that applies (condition and sample on the request), and the
 * key of its first `store-response` rule that applies (on the response: `res.hdr`,
 * `res.cook`, `res.payload_lv`...). HAProxy applies only the first store rule per table and
 * side, so configurations can list keys by decreasing precision.
 */
import type { StickRuleModel } from '../config/model.ts';
import { compileCondition, type AclLookup, type CompiledCondition } from '../rules/condition.ts';
import type { SampleContext } from '../rules/sample-context.ts';
import { compileSampleFetch, type SampleFetch } from '../rules/sample-fetch.ts';
import type { Server } from '../proxy/server.ts';
import type { StickTable } from './stick-table.ts';

interface CompiledRule {
  readonly match: boolean;
  readonly store: boolean;
  /** `store-response`: its sample and condition read the response. */
  readonly onResponse: boolean;
  readonly fetch: SampleFetch;
  readonly condition: CompiledCondition | undefined;
  readonly table: StickTable;
}

/** Raised when a stick rule cannot be used (unknown table, invalid expression). */
export class StickRuleError extends Error {
  readonly code = 'STICK_RULE_INVALID';
  readonly rule: StickRuleModel;
  constructor(rule: StickRuleModel, backend: string, reason: string) {
    super(`[${rule.source.file}:${rule.source.line}] backend '${backend}': 'stick ${rule.kind} ${rule.expression}': ${reason}`);
    this.rule = rule;
  }
}

/** Where a backend finds its servers by name (Backend implements it). */
export interface ServerDirectory {
  readonly name: string;
  server(name: string): Server | undefined;
  readonly servers?: readonly Server[];
}

/**
 * The key a table with `srvkey addr` stores for a server: HAProxy's sa2str ("IP:PORT", the
 * port signed with `mapPorts`).
 */
export function serverAddrKey(server: Server): string {
  return server.mapPorts ? `${server.host}:${server.port >= 0 ? '+' : ''}${server.port}` : `${server.host}:${server.port}`;
}

/**
 * The server a table entry names in this backend (HAProxy's sticking_rule_find_target): by its
 * key (name, or address with `srvkey addr`), else by the stored server id.
 */
function serverOf(backend: ServerDirectory, table: StickTable, key: string | undefined, id: number): Server | undefined {
  if (key !== undefined) {
    if (table.srvkey === 'addr') {
      for (const s of backend.servers ?? []) if (serverAddrKey(s) === key) return s;
    } else {
      const found = backend.server(key);
      if (found !== undefined) return found;
    }
  }
  if (id > 0) for (const s of backend.servers ?? []) if (s.id === id) return s;
  return undefined;
}

export class StickRules {
  readonly #rules: readonly CompiledRule[];
  readonly #backend: ServerDirectory;
  readonly #persist: boolean;
  /** Tables that have store rules, for the one-store-per-table rule (small: usually one). */
  readonly #storeTables: readonly StickTable[];
  readonly #stored: boolean[];
  /** Per store table, the key its request rule / its response rule chose (scratch, one store at a time). */
  readonly #keys: (string | undefined)[];
  readonly #responseKeys: (string | undefined)[];
  /** Some rule is `store-response`: the session passes a context holding the response. */
  readonly onResponse: boolean;

  /**
   * Compiles `models` for `backend`; `tables` holds every table of the Proxy by the name of the
   * proxy that declared it. Throws StickRuleError for an unknown table or expression.
   */
  constructor(
    models: readonly StickRuleModel[],
    backend: ServerDirectory,
    tables: ReadonlyMap<string, StickTable>,
    persist: boolean,
    acls: AclLookup = () => [],
  ) {
    const rules: CompiledRule[] = [];
    for (const model of models) {
      const tableName = model.table ?? backend.name;
      const table = tables.get(tableName);
      if (table === undefined) {
        throw new StickRuleError(
          model,
          backend.name,
          model.table === undefined ? 'this backend has no stick-table' : `no stick-table is declared in proxy '${tableName}'`,
        );
      }
      const onResponse = model.kind === 'store-response';
      const direction = onResponse ? 'response' : 'request';
      // HAProxy refuses request fetches for store-response and response ones for the others.
      const compiled = compileSampleFetch(model.expression, { direction });
      if (!compiled.ok) throw new StickRuleError(model, backend.name, compiled.message);
      let condition: CompiledCondition | undefined;
      if (model.condition !== undefined) {
        const checked = compileCondition(model.condition, acls, direction, onResponse ? 'backend stick-store rule' : 'backend use-server, balance or stick-match rule');
        if (!checked.ok) throw new StickRuleError(model, backend.name, checked.message);
        condition = checked.condition;
      }
      table.persistence = true;
      rules.push({
        match: model.kind === 'on' || model.kind === 'match',
        store: model.kind !== 'match',
        onResponse,
        fetch: compiled.fetch,
        condition,
        table,
      });
    }
    this.#rules = rules;
    this.#backend = backend;
    this.#persist = persist;
    this.#storeTables = [...new Set(rules.filter((r) => r.store).map((r) => r.table))];
    this.#stored = this.#storeTables.map(() => false);
    this.#keys = this.#storeTables.map(() => undefined);
    this.#responseKeys = this.#storeTables.map(() => undefined);
    this.onResponse = rules.some((r) => r.onResponse);
  }

  get empty(): boolean {
    return this.#rules.length === 0;
  }

  /** The server the first matching `match`/`on` rule names, when it may take the session. */
  match(ctx: SampleContext, now: number): Server | undefined {
    for (const rule of this.#rules) {
      if (!rule.match) continue;
      if (rule.condition !== undefined && !rule.condition.evaluate(ctx)) continue;
      const sample = rule.fetch.fetch(ctx);
      if (sample === undefined) continue;
      const key = rule.table.keyOf(sample);
      if (key === undefined) continue;
      const entry = rule.table.find(key, now);
      if (entry === undefined) continue;
      rule.table.touch(entry, now);
      const server = serverOf(this.#backend, rule.table, entry.server, entry.serverId);
      // A server removed by a reload, or stopped without `option persist`: try the next rule.
      if (server !== undefined && persistable(server, this.#persist)) return server;
    }
    return undefined;
  }

  /**
   * Records `server` under the keys of HAProxy's process_store_rules: per table, the first
   * `on`/`store-request` rule whose condition holds and whose sample exists (read from `ctx`,
   * the request), and the first `store-response` one (read from `response`, a context holding
   * the response as well; undefined: no response is known). A table may so get two entries.
   */
  store(ctx: SampleContext, server: Server, now: number, response?: SampleContext): void {
    const stored = this.#stored;
    if (stored.length === 0) return;
    const keys = this.#keys;
    const responseKeys = this.#responseKeys;
    stored.fill(false);
    for (const rule of this.#rules) {
      if (!rule.store || rule.onResponse) continue;
      const t = this.#storeTables.indexOf(rule.table);
      if (stored[t]) continue;
      const key = this.#key(rule, ctx);
      if (key === undefined) continue;
      stored[t] = true;
      keys[t] = key;
    }
    if (this.onResponse && response !== undefined) {
      for (const rule of this.#rules) {
        if (!rule.onResponse) continue;
        const t = this.#storeTables.indexOf(rule.table);
        if (responseKeys[t] !== undefined) continue;
        responseKeys[t] = this.#key(rule, response);
      }
    }
    for (let t = 0; t < keys.length; t++) {
      const table = this.#storeTables[t] as StickTable;
      const value = table.srvkey === 'addr' ? serverAddrKey(server) : server.name;
      const key = stored[t] ? keys[t] : undefined;
      if (key !== undefined) table.store(key, value, now, server.id);
      const responseKey = responseKeys[t];
      if (responseKey !== undefined) table.store(responseKey, value, now, server.id);
      keys[t] = undefined;
      responseKeys[t] = undefined;
    }
  }

  /** The rule's key when its condition holds and its sample exists. */
  #key(rule: CompiledRule, ctx: SampleContext): string | undefined {
    if (rule.condition !== undefined && !rule.condition.evaluate(ctx)) return undefined;
    const sample = rule.fetch.fetch(ctx);
    return sample === undefined ? undefined : rule.table.keyOf(sample);
  }
}

/**
 * May persistence send a session to this server? HAProxy: any server not stopped (UP, DRAIN,
 * weight 0 included: draining keeps persistent users), or a stopped one with `option persist`;
 * never a server in maintenance.
 */
export function persistable(server: Server, persist: boolean): boolean {
  if (server.status === 'MAINT') return false;
  return server.status !== 'DOWN' || persist;
}
