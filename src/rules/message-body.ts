/**
 * What the body fetches (`req.body`, `req.body_len`, `req.body_size`, `req.body_param`,
 * `res.body`...) read: the part of a message's payload the proxy holds at that moment, as
 * HAProxy's read the HTX data blocks still in the channel. The payload is decoded (no chunk
 * framing); bytes already forwarded to the other side are no longer part of it.
 */
export interface MessageBody {
  /** The payload bytes held, trailers excluded. */
  payload(): Uint8Array;
  /** How many payload bytes are held. */
  readonly payloadBytes: number;
  /** `payloadBytes` plus what the framing announced but has not arrived (the rest of a Content-Length or of a chunk). */
  readonly announcedBytes: number;
  /** Nothing more will be added: the message ended, the buffer is full or the peer stopped sending. */
  readonly final: boolean;
}
