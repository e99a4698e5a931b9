/**
 * The request as the stream writes it for an HTTP/1 server (the head its editor built, the
 * body framed on the wire: Content-Length or chunked) turned into what an HTTP/2 stream to a
 * server carries: one header list, the body's payload only, its trailers, its end. The
 * server-side counterpart of response-translator.ts; the header list follows HAProxy 2.6's
 * h2s_bck_make_req_headers (src/mux_h2.c) — see `encodeRequestFields`.
 */
import { H_HOST, H_UPGRADE, RequestHeadParser, type RequestHead } from '../../http/codec/index.ts';
import { ErrorCode, H2Error, type HpackEncoder } from '../../http/h2/index.ts';
import { isConnectionSpecific } from './connection-specific.ts';
import { h2FieldName } from './field-name.ts';
import { H1BodyReader, type TrailerFields } from './h1-body-reader.ts';

/**
 * The limits of a request head toward an HTTP/2 server: its stream applied its own (tune.http.maxhdr)
 * before its rules, so these leave room for what the rules and the proxy add.
 */
export const REQUEST_MAX_FIELDS = 1000;
export const REQUEST_MAX_HEAD_SIZE = 1 << 20;

/** Where the translated request goes. */
export interface RequestSink {
  /** The head; `endStream` when no body follows. */
  requestHead(head: RequestHead, endStream: boolean): void;
  /** Payload bytes of the body. */
  requestPayload(chunk: Uint8Array, start: number, end: number): void;
  /** The body ended; `trailers` are a chunked body's trailer fields (lowercase names), if any. */
  requestEnd(trailers: TrailerFields | undefined): void;
}

export class RequestTranslator {
  /**
   * For a head written as bytes (one that waited for a stream slot, or that its stream could not
   * build as a head): made at the first, as most heads come built (`takeHead`).
   */
  #parser: RequestHeadParser | undefined = undefined;
  /** Made for the first request with a body: most have none (an HTTP/2 server connection's stream carries one request). */
  #body: H1BodyReader | undefined = undefined;
  readonly #sink: RequestSink;
  #state: 'head' | 'body' | 'done' = 'head';

  constructor(sink: RequestSink) {
    this.#sink = sink;
  }

  /** A new request begins with the next byte. */
  begin(): void {
    this.#state = 'head';
    this.#parser?.reset();
  }

  /** Whether the head was read (the request has begun on the wire). */
  get started(): boolean {
    return this.#state !== 'head' || (this.#parser?.bytesReceived ?? 0) > 0;
  }

  get ended(): boolean {
    return this.#state === 'done';
  }

  /**
   * The request's head as its stream built it (HeadEditor.buildRequestHead: what the parser
   * would make of its bytes); its body follows through feed(). Throws HttpParseError.
   */
  takeHead(head: RequestHead): void {
    if (this.#state !== 'head' || this.started) throw new H2Error(ErrorCode.INTERNAL_ERROR, 'a request head in the middle of a request');
    this.#headRead(head);
  }

  /** Request bytes in HTTP/1 form; returns the bytes used (the rest belongs to no request). Throws HttpParseError. */
  feed(bytes: Uint8Array): number {
    let off = 0;
    const end = bytes.byteLength;
    while (off < end && this.#state !== 'done') {
      if (this.#state === 'head') {
        // The stream built the head itself (after its own limits): room for what rules may add.
        const parser = (this.#parser ??= new RequestHeadParser({ maxHeaders: REQUEST_MAX_FIELDS, maxHeadSize: REQUEST_MAX_HEAD_SIZE }));
        off += parser.feed(bytes, off);
        if (!parser.done) return off;
        this.#headRead(parser.head as RequestHead);
        continue;
      }
      const body = this.#body!;
      off += body.feed(bytes, off);
      if (body.done) {
        this.#state = 'done';
        this.#sink.requestEnd(body.trailers());
      }
    }
    return off;
  }

  #headRead(head: RequestHead): void {
    let bodyless = !head.hasBody;
    if (!bodyless) {
      const sink = this.#sink;
      const body = (this.#body ??= new H1BodyReader((chunk, start, end) => sink.requestPayload(chunk, start, end)));
      body.framer.startRequest(head);
      bodyless = body.done;
    }
    this.#state = bodyless ? 'done' : 'body';
    this.#sink.requestHead(head, bodyless);
  }

  /** Drops the head parser's scratch buffers. */
  release(): void {
    this.#parser?.release();
  }
}

/**
 * The `:protocol` of an HTTP/1.1 Upgrade request sent to an HTTP/2 server: the first protocol of
 * its Upgrade header, at most 15 characters (HAProxy's h2s->upgrade_protocol), else undefined.
 */
export function upgradeProtocol(head: RequestHead): string | undefined {
  if (!head.upgrade) return undefined;
  const value = head.get(H_UPGRADE);
  if (value === undefined) return undefined;
  const comma = value.indexOf(',');
  return (comma < 0 ? value : value.slice(0, comma)).trim().slice(0, 15);
}

/** "trailers" as a whole element of a `te` value (HAProxy's istist test), else undefined. */
function teTrailers(value: string): string | undefined {
  const at = value.toLowerCase().indexOf('trailers');
  if (at < 0) return undefined;
  const next = value.charCodeAt(at + 8);
  return at + 8 < value.length && next !== 0x2c /* , */ ? undefined : 'trailers';
}

/** The scheme and authority of an HTTP/2 client's request (HttpStream's http2Origin). */
export interface Http2Origin {
  readonly scheme: string;
  readonly authority: string;
}

/**
 * Encodes `head` as an HTTP/2 request header list, as HAProxy 2.6 does toward a server:
 * `:method`; for CONNECT `:authority` (the target) only; else `:scheme` and `:authority` from
 * an absolute-form target, or `https` and no authority for an origin-form one (the Host field
 * then goes as a regular field: "Host is never sent as the authority"), then `:path` ("/", or
 * "*" for OPTIONS, when empty). Connection-specific fields are dropped, Host too when an
 * authority was sent, and `te` goes only as "trailers". Names go lowercase (RFC 9113 §8.2).
 */
export function encodeRequestFields(head: RequestHead, encoder: HpackEncoder, protocol?: string, madeUpKey?: string, origin?: Http2Origin): void {
  // An HTTP/1.1 Upgrade toward an HTTP/2 server is an extended CONNECT (RFC 8441), whose
  // `:authority` is the Host (HAProxy's h2s_bck_make_req_headers) and `:protocol` the upgrade.
  const method = protocol === undefined ? head.method : 'CONNECT';
  let uri = head.target;
  let authority = '';
  encoder.add(':method', method);
  if (method === 'CONNECT' && protocol === undefined) {
    authority = uri;
    encoder.add(':authority', authority);
  } else {
    let scheme = '';
    const c = uri.charCodeAt(0);
    if (c !== 0x2f /* / */ && c !== 0x2a /* * */) {
      const colon = uri.indexOf(':');
      if (colon > 0 && uri.startsWith('//', colon + 1)) {
        scheme = uri.slice(0, colon);
        const rest = colon + 3;
        let slash = uri.indexOf('/', rest);
        if (slash < 0) slash = uri.length;
        authority = uri.slice(rest, slash);
        uri = uri.slice(slash);
      }
    } else if (origin !== undefined) {
      // An HTTP/2 client's request: its normalized URI's scheme and authority (HAProxy's absolute form).
      scheme = origin.scheme;
      authority = origin.authority;
    }
    if (protocol !== undefined) authority = head.get(H_HOST) ?? authority;
    encoder.add(':scheme', scheme === '' ? 'https' : scheme);
    if (authority !== '') encoder.add(':authority', authority);
    encoder.add(':path', uri !== '' ? uri : method === 'OPTIONS' ? '*' : '/');
    if (protocol !== undefined) encoder.add(':protocol', protocol);
  }
  for (let i = 0; i < head.headerCount; i++) {
    const name = h2FieldName(head, i);
    if (isConnectionSpecific(name) || (authority !== '' && name === 'host')) continue;
    if (name === 'te') {
      const te = teTrailers(head.valueAt(i));
      if (te !== undefined) encoder.add(name, te);
      continue;
    }
    if (madeUpKey !== undefined && name === 'sec-websocket-key' && head.valueAt(i) === madeUpKey) continue;
    encoder.addBytes(name, head.raw, head.offsets[4 * i + 2]!, head.offsets[4 * i + 3]!);
  }
}
