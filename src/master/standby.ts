/**
 * The spare's side of master-worker mode: a process the master starts ahead of the next reload
 * (src/master/master.ts). It loads what a serving worker loads before it reads its
 * configuration, tells the master `PID standby` over a connection to its registration port,
 * and waits there. On the master's `go` it ends that connection and goes on exactly as a
 * freshly started worker: it reads the configuration files then, builds, binds and registers
 * its link. The master going away (the connection closing) or a stop signal ends it; it is no
 * worker until the go (HAProxy has no such process, `show proc` does not list it).
 *
 * It exists because starting a process costs most of a reload (the runtime's start and its
 * modules: several hundred milliseconds on every runtime), while HAProxy's fork-exec is cheap.
 */
import type { Runtime, SignalName, Socket, SocketHandler } from '../runtime.ts';

/** Set (to `1`) in a spare's environment, beside the worker link's SWITCHYARD_MASTER_LINK. */
export const STANDBY_ENV = 'SWITCHYARD_STANDBY';

/** The master starts no spare when this is `0` (README.md, "The spare worker"). */
export const STANDBY_SWITCH_ENV = 'SWITCHYARD_STANDBY_WORKER';

/** The master's word that hands a spare the reload. */
export const GO_LINE = 'go\n';

const STOP_SIGNALS: readonly SignalName[] = ['SIGTERM', 'SIGINT', 'SIGUSR1'];

/** Waits on the standby connection for `go`; its end before that ends the spare. */
class StandbyWait implements SocketHandler {
  #buffer = '';
  #gone = false;
  readonly #line: string;
  readonly #go: () => void;
  readonly #lost: () => void;
  constructor(line: string, go: () => void, lost: () => void) {
    this.#line = line;
    this.#go = go;
    this.#lost = lost;
  }
  onConnect(socket: Socket): void {
    socket.write(Uint8Array.from(this.#line, (c) => c.charCodeAt(0)));
  }
  onData(socket: Socket, chunk: Uint8Array): void {
    if (this.#gone) return;
    for (let i = 0; i < chunk.length; i++) this.#buffer += String.fromCharCode(chunk[i] as number);
    if (!this.#buffer.startsWith(GO_LINE)) return;
    this.#gone = true;
    socket.end();
    this.#go();
  }
  onEnd(socket: Socket): void {
    socket.destroy();
  }
  onDrain(): void {}
  onClose(): void {
    if (!this.#gone) this.#lost();
  }
}

/**
 * Stands by for the master named by `link` (`PORT:TOKEN`, the worker link's variable): runs
 * `preload`, announces itself, and resolves on the go. The process exits (status 0) when the
 * master goes away or a signal comes first.
 */
export async function standBy(runtime: Runtime, link: string, preload: () => Promise<void>): Promise<void> {
  const stopHandlers = STOP_SIGNALS.map((signal) => runtime.onSignal(signal, () => runtime.exit(0)));
  await preload();
  const masterPort = Number(link.slice(0, link.indexOf(':')));
  await new Promise<void>((resolve) => {
    runtime.connect({ host: '127.0.0.1', port: masterPort }, new StandbyWait(`${runtime.pid} standby\n`, resolve, () => runtime.exit(0)));
  });
  // From here on, the worker's own signal handlers (src/cli.ts) decide.
  for (const remove of stopHandlers) remove();
}
