/**
 * Everything that makes a backend send a client back to the server it used before: its cookie
 * persistence and its stick rules, built once per configuration generation by the Proxy and
 * attached to each Backend (`backend.persistence`), with the stick tables shared by name
 * across the Proxy's backends (`stick ... table OTHER`).
 */
import { patternFilesOf, withPatternFiles } from '../rules/pattern-files.ts';
import type { SampleContext } from '../rules/sample-context.ts';
import type { BackendModel, FrontendModel, PeersModel } from '../config/model.ts';
import type { AclLookup } from '../rules/condition.ts';
import type { Backend } from '../proxy/backend.ts';
import type { Server } from '../proxy/server.ts';
import { CookiePersistence } from './cookie-persistence.ts';
import { RdpCookiePersistence } from './rdp-cookie-persistence.ts';
import { StickRules } from './stick-rules.ts';
import { StickTable } from './stick-table.ts';

export class BackendPersistence {
  /** `cookie NAME ...` (mode http only; HAProxy ignores it in tcp mode). */
  readonly cookie: CookiePersistence | undefined;
  /** `stick ...` rules; undefined when the backend has none. */
  readonly stick: StickRules | undefined;

  /** `persist rdp-cookie[(NAME)]`; undefined without. */
  readonly rdp: RdpCookiePersistence | undefined;

  constructor(cookie: CookiePersistence | undefined, stick: StickRules | undefined, rdp?: RdpCookiePersistence) {
    this.cookie = cookie;
    this.stick = stick;
    this.rdp = rdp;
  }

  /**
   * The persistence target read from the request stream: `persist rdp-cookie` first (HAProxy's
   * AN_REQ_PRST_RDP_COOKIE), then the stick tables (cookies are read from the request head
   * separately).
   */
  stickTarget(req: SampleContext, now: number): Server | undefined {
    return this.rdp?.target(req) ?? this.stick?.match(req, now);
  }

  /** `stick store-response` rules exist: stored() wants a context holding the response. */
  get storesResponses(): boolean {
    return this.stick?.onResponse === true;
  }

  /**
   * Records in the stick tables the server that answered the session (see StickRules), unless
   * that server is `non-stick`; `response` reads the response for `store-response` rules.
   */
  stored(req: SampleContext, server: Server, now: number, response?: SampleContext): void {
    // `non-stick`: HAProxy's process_store_rules frees the entries instead of storing them.
    if (server.nonStick) return;
    this.stick?.store(req, server, now, response);
  }
}

function aclLookup(acls: BackendModel['acls']): AclLookup {
  const list = acls ?? [];
  return (name) => list.filter((a) => a.name === name);
}

/**
 * One StickTable per proxy that declares a `stick-table`, by proxy name: backends, then
 * frontends (a `listen` is both, with one table), then the `table` lines of `peers` sections
 * as `SECTION/TABLE`.
 */
export function createStickTables(
  backends: Iterable<Backend>,
  frontends: Iterable<FrontendModel> = [],
  peers: readonly PeersModel[] = [],
): Map<string, StickTable> {
  const tables = new Map<string, StickTable>();
  for (const backend of backends) {
    const model = backend.model.stickTable;
    if (model !== undefined) tables.set(backend.name, new StickTable(backend.name, model));
  }
  for (const frontend of frontends) {
    const model = frontend.stickTable;
    if (model !== undefined && !frontend.disabled && !tables.has(frontend.name)) tables.set(frontend.name, new StickTable(frontend.name, model));
  }
  for (const section of peers) {
    for (const { name, table } of section.tables) tables.set(`${section.name}/${name}`, new StickTable(`${section.name}/${name}`, table));
  }
  return tables;
}

/**
 * Builds and attaches every backend's persistence; returns the tables (the Proxy keeps them
 * for inspection). Throws StickRuleError when a rule names a missing table or an unusable
 * expression (the configuration checks catch these first).
 */
export function attachPersistence(
  backends: ReadonlyMap<string, Backend>,
  frontends: Iterable<FrontendModel> = [],
  peers: readonly PeersModel[] = [],
): Map<string, StickTable> {
  const tables = createStickTables(backends.values(), frontends, peers);
  for (const backend of backends.values()) {
    const model = backend.model;
    const rules = model.stickRules ?? [];
    const stick =
      rules.length > 0 ? withPatternFiles(patternFilesOf(model.patternFiles), () => new StickRules(rules, backend, tables, backend.persist, aclLookup(model.acls))) : undefined;
    const cookie = model.cookie !== undefined && model.mode === 'http' ? new CookiePersistence(model.cookie, backend.servers, backend.persist) : undefined;
    const rdp = model.rdpCookiePersist === undefined ? undefined : new RdpCookiePersistence(model.rdpCookiePersist, backend.servers, backend.persist);
    backend.persistence = cookie === undefined && stick === undefined && rdp === undefined ? undefined : new BackendPersistence(cookie, stick, rdp);
  }
  return tables;
}
