/**
 * An outbound connection made through a SOCKS4 proxy (`server ... socks4 ADDR:PORT`, and for
 * checks `check-via-socks4` / `tcp-check connect via-socks4`), as HAProxy 2.6's
 * conn_send_socks4_proxy_request / conn_recv_socks4_proxy_response do it: connect to the
 * proxy, send `04 01 PORT IP "HAProxy\0"` for the real destination, read the 8-byte reply and
 * go on only when its second byte is 90 (request granted).
 *
 * The returned Socket looks like a direct connection to its user: onConnect comes once the
 * proxy granted the request, bytes written before that (a PROXY header, a request) are held
 * and sent after the SOCKS4 request, as HAProxy sends the PROXY header after the handshake,
 * and a refusal or a proxy closing during the handshake is a connection failure whose error
 * carries HAProxy's conn_err_code_str text.
 */
import type { ConnectOptions, Runtime, Socket, SocketError, SocketHandler, TlsInfo } from '../runtime.ts';

/** HAProxy's CO_ER_SOCKS4_* texts. */
export const Socks4Error = {
  send: 'SOCKS4 Proxy write error during handshake',
  recv: 'SOCKS4 Proxy read error during handshake',
  deny: 'SOCKS4 Proxy deny the request',
  abort: 'SOCKS4 Proxy handshake aborted by server',
} as const;

/** Whether a connection error is the SOCKS4 handshake's (the TCP connection to the proxy was made). */
export function isSocks4Error(error: SocketError | undefined): boolean {
  return error !== undefined && error.code === 'OTHER' && error.message.startsWith('SOCKS4 Proxy ');
}

export interface Socks4Proxy {
  readonly host: string;
  readonly port: number;
}

const REPLY_LENGTH = 8;
const GRANTED = 90;

/** `04 01 PORT(2) IPv4(4) "HAProxy\0"`; undefined when the destination is no IPv4 address. */
export function socks4Request(host: string, port: number): Uint8Array | undefined {
  const parts = host.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(16);
  out[0] = 0x04;
  out[1] = 0x01;
  out[2] = (port >> 8) & 0xff;
  out[3] = port & 0xff;
  for (let i = 0; i < 4; i++) {
    const text = parts[i] as string;
    if (!/^\d{1,3}$/.test(text) || Number(text) > 255) return undefined;
    out[4 + i] = Number(text);
  }
  out.set([0x48, 0x41, 0x50, 0x72, 0x6f, 0x78, 0x79, 0x00], 8); // "HAProxy\0"
  return out;
}

/**
 * Connects to `options`' host and port through `proxy`. TLS is not layered over the tunnel
 * (configurations asking for it are refused when read): `options.tls` must be undefined.
 */
export function connectViaSocks4(runtime: Runtime, proxy: Socks4Proxy, options: ConnectOptions, handler: SocketHandler): Socket {
  return new Socks4Socket(runtime, proxy, options, handler);
}

class Socks4Socket implements Socket, SocketHandler {
  readonly #inner: Socket;
  #handler: SocketHandler;
  /** Until the proxy granted the request: the reply bytes read so far. */
  #reply: Uint8Array | undefined = new Uint8Array(REPLY_LENGTH);
  #replyLength = 0;
  /** What the user wrote before the tunnel was up. */
  #held: Uint8Array[] = [];
  #endHeld = false;
  #failed: SocketError | undefined;
  #paused = false;
  readonly #request: Uint8Array | undefined;

  constructor(runtime: Runtime, proxy: Socks4Proxy, options: ConnectOptions, handler: SocketHandler) {
    this.#handler = handler;
    this.#request = socks4Request(options.host, options.port);
    // The connection to the SOCKS4 proxy is the server's connection: it takes the `source` binding.
    this.#inner = runtime.connect(
      {
        host: proxy.host,
        port: proxy.port,
        ...(options.noDelay !== undefined ? { noDelay: options.noDelay } : {}),
        ...(options.localAddress !== undefined ? { localAddress: options.localAddress, localPort: options.localPort } : {}),
      },
      this,
    );
  }

  // ---- Socket (what the user sees) ----

  setHandler(handler: SocketHandler): void {
    this.#handler = handler;
  }

  write(chunk: Uint8Array): boolean {
    if (this.#reply !== undefined) {
      this.#held.push(chunk);
      return true;
    }
    return this.#inner.write(chunk);
  }

  end(): void {
    if (this.#reply !== undefined) this.#endHeld = true;
    else this.#inner.end();
  }

  destroy(): void {
    this.#inner.destroy();
  }

  reset(): void {
    this.#inner.reset();
  }

  pause(): void {
    this.#paused = true;
    if (this.#reply === undefined) this.#inner.pause();
  }

  resume(): void {
    this.#paused = false;
    this.#inner.resume();
  }

  setNoDelay(enabled: boolean): void {
    this.#inner.setNoDelay(enabled);
  }

  setKeepAlive(enabled: boolean, initialDelayMs?: number): void {
    this.#inner.setKeepAlive(enabled, initialDelayMs);
  }

  get bufferedAmount(): number {
    return this.#inner.bufferedAmount;
  }

  get remoteAddress(): string {
    return this.#inner.remoteAddress;
  }

  get remotePort(): number {
    return this.#inner.remotePort;
  }

  get localAddress(): string {
    return this.#inner.localAddress;
  }

  get localPort(): number {
    return this.#inner.localPort;
  }

  get tls(): TlsInfo | undefined {
    return undefined;
  }

  // ---- SocketHandler (the connection to the proxy) ----

  /** Connected to the proxy: the request goes; the user hears of the connection once the proxy grants it. */
  onConnect(): void {
    if (this.#request === undefined) this.#fail(Socks4Error.send);
    else this.#inner.write(this.#request);
  }

  onData(_socket: Socket, chunk: Uint8Array): void {
    const reply = this.#reply;
    if (reply === undefined) {
      this.#handler.onData(this, chunk);
      return;
    }
    const n = Math.min(REPLY_LENGTH - this.#replyLength, chunk.byteLength);
    reply.set(chunk.subarray(0, n), this.#replyLength);
    this.#replyLength += n;
    if (this.#replyLength < REPLY_LENGTH) return;
    if (reply[1] !== GRANTED) {
      this.#fail(Socks4Error.deny);
      return;
    }
    this.#granted();
    if (n < chunk.byteLength && this.#failed === undefined) this.#handler.onData(this, chunk.subarray(n));
  }

  onEnd(): void {
    if (this.#reply !== undefined) {
      this.#fail(Socks4Error.recv);
      return;
    }
    this.#handler.onEnd(this);
  }

  onDrain(): void {
    if (this.#reply === undefined) this.#handler.onDrain(this);
  }

  onClose(_socket: Socket, error: SocketError | undefined): void {
    // A failure after the TCP connection to the proxy was made is the handshake's.
    const failure = this.#failed ?? (this.#reply !== undefined && this.#replyLength > 0 ? { code: 'OTHER' as const, message: Socks4Error.recv } : error);
    this.#handler.onClose(this, failure);
  }

  #granted(): void {
    this.#reply = undefined;
    const held = this.#held;
    this.#held = [];
    if (this.#paused) this.#inner.pause();
    // Written before the tunnel was up (a PROXY header): it goes first, as HAProxy sends it after the handshake.
    for (const chunk of held) this.#inner.write(chunk);
    if (this.#endHeld) this.#inner.end();
    this.#handler.onConnect?.(this);
  }

  #fail(message: string): void {
    if (this.#failed !== undefined) return;
    this.#failed = { code: 'OTHER', message };
    this.#inner.destroy();
  }
}
