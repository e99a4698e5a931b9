import { connect, Socket } from 'node:net';

/** Opens a connection to 127.0.0.1:port (allowHalfOpen, so FIN from us does not close reads). */
export function dial(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Reads everything until the peer closes; resolves with the bytes (and whether it was reset). */
export function readAll(socket: Socket, timeoutMs = 10_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${timeoutMs} ms (got ${Buffer.concat(chunks).length} bytes)`));
    }, timeoutMs);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
  });
}

/**
 * Reads until the peer finishes its direction (FIN) or the connection closes, then destroys the
 * socket (a `dial()` socket is half-open after a FIN): what a proxy sent before hanging up.
 */
export function readToEnd(socket: Socket, timeoutMs = 5000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no end within ${timeoutMs} ms (got ${Buffer.concat(chunks).toString('latin1')})`));
    }, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks));
    };
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => {});
    socket.once('end', done);
    socket.once('close', done);
  });
}

/** Connects, reads until close, returns the text. */
export async function fetchLine(port: number, timeoutMs = 10_000): Promise<string> {
  const socket = await dial(port);
  socket.end();
  return (await readAll(socket, timeoutMs)).toString();
}

/** Resolves with the time (ms) until the other side closes (FIN or reset). */
export function timeUntilClosed(socket: Socket, limitMs: number): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`still open after ${limitMs} ms`));
    }, limitMs);
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(performance.now() - started);
    };
    socket.on('error', () => {});
    socket.resume();
    socket.once('end', done);
    socket.once('close', done);
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Connects to 127.0.0.1:port, sends `bytes`, and resolves with the first line the peer writes (without its LF); closes after. */
export async function firstLineAfter(port: number, bytes: Buffer | string, timeoutMs = 10_000): Promise<string> {
  const socket = await dial(port);
  try {
    return await new Promise<string>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`no line from ${port} within ${timeoutMs} ms (got ${JSON.stringify(text)})`)), timeoutMs);
      socket.on('data', (d: Buffer) => {
        text += d.toString('latin1');
        const nl = text.indexOf('\n');
        if (nl >= 0) {
          clearTimeout(timer);
          resolve(text.slice(0, nl));
        }
      });
      socket.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      socket.write(bytes);
    });
  } finally {
    socket.destroy();
  }
}
