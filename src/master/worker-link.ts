/**
 * The worker's side of master-worker mode (`-W`): HAProxy links each worker to its master by a
 * socket pair; the runtimes cannot pass one, so the worker opens a CLI listener on an ephemeral
 * loopback port whose connections must first give the token the master put in the worker's
 * environment (nobody else can use it), registers that port with the master over a connection
 * it keeps open, and stops when the master goes away (HAProxy's workers leave with their
 * master).
 */
import type { StatsSocketModel } from '../config/model.ts';
import type { RuntimeApi } from '../runtime-api/runtime-api.ts';
import type { Listener, Runtime, Socket, SocketHandler } from '../runtime.ts';

/** The environment variable the master passes: `PORT:TOKEN`. */
export const WORKER_ENV = 'SWITCHYARD_MASTER_LINK';

const LINK_MODEL: StatsSocketModel = {
  address: { kind: 'tcp', host: '127.0.0.1', port: 0 },
  level: 'admin',
  severityOutput: 'none',
  exposeFdListeners: false,
  source: { file: '<master>', line: 0 },
};

/** Reads the token line, then hands the connection to the runtime API. */
class TokenGate implements SocketHandler {
  #buffer = '';
  readonly #socket: Socket;
  readonly #token: string;
  readonly #api: RuntimeApi;

  constructor(socket: Socket, token: string, api: RuntimeApi) {
    this.#socket = socket;
    this.#token = token;
    this.#api = api;
  }

  onData(_socket: Socket, chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i++) this.#buffer += String.fromCharCode(chunk[i] as number);
    const end = this.#buffer.indexOf('\n');
    if (end < 0) {
      if (this.#buffer.length > 256) this.#socket.destroy();
      return;
    }
    if (this.#buffer.slice(0, end) !== this.#token) {
      this.#socket.destroy();
      return;
    }
    const rest = this.#buffer.slice(end + 1);
    this.#api.adopt(this.#socket, LINK_MODEL, Uint8Array.from(rest, (c) => c.charCodeAt(0)));
  }

  onEnd(): void {
    this.#socket.destroy();
  }

  onDrain(): void {}
  onClose(): void {}
}

/** The kept registration connection: its end means the master is gone. */
class Registration implements SocketHandler {
  readonly #onLost: () => void;
  readonly #line: string;
  constructor(line: string, onLost: () => void) {
    this.#line = line;
    this.#onLost = onLost;
  }
  onConnect(socket: Socket): void {
    socket.write(Uint8Array.from(this.#line, (c) => c.charCodeAt(0)));
  }
  onData(): void {}
  onEnd(socket: Socket): void {
    socket.destroy();
  }
  onDrain(): void {}
  onClose(): void {
    this.#onLost();
  }
}

/**
 * Opens the worker's link for the master named by `env` (`PORT:TOKEN`) and registers it;
 * `onMasterLost` runs when the master goes away.
 */
export async function linkToMaster(runtime: Runtime, env: string, api: RuntimeApi, onMasterLost: () => void): Promise<Listener> {
  const colon = env.indexOf(':');
  const masterPort = Number(env.slice(0, colon));
  const token = env.slice(colon + 1);
  const listener = await runtime.listen({ host: '127.0.0.1', port: 0 }, (socket) => socket.setHandler(new TokenGate(socket, token, api)));
  runtime.connect({ host: '127.0.0.1', port: masterPort }, new Registration(`${runtime.pid} ${listener.port}\n`, onMasterLost));
  return listener;
}
