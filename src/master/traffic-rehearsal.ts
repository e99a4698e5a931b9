/**
 * A spare's rehearsal of the data plane (src/master/standby.ts): before it announces itself
 * ready, it runs a few HTTP requests through a throwaway proxy on loopback ports nobody else
 * knows (the kernel's ephemeral ones), one answered by an `http-request return` and one
 * forwarded to a local origin. The runtimes compile a function on its first call and optimise
 * it after some: without this, the reload's first request runs the whole accept, parse, rules
 * and answer path cold, several milliseconds (10-50 ms on a loaded machine) of a reload that
 * should take under 50. Nothing of it outlives the rehearsal: its listeners and connections
 * are closed and its proxy dropped before the spare waits.
 */
import { parseConfigText } from '../config/load.ts';
import type { ConfigModel } from '../config/model.ts';
import { Proxy } from '../proxy/proxy.ts';
import type { Listener, Runtime, Socket, SocketHandler } from '../runtime.ts';

/** Connections per rehearsal: enough for the runtimes to compile the path, not to optimise all of it. */
const ROUNDS = 12;

/** The longest a rehearsal may take: a spare must not be kept from standing by. */
const LIMIT_MS = 2000;

const encode = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

const ORIGIN_ANSWER = encode('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 6\r\n\r\norigin');

/** The local origin: answers each request head it reads, then closes when the proxy does. */
class OriginConnection implements SocketHandler {
  #pending = '';
  onData(socket: Socket, chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i++) this.#pending += String.fromCharCode(chunk[i] as number);
    for (let end = this.#pending.indexOf('\r\n\r\n'); end >= 0; end = this.#pending.indexOf('\r\n\r\n')) {
      this.#pending = this.#pending.slice(end + 4);
      socket.write(ORIGIN_ANSWER);
    }
  }
  onEnd(socket: Socket): void {
    socket.end();
  }
  onDrain(): void {}
  onClose(): void {}
}

/** One client connection: sends its request, resolves once the proxy closed it. */
class RehearsalClient implements SocketHandler {
  readonly #request: Uint8Array;
  readonly #done: () => void;
  constructor(request: Uint8Array, done: () => void) {
    this.#request = request;
    this.#done = done;
  }
  onConnect(socket: Socket): void {
    socket.write(this.#request);
  }
  onData(): void {}
  onEnd(socket: Socket): void {
    socket.end();
  }
  onDrain(): void {}
  onClose(): void {
    this.#done();
  }
}

function rehearsalConfig(originPort: number): string {
  return `defaults
    mode http
    timeout connect 2s
    timeout client 2s
    timeout server 2s
frontend rehearsal
    bind 127.0.0.1:1
    http-request return status 200 content-type text/plain string "rehearsal" if { path /return }
    default_backend origin
backend origin
    balance roundrobin
    server s1 127.0.0.1:${originPort}
    server s2 127.0.0.1:${originPort}
`;
}

function request(runtime: Runtime, port: number, path: string): Promise<void> {
  return new Promise((resolve) => {
    runtime.connect({ host: '127.0.0.1', port }, new RehearsalClient(encode(`GET ${path} HTTP/1.1\r\nhost: rehearsal\r\nconnection: close\r\n\r\n`), resolve));
  });
}

/** Rehearses the data plane; whatever fails, the spare stands by all the same. */
export async function rehearseTraffic(runtime: Runtime): Promise<void> {
  let origin: Listener | undefined;
  let proxy: Proxy | undefined;
  let timer: unknown;
  try {
    origin = await runtime.listen({ host: '127.0.0.1', port: 0 }, (socket) => socket.setHandler(new OriginConnection()));
    const parsed = await parseConfigText(rehearsalConfig(origin.port), '<rehearsal>');
    // A configuration names no ephemeral port (port 0 is refused at its line): the model does.
    const model: ConfigModel = { ...parsed, frontends: parsed.frontends.map((f) => ({ ...f, binds: f.binds.map((b) => ({ ...b, port: 0 })) })) };
    const started = new Proxy(runtime, model, { quiet: true });
    proxy = started;
    await started.start();
    const port = started.frontends[0]?.listeners[0]?.port;
    if (port === undefined) return;
    const rounds = (async () => {
      for (let round = 0; round < ROUNDS; round++) await Promise.all([request(runtime, port, '/return'), request(runtime, port, '/')]);
    })();
    const limit = new Promise<void>((resolve) => (timer = runtime.setTimer(resolve, LIMIT_MS)));
    await Promise.race([rounds, limit]);
  } catch {
    // A rehearsal is an optimisation: the go's own start reports real problems.
  } finally {
    if (timer !== undefined) runtime.clearTimer(timer as never);
    await proxy?.kill();
    await origin?.close();
  }
}
