/**
 * HAProxy 2.6's dynamic servers (server.c's cli_parse_add_server / cli_parse_delete_server):
 * `add server B/S ADDR [options]` parses the line with the configuration's own `server` parser
 * (so options mean what they mean in a configuration), refuses the keywords HAProxy does not
 * accept for dynamic servers, and appends a server in maintenance to a backend whose algorithm
 * takes new servers; `del server B/S` removes a server in maintenance without sessions, unless
 * the configuration points to it. HAProxy's checks and texts, in its order.
 */
import type { ServerModel } from '../config/model.ts';
import { DiagnosticList } from '../config/errors.ts';
import { parseSources } from '../config/parser.ts';
import { resolveConfig } from '../config/resolve.ts';
import type { Backend } from '../proxy/backend.ts';
import { Server } from '../proxy/server.ts';
import { isTracked } from '../proxy/server-tracking.ts';
import { startInForcedMaint } from './server-admin.ts';
import { storeFilesOf } from './dynamic-server-files.ts';
import { certificateStoreOf } from './ssl/stores.ts';
import type { RuntimeTarget } from './target.ts';

/** srv_kws entries registered without the dynamic flag (HAProxy 2.6). */
const NOT_DYNAMIC: ReadonlySet<string> = new Set([
  'cookie', 'init-addr', 'log-proto', 'max-reuse', 'namespace', 'non-stick', 'redir', 'resolve-net', 'resolve-opts',
  'resolve-prefer', 'resolvers', 'stick', 'socks4', 'no-check-ssl', 'no-ssl', 'ssl-reuse', 'no-agent-check', 'no-check',
  'no-check-send-proxy',
]);

/** Servers added by `add server` (HAProxy's SRV_F_DYNAMIC): they cannot be tracked. */
const dynamicServers = new WeakSet<Server>();

/** The server was made by `add server` (HAProxy's SRV_F_DYNAMIC). */
export function isDynamicServer(server: Server): boolean {
  return dynamicServers.has(server);
}

/** BE_LB_PROP_DYN: roundrobin, leastconn, first, random, and hashing with `hash-type consistent`. */
export function takesDynamicServers(backend: Backend): boolean {
  const algo = backend.model.balance.algorithm;
  if (algo === 'static-rr') return false;
  if (algo === 'roundrobin' || algo === 'leastconn' || algo === 'first' || algo === 'random') return true;
  return backend.model.hashType?.method === 'consistent';
}

/** The word as a configuration token: single quotes keep everything. */
function quoted(word: string): string {
  return `'${word.replace(/'/g, "'\\''")}'`;
}

/** The server model the configuration parser makes of `name addr options...` in `backend`, or its first error. */
function parseServerLine(target: RuntimeTarget, backend: Backend, words: readonly string[]): ServerModel | string {
  // The running configuration's TLS defaults apply to the line as to a configured server's.
  const tlsDefaults = target.config.global.serverTlsDefaults;
  const text = [
    'global',
    ...(tlsDefaults?.caBase !== undefined ? [`    ca-base ${quoted(tlsDefaults.caBase)}`] : []),
    ...(tlsDefaults?.crtBase !== undefined ? [`    crt-base ${quoted(tlsDefaults.crtBase)}`] : []),
    ...(tlsDefaults?.verify !== undefined ? [`    ssl-server-verify ${tlsDefaults.verify}`] : []),
    'defaults',
    `    mode ${backend.mode}`,
    '    timeout connect 1s',
    '    timeout client 1s',
    '    timeout server 1s',
    'backend dynamic',
    `    server ${words.map(quoted).join(' ')}`,
    '',
  ].join('\n');
  const { draft, diagnostics } = parseSources([{ file: '<cli>', text }]);
  if (diagnostics.errors[0] !== undefined) return `${diagnostics.errors[0].message}\n`;
  const files = storeFilesOf(target, draft);
  if (typeof files === 'string') return files;
  const resolved = new DiagnosticList();
  const model = resolveConfig(draft, resolved, undefined, files.caFiles, undefined, files.tlsFiles);
  const first = resolved.errors[0];
  if (first !== undefined) return `${first.message}\n`;
  const server = model?.backends[0]?.servers[0];
  return server ?? "'server' expects <name> and <addr>[:<port>] as arguments.\n";
}

/** get_next_id: the first server id not in use, from 1. */
function nextId(backend: Backend): number {
  const used = new Set(backend.servers.map((s) => s.id));
  let id = 1;
  while (used.has(id)) id++;
  return id;
}

/** `add server`: the answer's text (HAProxy's message, or "New server registered."). */
export function addServer(target: RuntimeTarget, path: string, words: readonly string[]): { readonly ok: boolean; readonly text: string } {
  const slash = path.indexOf('/');
  if (slash < 0 || slash === path.length - 1) return { ok: false, text: "Require 'backend/server'." };
  const backend = target.backend(path.slice(0, slash));
  if (backend === undefined) return { ok: false, text: 'No such backend.' };
  if (!takesDynamicServers(backend)) return { ok: false, text: 'Backend must use a dynamic load balancing to support dynamic servers.' };
  const name = path.slice(slash + 1);
  if (words.length === 0) return { ok: false, text: "'server' expects <name> and <addr>[:<port>] as arguments.\n" };
  for (const word of words.slice(1)) {
    if (NOT_DYNAMIC.has(word)) return { ok: false, text: `'${word}' option is not accepted for dynamic server\n` };
  }
  // `proto`: HAProxy's mux check (no HTTP/2 mux in tcp mode); Switchyard speaks HTTP/1 to servers only.
  const proto = words.indexOf('proto');
  if (proto > 0 && backend.mode === 'tcp' && words[proto + 1] === 'h2') return { ok: false, text: 'MUX protocol is not usable for server.\n' };
  // `track` names servers of the running configuration: it is resolved here, not by the line's parser.
  const trackAt = words.indexOf('track', 1);
  const trackText = trackAt > 0 ? words[trackAt + 1] : undefined;
  if (trackAt > 0 && (trackText === undefined || trackText === '')) return { ok: false, text: "'track' expects [<proxy>/]<server> as argument.\n" };
  const lineWords = trackAt > 0 ? [...words.slice(0, trackAt), ...words.slice(trackAt + 2)] : words;
  const model = parseServerLine(target, backend, [name, ...lineWords]);
  if (typeof model === 'string') return { ok: false, text: model };
  // HAProxy's srv_parse_id checks the id while it reads the line, before the name.
  const taken = model.id === undefined ? undefined : backend.servers.find((s) => s.id === model.id);
  if (taken !== undefined) {
    return { ok: false, text: `'id' : custom id ${model.id} already used at ${taken.model.source.file}:${taken.model.source.line} ('server ${taken.name}').\n` };
  }
  if (backend.server(name) !== undefined) return { ok: false, text: 'Already exists a server with the same name in backend.\n' };
  const tracked = trackText === undefined ? undefined : trackedServer(target, backend, trackText);
  if (typeof tracked === 'string') return { ok: false, text: tracked };
  // A dynamic server starts in maintenance: `enable server` (or `set server ... state ready`) puts it in service.
  const server = new Server(model, backend.servers.length, true, undefined, model.id ?? nextId(backend));
  server.status = 'MAINT';
  server.lastChange = target.runtime.now();
  startInForcedMaint(server);
  dynamicServers.add(server);
  backend.addServer(server);
  // Its `crt` is in use from now on (`show ssl cert`: Used), and follows `commit ssl cert`.
  certificateStoreOf(target).addServer(server);
  // Its check and agent exist but wait for `enable health` / `enable agent`.
  if (server.check !== undefined || model.agent !== undefined) target.addServerChecks?.(backend, server, model.agent);
  if (tracked !== undefined) target.tracking?.link(backend, server, tracked.backend, tracked.server);
  return { ok: true, text: 'New server registered.\n' };
}

/** srv_apply_track for a dynamic server: the server `text` names, or HAProxy's refusal. */
function trackedServer(target: RuntimeTarget, own: Backend, text: string): { backend: Backend; server: Server } | string {
  const slash = text.lastIndexOf('/');
  const backendName = slash < 0 ? undefined : text.slice(0, slash);
  const serverName = slash < 0 ? text : text.slice(slash + 1);
  const backend = backendName === undefined ? own : target.backend(backendName);
  if (backend === undefined) return `unable to find required proxy '${backendName ?? ''}' for tracking.\n`;
  const server = backend.server(serverName);
  // HAProxy's findserver finds none where servers told apart by their ids share the name.
  const shared = server !== undefined && backend.servers.some((s) => s !== server && s.name === serverName);
  if (server === undefined || shared) return `unable to find required server '${serverName}' for tracking.\n`;
  if (dynamicServers.has(server)) return `unable to use ${backend.name}/${server.name} for tracking as it is a dynamic server.\n`;
  const model = server.model;
  const checked = model?.check?.enabled === true || model?.agent !== undefined || model?.track !== undefined;
  if (!checked) return `unable to use ${backend.name}/${server.name} for tracking as it does not have any check nor agent enabled.\n`;
  return { backend, server };
}

/** SRV_F_NON_PURGEABLE: a `use-server` rule names it, or a sample fetch argument does (`srv_conn(b/s)`). */
function referenced(target: RuntimeTarget, backend: Backend, server: Server): boolean {
  if (backend.model.serverRules?.some((r) => r.server === server.name)) return true;
  if (isTracked(server)) return true;
  const needle = new RegExp(`\\(\\s*${escapeRegex(`${backend.name}/${server.name}`)}\\s*[,)]`);
  const models = [...target.config.frontends, ...target.config.backends];
  return models.some((m) => needle.test(JSON.stringify([m.acls ?? [], m.httpRequestRules ?? [], m.httpResponseRules ?? [], m.httpAfterResponseRules ?? []])));
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `del server`: the answer's text. */
export function deleteServer(target: RuntimeTarget, path: string): { readonly ok: boolean; readonly text: string } {
  const slash = path.indexOf('/');
  if (slash < 0 || slash === path.length - 1) return { ok: false, text: "Require 'backend/server'." };
  const backend = target.backend(path.slice(0, slash));
  if (backend === undefined) return { ok: false, text: 'No such backend.' };
  const server = backend.server(path.slice(slash + 1));
  if (server === undefined) return { ok: false, text: 'No such server.' };
  if (referenced(target, backend, server)) {
    return { ok: false, text: 'This server cannot be removed at runtime due to other configuration elements pointing to it.' };
  }
  if (server.status !== 'MAINT') return { ok: false, text: 'Only servers in maintenance mode can be deleted.' };
  if (server.processActive > 0 || server.processQueued > 0) return { ok: false, text: 'Server still has connections attached to it, cannot remove it.' };
  target.healthCheck(server)?.stop();
  target.removeServerChecks?.(server);
  target.tracking?.unlink(server);
  backend.removeServer(server);
  certificateStoreOf(target).removeServer(server);
  return { ok: true, text: 'Server deleted.' };
}
