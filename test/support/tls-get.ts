/** Requests over TLS after bytes sent in clear (a PROXY or NetScaler CIP header), for the conformance suites. */
import * as net from 'node:net';
import * as tls from 'node:tls';

const GET = 'GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n';

/**
 * A GET over TLS: the connection from `localAddress` (default 127.0.0.1), `preface` sent in clear
 * first when given, then the handshake on the same connection. The whole answer.
 */
export function tlsGet(port: number, servername: string, options: { preface?: string | Uint8Array; localAddress?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const plain = net.connect({ host: '127.0.0.1', port, localAddress: options.localAddress ?? '127.0.0.1' });
    if (options.preface !== undefined) plain.once('connect', () => plain.write(options.preface as string | Uint8Array));
    const socket = tls.connect({ socket: plain, servername, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer within 5 s'));
    }, 5000);
    socket.once('secureConnect', () => socket.write(GET));
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
  });
}

