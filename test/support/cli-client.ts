/** A runtime API (stats socket) or master CLI client for the conformance tests. */
import { connect } from 'node:net';

/** A UNIX socket path, a TCP port on 127.0.0.1, or either spelled as an object. */
export type CliAddress = string | number | { readonly path: string } | { readonly port: number };

/**
 * Sends `input` (as given: several lines, `;`) and reads until the proxy closes; bounded (5 s).
 * `endInput` false leaves our side open (the interactive prompt mode).
 */
export function cli(where: CliAddress, input: string, endInput = true): Promise<string> {
  return new Promise((resolve, reject) => {
    const path = typeof where === 'string' ? where : typeof where === 'object' && 'path' in where ? where.path : undefined;
    const port = typeof where === 'number' ? where : typeof where === 'object' && 'port' in where ? where.port : 0;
    const socket = path !== undefined ? connect({ path }) : connect({ port, host: '127.0.0.1' });
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close after ${JSON.stringify(input)}; got ${JSON.stringify(answer)}`));
    }, 5000);
    socket.setEncoding('latin1');
    socket.on('connect', () => (endInput ? socket.end(input) : socket.write(input)));
    socket.on('data', (text: string) => (answer += text));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}
