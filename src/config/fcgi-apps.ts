/**
 * `fcgi-app` sections from draft to model, and the backends that use them, with HAProxy 2.6's
 * checks (fcgi_flt_check and cfg_fcgi_apps_postparser in fcgi-app.c): the named section must
 * exist, a backend using one is in http mode with at least one `proto fcgi` server, a `proto
 * fcgi` server needs its backend's fcgi-app, every section has a docroot, `max-reqs` is 1
 * without multiplexing. An FCGI backend that did not choose `option
 * http-restrict-req-hdr-names` gets `delete` (CGI variable names cannot tell '-' from '_'), and
 * it waits for request bodies as with `option http-buffer-request`.
 */
import type { DiagnosticList } from './errors.ts';
import type { GlobalDraft, LogDraft, ProxyDraft } from './draft.ts';
import type { FcgiAppModel, LogTarget } from './model.ts';
import { compileFcgiApp } from '../stream/fcgi-request.ts';

function expandLogs(logs: readonly LogDraft[], global: readonly LogTarget[]): LogTarget[] {
  const out: LogTarget[] = [];
  for (const log of logs) {
    if ('global' in log) out.push(...global);
    else out.push(log);
  }
  return out;
}

/**
 * Every section by name (the first of a repeated name: the repetition is an error already);
 * undefined for a section refused here, whose users then draw no second error.
 */
export function resolveFcgiApps(global: GlobalDraft, diagnostics: DiagnosticList): Map<string, FcgiAppModel | undefined> {
  const apps = new Map<string, FcgiAppModel | undefined>();
  for (const draft of global.fcgiApps ?? []) {
    const { place } = draft;
    if (draft.name === '' || apps.has(draft.name)) continue;
    if (draft.docroot === undefined) {
      apps.set(draft.name, undefined);
      diagnostics.error({ file: place.file, line: place.line, column: place.column, keyword: 'fcgi-app', message: `fcgi-app '${draft.name}': no docroot configured.` });
      continue;
    }
    let maxReqs = draft.maxReqs;
    if (!draft.mpxsConns && !draft.getValues) {
      // HAProxy 2.6 prints this as a warning, but its post-parser's warning status counts as
      // a configuration error (cfgerr += ERR_WARN): the configuration is refused.
      if (maxReqs > 1) {
        apps.set(draft.name, undefined);
        diagnostics.error({ file: place.file, line: place.line, column: place.column, keyword: 'fcgi-app', message: `fcgi-app '${draft.name}': multiplexing not supported, ignore the option 'max-reqs'.` });
        continue;
      }
      maxReqs = 1;
    }
    apps.set(draft.name, {
      name: draft.name,
      docroot: draft.docroot,
      ...(draft.index !== undefined ? { index: draft.index } : {}),
      ...(draft.pathInfo !== undefined ? { pathInfo: draft.pathInfo } : {}),
      keepConn: draft.keepConn,
      getValues: draft.getValues,
      mpxsConns: draft.mpxsConns,
      maxReqs,
      logStderr: expandLogs(draft.logStderr, global.logs),
      acls: [...draft.acls],
      rules: draft.rules.map((r) =>
        r.kind === 'set-param'
          ? { kind: r.kind, name: r.name, value: r.value ?? '', condition: r.condition }
          : { kind: r.kind, name: r.name, condition: r.condition },
      ),
      source: { file: place.file, line: place.line },
    });
  }
  return apps;
}

/**
 * The backend part of a proxy: its fcgi-app, after the checks. Also sets the `delete` default of
 * `option http-restrict-req-hdr-names` on the draft, before the backend's options are read.
 */
export function fcgiAppOf(proxy: ProxyDraft, apps: ReadonlyMap<string, FcgiAppModel | undefined>, diagnostics: DiagnosticList): { fcgiApp?: FcgiAppModel } {
  const use = proxy.useFcgiApp;
  const error = (message: string, place = use?.place ?? proxy.place): void =>
    diagnostics.error({ file: place.file, line: place.line, column: place.column, keyword: 'use-fcgi-app', message });
  const fcgiServers = proxy.servers.filter((s) => s.proto === 'fcgi');
  if (use === undefined) {
    const first = fcgiServers[0];
    if (first !== undefined) error(`proxy '${proxy.name}': FCGI server '${first.name}' has no FCGI app configured.`, first.place);
    return {};
  }
  const app = apps.get(use.name);
  if (app === undefined) {
    if (!apps.has(use.name)) error(`proxy '${proxy.name}' : fcgi-app '${use.name}' not found.`);
    return {};
  }
  if (proxy.mode !== 'http') {
    error(`proxy '${proxy.name}': FCGI application cannot be used in non-HTTP mode.`);
    return {};
  }
  if (fcgiServers.length === 0) {
    error(`proxy '${proxy.name}': FCGI app configured but no FCGI server found.`);
    return {};
  }
  const compiled = compileFcgiApp(app);
  if (!compiled.ok) {
    error(`proxy '${proxy.name}' : ${compiled.message}.`);
    return {};
  }
  if (proxy.options.restrictHeaderNamesFrom === 'builtin') proxy.options.restrictHeaderNames = 'delete';
  // HAProxy's FCGI filter waits for the request body (AN_REQ_HTTP_BODY, what `option
  // http-buffer-request` does): `Expect: 100-continue` is answered by the proxy, and the body
  // (up to a buffer) is there when the parameters are sent.
  proxy.options.bufferRequest = true;
  return { fcgiApp: app };
}
