import type { RequestHead, ResponseHead, HeadEditor } from '../http/codec/index.ts';
import type { LocalReply, ReplyConnection } from '../http/local-reply.ts';
import type { ConnectionInfo } from '../proxy/connection-info.ts';

/**
 * What an HTTP stream needs from the client-side mux that carries it: the connection's facts
 * and clock, a way to send the response, flow control on the request body, and the end of the
 * transaction. The HTTP/1 mux (src/mux/h1-client.ts) implements it today; an HTTP/2 mux
 * implements it per stream, so the stream, the rules and the server leg stay as they are.
 */
export interface HttpClientSide {
  /** The connection's record: addresses (after a PROXY header), TLS facts, for fetches and logs. */
  readonly connection: ConnectionInfo;
  /** The clock of the event being handled (HAProxy's now_ms); a server event refreshes it. */
  now: number;
  /** When the connection last became idle: the stream's accept time for the logs. */
  readonly idleSince: number;
  /** Transactions started on this connection, the current one included. */
  readonly requests: number;
  /** The connection was torn down (a kill, `on-marked-down shutdown-sessions`). */
  readonly closed: boolean;
  /** Whether the connection carries raw bytes both ways (after a 101). */
  readonly tunnelling: boolean;
  /** The client connection closes after this response (set by either layer). */
  closeAfter: boolean;
  /** Whether the connection cannot carry another transaction (draining, half-closed, close mode). */
  readonly lastTransaction: boolean;
  /** When the client side's own inactivity timeout (`timeout client`) expires, if running. */
  clientDeadline(): number | undefined;

  /** An interim (1xx) response, as the server sent it; returns the bytes sent. */
  sendInterim(head: ResponseHead): number;
  /** The mux's own edits to a forwarded response head (hop-by-hop headers, connection, length). */
  prepareResponseHead(req: RequestHead, head: ResponseHead, editor: HeadEditor): void;
  /** The response head once every layer edited it; returns the bytes sent. */
  sendResponseHead(editor: HeadEditor): number;
  /**
   * A response head the stream wrote itself (a 101 as edited, a 100 Continue, an early hint):
   * the HTTP/1 mux spells names as `h1-case-adjust` says, as it does for the heads it formats.
   */
  sendHead(bytes: Uint8Array): void;
  /**
   * A reply the proxy built, whole, with the `connection` variant replyConnection() chose;
   * `headOnly` leaves its payload off (a HEAD). Returns the bytes sent (in HTTP/1 form).
   */
  sendReply(reply: LocalReply, connection: ReplyConnection, headOnly: boolean): number;
  /**
   * A reply the proxy built whose head the `http-after-response` rules edited: the mux's
   * `connection` header value (if any) goes last, then `payload`; the HTTP/1 mux reads the
   * connection headers the rules left as it does on a forwarded response (sendResponseHead).
   * Returns the bytes sent.
   */
  sendEditedReply(editor: HeadEditor, connection: string | undefined, payload: Uint8Array): number;
  /** Response body or tunnel bytes. */
  sendData(bytes: Uint8Array): void;
  /** The connection header this mux writes last in a reply the proxy built; `close` when the connection ends after it. */
  replyConnection(req: RequestHead | undefined, close: boolean): ReplyConnection;
  /** Output produced while handling one server read leaves in one write (uncork sends it). */
  cork(): void;
  uncork(): void;
  /** The server ended the tunnel: end the client side too (our FIN). */
  shutdown(): void;
  /** Stop / restart reading the request (the server side cannot take more). */
  holdRequest(): void;
  releaseRequest(): void;
  /** The stream's deadlines changed. */
  schedule(): void;
  /** The transaction is over: next request, or close (`close`). */
  transactionEnded(close: boolean): void;
  /** The response was a 101: both sides now carry raw bytes. */
  enterTunnel(): void;
  /** Whether a 101 may go to this client (an HTTP/2 extended CONNECT checks the WebSocket accept key); absent: yes; `viaH2`: the server spoke HTTP/2. */
  acceptsUpgrade?(head: ResponseHead, viaH2: boolean): boolean;
  /** Ends the connection now, without a response (aborts). */
  destroy(): void;
  /** Ends the connection now with a reset where the runtime can (`silent-drop`). */
  drop(): void;
  /** Ends the connection now as a kill (a server going down with `shutdown-sessions`, an admin). */
  kill(cause?: 'K' | 'D' | 'U'): void;
}
