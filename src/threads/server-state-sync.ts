/**
 * Server states across the threads of a process (`nbthread`): the main thread alone runs the
 * health checks, agents and resolvers, and most admin changes reach it (the runtime API), so a
 * server's status, weights, address (resolvers) and check results are decided there and
 * applied by every thread; a change made in another thread (a stats page's admin form) goes to
 * the main thread first, which applies it and passes it on.
 */
import type { Backend } from '../proxy/backend.ts';
import type { Server } from '../proxy/server.ts';
import type { ServerStateMessage } from './thread-messages.ts';

export function serverStateMessage(backend: Backend, server: Server, now: number): ServerStateMessage {
  const c = server.checkState;
  return {
    type: 'server',
    backend: backend.name,
    server: server.name,
    status: server.status,
    host: server.host,
    port: server.port,
    weight: server.weight,
    userWeight: server.userWeight,
    maxconn: server.maxconn,
    sinceChange: now - server.lastChange,
    downTime: server.downTime,
    check:
      c === undefined
        ? undefined
        : { health: c.health, status: c.status, code: c.code, duration: c.duration, desc: c.desc, failedChecks: c.failedChecks, downTransitions: c.downTransitions },
  };
}

/** Applies a state decided elsewhere; false when this generation has no such server. */
export function applyServerState(backends: ReadonlyMap<string, Backend>, message: ServerStateMessage, now: number): boolean {
  const backend = backends.get(message.backend);
  const server = backend?.server(message.server);
  if (backend === undefined || server === undefined) return false;
  server.host = message.host;
  server.port = message.port;
  server.userWeight = message.userWeight;
  backend.setServerWeight(server, message.weight, message.maxconn);
  backend.setServerStatus(server, message.status, now);
  server.lastChange = now - message.sinceChange;
  server.downTime = message.downTime;
  const c = message.check;
  if (c !== undefined && server.checkState !== undefined) {
    Object.assign(server.checkState, c);
  }
  return true;
}

/**
 * Reports every state change of the generation's servers to `send`, except those applied
 * from a message (while `applying` says so), which would only echo back.
 */
export function watchServerStates(backends: ReadonlyMap<string, Backend>, now: () => number, send: (message: ServerStateMessage) => void, applying: () => boolean): void {
  for (const backend of backends.values()) {
    backend.stateObserver = (server) => {
      if (!applying()) send(serverStateMessage(backend, server, now()));
    };
  }
}
