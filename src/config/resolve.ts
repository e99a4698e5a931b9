/**
 * Turns a ConfigDraft (from haproxy.cfg or defineConfig) into the ConfigModel, after the
 * checks HAProxy makes once every section is read (check_config_validity):
 *
 * - a frontend's default_backend names an existing backend of a compatible mode;
 * - a frontend has at least one bind (Switchyard refuses what HAProxy only warns about);
 * - no address:port is bound twice; server names are unique within a backend;
 * - missing client/connect/server timeouts draw HAProxy's warning;
 * - HTTP-only settings in a tcp proxy draw HAProxy's warnings and are dropped (`option httplog`
 *   falls back to `option tcplog`, `option forwardfor` is ignored) — likewise `retry-on` events
 *   other than conn-failure;
 * - a server using `ssl` with the default `verify required` needs a CA (HAProxy refuses it);
 * - in a tcp backend, balancing on the HTTP request (uri, url_param, hdr, hash on a layer-7
 *   fetch) falls back to roundrobin and `cookie` is ignored, with HAProxy's warnings;
 * - `stick` rules name an existing stick-table (their backend's own when no `table`);
 * - `http-request` / `http-response` rules in a tcp proxy draw HAProxy's warning and are dropped.
 *
 * A `listen` section becomes a frontend and a backend of the same name, the frontend's default
 * backend being itself unless it names another one.
 */

import { socks4Refusals } from './socks4-model.ts';
import { serverModel } from './server-model.ts';
import { resolversOf } from './resolvers-resolve.ts';
import { peersModels } from './keywords/peers.ts';
import { checkTablePeers } from './peers-resolve.ts';
import { compressionPartOf } from './compression-model.ts';
import { bindHasNoAlpn, effectiveServerVerify, resolveBindSsl, resolveServerTls, type TlsReport } from './resolve-tls.ts';
import type { TlsFiles } from './tls-files.ts';
import { tcpCheckExtras } from './tcp-check-resolve.ts';
import { httpCheckSequence } from './http-check-resolve.ts';
import { SendProxyBits } from './keywords/server-proxy-protocol.ts';
import { statsPageModel } from './keywords/stats-page.ts';
import type { StatsPageModel } from './stats-page-model.ts';
import type { BindDraft, Place, CaFileReference, CertificateReference, ConfigDraft, FormatDraft, LogDraft, ProxyDraft, ServerDraft } from './draft.ts';
import { hasBackendSide, hasFrontendSide } from './draft.ts';
import type { DiagnosticList } from './errors.ts';
import { ErrorResolver } from './resolve-errors.ts';
import { definesHttpRules, definesRules, definesTcpRules } from './draft.ts';
import type { LoadedReplyFiles } from './reply-files.ts';
import { compileSampleFetch } from '../rules/sample-fetch.ts';
import { checkAuthGroupAcls, checkUserlistReferences, resolveUserlists } from './userlists.ts';
import { resolveCaches } from './caches.ts';
import { resolveRings } from './rings.ts';
import { resolveLogForwards } from './log-forwards.ts';
import { resolveEmailAlerts } from './email-alerts.ts';
import { fcgiAppOf, resolveFcgiApps } from './fcgi-apps.ts';
import { checkServerTracking } from './server-tracking.ts';
import { programsOf } from './programs.ts';
import { HTTP_LOG_FORMAT, TCP_LOG_FORMAT } from '../log/default-formats.ts';
import { tcpSocketModel } from './tcp-socket-model.ts';
import { resolveThreadSet, type ThreadSetDraft } from './keywords/bind-threads.ts';
import { compileFormat, type LogFormatUsage } from '../log/log-format.ts';
import { defaultFullconn } from './fullconn.ts';
import { dynamicCookie } from '../proxy/dynamic-cookie.ts';
import type {
  BackendHttpOptions,
  BackendModel,
  BalanceModel,
  DirectTargetModel,
  ConditionModel,
  CookieModel,
  DefaultRulesModel,
  HealthCheckModel,
  StickRuleModel,
  StickTableModel,
  BindModel,
  CertificateFile,
  ConfigModel,
  FrontendModel,
  HttpProxyOptions,
  HttpRulesModel,
  HttpStickRuleModel,
  LogTarget,
  ServerModel,
  SwitchingRuleModel,
  ServerSsl,
  HttpCaptureRuleModel,
  SourceLocation,
  Timeouts,
  TuneModel,
} from './model.ts';

export type LoadedCertificates = ReadonlyMap<CertificateReference, readonly CertificateFile[]>;
/** `ca-file` contents (PEM certificates) by reference. */
export type LoadedCaFiles = ReadonlyMap<CaFileReference, string>;

/** The HTTP settings of one proxy, for each side. */
interface HttpSides {
  readonly frontend: HttpProxyOptions;
  readonly backend: BackendHttpOptions;
}

function location(place: SourceLocation): SourceLocation {
  return { file: place.file, line: place.line };
}

/** HAProxy's proxy_type_str(): how its messages name each kind of proxy. */
function typeWord(proxy: ProxyDraft): string {
  return proxy.kind === 'listen' ? 'listener' : proxy.kind;
}

function compactTimeouts(timeouts: ProxyDraft['timeouts']): Timeouts {
  const result: Record<string, number> = {};
  for (const [key, value] of Object.entries(timeouts)) {
    if (value !== undefined) result[key] = value;
  }
  return result as Timeouts;
}

function expandLogs(logs: readonly LogDraft[], global: readonly LogTarget[]): LogTarget[] {
  const result: LogTarget[] = [];
  for (const log of logs) {
    if ('global' in log) result.push(...global);
    else result.push(log);
  }
  return result;
}

class Resolver {
  readonly #draft: ConfigDraft;
  readonly #diagnostics: DiagnosticList;
  readonly #certificates: LoadedCertificates | undefined;
  readonly #caFiles: LoadedCaFiles | undefined;
  /** crl-file, crt-list and server crt contents (tls-files.ts). */
  readonly #tlsFiles: TlsFiles | undefined;
  readonly #backends = new Map<string, ProxyDraft>();
  /** Proxies holding a stick-table, by name (what `stick ... table NAME` refers to). */
  /** Stick tables by the name rules use: a proxy's, or `PEERS/TABLE` for a peers section's. */
  readonly #tables = new Map<string, { readonly stickTable: StickTableModel | undefined }>();
  readonly #warnedTcpRules = new Set<ProxyDraft>();
  /** Error pages and file payloads (resolve-errors.ts). */
  readonly #errors: ErrorResolver;

  constructor(
    draft: ConfigDraft,
    diagnostics: DiagnosticList,
    certificates: LoadedCertificates | undefined,
    caFiles: LoadedCaFiles | undefined,
    replyFiles: LoadedReplyFiles | undefined,
    tlsFiles?: TlsFiles,
  ) {
    this.#draft = draft;
    this.#tlsFiles = tlsFiles;
    this.#diagnostics = diagnostics;
    this.#certificates = certificates;
    this.#caFiles = caFiles;
    this.#errors = new ErrorResolver(draft, diagnostics, replyFiles);
    for (const proxy of draft.proxies) {
      if (hasBackendSide(proxy.kind) && !this.#backends.has(proxy.name)) this.#backends.set(proxy.name, proxy);
      if (proxy.stickTable !== undefined && !this.#tables.has(proxy.name)) this.#tables.set(proxy.name, proxy);
    }
    for (const section of draft.global.peers ?? []) {
      for (const { name, table } of section.tables) this.#tables.set(`${section.name}/${name}`, { stickTable: table });
    }
  }

  resolve(): ConfigModel {
    const frontends: FrontendModel[] = [];
    const backends: BackendModel[] = [];
    const global = this.#draft.global;
    this.#checkCaFileAccess();
    // HAProxy numbers the proxies without an `id` in declaration order, defaults excluded, with
    // the lowest numbers no `id` took (get_next_id); two proxies cannot share one.
    const taken = new Map<number, ProxyDraft>();
    for (const proxy of this.#draft.proxies) {
      if (proxy.id === undefined) continue;
      const other = taken.get(proxy.id);
      if (other !== undefined) this.#error(proxy.place, 'id', `proxy '${proxy.name}' has the same ID (${proxy.id}) as proxy '${other.name}'.`);
      else taken.set(proxy.id, proxy);
    }
    let uuid = 0;
    const fcgiApps = resolveFcgiApps(global, this.#diagnostics);
    const emailAlerts = resolveEmailAlerts(global, this.#draft.proxies, this.#diagnostics);
    for (const proxy of this.#draft.proxies) {
      const fcgi = hasBackendSide(proxy.kind) ? fcgiAppOf(proxy, fcgiApps, this.#diagnostics) : {};
      const emailAlert = emailAlerts.byProxy.get(proxy);
      const http = this.#http(proxy);
      let id: number | undefined;
      if (proxy.kind !== 'defaults') {
        if (proxy.id !== undefined) id = proxy.id;
        else {
          do uuid++;
          while (taken.has(uuid));
          id = uuid;
        }
      }
      if (hasFrontendSide(proxy.kind)) frontends.push({ id, ...this.#frontend(proxy, http.frontend) });
      if (hasBackendSide(proxy.kind)) backends.push({ id, ...(proxy.id !== undefined ? { forcedId: true } : {}), ...this.#backend(proxy, http.backend), ...fcgi, ...(emailAlert !== undefined ? { emailAlert } : {}) });
      this.#checkTimeouts(proxy);
    }
    this.#checkDuplicateBinds();
    for (const [i, backend] of backends.entries()) {
      if (backend.fullconn !== undefined) continue;
      const fullconn = defaultFullconn(backend.name, frontends, global.maxconn);
      if (fullconn !== undefined) backends[i] = { ...backend, fullconn };
    }
    checkServerTracking(backends, this.#diagnostics);
    const userlists = resolveUserlists(this.#draft.userlists ?? [], this.#diagnostics);
    checkUserlistReferences(this.#draft.userlistReferences ?? [], userlists, this.#diagnostics);
    checkAuthGroupAcls(this.#draft.proxies, userlists, this.#diagnostics);
    this.#checkStatsSocketThreads();
    const caches = resolveCaches(global, this.#diagnostics);
    const rings = resolveRings(global, this.#draft.proxies, this.#diagnostics);
    const logForwards = resolveLogForwards(global);
    const resolvers = resolversOf(global.resolvers, backends, this.#diagnostics, [...frontends, ...backends]);
    const peers = peersModels(global.peers);
    checkTablePeers(peers, [...frontends, ...backends], this.#diagnostics);
    return {
      global: {
        maxconn: global.maxconn,
        ...(global.maxConnRate > 0 ? { maxConnRate: global.maxConnRate } : {}),
        ...(global.maxSessRate > 0 ? { maxSessRate: global.maxSessRate } : {}),
        ...(global.maxSslRate > 0 ? { maxSslRate: global.maxSslRate } : {}),
        ...(global.maxSslConn > 0 ? { maxSslConn: global.maxSslConn } : {}),
        nbthread: global.nbthread,
        ...(global.cpuMap !== undefined ? { cpuMap: { process: [...global.cpuMap.process], threads: global.cpuMap.threads.map((cpus) => [...cpus]) } } : {}),
        ...(global.noReusePort === true ? { noReusePort: true } : {}),
        ...(global.pp2NeverSendLocal === true ? { pp2NeverSendLocal: true } : {}),
        logs: [...global.logs],
        hardStopAfter: global.hardStopAfter,
        ...(global.caBase !== undefined || global.crtBase !== undefined || global.ssl?.serverVerify !== undefined
          ? { serverTlsDefaults: { caBase: global.caBase, crtBase: global.crtBase, verify: global.ssl?.serverVerify } }
          : {}),
        ...(global.daemon === true ? { daemon: true } : {}),
        ...(global.masterWorker === true ? { masterWorker: true } : {}),
        ...(global.pidFile !== undefined ? { pidFile: global.pidFile } : {}),
        ...(global.chroot !== undefined ? { chroot: global.chroot.dir } : {}),
        ...(global.identity !== undefined ? { identity: { ...global.identity } } : {}),
        ...(global.unixBind !== undefined ? { unixBind: { ...global.unixBind, owner: { ...global.unixBind.owner } } } : {}),
        ...(global.serverStateFile !== undefined ? { serverStateFile: serverStatePath(global.serverStateFile, global.serverStateBase) } : {}),
        ...(global.localPeer !== undefined ? { localPeer: global.localPeer } : {}),
        tune: compactTune(global.tune),
        ...(global.setVars.length > 0 ? { setVars: [...global.setVars] } : {}),
        ...(global.stats !== undefined ? { stats: { ...global.stats, sockets: [...global.stats.sockets] } } : {}),
        ...(global.ssl?.loadExtraDelExt === true ? { sslLoadExtraDelExt: true } : {}),
        ...(global.node !== undefined ? { node: global.node } : {}),
        ...(global.description !== undefined ? { description: global.description } : {}),
        ...(global.logTag !== undefined ? { logTag: global.logTag } : {}),
        ...(global.logSendHostname !== undefined ? { logSendHostname: global.logSendHostname } : {}),
        ...(global.h1CaseAdjust !== undefined && global.h1CaseAdjust.length > 0 ? { h1CaseAdjust: [...global.h1CaseAdjust] } : {}),
        ...(global.spreadChecks !== undefined && global.spreadChecks > 0 ? { spreadChecks: global.spreadChecks } : {}),
        ...(global.maxSpreadChecks !== undefined && global.maxSpreadChecks > 0 ? { maxSpreadChecks: global.maxSpreadChecks } : {}),
        ...(global.quiet === true ? { quiet: true } : {}),
        ...(global.zeroWarning === true ? { zeroWarning: true } : {}),
        ...(global.compression !== undefined ? { compression: global.compression } : {}),
        ...(global.ulimitN !== undefined ? { ulimitN: global.ulimitN } : {}),
        ...(global.portKeywords !== undefined ? { portKeywords: global.portKeywords } : {}),
        ...(global.strictLimits === false ? { strictLimits: false } : {}),
        ...(global.grace !== undefined && global.grace > 0 ? { grace: global.grace } : {}),
        ...(global.closeSpreadTime === 'infinite' || (global.closeSpreadTime ?? 0) > 0 ? { closeSpreadTime: global.closeSpreadTime } : {}),
        ...(global.mworkerMaxReloads !== undefined ? { mworkerMaxReloads: global.mworkerMaxReloads } : {}),
      },
      frontends,
      backends,
      warnings: [...this.#diagnostics.warnings],
      ...(this.#diagnostics.notices.length > 0 ? { notices: [...this.#diagnostics.notices] } : {}),
      ...(userlists.length > 0 ? { userlists } : {}),
      ...resolvers,
      ...(caches.length > 0 ? { caches } : {}),
      ...(rings.length > 0 ? { rings } : {}),
      ...(logForwards.length > 0 ? { logForwards } : {}),
      ...(peers.length > 0 ? { peers } : {}),
      ...(emailAlerts.mailers.length > 0 ? { mailers: emailAlerts.mailers } : {}),
      ...programsOf(global.programs, global.environment, this.#diagnostics),
    };
  }

  /** Each `bind` line's thread set, checked once for all its addresses (undefined: refused). */
  readonly #bindThreads = new WeakMap<ThreadSetDraft, readonly number[] | undefined>();

  /**
   * `thread` on `stats socket` lines: checked as HAProxy checks its GLOBAL frontend's binds. The
   * runtime API runs in the main thread only, which serves it whatever the set says.
   */
  #checkStatsSocketThreads(): void {
    for (const { set, address, place } of this.#draft.global.statsSocketThreads ?? []) {
      const threads = this.#threadsOf(set, 'GLOBAL', address, place, 'stats');
      if (threads === undefined || threads.includes(0)) continue;
      this.#diagnostics.notice({
        file: place.file,
        line: place.line,
        column: place.column,
        keyword: 'stats',
        message: `'stats socket ${address}' : 'thread' : the runtime API is served by the first thread, where all its commands run, whatever thread set is given.`,
      });
    }
  }

  /** check_config_validity's thread check of a `bind` (or `stats socket`) line: its threads, or an error. */
  #threadsOf(set: ThreadSetDraft, proxyName: string, address: string, place: Place, keyword = 'bind'): readonly number[] | undefined {
    if (this.#bindThreads.has(set)) return this.#bindThreads.get(set);
    const threads = resolveThreadSet(set, this.#draft.global.nbthread);
    const resolved = typeof threads === 'string' ? undefined : threads;
    if (typeof threads === 'string') this.#error(place, keyword, `Proxy '${proxyName}': ${threads} in 'bind ${address}' at [${place.file}:${place.line}].`);
    this.#bindThreads.set(set, resolved);
    return resolved;
  }

  #error(place: { file: string; line: number; column: number }, keyword: string, message: string): void {
    this.#diagnostics.error({ file: place.file, line: place.line, column: place.column, keyword, message });
  }

  #warning(place: { file: string; line: number; column: number }, keyword: string, message: string): void {
    this.#diagnostics.warning({ file: place.file, line: place.line, column: place.column, keyword, message });
  }

  readonly #tlsReport: TlsReport = {
    error: (place, keyword, message) => this.#error(place, keyword, message),
    warning: (place, keyword, message) => this.#warning(place, keyword, message),
  };

  /** Without file access (parseConfigText without `files`), every `ca-file` is an error. */
  #checkCaFileAccess(): void {
    if (this.#caFiles !== undefined) return;
    for (const reference of this.#draft.global.caFiles) {
      this.#error(
        reference.place,
        'ca-file',
        `'ca-file' : cannot read CA file '${reference.path}': no file access was given to the parser.`,
      );
    }
  }

  /**
   * HAProxy's defaults are already in the draft; in tcp mode the HTTP-only settings are dropped
   * with a warning (HAProxy: "'option forwardfor' ignored for frontend 'f' as it requires HTTP
   * mode."), and `retry-on` keeps only conn-failure.
   */
  #http(proxy: ProxyDraft): HttpSides {
    const http = proxy.http;
    let forwardFor: HttpProxyOptions['forwardFor'];
    let retryOn = [...http.retryOn];
    if (http.forwardFor !== undefined) {
      const { header, except, ifNone } = http.forwardFor;
      forwardFor = { header, except, ifNone };
    }
    let originalTo: HttpProxyOptions['originalTo'];
    if (http.originalTo !== undefined) originalTo = { header: http.originalTo.header, except: http.originalTo.except };
    if (proxy.mode === 'tcp') {
      if (http.originalTo !== undefined) {
        this.#warning(http.originalTo.place, 'option originalto', `'option originalto' ignored for ${proxy.kind === 'listen' ? 'proxy' : proxy.kind} '${proxy.name}' as it requires HTTP mode.`);
        originalTo = undefined;
      }
      if (http.forwardFor !== undefined) {
        this.#warning(
          http.forwardFor.place,
          'option forwardfor',
          `'option forwardfor' ignored for ${typeWord(proxy)} '${proxy.name}' as it requires HTTP mode.`,
        );
        forwardFor = undefined;
      }
      if (hasBackendSide(proxy.kind) && retryOn.some((e) => e !== 'conn-failure')) {
        this.#warning(
          http.retryOnPlace ?? proxy.place,
          'retry-on',
          `'retry-on' : only 'conn-failure' applies to ${typeWord(proxy)} '${proxy.name}' (tcp mode); the other events need 'mode http' and are ignored.`,
        );
        retryOn = retryOn.filter((e) => e === 'conn-failure');
      }
    }
    const frontend: HttpProxyOptions = { connectionMode: http.connectionMode, forwardFor, ...(originalTo === undefined ? {} : { originalTo }) };
    return { frontend, backend: { ...frontend, reuse: http.reuse, retryOn } };
  }

  #frontend(proxy: ProxyDraft, http: HttpProxyOptions): FrontendModel {
    // A warning, as in HAProxy: such a configuration is valid, it only has nothing to listen on
    // (the CLI then refuses to start, or `-c` exits 2, when no frontend listens at all).
    if (proxy.binds.length === 0 && !proxy.disabled) {
      this.#warning(
        proxy.place,
        proxy.kind,
        `${typeWord(proxy)} '${proxy.name}' has no 'bind' directive. Please declare it as a backend if this was intended.`,
      );
    }
    const defaultBackend = this.#defaultBackend(proxy);
    // HAProxy's proxy_cfg_ensure_no_http(): httplog in a tcp proxy becomes tcplog.
    const httplogFallback = proxy.mode === 'tcp' && proxy.options.httplog;
    if (httplogFallback) {
      this.#warning(
        proxy.logFormatPlace ?? proxy.place,
        'option httplog',
        `'${proxy.logFormat?.origin === 'option httpslog' ? 'option httpslog' : 'option httplog'}' not usable with ${typeWord(proxy)} '${proxy.name}' (needs 'mode http'). Falling back to 'option tcplog'.`,
      );
    }
    const log = this.#logFormats(proxy, httplogFallback);
    this.#checkCaptureIds(proxy);
    this.#warnCapturesWithoutDelay(proxy);
    const clientSocket = tcpSocketModel(proxy.options, 'client');
    return {
      ...(clientSocket !== undefined ? { clientSocket } : {}),
      name: proxy.name,
      mode: proxy.mode,
      binds: proxy.binds.map((b) => this.#bind(b, proxy)),
      defaultBackend,
      ...(proxy.stickTable !== undefined ? { stickTable: proxy.stickTable } : {}),
      switchingRules: this.#switchingRules(proxy),
      maxconn: proxy.maxconn,
      ...(proxy.rateLimitSessions > 0 ? { rateLimitSessions: proxy.rateLimitSessions } : {}),
      ...(proxy.maxSessionSrvConns !== undefined ? { maxSessionSrvConns: proxy.maxSessionSrvConns } : {}),
      backlog: proxy.backlog,
      timeouts: compactTimeouts(proxy.timeouts),
      options: {
        tcplog: proxy.options.tcplog || httplogFallback,
        httplog: proxy.options.httplog && !httplogFallback,
        dontlognull: proxy.options.dontlognull,
        // Present only when set, so that models without them keep their shape.
        ...(proxy.options.logasap ? { logasap: true } : {}),
        ...(proxy.options.contstats ? { contstats: true } : {}),
        ...(proxy.options.dontlogNormal ? { dontlogNormal: true } : {}),
        ...(proxy.options.logSeparateErrors ? { logSeparateErrors: true } : {}),
        ...(proxy.options.bufferRequest ? { bufferRequest: true } : {}),
        ...(proxy.options.abortOnClose ? { abortOnClose: true } : {}),
        ...(proxy.options.restrictHeaderNames !== 'preserve' ? { restrictHeaderNames: proxy.options.restrictHeaderNames } : {}),
        ...(proxy.options.socketStats ? { socketStats: true } : {}),
        ...(proxy.options.disableH2Upgrade ? { disableH2Upgrade: true } : {}),
        ...(proxy.options.ignoreProbes ? { ignoreProbes: true } : {}),
        ...(proxy.options.idleCloseOnResponse ? { idleCloseOnResponse: true } : {}),
        ...(proxy.options.independentStreams ? { independentStreams: true } : {}),
        ...(this.#httpOnly(proxy, 'acceptInvalidRequest', 'accept-invalid-http-request') ? { acceptInvalidRequest: true } : {}),
        ...(this.#httpOnly(proxy, 'useProxyHeader', 'http-use-proxy-header') ? { useProxyHeader: true } : {}),
        ...(proxy.options.h1CaseAdjustBogusClient ? { h1CaseAdjustBogusClient: true } : {}),
      },
      http,
      logs: expandLogs(proxy.logs, this.#draft.global.logs),
      ...log,
      ...capturesOf(proxy),
      disabled: proxy.disabled,
      description: proxy.description,
      ...(proxy.logTag !== undefined ? { logTag: proxy.logTag } : {}),
      ...this.#httpRules(proxy),
      ...this.#statsPage(proxy),
      ...(proxy.monitor !== undefined ? { monitor: { uri: proxy.monitor.uri, fail: [...proxy.monitor.fail] } } : {}),
      // A listen's lines are checked once, with its backend side.
      ...compressionPartOf(proxy, proxy.kind === 'frontend' ? (place, message) => this.#error(place, 'compression', message) : undefined),
      source: location(proxy.place),
    };
  }

  /** The proxy's stats page (its own, or its defaults'), checked as HAProxy's check_config_validity. */
  #statsPage(proxy: ProxyDraft): { stats?: StatsPageModel } {
    if (proxy.stats === undefined) return {};
    const model = statsPageModel(proxy.stats);
    if (typeof model === 'string') {
      this.#error(proxy.place, 'stats', `${typeWord(proxy)} '${proxy.name}': ${model}`);
      return {};
    }
    return { stats: model };
  }

  /**
   * `dispatch` / `option transparent` apply to a backend without `balance` (HAProxy's
   * check_config_validity): with one, transparent is an error and dispatch is ignored with a
   * warning; dispatch wins over transparent.
   */
  #direct(proxy: ProxyDraft): { direct?: DirectTargetModel } {
    const dispatch = proxy.dispatch;
    const transparent = proxy.options.transparent;
    if (proxy.balancePlace !== undefined) {
      if (transparent) this.#error(proxy.place, 'option transparent', `${typeWord(proxy)} '${proxy.name}' cannot use both transparent and balance mode.`);
      else if (dispatch !== undefined) this.#warning(dispatch.place, 'dispatch', `dispatch address of ${typeWord(proxy)} '${proxy.name}' will be ignored in balance mode.`);
      return {};
    }
    if (dispatch !== undefined) return { direct: { kind: 'dispatch', host: dispatch.host, port: dispatch.port } };
    return transparent ? { direct: { kind: 'transparent' } } : {};
  }

  /**
   * The frontend's log-format strings, compiled once here to report errors at their line (as
   * HAProxy's check_config_validity: a variable reserved for HTTP mode in a tcp proxy, an
   * unknown one, a fetch not available at log time...). Fields are present only when set.
   */
  #logFormats(proxy: ProxyDraft, httplogFallback: boolean): Pick<FrontendModel, 'logFormat' | 'errorLogFormat' | 'uniqueIdFormat' | 'uniqueIdHeader' | 'logFormatSd'> {
    const mode = proxy.mode;
    const logasap = proxy.options.logasap;
    let format: FormatDraft | undefined = proxy.logFormat;
    const place = proxy.logFormatPlace ?? proxy.place;
    // defineConfig() sets the options without the slot.
    if (format === undefined && proxy.options.httplog) format = { text: HTTP_LOG_FORMAT, place };
    if (format === undefined && proxy.options.tcplog) format = { text: TCP_LOG_FORMAT, place };
    if (format !== undefined && httplogFallback) format = { text: TCP_LOG_FORMAT, place: format.place };
    const result: { logFormat?: string; errorLogFormat?: string; uniqueIdFormat?: string; uniqueIdHeader?: string; logFormatSd?: string } = {};
    const logFormat = this.#format('log-format', format, { kind: 'log-line', mode, logasap });
    if (logFormat !== undefined) result.logFormat = logFormat;
    const errorLogFormat = this.#format('error-log-format', proxy.errorLogFormat, { kind: 'log-line', mode, logasap });
    if (errorLogFormat !== undefined) result.errorLogFormat = errorLogFormat;
    const uniqueIdFormat = this.#format('unique-id', proxy.uniqueIdFormat, { kind: 'unique-id', mode });
    if (uniqueIdFormat !== undefined) result.uniqueIdFormat = uniqueIdFormat;
    const logFormatSd = this.#format('log-format-sd', proxy.logFormatSd, { kind: 'log-line', mode, logasap });
    if (logFormatSd !== undefined) result.logFormatSd = logFormatSd;
    if (proxy.uniqueIdHeader !== undefined) result.uniqueIdHeader = proxy.uniqueIdHeader;
    return result;
  }

  /**
   * `capture ... id N` rules of a frontend name one of its slots (HAProxy's check_ptr, once the
   * section is read: a later `declare capture` counts). A backend's cannot be checked.
   */
  /**
   * HAProxy's check_capture: a `tcp-request content capture` reading the request's contents in
   * a frontend without `tcp-request inspect-delay` may find them incomplete (warned once per rule).
   */
  #warnCapturesWithoutDelay(proxy: ProxyDraft): void {
    if (proxy.tcpInspectDelay !== undefined && proxy.tcpInspectDelay > 0) return;
    for (const rule of proxy.tcpRules.content) {
      if (rule.action !== 'capture') continue;
      const compiled = compileSampleFetch(rule.expression, { direction: 'request' });
      if (!compiled.ok || !compiled.fetch.readsContents) continue;
      this.#warning(
        { ...rule.source, column: 1 },
        'tcp-request content capture',
        `${typeWord(proxy)} '${proxy.name}' : a 'tcp-request capture' rule explicitly depending on request contents without any 'tcp-request inspect-delay' setting. This means that this rule will randomly find its contents. This can be fixed by setting the tcp-request inspect-delay.`,
      );
    }
  }

  #checkCaptureIds(proxy: ProxyDraft): void {
    const check = (rules: readonly { action: string; source: SourceLocation }[], slots: number, set: 'request' | 'response'): void => {
      for (const rule of rules) {
        if (rule.action !== 'capture') continue;
        const { id, len } = rule as HttpCaptureRuleModel;
        if (len !== undefined || id < slots) continue;
        this.#error({ ...rule.source, column: 1 }, `http-${set} capture`, `Proxy '${proxy.name}': unable to find capture id '${id}' referenced by http-${set} capture rule.`);
      }
    };
    check(proxy.httpRequestRules, proxy.captures.request.length, 'request');
    check(proxy.httpResponseRules, proxy.captures.response.length, 'response');
    check(proxy.httpAfterResponseRules, proxy.captures.response.length, 'response');
  }

  /** The format's text when it compiles; otherwise HAProxy's "failed to parse log-format : ..." at its line. */
  #format(keyword: string, format: FormatDraft | undefined, usage: LogFormatUsage): string | undefined {
    if (format === undefined) return undefined;
    const compiled = compileFormat(format.text, usage);
    if (compiled.ok) return format.text;
    this.#error(format.place, keyword, `failed to parse ${keyword} : ${compiled.message}.`);
    return undefined;
  }

  /**
   * ACLs and HTTP rules; both halves of a `listen` get the same (the engine runs them once).
   * HAProxy ignores HTTP rules in a tcp proxy, with a warning (once per proxy).
   */
  #httpRules(proxy: ProxyDraft): HttpRulesModel {
    this.#checkBackendTcpRules(proxy);
    this.#checkContentResolve(proxy);
    return { ...this.#httpOnlyRules(proxy), ...tcpRulesModel(proxy) };
  }

  readonly #tcpChecked = new Set<ProxyDraft>();
  readonly #resolveChecked = new Set<ProxyDraft>();

  /**
   * `tcp-request content do-resolve` waits for its name where the content rules inspect a
   * connection's bytes (src/rules/tcp/content-inspection.ts); HTTP streams run their content
   * rules on the parsed request at once (src/stream/http-tcp-rules.ts), where HAProxy still
   * waits under an inspect delay: refused there (a mode http proxy, a tcp frontend that may
   * turn HTTP) rather than run without waiting.
   */
  #checkContentResolve(proxy: ProxyDraft): void {
    if (this.#resolveChecked.has(proxy)) return;
    this.#resolveChecked.add(proxy);
    const inherited = proxy.inheritedFrom !== undefined && definesRules(proxy.inheritedFrom) ? proxy.inheritedFrom.tcpRules.content : [];
    const content = [...inherited, ...proxy.tcpRules.content];
    const resolve = content.find((r) => r.action === 'do-resolve');
    if (resolve === undefined) return;
    // A tcp frontend turns HTTP with `switch-mode http`, or for an http backend it may pick.
    const http = (name: string | undefined): boolean => name !== undefined && this.#backends.get(name)?.mode === 'http';
    const upgrades =
      content.some((r) => r.action === 'switch-mode-http') ||
      (proxy.kind !== 'backend' && (http(proxy.defaultBackend?.name) || proxy.switchingRules.some(({ rule }) => !rule.dynamic && http(rule.backend))));
    if (proxy.mode !== 'http' && !upgrades) return;
    this.#error(
      { file: resolve.source.file, line: resolve.source.line, column: 1 },
      'tcp-request',
      proxy.mode === 'http'
        ? `'tcp-request content do-resolve' in a mode http ${typeWord(proxy)} is not supported by Switchyard yet (its content rules cannot wait for the name there); use 'http-request do-resolve'.`
        : `'tcp-request content do-resolve' in ${typeWord(proxy)} '${proxy.name}', which may serve HTTP ('switch-mode http' or an http backend), is not supported by Switchyard yet (the HTTP requests' content rules cannot wait for the name); use 'http-request do-resolve'.`,
    );
  }

  /** What a backend's tcp rules may do here (both halves of a listen come through: checked once). */
  #checkBackendTcpRules(proxy: ProxyDraft): void {
    if (proxy.kind === 'frontend' || this.#tcpChecked.has(proxy)) return;
    this.#tcpChecked.add(proxy);
    const from = proxy.inheritedFrom;
    if (proxy.kind === 'backend' && from !== undefined && definesRules(from)) {
      // A defaults section may carry `switch-mode http` (it has a frontend's capability); a
      // backend's content rules run past the frontend's mux, where Switchyard cannot switch.
      const switching = from.tcpRules.content.find((r) => r.action === 'switch-mode-http');
      if (switching !== undefined) {
        this.#error(
          { file: switching.source.file, line: switching.source.line, column: 1 },
          'tcp-request',
          `'tcp-request content switch-mode http' of defaults '${from.name}' in backend '${proxy.name}' is not supported by Switchyard yet.`,
        );
      }
    }
    if (proxy.mode === 'http') {
      // HAProxy 2.6 shuts the server side in tcp_inspect_response, before http_wait_for_response
      // parsed the head: every response the rule matches turns into a 502 (SH), even one that was
      // complete in the buffer (observed on 2.6.12). Refused rather than copied: no configuration
      // means that.
      const inherited = proxy.inheritedFrom !== undefined && definesRules(proxy.inheritedFrom) ? proxy.inheritedFrom.tcpRules.response : [];
      const close = [...inherited, ...proxy.tcpRules.response].find((r) => r.action === 'close');
      if (close !== undefined) {
        this.#error(
          { file: close.source.file, line: close.source.line, column: 1 },
          'tcp-response',
          `'tcp-response content close' in a mode http ${typeWord(proxy)} is refused: HAProxy 2.6 shuts the server connection before the response is parsed, which turns every response the rule matches into a 502 (logged SH); 'option http-server-close' closes the server connection after each response.`,
        );
      }
    }
  }

  #httpOnlyRules(proxy: ProxyDraft): HttpRulesModel {
    const { httpRequestRules, httpResponseRules, errorReplies } = this.#errors.forProxy(proxy);
    const defaultRules = this.#defaultRules(proxy);
    // Both halves of a listen come here: its rules are checked once.
    const firstVisit = !this.#trackChecked.has(proxy);
    this.#trackChecked.add(proxy);
    if (firstVisit) for (const set of ['connection', 'session', 'content'] as const) this.#checkTrackedTables(proxy, proxy.tcpRules[set], `tcp-request ${set}`);
    const hasRules =
      (defaultRules !== undefined && definesHttpRules(proxy.inheritedFrom as ProxyDraft)) ||
      proxy.httpRequestRules.length > 0 ||
      proxy.httpResponseRules.length > 0 ||
      proxy.httpAfterResponseRules.length > 0 ||
      proxy.redirectRules.length > 0;
    // `switch-mode http` (HAProxy's PR_O_HTTP_UPG) keeps them: the upgraded streams run them.
    const upgrades = proxy.tcpRules.content.some((r) => r.action === 'switch-mode-http');
    if (proxy.mode === 'tcp' && hasRules && !upgrades) {
      if (!this.#warnedTcpRules.has(proxy)) {
        this.#warnedTcpRules.add(proxy);
        this.#warning(
          proxy.httpRulesPlace ?? proxy.place,
          'http-request',
          `'http-request' and 'http-response' rules ignored for ${typeWord(proxy)} '${proxy.name}' as they require HTTP mode.`,
        );
      }
      return { acls: [...proxy.acls], httpRequestRules: [], httpResponseRules: [], httpAfterResponseRules: [], redirectRules: [], errorReplies };
    }
    if (firstVisit) {
      this.#checkTrackedTables(proxy, httpRequestRules, 'http-request');
      this.#checkTrackedTables(proxy, httpResponseRules, 'http-response');
    }
    return {
      ...(defaultRules === undefined ? {} : { defaultRules }),
      acls: [...proxy.acls],
      httpRequestRules: [...httpRequestRules],
      httpResponseRules: [...httpResponseRules],
      httpAfterResponseRules: [...proxy.httpAfterResponseRules],
      redirectRules: [...proxy.redirectRules],
      errorReplies,
    };
  }

  /** The rules of the named defaults section `proxy` inherits from, if it defines any. */
  #defaultRules(proxy: ProxyDraft): DefaultRulesModel | undefined {
    const defaults = proxy.inheritedFrom;
    if (defaults === undefined || !definesRules(defaults)) return undefined;
    const { httpRequestRules, httpResponseRules } = this.#errors.forProxy(defaults);
    const tcp = defaults.tcpRules;
    // A track-sc without `table` names the defaults section itself, which has no table (HAProxy's reg-test startup/default_rules h16).
    if (!this.#trackChecked.has(defaults)) {
      this.#trackChecked.add(defaults);
      this.#checkTrackedTables(defaults, httpRequestRules, 'http-request');
      this.#checkTrackedTables(defaults, httpResponseRules, 'http-response');
      for (const set of ['connection', 'session', 'content'] as const) this.#checkTrackedTables(defaults, tcp[set], `tcp-request ${set}`);
    }
    return {
      name: defaults.name,
      acls: [...defaults.acls],
      httpRequestRules: [...httpRequestRules],
      httpResponseRules: [...httpResponseRules],
      httpAfterResponseRules: [...defaults.httpAfterResponseRules],
      ...(definesTcpRules(defaults)
        ? { tcpRules: { connection: [...tcp.connection], session: [...tcp.session], content: [...tcp.content], response: [...tcp.response] } }
        : {}),
    };
  }

  /** `track-scN ... [table T]`: T, or the rule's own proxy, must have a stick-table (HAProxy's check_trk_action). */
  /** Proxies whose track-sc tables were checked (a listen is resolved as a frontend and a backend). */
  readonly #trackChecked = new Set<ProxyDraft>();

  #checkTrackedTables(proxy: ProxyDraft, rules: readonly { readonly action: string; readonly source: SourceLocation }[], set: string): void {
    for (const rule of rules) {
      if (rule.action !== 'track-sc') continue;
      const { slot, table } = rule as Extract<HttpStickRuleModel, { action: 'track-sc' }>;
      const name = table ?? proxy.name;
      if (this.#tables.get(name)?.stickTable !== undefined) continue;
      const keyword = `${set} track-sc${slot}`;
      this.#error({ ...rule.source, column: 1 }, keyword, `Proxy '${proxy.name}': unable to find table '${name}' referenced by track-sc${slot}.`);
    }
  }

  /**
   * `use_backend` rules: a static name must be a backend of the same mode (HAProxy's
   * "unable to find required use_backend"); a dynamic one is resolved per request.
   */
  #switchingRules(proxy: ProxyDraft): SwitchingRuleModel[] {
    const rules: SwitchingRuleModel[] = [];
    for (const { rule, place } of proxy.switchingRules) {
      if (!rule.dynamic) {
        const target = this.#backends.get(rule.backend);
        if (target === undefined) {
          this.#error(place, 'use_backend', `Proxy '${proxy.name}': unable to find required use_backend: '${rule.backend}'.`);
          continue;
        }
        if (proxy.mode === 'http' && target.mode === 'tcp') {
          this.#error(
            place,
            'use_backend',
            `${proxy.mode} ${typeWord(proxy)} '${proxy.name}' (${proxy.place.file}:${proxy.place.line}) tries to use incompatible ${target.mode} ${typeWord(target)} '${target.name}' (${target.place.file}:${target.place.line}) in a 'use_backend' rule (see 'mode').`,
          );
          continue;
        }
        // A tcp frontend using an http backend is upgraded to HTTP when the rule matches, as
        // HAProxy does (src/proxy/frontend.ts).
      }
      rules.push(rule);
    }
    return rules;
  }

  /** `use-server` names a server of the same backend (HAProxy checks it once the section is read). */
  #serverRules(proxy: ProxyDraft): { server: string; condition: ConditionModel; source: SourceLocation }[] {
    const rules: { server: string; condition: ConditionModel; source: SourceLocation }[] = [];
    for (const rule of proxy.serverRules) {
      const named = proxy.servers.filter((s) => s.name === rule.server).length;
      // HAProxy's findserver refuses a name that servers told apart by their ids share.
      if (named > 1) this.#error(rule.place, 'use-server', `Refusing to use duplicated server '${rule.server}' found in proxy: ${proxy.name}!`);
      if (named !== 1) {
        this.#error(rule.place, 'use-server', `${typeWord(proxy)} '${proxy.name}' : unable to find server '${rule.server}' referenced in a 'use-server' rule.`);
        continue;
      }
      rules.push({ server: rule.server, condition: rule.condition, source: rule.source });
    }
    return rules;
  }

  #defaultBackend(proxy: ProxyDraft): string | undefined {
    const rule = proxy.defaultBackend;
    if (rule === undefined) return proxy.kind === 'listen' ? proxy.name : undefined;
    const target = this.#backends.get(rule.name);
    if (target === undefined) {
      this.#error(rule.place, 'default_backend', `Proxy '${proxy.name}': unable to find required default_backend: '${rule.name}'.`);
      return rule.name;
    }
    if (target === proxy) {
      this.#error(rule.place, 'default_backend', `Proxy '${proxy.name}': loop detected for default_backend: '${rule.name}'.`);
      return rule.name;
    }
    if (proxy.mode === 'http' && target.mode === 'tcp') {
      this.#error(
        rule.place,
        'default_backend',
        `http ${typeWord(proxy)} '${proxy.name}' (${proxy.place.file}:${proxy.place.line}) tries to use incompatible tcp ${typeWord(target)} '${target.name}' (${target.place.file}:${target.place.line}) as its default backend (see 'mode').`,
      );
    }
    // A tcp frontend with an http default backend is upgraded to HTTP on the fly, as HAProxy
    // does (src/proxy/frontend.ts): nothing to check here.
    if (proxy.kind === 'listen' && proxy.servers.length > 0) {
      this.#warning(
        rule.place,
        'default_backend',
        `In proxy '${proxy.name}', the 'default_backend' rule always has precedence over the servers, which will never be used.`,
      );
    }
    return rule.name;
  }

  #bind(bind: BindDraft, proxy: ProxyDraft): BindModel {
    // HAProxy's mux_h2 serves HTTP mode only (check_config_validity).
    if (bind.proto === 'h2' && proxy.mode !== 'http') {
      this.#error(bind.place, 'bind', `${typeWord(proxy)} '${proxy.name}' : MUX protocol 'h2' is not usable for 'bind ${bind.address}'.`);
    }
    // The pass-through mux serves tcp mode only.
    if (bind.proto === 'none' && proxy.mode === 'http') {
      this.#error(bind.place, 'bind', `proxy '${proxy.name}' : MUX protocol 'none' is not usable for 'bind ${bind.address}'.`);
    }
    let ssl: BindModel['ssl'];
    if (bind.ssl) {
      const certificates: CertificateFile[] = [...bind.certificates];
      for (const reference of bind.crt) {
        const loaded = this.#certificates?.get(reference);
        if (loaded !== undefined) certificates.push(...loaded);
        else if (this.#certificates === undefined) {
          this.#error(
            reference.place,
            'bind',
            `'bind ${bind.address}' : cannot read certificate '${reference.path}': no file access was given to the parser.`,
          );
        }
      }
      ssl = resolveBindSsl(bind, certificates, proxy.name, this.#draft.global, this.#tlsFiles, this.#caFiles, this.#tlsReport);
    }
    return {
      ...(bind.id !== undefined ? { id: bind.id } : {}),
      host: bind.host,
      port: bind.port,
      ...(bind.unix === true ? { unix: true } : {}),
      ...(bind.fd !== undefined ? { fd: bind.fd } : {}),
      ssl,
      alpn: bindHasNoAlpn(bind) ? undefined : bind.alpn,
      name: bind.name,
      v6only: bind.v6only ?? false,
      backlog: bind.backlog,
      ...(bind.acceptProxy === true ? { acceptProxy: true } : {}),
      ...(bind.netscalerCipMagic !== undefined ? { netscalerCipMagic: bind.netscalerCipMagic } : {}),
      ...(bind.proto !== undefined ? { proto: bind.proto } : {}),
      ...(bind.mode !== undefined ? { mode: bind.mode } : {}),
      ...(bind.owner !== undefined ? { owner: { ...bind.owner } } : {}),
      ...this.#bindThreadsOf(bind, proxy),
      source: location(bind.place),
    };
  }

  /** `thread`: only the threads named accept (all of them, the model says nothing). */
  #bindThreadsOf(bind: BindDraft, proxy: ProxyDraft): { threads?: readonly number[] } {
    if (bind.threadSet === undefined) return {};
    const threads = this.#threadsOf(bind.threadSet, proxy.name, bind.lineAddress ?? bind.address, bind.place);
    return threads === undefined || threads.length >= this.#draft.global.nbthread ? {} : { threads: [...threads] };
  }

  #backend(proxy: ProxyDraft, http: BackendHttpOptions): BackendModel {
    const seen = new Map<string, SourceLocation>();
    const servers: ServerModel[] = [];
    const ids = new Map<number, ServerDraft>();
    for (const server of proxy.servers) {
      if (server.id !== undefined) {
        const other = ids.get(server.id);
        if (other === undefined) ids.set(server.id, server);
        else {
          this.#error(
            server.place,
            'server',
            `'server ${proxy.name}/${server.name}' : 'id' : custom id ${server.id} already used at ${other.place.file}:${other.place.line} ('server ${other.name}').`,
          );
        }
      }
      // HAProxy's check_config_validity: a name may repeat where an explicit `id` tells the
      // servers apart (the runtime API then reaches them as `backend/#id`).
      if (server.id === undefined) {
        const first = seen.get(server.name);
        if (first !== undefined) {
          this.#error(
            server.place,
            'server',
            `${typeWord(proxy)} '${proxy.name}', another server named '${server.name}' was already defined at line ${first.line}, please use distinct names.`,
          );
          continue;
        }
        seen.set(server.name, server.place);
      }
      const checkProxyV1 = server.checkSendProxy || (server.sendProxy & SendProxyBits.v1) !== 0;
      if (server.checkEnabled && (server.checkSsl ?? server.ssl) && checkProxyV1 && (server.sendProxy & SendProxyBits.v2) === 0) {
        // A v1 check line names the check connection's own addresses, known once connected,
        // which is after the TLS handshake it must precede (v2 checks send a LOCAL header).
        this.#error(server.place, 'server', `${typeWord(proxy)} '${proxy.name}' : server '${server.name}' : a PROXY v1 line on TLS health checks is not supported by Switchyard yet.`);
      }
      const checkProxyV2 = (server.sendProxy & SendProxyBits.v2) !== 0;
      if (this.#draft.global.pp2NeverSendLocal === true && server.checkEnabled && (server.checkSsl ?? server.ssl) && checkProxyV2) {
        // Likewise for the v2 PROXY command `pp2-never-send-local` asks checks to send.
        this.#error(server.place, 'server', `${typeWord(proxy)} '${proxy.name}' : server '${server.name}' : a PROXY v2 header with addresses ('pp2-never-send-local') on TLS health checks is not supported by Switchyard yet.`);
      }
      // A check toward the any address (`server s :0`) needs no port either (init_srv_check's is_inet_addr).
      const anyAddress = (host: string | undefined): boolean => host === undefined || host === '0.0.0.0' || host === '::';
      const checksSomewhere = !anyAddress(server.checkAddr) || !anyAddress(server.host);
      if (server.checkEnabled && checksSomewhere && server.mapPorts === true && server.port === 0 && server.checkPort === undefined && server.checkAddrPort === undefined) {
        // HAProxy's init_srv_check (the tcp-check `connect port` alternative is not served here).
        this.#error(server.place, 'server', `${typeWord(proxy)} '${proxy.name}': server '${server.name}' has neither service port nor check port.`);
      }
      if (server.checkEnabled && server.checkProto !== undefined && proxy.healthCheck.kind !== 'http') {
        // check.c init_srv_check: h1/h2 are HTTP muxes, usable only by HTTP checks.
        this.#error(server.place, 'server', `config: ${typeWord(proxy)} '${proxy.name}': server '${server.name}' uses an incompatible MUX protocol for the selected check type`);
      }
      if (server.redirectPrefix !== undefined && proxy.mode !== 'http') {
        // cfgparse.c's check_config_validity, once per server.
        this.#error(server.place, 'server', `${typeWord(proxy)} '${proxy.name}' : server cannot have cookie or redirect prefix in non-HTTP mode.`);
      }
      for (const message of socks4Refusals(server)) this.#error(server.place, 'server', `${typeWord(proxy)} '${proxy.name}' : server '${server.name}' : ${message}`);
      const ssl = server.ssl ? this.#serverSsl(proxy, server) : undefined;
      // An SSL context is prepared without `ssl` when the default-server had it (cfgparse.c).
      const sslContext = ssl === undefined && server.defaultServerSsl === true ? this.#serverSsl(proxy, server) : undefined;
      const checkSsl = server.checkSsl === true && server.checkEnabled ? (ssl ?? sslContext ?? this.#serverSsl(proxy, server)) : undefined;
      servers.push(serverModel(server, proxy.name, { ssl, checkSsl, sslContext }));
    }
    this.#checkDynamicCookies(proxy);
    const serverSocket = tcpSocketModel(proxy.options, 'server');
    return {
      ...(serverSocket !== undefined ? { serverSocket } : {}),
      name: proxy.name,
      mode: proxy.mode,
      balance: this.#balance(proxy),
      hashType: { ...proxy.hashType },
      ...(proxy.hashBalanceFactor > 0 ? { hashBalanceFactor: proxy.hashBalanceFactor } : {}),
      ...(proxy.maxKeepAliveQueue !== undefined ? { maxKeepAliveQueue: proxy.maxKeepAliveQueue } : {}),
      servers,
      cookie: this.#cookie(proxy),
      ...(proxy.dynamicCookieKey !== undefined ? { dynamicCookieKey: proxy.dynamicCookieKey } : {}),
      ...(proxy.rdpCookiePersist !== undefined ? { rdpCookiePersist: proxy.rdpCookiePersist } : {}),
      stickTable: proxy.stickTable,
      stickRules: this.#stickRules(proxy),
      serverRules: this.#serverRules(proxy),
      persistRules: proxy.persistRules.map(({ kind, condition, source }) => ({ kind, condition, source })),
      healthCheck: this.#healthCheck(proxy),
      ...this.#loadServerState(proxy),
      logs: expandLogs(proxy.logs, this.#draft.global.logs),
      retries: proxy.retries,
      ...(proxy.fullconn > 0 ? { fullconn: proxy.fullconn } : {}),
      timeouts: compactTimeouts(proxy.timeouts),
      options: {
        redispatch: proxy.options.redispatch,
        allBackups: proxy.options.allBackups,
        persist: proxy.options.persist,
        ...(proxy.options.bufferRequest ? { bufferRequest: true } : {}),
        ...(proxy.options.abortOnClose ? { abortOnClose: true } : {}),
        ...(proxy.options.restrictHeaderNames !== 'preserve' ? { restrictHeaderNames: proxy.options.restrictHeaderNames } : {}),
        ...(this.#httpOnly(proxy, 'preferLastServer', 'prefer-last-server') ? { preferLastServer: true } : {}),
        ...(this.#httpOnly(proxy, 'acceptInvalidResponse', 'accept-invalid-http-response') ? { acceptInvalidResponse: true } : {}),
        ...(this.#httpOnly(proxy, 'pretendKeepAlive', 'http-pretend-keepalive') ? { pretendKeepAlive: true } : {}),
        ...(this.#httpOnly(proxy, 'checkCache', 'checkcache') ? { checkCache: true } : {}),
        ...(proxy.options.independentStreams ? { independentStreams: true } : {}),
        ...(proxy.options.h1CaseAdjustBogusServer ? { h1CaseAdjustBogusServer: true } : {}),
      },
      http,
      disabled: proxy.disabled,
      description: proxy.description,
      ...(proxy.logTag !== undefined ? { logTag: proxy.logTag } : {}),
      ...(proxy.sendNameHeader !== undefined ? { sendNameHeader: proxy.sendNameHeader } : {}),
      ...this.#direct(proxy),
      ...(proxy.connectSource !== undefined ? { connectSource: proxy.connectSource } : {}),
      ...this.#httpRules(proxy),
      ...this.#statsPage(proxy),
      ...compressionPartOf(proxy, (place, message) => this.#error(place, 'compression', message)),
      source: location(proxy.place),
    };
  }

  /** `option prefer-last-server` is an HTTP option: check_config_validity ignores it elsewhere, with a warning. */
  /** A backend option of HAProxy's cfg_opts2 that needs mode http: elsewhere ignored with its warning. */
  #httpOnly(
    proxy: ProxyDraft,
    field: 'preferLastServer' | 'pretendKeepAlive' | 'checkCache' | 'acceptInvalidRequest' | 'acceptInvalidResponse' | 'useProxyHeader',
    name: string,
  ): boolean {
    if (!proxy.options[field]) return false;
    if (proxy.mode === 'http') return true;
    this.#warning(proxy.place, `option ${name}`, `'option ${name}' ignored for ${proxy.kind === 'listen' ? 'proxy' : proxy.kind} '${proxy.name}' as it requires HTTP mode.`);
    return false;
  }

  /** `load-server-state-from-file` (HAProxy's check_config_validity and srv_state_get_filepath). */
  #loadServerState(proxy: ProxyDraft): Pick<BackendModel, 'loadServerState'> {
    const state = proxy.serverState;
    if (state === undefined || state.load === 'none') return {};
    const global = this.#draft.global;
    if (state.load === 'local') {
      return { loadServerState: { from: 'local', path: serverStatePath(state.fileName ?? proxy.name, global.serverStateBase) } };
    }
    if (global.serverStateFile === undefined) {
      this.#warning(
        proxy.place,
        'load-server-state-from-file',
        `backend '${proxy.name}' configured to load server state file from global section 'server-state-file' directive. Unfortunately, 'server-state-file' is not set!`,
      );
      return {};
    }
    return { loadServerState: { from: 'global', path: serverStatePath(global.serverStateFile, global.serverStateBase) } };
  }

  /**
   * HAProxy's proxy_cfg_ensure_no_http(): an algorithm reading the HTTP request cannot work in a
   * tcp backend, which balances roundrobin instead.
   */
  #balance(proxy: ProxyDraft): BalanceModel {
    const balance = proxy.balance;
    if (proxy.mode === 'http' || !needsHttp(balance)) return balance;
    this.#warning(
      proxy.balancePlace ?? proxy.place,
      'balance',
      `Layer 7 hash not possible for ${typeWord(proxy)} '${proxy.name}' (needs 'mode http'). Falling back to round robin.`,
    );
    return { algorithm: 'roundrobin' };
  }

  /**
   * HAProxy's srv_check_for_dup_dyncookie: a dynamic cookie equal to the cookie of another
   * server in service is reported (servers with an IP literal; names resolve later).
   */
  #checkDynamicCookies(proxy: ProxyDraft): void {
    const key = proxy.dynamicCookieKey;
    if (proxy.cookie?.dynamic !== true || key === undefined) return;
    const cookies: (string | undefined)[] = [];
    proxy.servers.forEach((server, i) => {
      const mine = server.cookie ?? dynamicCookie(key, server.host, server.port);
      cookies.push(mine);
      if (server.cookie !== undefined || mine === undefined || server.disabled) return;
      // As HAProxy computes them in order: later dynamic cookies do not exist yet.
      const clash = proxy.servers.some((other, j) => j !== i && !other.disabled && (j < i ? cookies[j] : other.cookie) === mine);
      if (clash) this.#warning(server.place, 'server', `We generated two equal cookies for two different servers.\nPlease change the secret key for '${proxy.name}'.`);
    });
  }

  /** HAProxy ignores `cookie` in a tcp backend, with a warning. */
  #cookie(proxy: ProxyDraft): CookieModel | undefined {
    const cookie = proxy.cookie;
    if (cookie === undefined) return undefined;
    if (proxy.mode !== 'http') {
      this.#warning(cookie.place, 'cookie', `cookie will be ignored for ${typeWord(proxy)} '${proxy.name}' (needs 'mode http').`);
      return undefined;
    }
    const { place, attrs, dynamic, ...rest } = cookie;
    return {
      ...rest,
      domains: [...rest.domains],
      ...(attrs !== undefined ? { attrs } : {}),
      ...(dynamic === true ? { dynamic } : {}),
      source: location(place),
    };
  }

  /**
   * A rule's table is the stick-table of the proxy it names, or of its own backend: HAProxy's
   * "Proxy 'b': unable to find stick-table 't'." otherwise.
   */
  #stickRules(proxy: ProxyDraft): StickRuleModel[] {
    const rules: StickRuleModel[] = [];
    for (const rule of proxy.stickRules) {
      const owner = rule.table === undefined ? proxy : this.#tables.get(rule.table);
      if (owner?.stickTable === undefined) {
        const what = rule.kind === 'store-response' ? 'store table' : 'stick-table';
        this.#error(rule.tablePlace ?? rule.place, 'stick', `Proxy '${proxy.name}': unable to find ${what} '${rule.table ?? proxy.name}'.`);
        continue;
      }
      rules.push({
        kind: rule.kind,
        expression: rule.expression,
        table: rule.table,
        ...(rule.condition !== undefined ? { condition: rule.condition } : {}),
        source: location(rule.place),
      });
    }
    return rules;
  }

  /**
   * The check request: `http-check send` settings override `option httpchk`'s, whose
   * defaults are HAProxy's `OPTIONS / HTTP/1.0`. `http-check` rules without `option httpchk`
   * draw HAProxy's warning and are ignored.
   */
  #healthCheck(proxy: ProxyDraft): HealthCheckModel {
    const check = proxy.healthCheck;
    const extra = tcpCheckExtras(check, (message) => this.#warning(check.tcpRulesPlace ?? proxy.place, 'tcp-check', `${typeWord(proxy)} '${proxy.name}' ${message}`));
    if (check.disableOn404 && check.kind === 'tcp' && (check.tcpOption || check.protocol !== undefined)) {
      this.#warning(proxy.place, 'http-check', `'disable-on-404' will be ignored for ${typeWord(proxy)} '${proxy.name}' (requires 'option httpchk').`);
    }
    return { ...this.#httpHealthCheck(proxy), ...extra };
  }

  #httpHealthCheck(proxy: ProxyDraft): HealthCheckModel {
    const check = proxy.healthCheck;
    if (check.kind === 'tcp') {
      const hasRules = check.send !== undefined || check.expect.length > 0 || check.connect !== undefined || check.before.length > 0;
      if (hasRules && !check.rulesInherited) {
        this.#warning(
          check.rulesPlace ?? proxy.place,
          'http-check',
          `${typeWord(proxy)} '${proxy.name}' uses http-check rules without 'option httpchk', so the rules are ignored.`,
        );
      }
      return { kind: 'tcp', http: undefined };
    }
    const option = check.httpchk;
    const send = check.send;
    return {
      kind: 'http',
      http: {
        method: send?.method ?? option?.method ?? 'OPTIONS',
        uri: send?.uri ?? option?.uri ?? '/',
        version: send?.version ?? option?.version ?? 'HTTP/1.0',
        // `http-check send` replaces the headers of `option httpchk`'s legacy form (tcpcheck_overwrite_send_http_rule).
        headers: send !== undefined ? [...send.headers] : [...(option?.headers ?? [])],
        body: send?.body,
        // Without an `http-check send`, `option httpchk`'s request leads and every set-var follows it.
        expect: send === undefined ? [...check.before, ...check.expect] : check.expect.map((e) => ({ ...e })),
        ...httpCheckSequence(check, (message) => this.#error(check.rulesPlace ?? proxy.place, 'http-check', `${typeWord(proxy)} '${proxy.name}' : ${message}`)),
      },
    };
  }

  /**
   * TLS settings of a `server ... ssl`. As HAProxy 2.6 does, `verify required` (the default)
   * without a CA is refused rather than connecting unverified.
   */
  #serverSsl(proxy: ProxyDraft, server: ServerDraft): ServerSsl {
    const ca = server.ca;
    let caPem: string | undefined;
    if (ca?.kind === 'pem') caPem = ca.pem;
    else if (ca?.kind === 'file') caPem = this.#caFiles?.get(ca.file);
    const verify = effectiveServerVerify(server, this.#draft.global);
    if (verify === 'required' && ca === undefined) {
      this.#error(
        server.sslPlace ?? server.place,
        'server',
        `Proxy '${proxy.name}', server '${server.name}' : verify is enabled by default but no CA file specified. If you're running on a LAN where you're certain to trust the server's certificate, please set an explicit 'verify none' statement on the 'server' line, or name the CA certificates with 'ca-file FILE' ('ca-file @system-ca' for the system's trust store).`,
      );
    }
    return {
      verify,
      caPem,
      ...(ca?.kind === 'file' && caPem !== undefined ? { caFile: ca.file.path } : {}),
      sni: server.sni,
      alpn: server.alpn === undefined ? undefined : [...server.alpn],
      ...resolveServerTls(server, proxy.name, this.#draft.global, this.#tlsFiles, this.#tlsReport),
    };
  }

  /** HAProxy's "missing timeouts" warning, under HAProxy's exact conditions. */
  #checkTimeouts(proxy: ProxyDraft): void {
    if (proxy.disabled) return;
    const t = proxy.timeouts;
    const frontendMissing = hasFrontendSide(proxy.kind) && !t.client;
    const backendMissing =
      hasBackendSide(proxy.kind) &&
      proxy.servers.length > 0 &&
      (!t.connect || (!t.server && (proxy.mode === 'http' || !t.tunnel)));
    if (!frontendMissing && !backendMissing) return;
    this.#warning(
      proxy.place,
      proxy.kind,
      `missing timeouts for ${typeWord(proxy)} '${proxy.name}'. While not properly invalid, you will certainly encounter various problems with such a configuration. To fix this, please ensure that all following timeouts are set to a non-zero value: 'client', 'connect', 'server'.`,
    );
  }

  /**
   * The same address:port twice cannot be bound. A dual-stack `::` bind also takes the IPv4
   * wildcard of its port.
   */
  #checkDuplicateBinds(): void {
    const taken = new Map<string, { bind: BindDraft; proxy: ProxyDraft }>();
    for (const proxy of this.#draft.proxies) {
      if (!hasFrontendSide(proxy.kind) || proxy.disabled) continue;
      for (const bind of proxy.binds) {
        // An inherited socket's address is known only once it is adopted.
        if (bind.fd !== undefined) continue;
        const keys = [`${bind.host}|${bind.port}`];
        if (bind.host === '::' && bind.v6only !== true) keys.push(`0.0.0.0|${bind.port}`);
        if (bind.host === '0.0.0.0') keys.push(`::|${bind.port}|dual`);
        let clash: { bind: BindDraft; proxy: ProxyDraft } | undefined;
        for (const key of keys) clash ??= taken.get(key);
        if (clash !== undefined) {
          const other = clash.bind;
          this.#error(
            bind.place,
            'bind',
            `'bind ${bind.address}' : address ${formatHostPort(bind)} is already bound by 'bind ${other.address}' in ${typeWord(clash.proxy)} '${clash.proxy.name}' at ${other.place.file}:${other.place.line}.`,
          );
          continue;
        }
        taken.set(`${bind.host}|${bind.port}`, { bind, proxy });
        if (bind.host === '::' && bind.v6only !== true) {
          taken.set(`::|${bind.port}|dual`, { bind, proxy });
        }
      }
    }
  }
}

/** Algorithms hashing part of the HTTP request (HAProxy's BE_LB_NEED_HTTP). */
function needsHttp(balance: BalanceModel): boolean {
  switch (balance.algorithm) {
    case 'uri':
    case 'url_param':
    case 'hdr':
      return true;
    case 'hash': {
      const compiled = compileSampleFetch(balance.expression);
      return compiled.ok && compiled.fetch.l7;
    }
    default:
      return false;
  }
}

function formatHostPort(bind: BindDraft): string {
  return bind.host.includes(':') ? `[${bind.host}]:${bind.port}` : `${bind.host}:${bind.port}`;
}

/** Builds the model, adding every problem found to `diagnostics` (the caller throws if any). */
export function resolveConfig(
  draft: ConfigDraft,
  diagnostics: DiagnosticList,
  certificates?: LoadedCertificates,
  caFiles?: LoadedCaFiles,
  replyFiles?: LoadedReplyFiles,
  tlsFiles?: TlsFiles,
): ConfigModel {
  return new Resolver(draft, diagnostics, certificates, caFiles, replyFiles, tlsFiles).resolve();
}

/** The frontend's capture slots, present only when it declares any (models keep their shape otherwise). */
function capturesOf(proxy: ProxyDraft): Pick<FrontendModel, 'captures'> {
  const { request, response, cookie } = proxy.captures;
  if (request.length === 0 && response.length === 0 && cookie === undefined) return {};
  return { captures: { request: [...request], response: [...response], cookie } };
}

/** The proxy's tcp rules and inspect delays, present only when it has some. */
function tcpRulesModel(proxy: ProxyDraft): Pick<HttpRulesModel, 'tcpRules'> {
  const r = proxy.tcpRules;
  const any = r.connection.length + r.session.length + r.content.length + r.response.length > 0;
  if (!any && proxy.tcpInspectDelay === undefined && proxy.tcpResponseInspectDelay === undefined) return {};
  return {
    tcpRules: {
      connection: [...r.connection],
      session: [...r.session],
      content: [...r.content],
      response: [...r.response],
      ...(proxy.tcpInspectDelay !== undefined ? { inspectDelay: proxy.tcpInspectDelay } : {}),
      ...(proxy.tcpResponseInspectDelay !== undefined ? { responseInspectDelay: proxy.tcpResponseInspectDelay } : {}),
    },
  };
}

/** The tune settings, the unset buffer sizes left out (models without them keep their shape). */
function compactTune(tune: TuneModel): TuneModel {
  const { bufsize, maxrewrite, ...rest } = tune;
  return { ...rest, ...(bufsize === undefined ? {} : { bufsize }), ...(maxrewrite === undefined ? {} : { maxrewrite }) };
}

/** HAProxy's srv_state_get_filepath: an absolute name as is, else under `server-state-base` when set. */
function serverStatePath(name: string, base: string | undefined): string {
  if (name.startsWith('/') || base === undefined) return name;
  return base.endsWith('/') ? base + name : `${base}/${name}`;
}
