/**
 * The last invalid HTTP message of each proxy and direction (HAProxy's proxy_capture_error,
 * proxy.c), which `show errors` prints: the request a frontend refused (or let through with
 * `option accept-invalid-http-request`), the response a backend's server sent that was refused
 * (or let through). A capture is taken only on such an error, from the bytes the mux holds then.
 *
 * With `nbthread`, the other threads post their captures to the main thread (thread-worker.ts),
 * which numbers and keeps them: the runtime API runs there and sees every thread's.
 */

/** HAProxy's H1 mux context of a capture (h1_show_error_snapshot): its flags and message state. */
export interface H1ErrorContext {
  readonly connFlags: number;
  readonly streamFlags: number;
  /** The h1m state (H1_MSG_*) the byte at the error position was parsed in. */
  readonly state: number;
  readonly msgFlags: number;
  readonly chunkLen: number;
  readonly bodyLen: number;
}

/** One captured message, as a thread sends it (structured-clonable: no object references). */
export interface ErrorCapture {
  /** A server's response (stored on the backend), else a client's request (on the frontend). */
  readonly response: boolean;
  /** The proxy keeping it: the frontend for a request, the backend for a response. */
  readonly proxy: string;
  /** The proxy on the other side (the stream's backend, the session's frontend), if known. */
  readonly otherEnd: string | undefined;
  readonly server: string | undefined;
  readonly serverId: number;
  /** Wall clock, ms since the epoch. */
  readonly when: number;
  /** The client's address ('' when unknown: HAProxy prints it empty with port 0). */
  readonly sourceAddress: string;
  readonly sourcePort: number;
  /** The mux's input buffer from its first unconsumed byte: the message and what followed it. */
  readonly bytes: Uint8Array;
  readonly errorAt: number;
  /** Bytes from the buffer's start to its end (HAProxy's "wraps at"). */
  readonly wrapsAt: number;
  readonly h1: H1ErrorContext;
}

/** A kept capture and its event number. */
export interface StoredCapture extends ErrorCapture {
  readonly eventId: number;
}

interface ProxyCaptures {
  request: StoredCapture | undefined;
  response: StoredCapture | undefined;
}

export class ErrorCaptures {
  /** Captures taken so far (HAProxy's error_snapshot_id): the next one's event number. */
  total = 0;
  readonly #byProxy = new Map<string, ProxyCaptures>();
  /** Set in a thread other than the main one: its captures go there instead. */
  forward: ((capture: ErrorCapture) => void) | undefined = undefined;

  /** Keeps `capture` as its proxy's last one of its direction (or hands it to the main thread). */
  record(capture: ErrorCapture): void {
    if (this.forward !== undefined) return this.forward(capture);
    const stored: StoredCapture = { ...capture, eventId: this.total++ };
    let kept = this.#byProxy.get(capture.proxy);
    if (kept === undefined) {
      kept = { request: undefined, response: undefined };
      this.#byProxy.set(capture.proxy, kept);
    }
    if (capture.response) kept.response = stored;
    else kept.request = stored;
  }

  /** The last invalid request (`response` false) or response a proxy kept. */
  last(proxy: string, response: boolean): StoredCapture | undefined {
    const kept = this.#byProxy.get(proxy);
    return response ? kept?.response : kept?.request;
  }
}
