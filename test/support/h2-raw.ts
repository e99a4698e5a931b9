/**
 * An HTTP/2 client (and server) written frame by frame, for conformance tests that need what
 * node:http2 will not send: malformed pseudo-headers, extended CONNECT (`:protocol`), a stream
 * kept open as a tunnel. Header blocks go unencoded by Huffman; received ones are decoded with
 * the project's HPACK decoder. Frames are read into a queue the test awaits by type and stream.
 */
import { connect as netConnect, createServer, type Server as NetServer, type Socket } from 'node:net';
import { HeaderList, HpackDecoder, HpackEncoder } from '../../src/http/h2/index.ts';

export const FrameType = { DATA: 0x0, HEADERS: 0x1, RST_STREAM: 0x3, SETTINGS: 0x4, GOAWAY: 0x7, WINDOW_UPDATE: 0x8 } as const;
export const END_STREAM = 0x1;
export const END_HEADERS = 0x4;
export const ACK = 0x1;
export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

export interface RawFrame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
  /** HEADERS: the decoded fields. */
  fields?: [string, string][];
}

export function frame(type: number, flags: number, streamId: number, payload: Buffer | number[] = []): Buffer {
  const p = Buffer.from(payload);
  const h = Buffer.alloc(9);
  h.writeUIntBE(p.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(streamId, 5);
  return Buffer.concat([h, p]);
}

/** SETTINGS payload from [id, value] pairs. */
export function settingsPayload(settings: [number, number][]): Buffer {
  const b = Buffer.alloc(settings.length * 6);
  settings.forEach(([id, value], i) => {
    b.writeUInt16BE(id, i * 6);
    b.writeUInt32BE(value, i * 6 + 2);
  });
  return b;
}

/** Reads SETTINGS payload into a map. */
export function readSettings(payload: Buffer): Map<number, number> {
  const out = new Map<number, number>();
  for (let at = 0; at + 6 <= payload.length; at += 6) out.set(payload.readUInt16BE(at), payload.readUInt32BE(at + 2));
  return out;
}

/** One end of an HTTP/2 connection over a socket, frame by frame. */
export class RawH2 {
  readonly socket: Socket;
  readonly #encoder = new HpackEncoder({ huffman: false });
  readonly #decoder = new HpackDecoder();
  readonly #queue: RawFrame[] = [];
  #waiter: (() => void) | undefined;
  #buf = Buffer.alloc(0);
  closed = false;

  constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => this.#onData(d));
    socket.on('close', () => {
      this.closed = true;
      this.#waiter?.();
    });
    socket.on('error', () => {});
  }

  /** Connects as a client and sends the preface with `settings` (the peer's are acknowledged as they come). */
  static connect(port: number, settings: [number, number][] = []): Promise<RawH2> {
    return new Promise((resolve, reject) => {
      const s = netConnect({ host: '127.0.0.1', port }, () => {
        s.write(Buffer.concat([PREFACE, frame(FrameType.SETTINGS, 0, 0, settingsPayload(settings))]));
        resolve(new RawH2(s));
      });
      s.once('error', reject);
    });
  }

  headerBlock(fields: [string, string][]): Buffer {
    this.#encoder.begin();
    for (const [n, v] of fields) this.#encoder.add(n, v);
    return Buffer.from(this.#encoder.bytes);
  }

  sendHeaders(streamId: number, fields: [string, string][], endStream: boolean): void {
    this.socket.write(frame(FrameType.HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), streamId, this.headerBlock(fields)));
  }

  sendData(streamId: number, data: Buffer, endStream = false): void {
    this.socket.write(frame(FrameType.DATA, endStream ? END_STREAM : 0, streamId, data));
  }

  /** The next frame of `type` (on `streamId` when given); other frames before it are dropped. Null on close or timeout. */
  async next(type: number, streamId?: number, timeoutMs = 3000): Promise<RawFrame | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.#queue.findIndex((f) => f.type === type && (streamId === undefined || f.streamId === streamId));
      if (i >= 0) return this.#queue.splice(i, 1)[0]!;
      if (this.closed) return null;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** The first HEADERS or RST_STREAM on `streamId`. */
  async response(streamId: number, timeoutMs = 3000): Promise<RawFrame | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.#queue.findIndex((f) => f.streamId === streamId && (f.type === FrameType.HEADERS || f.type === FrameType.RST_STREAM));
      if (i >= 0) return this.#queue.splice(i, 1)[0]!;
      if (this.closed || Date.now() >= deadline) return null;
      await this.next(-1, undefined, Math.min(50, deadline - Date.now()));
    }
  }

  /** DATA payload received on `streamId` until `until` matches it (or the stream ends). */
  async data(streamId: number, until: (text: string) => boolean, timeoutMs = 3000): Promise<string> {
    let text = '';
    const deadline = Date.now() + timeoutMs;
    while (!until(text)) {
      const f = await this.next(FrameType.DATA, streamId, deadline - Date.now());
      if (f === null) break;
      text += f.payload.toString('latin1');
      if ((f.flags & END_STREAM) !== 0) break;
    }
    return text;
  }

  close(): void {
    this.socket.destroy();
  }

  #onData(d: Buffer): void {
    this.#buf = Buffer.concat([this.#buf, d]);
    let start = 0;
    // A server's preface arrives as a client's: skip it when we are the server side.
    if (this.#buf.length >= PREFACE.length && this.#buf.subarray(0, PREFACE.length).equals(PREFACE)) start = PREFACE.length;
    this.#buf = this.#buf.subarray(start);
    while (this.#buf.length >= 9) {
      const len = this.#buf.readUIntBE(0, 3);
      if (this.#buf.length < 9 + len) break;
      const f: RawFrame = { type: this.#buf[3]!, flags: this.#buf[4]!, streamId: this.#buf.readUInt32BE(5) & 0x7fffffff, payload: Buffer.from(this.#buf.subarray(9, 9 + len)) };
      this.#buf = this.#buf.subarray(9 + len);
      if (f.type === FrameType.SETTINGS && (f.flags & ACK) === 0) this.socket.write(frame(FrameType.SETTINGS, ACK, 0));
      if (f.type === FrameType.HEADERS) {
        let p = f.payload;
        if ((f.flags & 0x8) !== 0) p = p.subarray(1, p.length - p[0]!);
        if ((f.flags & 0x20) !== 0) p = p.subarray(5);
        const list = new HeaderList();
        this.#decoder.decode(p, 0, p.length, list);
        f.fields = [];
        for (let i = 0; i < list.count; i++) f.fields.push([list.names[i]!, list.values[i]!]);
      }
      this.#queue.push(f);
    }
    this.#waiter?.();
  }
}

/** A field's value in a decoded HEADERS frame. */
export function field(f: RawFrame | null, name: string): string | undefined {
  return f?.fields?.find(([n]) => n === name)?.[1];
}

/** An HTTP/2 server written frame by frame: SETTINGS `settings` first, then `serve` per connection. */
export function rawH2Server(port: number, settings: [number, number][], serve: (c: RawH2) => Promise<void>): Promise<NetServer> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      socket.write(frame(FrameType.SETTINGS, 0, 0, settingsPayload(settings)));
      serve(new RawH2(socket)).catch(() => socket.destroy());
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
