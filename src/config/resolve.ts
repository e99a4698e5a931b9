/**
 * Turns a ConfigDraft (from haproxy.cfg or defineConfig) into the ConfigModel, after the
 * checks HAProxy makes once every section is read (check_config_validity):
 *
 * - a frontend's default_backend names an existing backend of a compatible mode;
 * - a frontend has at least one bind (Switchyard refuses what HAProxy only warns about);
 * - no address:port is bound twice; server names are unique within a backend;
 * - missing client/connect/server timeouts draw HAProxy's warning.
 *
 * A `listen` section becomes a frontend and a backend of the same name, the frontend's default
 * backend being itself unless it names another one.
 */

import type { BindDraft, CertificateReference, ConfigDraft, LogDraft, ProxyDraft } from './draft.ts';
import { hasBackendSide, hasFrontendSide } from './draft.ts';
import type { DiagnosticList } from './errors.ts';
import type {
  BackendModel,
  BindModel,
  CertificateFile,
  ConfigModel,
  FrontendModel,
  LogTarget,
  ServerModel,
  SourceLocation,
  Timeouts,
} from './model.ts';

export type LoadedCertificates = ReadonlyMap<CertificateReference, readonly CertificateFile[]>;

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
  readonly #backends = new Map<string, ProxyDraft>();

  constructor(draft: ConfigDraft, diagnostics: DiagnosticList, certificates: LoadedCertificates | undefined) {
    this.#draft = draft;
    this.#diagnostics = diagnostics;
    this.#certificates = certificates;
    for (const proxy of draft.proxies) {
      if (hasBackendSide(proxy.kind) && !this.#backends.has(proxy.name)) this.#backends.set(proxy.name, proxy);
    }
  }

  resolve(): ConfigModel {
    const frontends: FrontendModel[] = [];
    const backends: BackendModel[] = [];
    const global = this.#draft.global;
    for (const proxy of this.#draft.proxies) {
      if (hasFrontendSide(proxy.kind)) frontends.push(this.#frontend(proxy));
      if (hasBackendSide(proxy.kind)) backends.push(this.#backend(proxy));
      this.#checkTimeouts(proxy);
    }
    this.#checkDuplicateBinds();
    return {
      global: {
        maxconn: global.maxconn,
        nbthread: global.nbthread,
        logs: [...global.logs],
        hardStopAfter: global.hardStopAfter,
      },
      frontends,
      backends,
      warnings: [...this.#diagnostics.warnings],
    };
  }

  #error(place: { file: string; line: number; column: number }, keyword: string, message: string): void {
    this.#diagnostics.error({ file: place.file, line: place.line, column: place.column, keyword, message });
  }

  #warning(place: { file: string; line: number; column: number }, keyword: string, message: string): void {
    this.#diagnostics.warning({ file: place.file, line: place.line, column: place.column, keyword, message });
  }

  #frontend(proxy: ProxyDraft): FrontendModel {
    if (proxy.binds.length === 0 && !proxy.disabled) {
      this.#error(
        proxy.place,
        proxy.kind,
        `${typeWord(proxy)} '${proxy.name}' has no 'bind' directive. Please declare it as a backend if this was intended.`,
      );
    }
    const defaultBackend = this.#defaultBackend(proxy);
    return {
      name: proxy.name,
      mode: proxy.mode,
      binds: proxy.binds.map((b) => this.#bind(b)),
      defaultBackend,
      maxconn: proxy.maxconn,
      timeouts: compactTimeouts(proxy.timeouts),
      options: { tcplog: proxy.options.tcplog, dontlognull: proxy.options.dontlognull },
      logs: expandLogs(proxy.logs, this.#draft.global.logs),
      disabled: proxy.disabled,
      description: proxy.description,
      source: location(proxy.place),
    };
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
    } else if (proxy.mode === 'tcp' && target.mode === 'http') {
      // HAProxy upgrades such connections to HTTP on the fly; Switchyard does not do that yet.
      this.#error(
        rule.place,
        'default_backend',
        `tcp ${typeWord(proxy)} '${proxy.name}' (${proxy.place.file}:${proxy.place.line}) uses http ${typeWord(target)} '${target.name}' (${target.place.file}:${target.place.line}) as its default backend: implicit upgrades from tcp to http are not supported yet (set 'mode http' on both).`,
      );
    }
    if (proxy.kind === 'listen' && proxy.servers.length > 0) {
      this.#warning(
        rule.place,
        'default_backend',
        `In proxy '${proxy.name}', the 'default_backend' rule always has precedence over the servers, which will never be used.`,
      );
    }
    return rule.name;
  }

  #bind(bind: BindDraft): BindModel {
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
      ssl = { certificates };
    }
    return {
      host: bind.host,
      port: bind.port,
      ssl,
      alpn: bind.alpn,
      name: bind.name,
      v6only: bind.v6only ?? false,
      backlog: bind.backlog,
      source: location(bind.place),
    };
  }

  #backend(proxy: ProxyDraft): BackendModel {
    const seen = new Map<string, SourceLocation>();
    const servers: ServerModel[] = [];
    for (const server of proxy.servers) {
      const first = seen.get(server.name);
      if (first !== undefined) {
        this.#error(
          server.place,
          'server',
          `${typeWord(proxy)} '${proxy.name}' : server name '${server.name}' is already used at ${first.file}:${first.line}.`,
        );
        continue;
      }
      seen.set(server.name, server.place);
      servers.push({
        name: server.name,
        host: server.host,
        port: server.port,
        weight: server.weight,
        maxconn: server.maxconn,
        disabled: server.disabled,
        backup: server.backup,
        source: location(server.place),
      });
    }
    return {
      name: proxy.name,
      mode: proxy.mode,
      balance: { algorithm: proxy.balance.algorithm },
      servers,
      retries: proxy.retries,
      timeouts: compactTimeouts(proxy.timeouts),
      options: { redispatch: proxy.options.redispatch },
      disabled: proxy.disabled,
      description: proxy.description,
      source: location(proxy.place),
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

function formatHostPort(bind: BindDraft): string {
  return bind.host.includes(':') ? `[${bind.host}]:${bind.port}` : `${bind.host}:${bind.port}`;
}

/** Builds the model, adding every problem found to `diagnostics` (the caller throws if any). */
export function resolveConfig(
  draft: ConfigDraft,
  diagnostics: DiagnosticList,
  certificates?: LoadedCertificates,
): ConfigModel {
  return new Resolver(draft, diagnostics, certificates).resolve();
}
