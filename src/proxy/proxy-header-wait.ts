/**
 * A connection on an `accept-proxy` bind before its PROXY header arrived: HAProxy's embryonic
 * session (session.c) waiting for conn_recv_proxy. Nothing else is read before the header:
 * bytes are kept until a complete header is seen, then the header's addresses go into the
 * connection's record and the bytes after it are handed to the session with it. A malformed
 * header, a close or `timeout client` before it ends the connection, logged with HAProxy's
 * words for the cause.
 *
 * On an `ssl` bind the header comes in clear before the ClientHello: once it is read, the TLS
 * handshake starts on the bytes after it (Socket.startTls), and the session opens when it
 * completed, still within `timeout client` (HAProxy's handshake is part of the embryonic
 * session too). Where a `tcp-request connection expect-proxy` rule may ask for a header, the
 * `ssl` bind's handshakes are all started by the core: a connection the rule did not ask a
 * header of waits here for its handshake alone (`header` false).
 */
import type { Runtime, Socket, SocketError, SocketHandler, TimerHandle } from '../runtime.ts';
import type { ConnectionInfo } from './connection-info.ts';
import { parseProxyHeader, ProxyHeaderError, type ProxyHeaderErrorText } from './proxy-protocol.ts';
import type { ProxySession } from './session.ts';

/** HAProxy's words for an embryonic session lost in its TLS handshake (conn_err_code_str). */
export const TlsHandshakeError = {
  failure: 'SSL handshake failure',
  timeout: 'Timeout during SSL handshake',
} as const;

/** Why an embryonic session ended: its PROXY header, or the TLS handshake after it. */
export type EmbryonicErrorText = ProxyHeaderErrorText | (typeof TlsHandshakeError)[keyof typeof TlsHandshakeError];

/** What the wait reports to the frontend that accepted the connection. */
export interface ProxyHeaderWaiter {
  readonly runtime: Runtime;
  /** The header arrived: serve the connection, starting with `rest` (bytes after the header), if any. */
  proxyHeaderReceived(wait: ProxyHeaderWait, socket: Socket, info: ConnectionInfo, rest: Uint8Array | undefined): void;
  /** The connection ended before a valid header: it is already destroyed. */
  proxyHeaderFailed(wait: ProxyHeaderWait, info: ConnectionInfo, error: EmbryonicErrorText): void;
}

export class ProxyHeaderWait implements SocketHandler, ProxySession {
  /** The listener as HAProxy's log names it: the bind's `name`, else its number in the frontend. */
  readonly listenerName: string;
  readonly #owner: ProxyHeaderWaiter;
  readonly #socket: Socket;
  readonly #info: ConnectionInfo;
  #received: Uint8Array | undefined;
  #timer: TimerHandle | undefined;
  #done = false;
  /** The header was read; the TLS handshake after it runs. */
  #handshaking = false;

  constructor(owner: ProxyHeaderWaiter, socket: Socket, info: ConnectionInfo, timeout: number | undefined, listenerName: string, header = true) {
    this.listenerName = listenerName;
    this.#owner = owner;
    this.#socket = socket;
    this.#info = info;
    socket.setHandler(this);
    if (timeout !== undefined) {
      this.#timer = owner.runtime.setTimer(() => this.#fail(this.#handshaking ? TlsHandshakeError.timeout : ProxyHeaderError.timeout), timeout);
    }
    if (!header && socket.startTls !== undefined) {
      this.#handshaking = true;
      socket.startTls(undefined);
    }
  }

  /** The TLS handshake after the header completed: the session opens. */
  onConnect(): void {
    if (this.#done || !this.#handshaking) return;
    this.#settle();
    this.#owner.proxyHeaderReceived(this, this.#socket, this.#info, undefined);
  }

  onData(_socket: Socket, chunk: Uint8Array): void {
    if (this.#done || this.#handshaking) return;
    const data = this.#received === undefined ? chunk : concat(this.#received, chunk);
    const result = parseProxyHeader(data);
    switch (result.kind) {
      case 'missing':
        this.#received = data;
        return;
      case 'invalid':
        if (result.addresses !== undefined) this.#info.applyProxyHeader({ addresses: result.addresses, authority: undefined, uniqueId: undefined });
        return this.#fail(result.error);
      case 'header': {
        this.#info.applyProxyHeader(result.header);
        const rest = result.length < data.length ? data.subarray(result.length) : undefined;
        const startTls = this.#socket.startTls;
        if (startTls !== undefined) {
          this.#handshaking = true;
          this.#received = undefined;
          startTls.call(this.#socket, rest);
          return;
        }
        this.#settle();
        this.#owner.proxyHeaderReceived(this, this.#socket, this.#info, rest);
      }
    }
  }

  onEnd(): void {
    if (this.#handshaking) return this.#fail(TlsHandshakeError.failure);
    this.#fail(this.#received === undefined ? ProxyHeaderError.empty : ProxyHeaderError.truncated);
  }

  onDrain(): void {}

  onClose(_socket: Socket, error: SocketError | undefined): void {
    if (this.#handshaking) return this.#fail(TlsHandshakeError.failure);
    this.#fail(error === undefined && this.#received === undefined ? ProxyHeaderError.empty : ProxyHeaderError.abort);
  }

  kill(): void {
    this.#fail(ProxyHeaderError.abort);
  }

  drain(): void {}

  #settle(): void {
    this.#done = true;
    this.#received = undefined;
    if (this.#timer !== undefined) this.#owner.runtime.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #fail(error: EmbryonicErrorText): void {
    if (this.#done) return;
    this.#settle();
    this.#socket.destroy();
    this.#owner.proxyHeaderFailed(this, this.#info, error);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a, 0);
  out.set(b, a.byteLength);
  return out;
}
