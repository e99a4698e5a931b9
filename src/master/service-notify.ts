/**
 * `-Ws`: the master tells systemd where it stands, as HAProxy's master does through
 * sd_notify(3), so a `Type=notify` unit (Debian's haproxy.service) counts the service started
 * once it serves, and reloading while a reload runs. The messages are HAProxy 2.6's, byte for
 * byte: `READY=1\nMAINPID=PID` when the master serves (HAProxy: each time its master loop
 * starts, so after a start and after every reload, failed or not), `RELOADING=1` when a
 * reload begins, `STOPPING=1` at a stop signal.
 *
 * The datagram goes to `$NOTIFY_SOCKET`: a path, or `@NAME` for the abstract namespace
 * (sd_notify's convention), through the runtime's UNIX datagram sender. Without
 * `$NOTIFY_SOCKET` (not started by systemd) `-Ws` is `-W`, as HAProxy's sd_notify is a no-op then.
 */
import type { Runtime, UnixDatagramSender } from '../runtime.ts';

/** What the master tells the service manager. */
export interface ServiceNotifier {
  ready(): void;
  reloading(): void;
  stopping(): void;
  close(): void;
}

export const NOTIFY_SOCKET_ENV = 'NOTIFY_SOCKET';

/**
 * The notifier `-Ws` asks for: undefined without `$NOTIFY_SOCKET`; a string (the warning to
 * give) when the runtime cannot send UNIX datagrams or the variable names no socket.
 */
export function systemdNotifier(runtime: Runtime): ServiceNotifier | string | undefined {
  const socket = runtime.env(NOTIFY_SOCKET_ENV);
  if (socket === undefined || socket === '') return undefined;
  // sd_notify accepts an absolute path or an abstract name; anything else it refuses too.
  if (!socket.startsWith('/') && !socket.startsWith('@')) return `-Ws: NOTIFY_SOCKET '${socket}' is not a socket path; systemd is not notified.`;
  if (runtime.openUnixDatagramSender === undefined) {
    return `-Ws: systemd is not notified (${runtime.name} has no UNIX datagram sockets here); use Type=exec or Type=simple in the unit.`;
  }
  const path = socket.startsWith('@') ? `\0${socket.slice(1)}` : socket;
  return new SystemdNotifier(runtime.openUnixDatagramSender(), path, runtime.pid);
}

class SystemdNotifier implements ServiceNotifier {
  readonly #sender: UnixDatagramSender;
  readonly #path: string;
  readonly #ready: Uint8Array;
  readonly #encoder = new TextEncoder();

  constructor(sender: UnixDatagramSender, path: string, pid: number) {
    this.#sender = sender;
    this.#path = path;
    this.#ready = this.#encoder.encode(`READY=1\nMAINPID=${pid}`);
  }

  ready(): void {
    this.#sender.send(this.#ready, this.#path);
  }

  reloading(): void {
    this.#sender.send(this.#encoder.encode('RELOADING=1'), this.#path);
  }

  stopping(): void {
    this.#sender.send(this.#encoder.encode('STOPPING=1'), this.#path);
  }

  close(): void {
    this.#sender.close();
  }
}
