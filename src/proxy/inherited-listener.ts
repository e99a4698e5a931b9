/**
 * HAProxy's `fd@N` listeners (binds, stats sockets, `-S`): the process accepts on a listening
 * socket its parent opened, bound and passed as descriptor N (VTest, systemd-style launchers,
 * a master handing sockets to its workers).
 */
import type { InheritedListenOptions, Listener, Runtime, Socket } from '../runtime.ts';

/** Listens on the inherited descriptor; rejects where the runtime cannot adopt one. */
export function listenOnInherited(runtime: Runtime, options: InheritedListenOptions, onConnection: (socket: Socket) => void): Promise<Listener> {
  if (runtime.listenInherited === undefined) return Promise.reject(new Error(`'fd@${options.fd}': ${runtime.name} cannot listen on an inherited socket`));
  return runtime.listenInherited(options, onConnection);
}
