/**
 * `server ... track [<proxy>/]<server>` once every backend is known: HAProxy 2.6's
 * srv_apply_track, applied server after server in declaration order, with its texts. The tracked
 * server must exist, be checked (check or agent) or itself track one, and the chain must not loop
 * back; a tracker may live in another backend, which must then agree on `http-check disable-on-404`.
 */
import type { DiagnosticList } from './errors.ts';
import type { BackendModel, ServerModel, ServerTrackModel } from './model.ts';

/** `[<proxy>/]<server>` as written; no proxy means the tracker's own backend. */
export function trackModel(text: string, ownBackend: string): ServerTrackModel {
  const slash = text.lastIndexOf('/');
  return slash < 0 ? { backend: ownBackend, server: text } : { backend: text.slice(0, slash), server: text.slice(slash + 1) };
}

function isChecked(server: ServerModel): boolean {
  return server.check?.enabled === true || server.agent !== undefined;
}

/** Why `server` cannot track what it names, or undefined when it can; `applied` holds the links made so far. */
export function trackingError(
  server: ServerModel,
  track: ServerTrackModel,
  backends: readonly BackendModel[],
  applied: ReadonlyMap<ServerModel, ServerModel>,
  ownBackend?: BackendModel,
): string | undefined {
  const owner = backends.find((b) => b.name === track.backend);
  if (owner === undefined) return `unable to find required proxy '${track.backend}' for tracking.`;
  const tracked = owner.servers.find((s) => s.name === track.server);
  if (tracked === undefined) return `unable to find required server '${track.server}' for tracking.`;
  // HAProxy's findserver refuses a name that servers told apart by their ids share.
  if (owner.servers.some((s) => s !== tracked && s.name === track.server)) return `Refusing to use duplicated server '${track.server}' found in proxy: ${owner.name}!`;
  if (!isChecked(tracked) && tracked.track === undefined) {
    return `unable to use ${owner.name}/${tracked.name} for tracking as it does not have any check nor agent enabled.`;
  }
  let loop = applied.get(tracked);
  while (loop !== undefined && loop !== server) loop = applied.get(loop);
  if (tracked === server || loop !== undefined) {
    const back = tracked === server ? tracked.name : server.name;
    return `unable to track ${owner.name}/${tracked.name} as it belongs to a tracking chain looping back to ${owner.name}/${back}.`;
  }
  // A stopping (NOLB) state is passed along a chain only between proxies that both know it.
  if (ownBackend !== undefined && ownBackend !== owner && (ownBackend.healthCheck?.disableOn404 === true) !== (owner.healthCheck?.disableOn404 === true)) {
    // HAProxy's text, its missing space included.
    return `unable to use ${owner.name}/${tracked.name} fortracking: disable-on-404 option inconsistency.`;
  }
  return undefined;
}

/** Reports every `track` HAProxy would refuse, as `'server B/S' : ...` at the server's line. */
export function checkServerTracking(backends: readonly BackendModel[], diagnostics: DiagnosticList): void {
  const applied = new Map<ServerModel, ServerModel>();
  for (const backend of backends) {
    for (const server of backend.servers) {
      if (server.track === undefined) continue;
      const error = trackingError(server, server.track, backends, applied, backend);
      if (error !== undefined) {
        diagnostics.error({
          file: server.source.file,
          line: server.source.line,
          column: 1,
          keyword: 'server',
          message: `'server ${backend.name}/${server.name}' : ${error}`,
        });
        continue;
      }
      const owner = backends.find((b) => b.name === server.track?.backend);
      const tracked = owner?.servers.find((s) => s.name === server.track?.server);
      if (tracked !== undefined) applied.set(server, tracked);
    }
  }
}
