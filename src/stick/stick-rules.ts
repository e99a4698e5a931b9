/**
 * A backend's `stick match|on|store-request|store-response` rules, compiled once per
 * configuration generation (HAProxy's process_sticking_rules and process_store_rules).
 *
 * Before balancing, `match` and `on` rules are tried in order: the first one whose key is in its
 * table, naming a server that may take the session (not DOWN/MAINT, or any state but MAINT
 * with `option persist`), gives the persistence target. Once the server answered (its response
 * head in HTTP mode; in TCP once connected and past the tcp-response content rules: HAProxy's
 * AN_RES_STORE_RULES), each table gets one store: from the first `on`, `store-request`
 * or `store-response` rule of that table whose sample exists (HAProxy applies only the first
 * store rule per table, so configurations can list keys by decreasing precision).
 */
import type { LbRequest } from '../balance/balancer.ts';
import type { StickRuleModel } from '../config/model.ts';
import { compileSampleFetch, type SampleFetch } from '../rules/sample-fetch.ts';
import type { Server } from '../proxy/server.ts';
import type { StickTable } from './stick-table.ts';

interface CompiledRule {
  readonly match: boolean;
  readonly store: boolean;
  readonly fetch: SampleFetch;
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

  /**
   * Compiles `models` for `backend`; `tables` holds every table of the Proxy by the name of the
   * proxy that declared it. Throws StickRuleError for an unknown table or expression.
   */
  constructor(models: readonly StickRuleModel[], backend: ServerDirectory, tables: ReadonlyMap<string, StickTable>, persist: boolean) {
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
      const compiled = compileSampleFetch(model.expression);
      if (!compiled.ok) throw new StickRuleError(model, backend.name, compiled.message);
      table.persistence = true;
      if (model.kind === 'store-response' && compiled.fetch.l7) {
        // HAProxy refuses request-header fetches there: they are not available on the response.
        throw new StickRuleError(model, backend.name, `fetch '${model.expression}' reads the request and cannot be used by 'stick store-response'`);
      }
      rules.push({
        match: model.kind === 'on' || model.kind === 'match',
        store: model.kind !== 'match',
        fetch: compiled.fetch,
        table,
      });
    }
    this.#rules = rules;
    this.#backend = backend;
    this.#persist = persist;
    this.#storeTables = [...new Set(rules.filter((r) => r.store).map((r) => r.table))];
    this.#stored = this.#storeTables.map(() => false);
  }

  get empty(): boolean {
    return this.#rules.length === 0;
  }

  /** The server the first matching `match`/`on` rule names, when it may take the session. */
  match(req: LbRequest, now: number): Server | undefined {
    for (const rule of this.#rules) {
      if (!rule.match) continue;
      const sample = rule.fetch.fetch(req);
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

  /** Records `server` under the key of the first store rule of each table that has a sample. */
  store(req: LbRequest, server: Server, now: number): void {
    const stored = this.#stored;
    if (stored.length === 0) return;
    stored.fill(false);
    for (const rule of this.#rules) {
      if (!rule.store) continue;
      const t = this.#storeTables.indexOf(rule.table);
      if (stored[t]) continue;
      const sample = rule.fetch.fetch(req);
      if (sample === undefined) continue;
      const key = rule.table.keyOf(sample);
      if (key === undefined) continue;
      stored[t] = true;
      rule.table.store(key, rule.table.srvkey === 'addr' ? serverAddrKey(server) : server.name, now, server.id);
    }
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
