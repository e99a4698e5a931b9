/**
 * The keyword tables Switchyard ships with. A module adding keywords exports a KeywordList and
 * is listed here; the parser itself never changes for a new keyword.
 */

import { KeywordRegistry, type KeywordList } from '../registry.ts';
import { balanceKeywords } from './balance.ts';
import { bindKeywords } from './bind.ts';
import { captureKeywords } from './capture.ts';
import { errorfileKeywords } from './errorfiles.ts';
import { globalKeywords } from './global.ts';
import { closeSpreadTimeKeywords } from './close-spread-time.ts';
import { globalVarKeywords } from './global-vars.ts';
import { healthCheckKeywords } from './health-check.ts';
import { httpKeywords } from './http.ts';
import { httpRuleKeywords } from './http-rules.ts';
import { idlePoolKeywords } from './idle-pool.ts';
import { tuneBufferKeywords } from './tune-buffers.ts';
import { h2TuneKeywords } from './h2-tune.ts';
import { logFormatKeywords } from './log-format.ts';
import { optionKeywords } from './options.ts';
import { originalToKeywords } from './original-to.ts';
import { persistenceKeywords } from './persistence.ts';
import { proxyKeywords } from './proxy.ts';
import { serverKeywords } from './server.ts';
import { serverCheckKeywords } from './server-check.ts';
import { serverCheckTlsKeywords } from './server-check-tls.ts';
import { serverSocks4Keywords } from './server-socks4.ts';
import { serverStreamKeywords } from './server-stream-options.ts';
import { serverSourceKeywords } from './server-source.ts';
import { serverCheckProtoKeywords } from './server-check-proto.ts';
import { serverInitAddrKeywords } from './server-init-addr.ts';
import { resolversKeywords } from './resolvers.ts';
import { peersKeywords } from './peers.ts';
import { serverTemplateKeywords } from './server-template.ts';
import { serverSslKeywords } from './server-ssl.ts';
import { sslGlobalKeywords } from './ssl-global.ts';
import { bindSslKeywords } from './bind-ssl.ts';
import { httpslogKeywords } from './option-httpslog.ts';
import { serverProxyProtocolKeywords } from './server-proxy-protocol.ts';
import { statsSocketKeywords } from './stats-socket.ts';
import { statsPageKeywords } from './stats-page.ts';
import { switchingKeywords } from './switching.ts';
import { tcpRuleKeywords } from './tcp-rules.ts';
import { tcpCheckKeywords } from './tcp-check.ts';
import { monitorKeywords } from './monitor.ts';
import { serverAgentKeywords } from './server-agent.ts';
import { userlistKeywords } from './userlist.ts';
import { compressionKeywords } from './compression.ts';
import { filterKeywords } from './filter.ts';
import { cacheKeywords } from './cache.ts';
import { ringKeywords } from './ring.ts';
import { logForwardKeywords } from './log-forward.ts';
import { mailersKeywords } from './mailers.ts';
import { emailAlertKeywords } from './email-alert.ts';
import { fcgiAppKeywords } from './fcgi-app.ts';
import { serverStateKeywords } from './server-state.ts';
import { processManagementKeywords } from './process-management.ts';
import { programKeywords } from './program.ts';
import { unixSocketFileKeywords } from './unix-socket-files.ts';
import { tcpKeepAliveKeywords } from './tcp-keepalive.ts';
import { noopOptionKeywords } from './noop-options.ts';
import { rateLimitKeywords } from './rate-limits.ts';
import { dynamicMaxconnKeywords } from './dynamic-maxconn.ts';
import { nodeIdentityKeywords } from './node-identity.ts';
import { defaultPathKeywords } from './default-path.ts';
import { logHeaderKeywords } from './log-header.ts';
import { serverNameHeaderKeywords } from './server-name-header.ts';
import { objectIdKeywords } from './object-ids.ts';
import { removedKeywords } from './removed-keywords.ts';
import { startupOutputKeywords } from './startup-output.ts';
import { fdLimitKeywords } from './fd-limits.ts';
import { compressionTuningKeywords } from './compression-tuning.ts';
import { internalTunableKeywords } from './internal-tunables.ts';
import { processBindingKeywords } from './process-binding.ts';
import { bindThreadKeywords } from './bind-threads.ts';
import { bindNiceKeywords } from './bind-nice.ts';
import { bindSeverityOutputKeywords } from './bind-severity-output.ts';
import { cpuMapKeywords } from './cpu-map.ts';
import { sessionIdleConnKeywords } from './session-idle-conns.ts';
import { hashBalanceFactorKeywords } from './hash-balance-factor.ts';
import { keepAliveQueueKeywords } from './keep-alive-queue.ts';
import { transparentKeywords } from './transparent.ts';
import { h1CaseAdjustKeywords } from './h1-case-adjust.ts';

export const builtinKeywordLists: readonly KeywordList[] = [
  globalKeywords,
  closeSpreadTimeKeywords,
  cpuMapKeywords,
  globalVarKeywords,
  nodeIdentityKeywords,
  defaultPathKeywords,
  logHeaderKeywords,
  serverNameHeaderKeywords,
  objectIdKeywords,
  proxyKeywords,
  balanceKeywords,
  optionKeywords,
  logFormatKeywords,
  httpKeywords,
  httpRuleKeywords,
  switchingKeywords,
  tcpRuleKeywords,
  persistenceKeywords,
  healthCheckKeywords,
  bindKeywords,
  serverKeywords,
  serverCheckKeywords,
  serverCheckTlsKeywords,
  serverSocks4Keywords,
  serverStreamKeywords,
  serverSourceKeywords,
  serverCheckProtoKeywords,
  serverInitAddrKeywords,
  resolversKeywords,
  peersKeywords,
  serverTemplateKeywords,
  serverSslKeywords,
  serverProxyProtocolKeywords,
  idlePoolKeywords,
  tuneBufferKeywords,
  h2TuneKeywords,
  errorfileKeywords,
  userlistKeywords,
  captureKeywords,
  originalToKeywords,
  statsSocketKeywords,
  statsPageKeywords,
  sslGlobalKeywords,
  bindSslKeywords,
  httpslogKeywords,
  tcpCheckKeywords,
  monitorKeywords,
  serverAgentKeywords,
  compressionKeywords,
  filterKeywords,
  cacheKeywords,
  ringKeywords,
  logForwardKeywords,
  mailersKeywords,
  emailAlertKeywords,
  serverStateKeywords,
  processManagementKeywords,
  programKeywords,
  unixSocketFileKeywords,
  fcgiAppKeywords,
  tcpKeepAliveKeywords,
  noopOptionKeywords,
  rateLimitKeywords,
  dynamicMaxconnKeywords,
  removedKeywords,
  startupOutputKeywords,
  fdLimitKeywords,
  compressionTuningKeywords,
  internalTunableKeywords,
  processBindingKeywords,
  bindThreadKeywords,
  bindNiceKeywords,
  bindSeverityOutputKeywords,
  sessionIdleConnKeywords,
  hashBalanceFactorKeywords,
  keepAliveQueueKeywords,
  transparentKeywords,
  h1CaseAdjustKeywords,
];

/** A registry with the built-in keywords plus `extra` lists (e.g. from a plugin or a test). */
export function createKeywordRegistry(extra: readonly KeywordList[] = []): KeywordRegistry {
  const registry = new KeywordRegistry();
  for (const list of builtinKeywordLists) registry.register(list);
  for (const list of extra) registry.register(list);
  return registry;
}

let shared: KeywordRegistry | undefined;

/** The built-in registry, created once. */
export function defaultKeywordRegistry(): KeywordRegistry {
  shared ??= createKeywordRegistry();
  return shared;
}
