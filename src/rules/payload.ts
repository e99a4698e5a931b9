/**
 * The bytes of a channel that layer-4..6 fetches read (`req.len`, `req.payload`, `req.ssl_sni`,
 * `res.payload`...) while `tcp-request` / `tcp-response content` rules inspect it, and HAProxy's
 * "missing data" signal: a fetch that cannot decide on the bytes so far, while more may come
 * (not `final`), raises `mayChange` (SMP_F_MAY_CHANGE) so the rule waits instead of failing.
 */
import { DEFAULT_BUFFER_SIZES, type BufferSizes } from '../http/buffer-sizes.ts';

export class Payload {
  /** The buffer the bytes are read into (tune.bufsize; `room` = what the rules wait for at most). */
  readonly buffers: BufferSizes;

  constructor(buffers: BufferSizes = DEFAULT_BUFFER_SIZES) {
    this.buffers = buffers;
  }

  /** The bytes received so far (the start of the stream). */
  bytes: Uint8Array = EMPTY;
  /** No more bytes will be waited for (inspect-delay over, buffer full, peer closed, or no delay). */
  final = false;
  /** Set by a fetch that found too few bytes (or a value that may still change) while not final. */
  mayChange = false;

  /** A fetch needs bytes that have not arrived: false, after saying so when more may come. */
  missing(): false {
    if (!this.final) this.mayChange = true;
    return false;
  }
}

const EMPTY = new Uint8Array(0);

/** The channel under inspection: the response's while tcp-response rules run, else the request's. */
export function inspectedPayload(ctx: { readonly responsePayload?: Payload | undefined; readonly requestPayload?: Payload | undefined }): Payload | undefined {
  return ctx.responsePayload ?? ctx.requestPayload;
}
