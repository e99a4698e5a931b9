/**
 * The spare's side of master-worker mode: a process the master starts ahead of the next reload
 * (src/master/master.ts). It loads what a serving worker loads before it reads its
 * configuration, tells the master `PID standby` over a connection to its registration port,
 * and waits there. On the master's `go` it goes on exactly as a freshly started worker: it
 * reads the configuration files then, builds, binds and registers its link; once it has read
 * them it tells the master its verdict on that connection (spare-verdict.ts) and ends it. The master going away (the connection closing) or a stop signal ends it; it is no
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

/** The standby connection after the go: the spare's verdict goes back on it. */
export interface StandbyReply {
  /** Writes `line` and ends the connection; resolves once it closed (or after a second). */
  send(line: string): Promise<void>;
}

/** Waits on the standby connection for `go`; its end before that ends the spare. */
class StandbyWait implements SocketHandler, StandbyReply {
  #buffer = '';
  #socket: Socket | undefined;
  #closed = false;
  readonly #closeWaiters: (() => void)[] = [];
  readonly #runtime: Runtime;
  readonly #line: string;
  readonly #go: () => void;
  readonly #lost: () => void;
  constructor(runtime: Runtime, line: string, go: () => void, lost: () => void) {
    this.#runtime = runtime;
    this.#line = line;
    this.#go = go;
    this.#lost = lost;
  }
  onConnect(socket: Socket): void {
    socket.write(Uint8Array.from(this.#line, (c) => c.charCodeAt(0)));
  }
  onData(socket: Socket, chunk: Uint8Array): void {
    if (this.#socket !== undefined) return;
    for (let i = 0; i < chunk.length; i++) this.#buffer += String.fromCharCode(chunk[i] as number);
    if (!this.#buffer.startsWith(GO_LINE)) return;
    this.#socket = socket;
    this.#go();
  }
  onEnd(socket: Socket): void {
    socket.destroy();
  }
  onDrain(): void {}
  onClose(): void {
    this.#closed = true;
    for (const waiter of this.#closeWaiters.splice(0)) waiter();
    if (this.#socket === undefined) this.#lost();
  }
  send(line: string): Promise<void> {
    const socket = this.#socket;
    if (socket === undefined || this.#closed) return Promise.resolve();
    socket.write(Uint8Array.from(line, (c) => c.charCodeAt(0)));
    socket.end();
    return new Promise((resolve) => {
      // A master that never closes its side must not keep a failing spare from exiting.
      const timer = this.#runtime.setTimer(resolve, 1000);
      this.#closeWaiters.push(() => {
        this.#runtime.clearTimer(timer);
        resolve();
      });
    });
  }
}

/**
 * Stands by for the master named by `link` (`PORT:TOKEN`, the worker link's variable): runs
 * `preload`, announces itself, and resolves on the go with the connection the verdict goes
 * back on. The process exits (status 0) when the master goes away or a signal comes first.
 */
export async function standBy(runtime: Runtime, link: string, preload: () => Promise<void>): Promise<StandbyReply> {
  const stopHandlers = STOP_SIGNALS.map((signal) => runtime.onSignal(signal, () => runtime.exit(0)));
  await preload();
  const masterPort = Number(link.slice(0, link.indexOf(':')));
  const reply = await new Promise<StandbyReply>((resolve) => {
    const wait = new StandbyWait(runtime, `${runtime.pid} standby\n`, () => resolve(wait), () => runtime.exit(0));
    runtime.connect({ host: '127.0.0.1', port: masterPort }, wait);
  });
  // From here on, the worker's own signal handlers (src/cli.ts) decide.
  for (const remove of stopHandlers) remove();
  return reply;
}
