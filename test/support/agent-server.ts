/** An agent-check server on loopback for the conformance tests. */
import { createServer, type Server, type Socket } from 'node:net';

/** Answers `reply` once it has read a line (the proxy's `agent-send`), then closes. */
export function agentServer(port: number, reply: string, host = '127.0.0.1'): Promise<Server> {
  const server = createServer((socket: Socket) => {
    socket.on('error', () => {});
    let seen = '';
    socket.on('data', (data) => {
      seen += data.toString('latin1');
      if (seen.includes('\n')) socket.end(reply);
    });
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}
