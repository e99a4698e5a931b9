/**
 * A connection on an `accept-proxy` bind before its PROXY header arrived: HAProxy's embryonic
 * session (session.c) waiting for conn_recv_proxy. Nothing else is read before the header:
 * bytes are kept until a complete header is seen, then the header's addresses go into the
 * connection's record and the bytes after it are handed to the session with it. A malformed
 * header, a close or `timeout client` before it ends the connection, logged with HAProxy's
 * words for the cause.
 *
 * An `accept-netscaler-cip` bind (or `tcp-request connection expect-netscaler-cip`) waits the
 * same way for a NetScaler Client IP header, read before a PROXY header when both are expected,
 * as HAProxy's handshake layer (xprt_handshake.c) reads them.
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
import { NetscalerCipError, parseNetscalerCip, type NetscalerCipErrorText } from './netscaler-cip.ts';
import { parseProxyHeader, ProxyHeaderError, type ProxyHeaderErrorText } from './proxy-protocol.ts';
import type { ProxySession } from './session.ts';

/** HAProxy's words for an embryonic session lost in its TLS handshake (conn_err_code_str). */
export const TlsHandshakeError = {
  failure: 'SSL handshake failure',
  timeout: 'Timeout during SSL handshake',
} as const;

/** Why an embryonic session ended: its CIP or PROXY header, or the TLS handshake after it. */
export type EmbryonicErrorText = ProxyHeaderErrorText | NetscalerCipErrorText | (typeof TlsHandshakeError)[keyof typeof TlsHandshakeError];

/** The headers a connection must start with (both false/undefined: only a deferred TLS handshake). */
export interface EmbryonicHeaders {
  /** `accept-proxy` or `expect-proxy layer4`. */
  readonly proxy: boolean;
  /** The magic number of an expected NetScaler CIP header (the bind's, 0 for a rule without one). */
  readonly cipMagic: number | undefined;
}

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
  /** Still expected, in this order: a CIP header (its magic number), a PROXY header. */
  #cipMagic: number | undefined;
  #proxyHeader: boolean;

  constructor(owner: ProxyHeaderWaiter, socket: Socket, info: ConnectionInfo, timeout: number | undefined, listenerName: string, headers: EmbryonicHeaders) {
    this.listenerName = listenerName;
    this.#owner = owner;
    this.#socket = socket;
    this.#info = info;
    this.#cipMagic = headers.cipMagic;
    this.#proxyHeader = headers.proxy;
    socket.setHandler(this);
    if (timeout !== undefined) this.#timer = owner.runtime.setTimer(() => this.#fail(this.#timeoutError()), timeout);
    if (!headers.proxy && headers.cipMagic === undefined && socket.startTls !== undefined) {
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
    let data: Uint8Array | undefined = this.#received === undefined ? chunk : concat(this.#received, chunk);
    this.#received = undefined;
    if (this.#cipMagic !== undefined) {
      const cip = parseNetscalerCip(data, this.#cipMagic);
      if (cip.kind === 'missing') {
        this.#received = data;
        return;
      }
      if (cip.kind === 'invalid') return this.#fail(cip.error);
      this.#info.applyClientIpInsertion(cip.addresses);
      this.#cipMagic = undefined;
      data = cip.length < data.length ? data.subarray(cip.length) : undefined;
      if (data === undefined && this.#proxyHeader) return;
    }
    if (this.#proxyHeader && data !== undefined) {
      const result = parseProxyHeader(data);
      switch (result.kind) {
        case 'missing':
          this.#received = data;
          return;
        case 'invalid':
          if (result.addresses !== undefined) this.#info.applyProxyHeader({ addresses: result.addresses, authority: undefined, uniqueId: undefined });
          return this.#fail(result.error);
        case 'header':
          this.#info.applyProxyHeader(result.header);
          this.#proxyHeader = false;
          data = result.length < data.length ? data.subarray(result.length) : undefined;
      }
    }
    this.#headersRead(data);
  }

  /** Every header expected was read: the TLS handshake (on an `ssl` bind) or the session starts on `rest`. */
  #headersRead(rest: Uint8Array | undefined): void {
    const startTls = this.#socket.startTls;
    if (startTls !== undefined) {
      this.#handshaking = true;
      startTls.call(this.#socket, rest);
      return;
    }
    this.#settle();
    this.#owner.proxyHeaderReceived(this, this.#socket, this.#info, rest);
  }

  onEnd(): void {
    if (this.#handshaking) return this.#fail(TlsHandshakeError.failure);
    const nothing = this.#received === undefined;
    if (this.#cipMagic !== undefined) return this.#fail(nothing ? NetscalerCipError.empty : NetscalerCipError.truncated);
    this.#fail(nothing ? ProxyHeaderError.empty : ProxyHeaderError.truncated);
  }

  onDrain(): void {}

  onClose(_socket: Socket, error: SocketError | undefined): void {
    if (this.#handshaking) return this.#fail(TlsHandshakeError.failure);
    const empty = error === undefined && this.#received === undefined;
    if (this.#cipMagic !== undefined) return this.#fail(empty ? NetscalerCipError.empty : NetscalerCipError.abort);
    this.#fail(empty ? ProxyHeaderError.empty : ProxyHeaderError.abort);
  }

  kill(): void {
    this.#fail(this.#cipMagic !== undefined && !this.#proxyHeader ? NetscalerCipError.abort : ProxyHeaderError.abort);
  }

  /** session_kill_embryonic's choice: a PROXY header still expected names the timeout, then a CIP one, then TLS. */
  #timeoutError(): EmbryonicErrorText {
    if (this.#proxyHeader) return ProxyHeaderError.timeout;
    if (this.#cipMagic !== undefined) return NetscalerCipError.timeout;
    return this.#handshaking ? TlsHandshakeError.timeout : ProxyHeaderError.timeout;
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
