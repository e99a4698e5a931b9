import { latin1Bytes } from './codec/chars.ts';
import { errorPage } from './codec/error-pages.ts';
import type { ResponseHead } from './codec/head.ts';
import { readResponseHead } from './codec/head-parser.ts';
import { reasonPhrase } from './reason-phrases.ts';

/**
 * What the H1 mux appends to a reply it generated, as HAProxy 2.6 does: nothing for a
 * keep-alive HTTP/1.1 client, `connection: close` when the connection ends after it, and
 * `connection: keep-alive` for an HTTP/1.0 client that keeps it open. `omitted` leaves the
 * mux's line out, for the `http-after-response` rules to edit the head before it is added
 * (HAProxy's mux writes it at the end of the head, after what the rules added).
 */
export const ReplyConnection = { none: 0, close: 1, keepAlive: 2, omitted: 3 } as const;
export type ReplyConnection = (typeof ReplyConnection)[keyof typeof ReplyConnection];

const CONNECTION_VALUES = [undefined, 'close', 'keep-alive', undefined] as const;

/** A reply's head read back: HAProxy's tune.http.maxhdr fields. */
const REPLY_MAX_HEADERS = 101;

/**
 * A response the proxy answers by itself (deny, return, redirect, auth...): HAProxy's HTX
 * reply as its H1 mux writes it — `HTTP/1.1` status line, lowercase header names in the
 * order they were added, the connection header last, then the payload.
 */
export class LocalReply {
  readonly status: number;
  /** Payload bytes (what `%B` counts beyond the head). */
  readonly bodyLength: number;
  readonly #head: string;
  readonly #body: Uint8Array;
  readonly #encoded: (Uint8Array | undefined)[] = [undefined, undefined, undefined, undefined];
  readonly #heads: (ResponseHead | undefined)[] = [undefined, undefined, undefined, undefined];

  /** `headers` are `name: value` pairs with lowercase names; content-length is added here. */
  constructor(status: number, headers: readonly (readonly [string, string])[], body: Uint8Array, reason = reasonPhrase(status)) {
    this.status = status;
    this.bodyLength = body.byteLength;
    this.#body = body;
    let head = `HTTP/1.1 ${status} ${reason}\r\n`;
    for (const [name, value] of headers) head += `${name}: ${value}\r\n`;
    this.#head = head;
  }

  /**
   * The reply itself ends the connection, whatever the client asked (HAProxy's H1 mux closes
   * after a message carrying `Connection: close` or without a known length).
   */
  get closes(): boolean {
    return false;
  }

  /**
   * A default error page (deny without payload, `default-errorfiles`, an error the proxy
   * generates): the proxy's errorfile for the status replaces it when there is one.
   */
  get isErrorPage(): boolean {
    return false;
  }

  /** The value of the `connection` header the H1 mux writes last in the head, if any. */
  connectionValue(connection: ReplyConnection): string | undefined {
    return CONNECTION_VALUES[connection];
  }

  /** The whole reply; encoded once per connection variant, then shared (never modify it). */
  encode(connection: ReplyConnection): Uint8Array {
    const cached = this.#encoded[connection];
    if (cached !== undefined) return cached;
    const out = replyBytes(this.#head, this.connectionValue(connection), this.#body);
    this.#encoded[connection] = out;
    return out;
  }

  /** The payload (a HEAD's reply leaves it off). */
  get payload(): Uint8Array {
    return this.#body;
  }

  /**
   * The head of encode(connection) as the codec reads it, for the `http-after-response` rules
   * and for a mux that carries heads as fields (HTTP/2): read once per variant, then shared
   * (heads are never modified; edits go through a HeadEditor). Not for an empty reply.
   */
  responseHead(connection: ReplyConnection): ResponseHead {
    const cached = this.#heads[connection];
    if (cached !== undefined) return cached;
    const head = readResponseHead(this.encode(connection), REPLY_MAX_HEADERS);
    this.#heads[connection] = head;
    return head;
  }
}

/** A reply's bytes: its head (status line and headers), the mux's connection header last, the payload. */
export function replyBytes(head: string, connection: string | undefined, body: Uint8Array): Uint8Array {
  const headBytes = latin1Bytes(`${head}${connection === undefined ? '' : `connection: ${connection}\r\n`}\r\n`);
  const out = new Uint8Array(headBytes.byteLength + body.byteLength);
  out.set(headBytes, 0);
  out.set(body, headBytes.byteLength);
  return out;
}

/** A header list for a reply with a payload: `hdr` lines first, then length and type (HAProxy's order). */
export function replyHeaders(
  extra: readonly (readonly [string, string])[],
  bodyLength: number,
  contentType: string | undefined,
): (readonly [string, string])[] {
  const headers: (readonly [string, string])[] = [...extra, ['content-length', String(bodyLength)]];
  if (contentType !== undefined && bodyLength > 0) headers.push(['content-type', contentType]);
  return headers;
}

/**
 * HAProxy's built-in page for a status as its HTX layer sends it. The 400 and 408 pages carry
 * `Connection: close`, which the H1 mux turns into closing the connection (after a last
 * `connection: close` header).
 */
class ErrorPageReply extends LocalReply {
  readonly #closes: boolean;
  constructor(status: number) {
    const page = errorPage(status);
    const body = latin1Bytes(page.body);
    super(
      status,
      [
        ['content-length', String(body.byteLength)],
        ['cache-control', 'no-cache'],
        ['content-type', 'text/html'],
      ],
      body,
      page.reason,
    );
    this.#closes = page.alwaysClose;
  }

  override get closes(): boolean {
    return this.#closes;
  }

  override get isErrorPage(): boolean {
    return true;
  }
}

const errorReplies = new Map<number, LocalReply>();

/**
 * HAProxy's built-in error page for `status` through its HTX layer (deny, tarpit, auth...),
 * marked as such: a session replaces it with its proxies' errorfile for the status.
 */
export function errorPageReply(status: number): LocalReply {
  let reply = errorReplies.get(status);
  if (reply === undefined) {
    reply = new ErrorPageReply(status);
    errorReplies.set(status, reply);
  }
  return reply;
}
