/**
 * `observe layer4|layer7` with `nbthread`: HAProxy counts a server's consecutive errors once for
 * the process, whichever thread saw them. Here only the main thread runs the health checks and
 * their observers, so the other threads pass what their sessions observe (errors and the
 * successes that end a run) to it, which counts them in the order they arrive.
 */
import type { ObservedEvent } from '../health/observe.ts';
import type { Backend } from '../proxy/backend.ts';
import type { Server } from '../proxy/server.ts';

/** Thread -> main: a session of that thread observed `event` on the server. */
export interface ObservationMessage {
  readonly type: 'observe';
  readonly backend: string;
  readonly server: string;
  readonly event: ObservedEvent;
}

/**
 * In a thread other than the main one: every server the main thread observes (its check has an
 * observer) gets an observer that sends each event there. One message per observed response.
 */
export function forwardObservations(
  backends: ReadonlyMap<string, Backend>,
  checks: readonly { readonly server: Server; readonly observer: unknown }[],
  send: (message: ObservationMessage) => void,
): void {
  const observed = new Set(checks.filter((c) => c.observer !== undefined).map((c) => c.server));
  for (const backend of backends.values()) {
    for (const server of backend.servers) {
      if (!observed.has(server)) continue;
      const at = { backend: backend.name, server: server.name };
      server.observer = { observe: (event) => send({ type: 'observe', backend: at.backend, server: at.server, event }) };
    }
  }
}

/** In the main thread: the event counts as one its own sessions observed (none while the check is stopped). */
export function applyObservation(backends: ReadonlyMap<string, Backend>, message: ObservationMessage): void {
  backends.get(message.backend)?.server(message.server)?.observer?.observe(message.event);
}
