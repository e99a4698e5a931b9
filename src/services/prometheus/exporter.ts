/**
 * `http-request use-service prometheus-exporter`: HAProxy 2.6's built-in Prometheus exporter
 * (addons/promex), with its metric names, labels, HELP and TYPE lines, so dashboards and alert
 * rules written for HAProxy work unchanged. Dump order as HAProxy's: process, frontends,
 * listeners, backends, servers, stick tables.
 *
 * HAProxy streams the answer chunked; the service seam sends it whole, with a content-length
 * (for HEAD too, where HAProxy sends neither).
 * Listener metrics are those of the frontends with `option socket-stats` (dump-listeners.ts).
 */
import { errorPage } from '../../http/codec/error-pages.ts';
import type { HttpService, ServiceKind, ServiceRequest, ServiceResponse, ServiceTarget } from '../service.ts';
import { dumpBackends } from './dump-backends.ts';
import { dumpFrontends } from './dump-frontends.ts';
import { dumpListeners } from './dump-listeners.ts';
import { dumpProcess } from './dump-process.ts';
import { dumpServers } from './dump-servers.ts';
import { dumpStickTables } from './dump-sticktables.ts';
import { ExpositionWriter } from './exposition.ts';
import { proxyStats } from './proxy-rows.ts';
import { Scope, parseExportQuery, type ExportQuery } from './scope.ts';
import type { StatRow } from '../../stats/stat-rows.ts';

const encoder = new TextEncoder();

const HEADERS: readonly (readonly [string, string])[] = [
  ['cache-control', 'no-cache'],
  ['content-type', 'text/plain; version=0.0.4'],
];

/**
 * HAProxy answers a bad query with its default 400 page, and closes the connection; the service
 * seam has no way to ask for the close yet, so the connection stays open.
 */
function badRequest(): ServiceResponse {
  const page = errorPage(400);
  return { status: 400, reason: page.reason, headers: [['cache-control', 'no-cache'], ['content-type', 'text/html']], body: encoder.encode(page.body) };
}

/** The exposition text for a query. */
export function exportMetrics(target: ServiceTarget, query: ExportQuery, others: readonly StatRow[][] = []): string {
  const out = new ExpositionWriter();
  const { scopes } = query;
  if (scopes & Scope.global) dumpProcess(out, target);
  if (scopes & (Scope.frontend | Scope.listener | Scope.backend | Scope.server)) {
    const proxies = proxyStats(target, others);
    if (scopes & Scope.frontend) dumpFrontends(out, proxies);
    if (scopes & Scope.listener) dumpListeners(out, proxies);
    if (scopes & Scope.backend) dumpBackends(out, proxies);
    if (scopes & Scope.server) dumpServers(out, proxies, query.noMaint);
  }
  if (scopes & Scope.sticktable) dumpStickTables(out, target);
  return out.text;
}

class PrometheusExporter implements HttpService {
  readonly logName = '<PROMEX>';
  readonly readsBody = false;
  readonly #target: () => ServiceTarget;

  constructor(target: () => ServiceTarget) {
    this.#target = target;
  }

  serve(request: ServiceRequest): ServiceResponse | Promise<ServiceResponse> {
    const query = parseExportQuery(request.target);
    if (query === undefined) return badRequest();
    const target = this.#target();
    // For HEAD too: the stream sends the length and drops the payload.
    const respond = (others: readonly StatRow[][]): ServiceResponse => ({ status: 200, reason: 'OK', headers: HEADERS, body: encoder.encode(exportMetrics(target, query, others)) });
    // With several threads, their figures add up (stat-merge.ts).
    const threads = target.otherThreads;
    return threads === undefined ? respond([]) : threads.statRows().then(respond);
  }
}

export const prometheusExporter: ServiceKind = {
  name: 'prometheus-exporter',
  create: (target) => new PrometheusExporter(target),
};
