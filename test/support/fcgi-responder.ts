/**
 * A small FastCGI responder on 127.0.0.1 for the FCGI conformance tests, written from the
 * FastCGI specification (not with the proxy's own codec, so both sides are checked). It answers
 * by the request's SCRIPT_NAME:
 *
 * - `/status.php`: `Status: 404 Not Found`; `/location.php`: a `Location` header only;
 * - `/slow.php`: the head, then the body 100 ms later in another write (the proxy cannot know the
 *   length: chunked), then END_REQUEST;
 * - `/stderr.php`: a STDERR record before the response;
 * - anything else: `Content-Type: text/plain` and, as the body, the PARAMS it received one per
 *   line (`NAME=VALUE`, without REMOTE_PORT and SERVER_SOFTWARE, which differ between proxies),
 *   then `STDIN=` and the body — all in one write with END_REQUEST.
 *
 * Without FCGI_KEEP_CONN it closes the connection after END_REQUEST, as the spec says.
 */
import net from 'node:net';

export interface FcgiBegin {
  readonly id: number;
  readonly keepConn: boolean;
  /** Which connection (in accept order, from 0) carried the request. */
  readonly connection: number;
}

export interface FcgiResponder {
  readonly begins: FcgiBegin[];
  close(): Promise<void>;
}

function record(type: number, id: number, content: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(8);
  head[0] = 1;
  head[1] = type;
  head.writeUInt16BE(id, 2);
  head.writeUInt16BE(content.length, 4);
  return Buffer.concat([head, content]);
}

function decodePairs(buf: Buffer): [string, string][] {
  const out: [string, string][] = [];
  let at = 0;
  const length = (): number => {
    const b = buf[at] as number;
    if (b < 0x80) {
      at += 1;
      return b;
    }
    const n = buf.readUInt32BE(at) & 0x7fffffff;
    at += 4;
    return n;
  };
  while (at < buf.length) {
    const n = length();
    const v = length();
    out.push([buf.toString('latin1', at, at + n), buf.toString('latin1', at + n, at + n + v)]);
    at += n + v;
  }
  return out;
}

const END_REQUEST = Buffer.alloc(8);

export function startFcgiResponder(port: number): Promise<FcgiResponder> {
  const begins: FcgiBegin[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    const connection = connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let acc = Buffer.alloc(0);
    let params = Buffer.alloc(0);
    let stdin = Buffer.alloc(0);
    let keepConn = true;
    const respond = (id: number): void => {
      const pairs = decodePairs(params);
      const script = pairs.find(([n]) => n === 'SCRIPT_NAME')?.[1] ?? '';
      const end = (): void => {
        socket.write(Buffer.concat([record(6, id), record(3, id, END_REQUEST)]));
        if (!keepConn) socket.end();
      };
      if (script === '/slow.php') {
        socket.write(record(6, id, Buffer.from('Content-Type: text/plain\r\n\r\nfirst ')));
        setTimeout(() => {
          socket.write(record(6, id, Buffer.from('second')));
          end();
        }, 100);
        return;
      }
      let out: Buffer;
      if (script === '/status.php') out = Buffer.from('Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\nmissing');
      else if (script === '/location.php') out = Buffer.from('Location: /elsewhere\r\n\r\n');
      else {
        const lines = pairs.filter(([n]) => n !== 'REMOTE_PORT' && n !== 'SERVER_SOFTWARE').map(([n, v]) => `${n}=${v}\n`);
        out = Buffer.concat([Buffer.from(`Content-Type: text/plain\r\nX-App: yes\r\n\r\n${lines.join('')}STDIN=`, 'latin1'), stdin]);
      }
      const prefix = script === '/stderr.php' ? record(7, id, Buffer.from('a warning from the app')) : Buffer.alloc(0);
      socket.write(Buffer.concat([prefix, record(6, id, out), record(6, id), record(3, id, END_REQUEST)]));
      if (!keepConn) socket.end();
    };
    socket.on('data', (data: Buffer) => {
      acc = Buffer.concat([acc, data]);
      while (acc.length >= 8) {
        const type = acc[1] as number;
        const id = acc.readUInt16BE(2);
        const length = acc.readUInt16BE(4);
        const padding = acc[6] as number;
        if (acc.length < 8 + length + padding) break;
        const content = acc.subarray(8, 8 + length);
        acc = acc.subarray(8 + length + padding);
        if (type === 1) {
          keepConn = ((content[2] as number) & 1) === 1;
          begins.push({ id, keepConn, connection });
          params = Buffer.alloc(0);
          stdin = Buffer.alloc(0);
        } else if (type === 4) params = Buffer.concat([params, content]);
        else if (type === 5 && length > 0) stdin = Buffer.concat([stdin, content]);
        else if (type === 5) respond(id);
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () =>
      resolve({
        begins,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      }),
    );
  });
}
