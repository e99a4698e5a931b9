import type { ConfigModel } from '../config/model.ts';
import type { Listener, Runtime, Socket, SocketHandler } from '../runtime.ts';

const encoder = new TextEncoder();
const HEAD_END = [13, 10, 13, 10];

/**
 * A tiny HTTP/1.1 responder for the demo: answers every request on a connection (keep-alive)
 * with a line naming itself, so `curl` through the proxy shows the balancing at once.
 * Request bodies are not expected (the demo only sends GETs); a connection that sends more
 * than 64 KiB without a complete head is closed.
 */
class DemoResponder implements SocketHandler {
  readonly #response: Uint8Array;
  #matched = 0;
  #unanswered = 0;

  constructor(name: string, address: string) {
    const body = `Hello from demo backend ${name} (${address})\n`;
    this.#response = encoder.encode(
      `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${encoder.encode(body).byteLength}\r\nX-Served-By: ${name}\r\n\r\n${body}`,
    );
  }

  onData(socket: Socket, chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i++) {
      this.#matched = chunk[i] === HEAD_END[this.#matched] ? this.#matched + 1 : chunk[i] === 13 ? 1 : 0;
      this.#unanswered++;
      if (this.#matched === 4) {
        this.#matched = 0;
        this.#unanswered = 0;
        socket.write(this.#response);
      }
    }
    if (this.#unanswered > 65536) socket.destroy();
  }
  onEnd(socket: Socket): void {
    socket.end();
  }
  onDrain(): void {}
  onClose(): void {}
}

function isLoopback(host: string): boolean {
  return host.startsWith('127.') || host === '::1' || host === 'localhost';
}

/** Starts one demo responder per loopback server address named in the configuration. */
export async function startDemoBackends(runtime: Runtime, config: ConfigModel): Promise<Listener[]> {
  const listeners: Listener[] = [];
  const seen = new Set<string>();
  for (const backend of config.backends) {
    for (const server of backend.servers) {
      const key = `${server.host}:${server.port}`;
      if (!isLoopback(server.host) || seen.has(key)) continue;
      seen.add(key);
      listeners.push(
        await runtime.listen({ host: server.host, port: server.port }, (socket) =>
          socket.setHandler(new DemoResponder(server.name, key)),
        ),
      );
    }
  }
  return listeners;
}
