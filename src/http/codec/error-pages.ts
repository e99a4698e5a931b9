/**
 * HAProxy's default error responses (src/http.c `http_err_msgs`, HAProxy 2.6), pre-encoded once
 * at module load.
 *
 * Status lines and bodies are HAProxy's, byte for byte (including its quirks: "Bad request"
 * with a lowercase r, the stray "." in the 501 body). The header blocks are what HAProxy 2.6
 * puts on the wire (captured from the binary):
 *  - 400 and 408 are answered by its H1 mux itself (invalid request, `timeout http-request`),
 *    which writes the raw `http_err_msgs` text: mixed-case names, `Connection: close` before
 *    `Content-Type`;
 *  - every other page goes through its HTX layer, which lowercases header names, and the H1
 *    mux appends `connection: close` last when the connection closes.
 * 400 and 408 always close; any other page closes when asked to (errorResponse(status, true)),
 * e.g. when the request was a smuggling suspect.
 *
 *   HTTP/1.1 400 Bad request\r\n                  HTTP/1.1 503 Service Unavailable\r\n
 *   Content-length: 90\r\n                        content-length: 107\r\n
 *   Cache-Control: no-cache\r\n                   cache-control: no-cache\r\n
 *   Connection: close\r\n                         content-type: text/html\r\n
 *   Content-Type: text/html\r\n                   \r\n
 *   \r\n                                          <html><body><h1>503 ...
 *   <html><body><h1>400 Bad request</h1>\n...
 */
import { latin1Bytes } from './chars.ts';

export interface ErrorPage {
  readonly status: number;
  /** Reason phrase as HAProxy spells it. */
  readonly reason: string;
  /** HTML body (ASCII). */
  readonly body: string;
  /** HAProxy's message carries Connection: close (400, 408). */
  readonly alwaysClose: boolean;
}

const PAGES: readonly ErrorPage[] = [
  // `monitor-uri`'s answer, and a status errorfiles may be given for (HAProxy's http_err_codes).
  page(200, 'OK', 'Service ready.'),
  page(400, 'Bad request', 'Your browser sent an invalid request.', true),
  page(401, 'Unauthorized', 'You need a valid user and password to access this content.'),
  page(403, 'Forbidden', 'Request forbidden by administrative rules.'),
  page(404, 'Not Found', 'The resource could not be found.'),
  page(405, 'Method Not Allowed', 'A request was made of a resource using a request method not supported by that resource'),
  page(407, 'Unauthorized', 'You need a valid user and password to access this content.'),
  page(408, 'Request Time-out', "Your browser didn't send a complete request in time.", true),
  page(410, 'Gone', 'The resource is no longer available and will not be available again.'),
  page(413, 'Payload Too Large', 'The request entity exceeds the maximum allowed.'),
  page(421, 'Misdirected Request', 'Request sent to a non-authoritative server.'),
  page(422, 'Unprocessable Content', 'The server cannot process the contained instructions.'),
  page(425, 'Too Early', 'Your browser sent early data.'),
  page(429, 'Too Many Requests', 'You have sent too many requests in a given amount of time.'),
  page(500, 'Internal Server Error', 'An internal server error occurred.'),
  page(501, 'Not Implemented', '.The server does not support the functionality required to fulfill the request.'),
  page(502, 'Bad Gateway', 'The server returned an invalid or incomplete response.'),
  page(503, 'Service Unavailable', 'No server is available to handle this request.'),
  page(504, 'Gateway Time-out', "The server didn't respond in time."),
];

function page(status: number, reason: string, text: string, alwaysClose = false): ErrorPage {
  return { status, reason, body: `<html><body><h1>${status} ${reason}</h1>\n${text}\n</body></html>\n`, alwaysClose };
}

function encode(p: ErrorPage, close: boolean): Uint8Array {
  if (p.alwaysClose) {
    return latin1Bytes(
      `HTTP/1.1 ${p.status} ${p.reason}\r\n` +
        `Content-length: ${p.body.length}\r\n` +
        'Cache-Control: no-cache\r\n' +
        'Connection: close\r\n' +
        'Content-Type: text/html\r\n' +
        '\r\n' +
        p.body,
    );
  }
  return latin1Bytes(
    `HTTP/1.1 ${p.status} ${p.reason}\r\n` +
      `content-length: ${p.body.length}\r\n` +
      'cache-control: no-cache\r\n' +
      'content-type: text/html\r\n' +
      (close ? 'connection: close\r\n' : '') +
      '\r\n' +
      p.body,
  );
}

const BY_STATUS = new Map<number, { page: ErrorPage; keep: Uint8Array; close: Uint8Array }>();
for (const p of PAGES) {
  const close = encode(p, true);
  BY_STATUS.set(p.status, { page: p, keep: p.alwaysClose ? close : encode(p, false), close });
}

/** Statuses with a built-in page: HAProxy's http_err_codes, the statuses `errorfile` accepts. */
export const ERROR_STATUSES: readonly number[] = PAGES.map((p) => p.status);

/** The built-in page for a status; like HAProxy, an unknown status gets the 500 page. */
export function errorPage(status: number): ErrorPage {
  return (BY_STATUS.get(status) ?? BY_STATUS.get(500)!).page;
}

/**
 * The complete pre-encoded response (head + body) for a status. Shared and immutable: write it,
 * never modify it. `close` adds `connection: close` (400 and 408 always have it).
 */
export function errorResponse(status: number, close = false): Uint8Array {
  const e = BY_STATUS.get(status) ?? BY_STATUS.get(500)!;
  return close ? e.close : e.keep;
}

/** True when the page for this status always closes the connection (400, 408). */
export function errorClosesConnection(status: number): boolean {
  return (BY_STATUS.get(status) ?? BY_STATUS.get(500)!).page.alwaysClose;
}
