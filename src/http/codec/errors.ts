/**
 * Parse errors with stable codes (undici style) and the status the proxy answers with.
 *
 * Status rules (DESIGN.md §5): every malformed request is 400, except a well-formed request
 * Transfer-Encoding naming a coding we do not know (422). Every malformed response is 502
 * (the client gets HAProxy's "invalid or incomplete response" page).
 */

export type HttpErrorCode =
  // size limits
  | 'HEAD_TOO_LARGE'
  | 'TOO_MANY_HEADERS'
  | 'TRAILERS_TOO_LARGE'
  // start line
  | 'BAD_REQUEST_LINE'
  | 'BAD_STATUS_LINE'
  | 'BAD_STATUS'
  | 'BAD_VERSION'
  | 'BAD_URI'
  | 'CONTROL_CHAR_IN_URI'
  // field lines
  | 'BAD_HEADER_NAME'
  | 'BAD_HEADER_VALUE'
  | 'OBS_FOLD'
  | 'BARE_LF'
  | 'BARE_CR'
  // framing / semantics
  | 'BAD_CONTENT_LENGTH'
  | 'DUPLICATE_CONTENT_LENGTH'
  | 'BAD_TRANSFER_ENCODING'
  | 'CHUNKED_TWICE'
  | 'CHUNKED_NOT_LAST'
  | 'UNKNOWN_TRANSFER_ENCODING'
  | 'BAD_HOST'
  | 'DUPLICATE_HOST'
  | 'BAD_WEBSOCKET_KEY'
  // body
  | 'BAD_CHUNK'
  | 'BAD_TRAILER'
  | 'INCOMPLETE_MESSAGE';

export class HttpParseError extends Error {
  override readonly name = 'HttpParseError';
  /** Stable machine-readable reason. */
  readonly code: HttpErrorCode;
  /** Status the proxy sends to the client: 400/422 for a bad request, 502 for a bad response. */
  readonly status: number;
  /** True when the offending message was a response (from a server). */
  readonly isResponse: boolean;
  /** Byte offset within the message (head: from its first byte; body: from the body's first byte), or -1. */
  readonly offset: number;

  constructor(code: HttpErrorCode, isResponse: boolean, offset = -1, detail?: string) {
    super(`${code}${detail === undefined ? '' : `: ${detail}`}${offset >= 0 ? ` (at byte ${offset})` : ''}`);
    this.code = code;
    this.isResponse = isResponse;
    this.status = statusForError(code, isResponse);
    this.offset = offset;
  }
}

/** The status a proxy answers with for a parse error (HAProxy: 400 for requests, 502 for responses). */
export function statusForError(code: HttpErrorCode, isResponse: boolean): number {
  if (isResponse) return 502;
  return code === 'UNKNOWN_TRANSFER_ENCODING' ? 422 : 400;
}
