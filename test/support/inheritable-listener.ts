/** A listening socket on 127.0.0.1 and its descriptor, to hand to a child process (fd@N tests). */
import { createServer, type Server } from 'node:net';

export async function inheritableListener(): Promise<{ server: Server; fd: number; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  // The descriptor of a listening net.Server (Linux), which a child inherits.
  const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
  const address = server.address();
  return { server, fd, port: typeof address === 'object' && address !== null ? address.port : 0 };
}
