/**
 * One `GET /` on a fresh TLS connection to `a.example` offering `session` (resumption tests):
 * the whole answer and the session to offer next time (the last the server handed out).
 */
import tls from 'node:tls';

export interface TlsExchange {
  /** The whole response, head and body. */
  readonly response: string;
  /** The session to offer next time (the last the server handed out, else the one offered). */
  readonly session: Buffer | undefined;
}

export function tlsSessionExchange(port: number, session: Buffer | undefined, versions: { min?: tls.SecureVersion; max: tls.SecureVersion }): Promise<TlsExchange> {
  return new Promise((resolve, reject) => {
    let latest: Buffer | undefined;
    let response = '';
    const options: tls.ConnectionOptions = {
      host: '127.0.0.1',
      port,
      servername: 'a.example',
      rejectUnauthorized: false,
      maxVersion: versions.max,
      ...(versions.min !== undefined ? { minVersion: versions.min } : {}),
      ...(session !== undefined ? { session } : {}),
    };
    const socket = tls.connect(options, () => {
      socket.write('GET / HTTP/1.1\r\nhost: a.example\r\nconnection: close\r\n\r\n');
    });
    socket.on('session', (s: Buffer) => {
      latest = s;
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      response += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ response, session: latest ?? session }));
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer in 10 s')));
  });
}
