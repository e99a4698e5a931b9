/**
 * One proxy's stats page: its access rules compiled once (`stats auth` users, or the `stats
 * http-request` rules), its `stats admin` conditions, and the two services (with and without
 * admin rights) the stream hands a matching request to (HAProxy's http_handle_stats, the
 * rules of uri_auth->http_req_rules, then the stats applet, logged `<STATS>`).
 */
import type { FrontendModel, BackendModel } from '../../config/model.ts';
import type { StatsPageModel } from '../../config/stats-page-model.ts';
import { STATS_DEFAULT_REALM } from '../../config/keywords/stats-page.ts';
import { compileCondition, type CompiledCondition } from '../../rules/condition.ts';
import { compileProxyRules, type ProxyHttpRules } from '../../rules/http-rules.ts';
import type { SampleContext } from '../../rules/sample-fetch.ts';
import { authReply } from '../../rules/actions/auth-action.ts';
import type { LocalReply } from '../../http/local-reply.ts';
import { base64Decode } from '../../rules/converters/encoding.ts';
import type { HttpService, ServiceTarget } from '../service.ts';
import { StatsService } from './stats-service.ts';

export class StatsPage {
  readonly model: StatsPageModel;
  /** `stats http-request` rules (run by the stream's rule runner); undefined without any. */
  readonly accessRules: ProxyHttpRules | undefined;
  /** `stats auth`: the 401 sent when the credentials are missing or wrong. */
  readonly #authReply: LocalReply | undefined;
  readonly #credentials: ReadonlySet<string>;
  readonly #admin: readonly CompiledCondition[];
  readonly #services: readonly [HttpService, HttpService];

  constructor(owner: FrontendModel | BackendModel, model: StatsPageModel, target: () => ServiceTarget) {
    this.model = model;
    const acls = owner.acls ?? [];
    this.accessRules = model.accessRules.length === 0 ? undefined : compileProxyRules({ name: owner.name, acls, httpRequestRules: model.accessRules }, 'frontend').rules;
    this.#credentials = new Set(model.users.map((u) => `${u.user}:${u.password}`));
    this.#authReply = model.users.length > 0 ? authReply(model.realm ?? STATS_DEFAULT_REALM) : undefined;
    this.#admin = model.admin.map((c) => {
      const compiled = compileCondition(c, (name) => acls.filter((a) => a.name === name), 'request', 'stats admin rule');
      if (!compiled.ok) throw new Error(compiled.message);
      return compiled.condition;
    });
    this.#services = [new StatsService(model, owner.name, target, false), new StatsService(model, owner.name, target, true)];
  }

  /**
   * HAProxy's implicit `auth unless { http_auth(stats userlist) }` of `stats auth`: the 401, or
   * undefined when the request carries one of the accounts.
   */
  checkAuth(authorization: string | undefined): LocalReply | undefined {
    const reply = this.#authReply;
    if (reply === undefined) return undefined;
    if (authorization !== undefined) {
      const m = /^\s*basic\s+(\S+)\s*$/i.exec(authorization);
      const decoded = m === null ? undefined : base64Decode(m[1] as string);
      if (decoded !== undefined && this.#credentials.has(decoded)) return undefined;
    }
    return reply;
  }

  /** The service for this request: with the admin forms when a `stats admin` condition holds. */
  service(ctx: SampleContext): HttpService {
    for (const condition of this.#admin) if (condition.evaluate(ctx)) return this.#services[1];
    return this.#services[0];
  }
}

const pages = new WeakMap<StatsPageModel, StatsPage>();

/** The page of a proxy's stats model, built on first use. */
export function statsPageOf(owner: FrontendModel | BackendModel, model: StatsPageModel, target: () => ServiceTarget): StatsPage {
  let page = pages.get(model);
  if (page === undefined) {
    page = new StatsPage(owner, model, target);
    pages.set(model, page);
  }
  return page;
}
