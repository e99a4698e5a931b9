/**
 * One server's model from its draft (resolve.ts, once the server's checks passed): the fields
 * every server has in one object literal, then each optional one assigned only when it is set
 * (the model leaves unset ones out, it never holds them as `undefined`).
 *
 * Not one literal with a conditional spread per optional field: on V8 and JavaScriptCore each
 * spread is a runtime copy, and every property after the first spread is defined one by one
 * (1,000 servers: about 5 ms of a reload's parse, plus the garbage of the empty objects). Built
 * this way, servers with the same options share one object shape, which the data plane reads
 * faster too.
 */
import type { ServerDraft } from './draft.ts';
import { SendProxyBits } from './keywords/server-proxy-protocol.ts';
import type { SendProxyModel, ServerCheckModel, ServerModel, ServerSsl } from './model.ts';
import { serverResolution } from './resolvers-resolve.ts';
import { trackModel } from './server-tracking.ts';
import { socks4Model } from './socks4-model.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The server's TLS contexts, which the resolver prepares (resolve-tls.ts). */
export interface ServerTlsModels {
  readonly ssl: ServerSsl | undefined;
  /** `check-ssl` with checks enabled: the context of the checks. */
  readonly checkSsl: ServerSsl | undefined;
  /** A context prepared without `ssl` (the default-server had it), as cfgparse.c does. */
  readonly sslContext: ServerSsl | undefined;
}

/** `proxyName`: the server's backend, the default of a `track` without one. */
export function serverModel(server: ServerDraft, proxyName: string, tls: ServerTlsModels): ServerModel {
  // cfgparse.c's limits: a `minconn` above maxconn (or alone) becomes the maxconn; without
  // `minconn` the limit is static. Only a minconn below maxconn makes the model's `minconn`.
  const { maxconn, minconn } = server;
  const model: Mutable<ServerModel> = {
    name: server.name,
    host: server.host,
    port: server.port,
    weight: server.weight,
    maxconn: minconn > maxconn ? minconn : maxconn,
    disabled: server.disabled,
    backup: server.backup,
    ssl: tls.ssl,
    maxqueue: server.maxqueue,
    slowstart: server.slowstart,
    poolMaxConn: server.poolMaxConn,
    poolLowConn: server.poolLowConn,
    poolPurgeDelay: server.poolPurgeDelay,
    cookie: server.cookie,
    check: checkModel(server),
    onMarkedDown: server.onMarkedDown,
    onMarkedUp: server.onMarkedUp,
    source: { file: server.place.file, line: server.place.line },
  };
  if (server.id !== undefined) model.id = server.id;
  if (server.forcedId === true) model.forcedId = true;
  if (server.mapPorts === true) model.mapPorts = true;
  if (server.unix === true) model.unix = true;
  if (server.family !== undefined) model.family = server.family;
  if (server.initAddr !== undefined) model.initAddr = server.initAddr;
  if (server.resolvers !== undefined) Object.assign(model, serverResolution(server));
  if (minconn > 0 && minconn < maxconn) model.minconn = minconn;
  if (tls.checkSsl !== undefined) model.checkSsl = tls.checkSsl;
  if (server.noSsl === true && !server.ssl) model.noSsl = true;
  if (tls.sslContext !== undefined) model.sslContext = tls.sslContext;
  if (server.maxReuse >= 0) model.maxReuse = server.maxReuse;
  if (server.proto !== undefined) model.proto = server.proto;
  if (server.ws !== undefined) model.ws = server.ws;
  const sendProxy = sendProxyModel(server.sendProxy);
  if (sendProxy !== undefined) model.sendProxy = sendProxy;
  if (server.checkSendProxy) model.checkSendProxy = true;
  if (server.agentEnabled) model.agent = { port: server.agentPort, addr: server.agentAddr, inter: server.agentInter, send: server.agentSend };
  else if (server.agentAddr !== undefined || server.agentPort !== undefined) model.agentTarget = { port: server.agentPort, addr: server.agentAddr };
  if (server.track !== undefined) model.track = trackModel(server.track, proxyName);
  if (server.socks4 !== undefined) Object.assign(model, socks4Model(server));
  if (server.connectSource !== undefined) model.connectSource = server.connectSource;
  if (server.redirectPrefix !== undefined) model.redirectPrefix = server.redirectPrefix;
  if (server.nonStick === true) model.nonStick = true;
  return model;
}

function checkModel(server: ServerDraft): ServerCheckModel {
  const check: Mutable<ServerCheckModel> = {
    enabled: server.checkEnabled,
    inter: server.inter,
    fastinter: server.fastinter,
    downinter: server.downinter,
    rise: server.rise,
    fall: server.fall,
    port: server.checkPort ?? server.checkAddrPort,
    addr: server.checkAddr,
    observe: server.observe,
    errorLimit: server.errorLimit,
    onError: server.onError,
  };
  if (server.checkSni !== undefined) check.sni = server.checkSni;
  if (server.checkAlpn !== undefined) check.alpn = [...server.checkAlpn];
  if (server.checkProto !== undefined) check.proto = server.checkProto;
  return check;
}

/** The server's PROXY protocol from the option bits (v2 wins when both are set, as make_proxy_line). */
function sendProxyModel(bits: number): SendProxyModel | undefined {
  if ((bits & (SendProxyBits.v1 | SendProxyBits.v2)) === 0) return undefined;
  if ((bits & SendProxyBits.v2) === 0) return { version: 1 };
  const model: Mutable<SendProxyModel> = { version: 2 };
  if ((bits & SendProxyBits.crc32c) !== 0) model.crc32c = true;
  if ((bits & SendProxyBits.authority) !== 0) model.authority = true;
  if ((bits & SendProxyBits.uniqueId) !== 0) model.uniqueId = true;
  if ((bits & SendProxyBits.ssl) !== 0) model.ssl = true;
  if ((bits & SendProxyBits.sslCipher) !== 0) model.sslCipher = true;
  return model;
}
