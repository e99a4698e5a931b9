/**
 * The stats applet as a service: a Hono app over the running configuration's stat rows. GET and
 * HEAD render the page in the format the URI asks for (HTML, `;csv`); a POST applies the admin
 * form (with admin rights) and redirects back with HAProxy's `;st=` outcome (`;st=DENY`
 * without admin rights).
 */
import { Hono } from 'hono';
import type { StatsPageModel } from '../../config/stats-page-model.ts';
import { STAT_CSV_HEADER } from '../../stats/stat-fields.ts';
import { statContextOf, statCsvLine, statRows, StatRowType, type StatRow } from '../../stats/stat-rows.ts';
import { VERSION } from '../../version.ts';
import { statJson, statTyped } from '../../stats/stat-render.ts';
import type { HttpService, ServiceRequest, ServiceResponse, ServiceTarget } from '../service.ts';
import { applyAdminPost } from './stats-admin.ts';
import { renderStatsHtml } from './stats-html.ts';
import { parseStatsQuery, type StatsQuery } from './stats-request.ts';
import { mergeThreadRows } from '../../stats/stat-merge.ts';
import { threadCount } from '../../threads/thread-identity.ts';

/** What the Hono handlers get besides the web Request: the target as received. */
interface StatsEnv {
  readonly target: string;
  /** The other threads' rows (`nbthread`), gathered before the page is rendered. */
  readonly others: readonly StatRow[][];
}

const encoder = new TextEncoder();
const STATUS_COLUMN = 17;

export class StatsService implements HttpService {
  readonly logName = '<STATS>';
  /** An admin POST carries the form in its body. */
  readonly readsBody: boolean;
  readonly #model: StatsPageModel;
  readonly #owner: string;
  readonly #target: () => ServiceTarget;
  readonly #admin: boolean;
  readonly #app: Hono<{ Bindings: StatsEnv }>;

  constructor(model: StatsPageModel, owner: string, target: () => ServiceTarget, admin: boolean) {
    this.#model = model;
    this.#owner = owner;
    this.#target = target;
    this.#admin = admin;
    this.readsBody = admin;
    const app = new Hono<{ Bindings: StatsEnv }>();
    app.on(['GET', 'HEAD'], '*', (c) => this.#page(parseStatsQuery(model, c.env.target), c.req.method === 'HEAD', c.env.others));
    app.post('*', async (c) => {
      const query = parseStatsQuery(model, c.env.target);
      // A POST without admin rights is answered as HAProxy's: the redirect, with ;st=DENY.
      if (!this.#admin) return this.#redirect(query, 'DENY');
      const status = applyAdminPost(this.#target(), await c.req.text());
      return this.#redirect(query, status);
    });
    this.#app = app;
  }

  async serve(request: ServiceRequest): Promise<ServiceResponse> {
    const headers: [string, string][] = [];
    const type = request.header('content-type');
    if (type !== undefined) headers.push(['content-type', type]);
    const hasBody = request.method === 'POST' && request.body.byteLength > 0;
    // The request's bytes sit in an ArrayBuffer (never a SharedArrayBuffer), as Deno's BodyInit requires.
    const web = new Request('http://stats.invalid/', { method: request.method, headers, body: hasBody ? (request.body as Uint8Array<ArrayBuffer>) : null });
    const others = request.method === 'POST' ? [] : ((await this.#target().otherThreads?.statRows()) ?? []);
    const response = await this.#app.fetch(web, { target: request.target, others });
    const out: [string, string][] = [];
    response.headers.forEach((value, name) => out.push([name.toLowerCase(), value]));
    const body = request.method === 'HEAD' ? new Uint8Array(0) : new Uint8Array(await response.arrayBuffer());
    return { status: response.status, reason: response.statusText === '' ? undefined : response.statusText, headers: out, body };
  }

  #rows(query: StatsQuery, others: readonly StatRow[][]): StatRow[] {
    const target = this.#target();
    const scopes = this.#model.scopes.map((s) => (s === '.' ? this.#owner : s));
    const wanted = query.scope.toLowerCase();
    const proxies = target.proxies.filter(
      (p) => (scopes.length === 0 || scopes.includes(p.name)) && (wanted === '' || p.name.toLowerCase().includes(wanted)),
    );
    const rows = statRows(proxies, statContextOf(target));
    mergeThreadRows(rows, others);
    return rows.filter((r) => {
      if (r.type !== StatRowType.server) return true;
      const status = String(r.cells[STATUS_COLUMN] ?? '');
      if (query.hideMaint && status.startsWith('MAINT')) return false;
      return !(query.hideDown && (status === 'MAINT' || status.startsWith('DOWN')));
    });
  }

  #headers(type: string, query: StatsQuery): [string, string][] {
    const headers: [string, string][] = [['cache-control', 'no-cache'], ['content-type', type]];
    if (this.#model.refresh > 0 && !query.noRefresh) headers.push(['refresh', String(this.#model.refresh)]);
    return headers;
  }

  #page(query: StatsQuery, head: boolean, others: readonly StatRow[][]): Response {
    if (query.format === 'csv') {
      let text = STAT_CSV_HEADER;
      for (const row of this.#rows(query, others)) text += statCsvLine(row);
      return new Response(head ? null : encoder.encode(text), { status: 200, headers: this.#headers('text/plain', query) });
    }
    if (query.format === 'typed' || query.format === 'json') {
      const rows = this.#rows(query, others);
      const json = query.format === 'json';
      const text = json ? statJson(rows) : statTyped(rows);
      return new Response(head ? null : encoder.encode(text), { status: 200, headers: this.#headers(json ? 'application/json' : 'text/plain', query) });
    }
    if (query.format !== 'html') {
      const text = `The ';${query.format}' form of the stats page is not supported by Switchyard yet (';csv' and HTML are).\n`;
      return new Response(encoder.encode(text), { status: 501, headers: [['cache-control', 'no-cache'], ['content-type', 'text/plain']] });
    }
    const target = this.#target();
    const rt = target.runtime;
    const global = target.config.global;
    const descriptions = new Map<string, string>();
    for (const p of target.proxies) {
      const desc = p.frontend?.model.description ?? p.backend?.model.description;
      if (desc !== undefined) descriptions.set(p.name, desc);
    }
    const html = renderStatsHtml(
      {
        product: 'Switchyard',
        version: this.#model.hideVersion ? undefined : VERSION,
        pid: rt.pid,
        node: this.#model.showNode === undefined ? undefined : this.#model.showNode === '' ? (global.node ?? rt.hostname ?? '') : this.#model.showNode,
        desc: this.#model.showDesc === '' ? (global.description ?? '') : this.#model.showDesc,
        uptimeSeconds: Math.max(0, Math.floor((rt.now() - target.startedMono) / 1000)),
        maxconn: target.limits.maxconn,
        currentConns: target.limits.current,
        idlePct: target.limits.processIdlePct(threadCount()),
        refresh: this.#model.refresh,
        noRefresh: query.noRefresh,
        hideDown: query.hideDown,
        uri: this.#model.uri,
        scope: query.scope,
        admin: this.#admin,
        showLegends: this.#model.showLegends,
        status: query.status,
        descriptions,
      },
      this.#rows(query, others),
    );
    return new Response(head ? null : encoder.encode(html), { status: 200, headers: this.#headers('text/html', query) });
  }

  /** HAProxy's stats_send_http_redirect: 303 to the page with the outcome, so a reload does not post again. */
  #redirect(query: StatsQuery, status: string): Response {
    const location = `${this.#model.uri};st=${status}${query.hideDown ? ';up' : ''}${query.noRefresh ? ';norefresh' : ''}${query.scope !== '' ? `;scope=${query.scope}` : ''}`;
    return new Response(null, {
      status: 303,
      statusText: 'See Other',
      headers: [['cache-control', 'no-cache'], ['content-type', 'text/plain'], ['location', location]],
    });
  }
}
