/** Builds ConfigModel pieces directly (no parser), with HAProxy's defaults, for core unit tests. */
import type { BackendModel, ConfigModel, FrontendModel, ServerModel, Timeouts } from '../../src/config/model.ts';

const here = { file: 'test.cfg', line: 1 };

export function server(name: string, port: number, extra: Partial<ServerModel> = {}): ServerModel {
  return { name, host: '127.0.0.1', port, weight: 1, maxconn: 0, disabled: false, backup: false, source: here, ...extra };
}

export function backend(name: string, servers: ServerModel[], extra: Partial<BackendModel> = {}, timeouts: Timeouts = {}): BackendModel {
  return {
    name,
    mode: 'tcp',
    balance: { algorithm: 'roundrobin' },
    servers,
    retries: 3,
    timeouts: { connect: 5000, server: 30000, ...timeouts },
    options: { redispatch: false },
    disabled: false,
    source: here,
    ...extra,
  };
}

export function frontend(name: string, port: number, backendName: string, extra: Partial<FrontendModel> = {}, timeouts: Timeouts = {}): FrontendModel {
  return {
    name,
    mode: 'tcp',
    binds: [{ host: '127.0.0.1', port, ssl: undefined, alpn: undefined, name: undefined, v6only: false, backlog: undefined, source: here }],
    defaultBackend: backendName,
    maxconn: 0,
    timeouts: { client: 30000, ...timeouts },
    options: { tcplog: false, dontlognull: false },
    logs: [],
    disabled: false,
    source: here,
    ...extra,
  };
}

export function config(frontends: FrontendModel[], backends: BackendModel[], maxconn = 0): ConfigModel {
  return { global: { maxconn, nbthread: 1, logs: [], hardStopAfter: undefined }, frontends, backends, warnings: [] };
}
