/**
 * Valid and invalid HTTP/1.1 messages with the exact outcome each must produce. Every case is
 * checked whole and at every split point (corpus.test.ts). Inputs are latin1 strings.
 *
 * `messages` lists, per parsed message, a subset of head fields (see harness.ts summaries) plus
 * optional body expectations; `error` is the code and status the whole stream must end with.
 */
import type { RunOptions } from './harness.ts';

export interface ExpectedMessage {
  head?: Record<string, unknown>;
  headBytes?: number;
  bodyMode?: string;
  bodyBytes?: number;
  payload?: string;
}

export interface Case {
  name: string;
  kind: 'request' | 'response';
  input: string;
  opts?: RunOptions;
  messages?: ExpectedMessage[];
  error?: { code: string; status: number; phase?: 'head' | 'body' };
  tunnel?: string;
  pending?: boolean;
}

const H = 'Host: example.com\r\n';

const BROWSER_GET =
  'GET /products/shoes?color=red&size=42 HTTP/1.1\r\n' +
  'Host: www.example.com\r\n' +
  'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n' +
  'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n' +
  'Accept-Language: en-US,en;q=0.5\r\n' +
  'Accept-Encoding: gzip, deflate, br, zstd\r\n' +
  'Connection: keep-alive\r\n' +
  'Cookie: session=abc123; theme=dark\r\n' +
  'Upgrade-Insecure-Requests: 1\r\n' +
  'Sec-Fetch-Dest: document\r\n' +
  '\r\n';

function manyHeaders(n: number): string {
  let s = 'GET / HTTP/1.1\r\nHost: a\r\n';
  for (let i = 1; i < n; i++) s += `X-H${i}: ${i}\r\n`;
  return `${s}\r\n`;
}

const req = (name: string, input: string, rest: Omit<Case, 'name' | 'kind' | 'input'>): Case => ({ name, kind: 'request', input, ...rest });
const res = (name: string, input: string, rest: Omit<Case, 'name' | 'kind' | 'input'>): Case => ({ name, kind: 'response', input, ...rest });
const bad = (code: string, status = 400, phase: 'head' | 'body' = 'head') => ({ error: { code, status, phase } });

export const REQUEST_CASES: Case[] = [
  // ---- valid requests
  req('simple GET', `GET / HTTP/1.1\r\n${H}\r\n`, {
    messages: [
      {
        head: { method: 'GET', target: '/', versionMinor: 1, headers: [['Host', 'example.com']], contentLength: undefined, chunked: false, keepAlive: true, mustClose: false, host: 'example.com', hostFromTarget: false },
        headBytes: 37,
        bodyMode: 'none',
        bodyBytes: 0,
      },
    ],
  }),
  req('browser GET', BROWSER_GET, {
    messages: [{ head: { method: 'GET', target: '/products/shoes?color=red&size=42', host: 'www.example.com', keepAlive: true }, headBytes: BROWSER_GET.length }],
  }),
  req('HTTP/1.0 without Host closes by default', 'GET /x HTTP/1.0\r\n\r\n', {
    messages: [{ head: { versionMinor: 0, host: undefined, keepAlive: false, mustClose: true, headers: [] } }],
  }),
  req('HTTP/1.0 keep-alive', 'GET /x HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n', {
    messages: [{ head: { versionMinor: 0, keepAlive: true, mustClose: false } }],
  }),
  req('HTTP/1.0 keep-alive, close wins', 'GET /x HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n', {
    messages: [{ head: { keepAlive: false } }],
  }),
  req('HTTP/1.1 Connection: close', `GET / HTTP/1.1\r\n${H}Connection: foo, CLOSE\r\n\r\n`, {
    messages: [{ head: { keepAlive: false, mustClose: true } }],
  }),
  req('POST with Content-Length', `POST /f HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\nhello`, {
    messages: [{ head: { method: 'POST', contentLength: 5, chunked: false }, bodyMode: 'length', bodyBytes: 5, payload: 'hello' }],
  }),
  req('Content-Length: 0', `POST /f HTTP/1.1\r\n${H}Content-Length: 0\r\n\r\n`, {
    messages: [{ head: { contentLength: 0 }, bodyMode: 'length', bodyBytes: 0, payload: '' }],
  }),
  req('Content-Length with leading zeros', `POST /f HTTP/1.1\r\n${H}Content-Length: 007\r\n\r\n1234567`, {
    messages: [{ head: { contentLength: 7 }, payload: '1234567' }],
  }),
  req('identical Content-Length list is one length', `POST /f HTTP/1.1\r\n${H}Content-Length: 3 ,3,  3\r\n\r\nabc`, {
    messages: [{ head: { contentLength: 3 }, payload: 'abc' }],
  }),
  req('identical repeated Content-Length headers', `POST /f HTTP/1.1\r\n${H}Content-Length: 3\r\ncontent-length: 3\r\n\r\nabc`, {
    messages: [{ head: { contentLength: 3 }, payload: 'abc' }],
  }),
  req('Content-Length 2^53-1 accepted', `POST /f HTTP/1.1\r\n${H}Content-Length: 9007199254740991\r\n\r\nab`, {
    messages: [],
    pending: true,
    error: { code: 'INCOMPLETE_MESSAGE', status: 400, phase: 'body' },
  }),
  req(
    'chunked with extensions and trailers',
    `POST /up HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n` +
      '5;name=value;q="a \\"quoted\\" ;x"\r\nhello\r\n' +
      '000B ; ext\r\n world!!!!!\r\n' +
      '0\r\nX-Checksum: abc\r\nX-Other:\tv \r\n\r\n',
    {
      messages: [
        {
          head: { chunked: true, contentLength: undefined, smuggleSuspect: false },
          bodyMode: 'chunked',
          payload: 'hello world!!!!!',
          bodyBytes: '5;name=value;q="a \\"quoted\\" ;x"\r\nhello\r\n000B ; ext\r\n world!!!!!\r\n0\r\nX-Checksum: abc\r\nX-Other:\tv \r\n\r\n'.length,
        },
      ],
    },
  ),
  req('chunked, empty body', `POST /up HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, {
    messages: [{ bodyMode: 'chunked', bodyBytes: 5, payload: '' }],
  }),
  // HAProxy bounds the value, not the digits (h1_parse_chunk_size); the framer reports the
  // redundant zeros as not to be forwarded (body-framer.test.ts).
  req('chunk size with leading zeros', `POST /up HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n0000000000000000000005\r\nhello\r\n00\r\n\r\n`, {
    messages: [{ head: { chunked: true }, bodyMode: 'chunked', payload: 'hello', bodyBytes: '0000000000000000000005\r\nhello\r\n00\r\n\r\n'.length }],
  }),
  // RFC 9112 §6.1: the framing of an HTTP/1.0 message with Transfer-Encoding is suspect; HAProxy
  // (reg-test http_transfer_encoding) processes it and closes the connection after.
  req('Transfer-Encoding in an HTTP/1.0 request: processed, then close', `POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, {
    messages: [{ head: { versionMinor: 0, chunked: true, smuggleSuspect: true, mustClose: true }, bodyMode: 'chunked', payload: 'hello' }],
  }),
  req('HTTP/1.0 with Transfer-Encoding and Content-Length: TE wins, then close', `POST / HTTP/1.0\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, {
    messages: [{ head: { versionMinor: 0, chunked: true, contentLength: undefined, smuggleSuspect: true, mustClose: true }, bodyMode: 'chunked', payload: '' }],
  }),
  req('chunked, uppercase hex and coding name', `POST /up HTTP/1.1\r\n${H}Transfer-Encoding: Chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n`, {
    messages: [{ head: { chunked: true }, payload: '0123456789' }],
  }),
  // HAProxy 2.6 applies no coding and refuses any besides chunked (422), well-formed or not.
  req('gzip, chunked -> 422', `POST /up HTTP/1.1\r\n${H}Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`, bad('UNKNOWN_TRANSFER_ENCODING', 422)),
  req('coding parameters on another coding -> 422', `POST /up HTTP/1.1\r\n${H}Transfer-Encoding: gzip;q=1 ; level="9", chunked\r\n\r\n0\r\n\r\n`, bad('UNKNOWN_TRANSFER_ENCODING', 422)),
  req('Transfer-Encoding split over two headers', `POST /up HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, bad('CHUNKED_TWICE')),
  req('deflate then chunked over two headers -> 422', `POST /up HTTP/1.1\r\n${H}Transfer-Encoding: deflate\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, bad('UNKNOWN_TRANSFER_ENCODING', 422)),
  req('CL + TE: TE wins, flagged, must close', `POST /up HTTP/1.1\r\n${H}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`, {
    messages: [{ head: { chunked: true, contentLength: undefined, smuggleSuspect: true, mustClose: true, keepAlive: true }, bodyMode: 'chunked', payload: 'abc' }],
  }),
  req('leading empty lines are skipped', `\r\n\r\nGET / HTTP/1.1\r\n${H}\r\n`, {
    messages: [{ head: { method: 'GET', raw: `GET / HTTP/1.1\r\n${H}\r\n` }, headBytes: 41 }],
  }),
  req(
    'three pipelined requests',
    `GET /1 HTTP/1.1\r\n${H}\r\nPOST /2 HTTP/1.1\r\n${H}Content-Length: 4\r\n\r\nbodyPUT /3 HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\nGET /4 HTTP/1.1\r\n${H}\r\n`,
    {
      messages: [
        { head: { method: 'GET', target: '/1' }, bodyBytes: 0 },
        { head: { method: 'POST', target: '/2' }, payload: 'body', bodyBytes: 4 },
        { head: { method: 'PUT', target: '/3' }, payload: 'hi', bodyBytes: 12 },
        { head: { method: 'GET', target: '/4' }, bodyBytes: 0 },
      ],
    },
  ),
  req('absolute-form: the target authority wins over Host', 'GET http://origin.example:8080/p?q HTTP/1.1\r\nHost: other.example\r\n\r\n', {
    messages: [{ head: { target: 'http://origin.example:8080/p?q', host: 'origin.example:8080', hostFromTarget: true } }],
  }),
  req('absolute-form without path', 'GET https://origin.example HTTP/1.1\r\nHost: origin.example\r\n\r\n', {
    messages: [{ head: { host: 'origin.example', hostFromTarget: true } }],
  }),
  req('CONNECT authority-form', 'CONNECT db.example:5432 HTTP/1.1\r\nHost: db.example:5432\r\n\r\n', {
    messages: [{ head: { method: 'CONNECT', target: 'db.example:5432', host: 'db.example:5432', hostFromTarget: true }, bodyMode: 'none' }],
  }),
  req('OPTIONS *', `OPTIONS * HTTP/1.1\r\n${H}\r\n`, { messages: [{ head: { method: 'OPTIONS', target: '*' } }] }),
  req('Expect: 100-continue', `PUT /f HTTP/1.1\r\n${H}Expect: 100-Continue\r\nContent-Length: 1\r\n\r\nx`, {
    messages: [{ head: { expectContinue: true }, payload: 'x' }],
  }),
  req('Expect ignored in HTTP/1.0', 'PUT /f HTTP/1.0\r\nExpect: 100-continue\r\n\r\n', {
    messages: [{ head: { expectContinue: false } }],
  }),
  req('websocket upgrade', `GET /ws HTTP/1.1\r\n${H}Connection: keep-alive, Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`, {
    messages: [{ head: { upgrade: true, keepAlive: true } }],
  }),
  req('websocket upgrade without a key (RFC 6455, as HAProxy)', `GET /ws HTTP/1.1\r\n${H}Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n`, {
    error: { code: 'BAD_WEBSOCKET_KEY', status: 400 },
  }),
  req('websocket upgrade with a key of the wrong length', `GET /ws HTTP/1.1\r\n${H}Connection: Upgrade\r\nUpgrade: h2c, WebSocket\r\nSec-WebSocket-Key: short\r\n\r\n`, {
    error: { code: 'BAD_WEBSOCKET_KEY', status: 400 },
  }),
  req('Connection: upgrade without Upgrade header', `GET /ws HTTP/1.1\r\n${H}Connection: upgrade\r\n\r\n`, {
    messages: [{ head: { upgrade: false } }],
  }),
  req('values: OWS trimmed, inner kept, empty allowed, obs-text kept as latin1', `GET / HTTP/1.1\r\n${H}X-A: \t a  b \t\r\nX-Empty:\r\nX-Blank:   \r\nX-Latin: caf\xe9\r\nX-NoSpace:v\r\n\r\n`, {
    messages: [{ head: { headers: [['Host', 'example.com'], ['X-A', 'a  b'], ['X-Empty', ''], ['X-Blank', ''], ['X-Latin', 'caf\xe9'], ['X-NoSpace', 'v']] } }],
  }),
  req('extension method and odd token chars', `PURGE /c HTTP/1.1\r\n${H}X-!#$%&'*+-.^_\`|~: ok\r\n\r\n`, {
    messages: [{ head: { method: 'PURGE', headers: [['Host', 'example.com'], ["X-!#$%&'*+-.^_`|~", 'ok']] } }],
  }),
  req('lowercase method is just another token', `get / HTTP/1.1\r\n${H}\r\n`, { messages: [{ head: { method: 'get' } }] }),
  req('IPv6 Host with port', 'GET / HTTP/1.1\r\nHost: [2001:db8::1]:8443\r\n\r\n', { messages: [{ head: { host: '[2001:db8::1]:8443' } }] }),
  req('empty Host is allowed', 'GET / HTTP/1.1\r\nHost:\r\n\r\n', { messages: [{ head: { host: '' } }] }),
  req('pct-encoded Host', 'GET / HTTP/1.1\r\nHost: ex%41mple.com\r\n\r\n', { messages: [{ head: { host: 'ex%41mple.com' } }] }),
  // HAProxy 2.6 forwards these as written (reg-test http-rules/map_redirect): authority-shaped, no second host.
  req('Host with an empty host and a bad port', 'GET / HTTP/1.1\r\nHost: :8443example.org\r\n\r\n', { messages: [{ head: { host: ':8443example.org' } }] }),
  req('Host port out of range', 'GET / HTTP/1.1\r\nHost: example.com:65536\r\n\r\n', { messages: [{ head: { host: 'example.com:65536' } }] }),
  req('Host non-numeric port', 'GET / HTTP/1.1\r\nHost: example.com:8o\r\n\r\n', { messages: [{ head: { host: 'example.com:8o' } }] }),
  req('101 headers are allowed', manyHeaders(101), { messages: [{ head: { method: 'GET' } }] }),
  req('target with every allowed symbol', `GET /a-._~!$&'()*+,;=:@%20/?q=[]{}|\\^\`"<> HTTP/1.1\r\n${H}\r\n`, {
    messages: [{ head: { target: "/a-._~!$&'()*+,;=:@%20/?q=[]{}|\\^`\"<>" } }],
  }),
  req('head exactly at the size limit', `GET / HTTP/1.1\r\nHost: a\r\nX: ${'v'.repeat(40)}\r\n\r\n`, {
    opts: { maxHeadSize: 72 },
    messages: [{ headBytes: 72 }],
  }),
  req('incomplete head is pending, not an error', `GET / HTTP/1.1\r\n${H}`, { messages: [], pending: true }),

  // ---- request line
  // HAProxy's h1 parser skips runs of spaces between the request line's words (reg-test
  // http_request_buffer); the line is forwarded with single spaces.
  req('spaces between the request line words', `GET  /x   HTTP/1.1\r\n${H}\r\n`, { messages: [{ head: { method: 'GET', target: '/x', spacedRequestLine: true } }] }),
  // HAProxy 2.6's h1_process_req_vsn: HTTP/DIGIT.DIGIT, above 1.0 read as HTTP/1.1 (kept as
  // received for the logs); below 1.0 refused here (HAProxy forwards it as it came).
  req('HTTP/1.2 is read as HTTP/1.1', `GET / HTTP/1.2\r\n${H}\r\n`, { messages: [{ head: { versionMinor: 1, oddVersion: 'HTTP/1.2', keepAlive: true } }] }),
  req('HTTP/2.0 is read as HTTP/1.1', `GET / HTTP/2.0\r\n${H}\r\n`, { messages: [{ head: { versionMinor: 1, oddVersion: 'HTTP/2.0' } }] }),
  req('HTTP/1.0 and HTTP/1.1 are no odd versions', `GET / HTTP/1.0\r\n${H}\r\n`, { messages: [{ head: { versionMinor: 0, oddVersion: undefined } }] }),
  req('HTTP/0.9 with a version', `GET / HTTP/0.9\r\n${H}\r\n`, bad('BAD_VERSION')),
  req('HTTP/1.x', `GET / HTTP/1.x\r\n${H}\r\n`, bad('BAD_VERSION')),
  req('HTTP/1', `GET / HTTP/1\r\n${H}\r\n`, bad('BAD_VERSION')),
  req('PRI is the HTTP/2 preface, not a request', `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`, bad('BAD_REQUEST_LINE')),
  req('pri in any case', `pRi / HTTP/1.1\r\n${H}\r\n`, bad('BAD_REQUEST_LINE')),
  req('HTTP/1.10', `GET / HTTP/1.10\r\n${H}\r\n`, bad('BAD_VERSION')),
  req('lowercase http version', `GET / http/1.1\r\n${H}\r\n`, bad('BAD_REQUEST_LINE')),
  req('HTTP/0.9 request line', 'GET /\r\n\r\n', bad('BAD_REQUEST_LINE')),
  req('missing target', 'GET HTTP/1.1\r\n\r\n', bad('BAD_REQUEST_LINE')),
  req('non-token method', `G@T / HTTP/1.1\r\n${H}\r\n`, bad('BAD_REQUEST_LINE')),
  req('leading space', ` GET / HTTP/1.1\r\n${H}\r\n`, bad('BAD_REQUEST_LINE')),
  req('trailing space after version', `GET / HTTP/1.1 \r\n${H}\r\n`, bad('BAD_REQUEST_LINE')),
  req('control char in target', `GET /a\x01b HTTP/1.1\r\n${H}\r\n`, bad('CONTROL_CHAR_IN_URI')),
  req('DEL in target', `GET /a\x7fb HTTP/1.1\r\n${H}\r\n`, bad('CONTROL_CHAR_IN_URI')),
  req('HTAB in target', `GET /a\tb HTTP/1.1\r\n${H}\r\n`, bad('CONTROL_CHAR_IN_URI')),
  req('NUL in target', `GET /a\x00 HTTP/1.1\r\n${H}\r\n`, bad('CONTROL_CHAR_IN_URI')),
  req('non-ASCII in target', `GET /caf\xc3\xa9 HTTP/1.1\r\n${H}\r\n`, bad('BAD_URI')),
  req('fragment in target', `GET /a#frag HTTP/1.1\r\n${H}\r\n`, bad('BAD_URI')),
  req('space inside target', `GET /a b HTTP/1.1\r\n${H}\r\n`, bad('BAD_REQUEST_LINE')),
  req('CONNECT with origin-form', `CONNECT / HTTP/1.1\r\n${H}\r\n`, bad('BAD_URI')),
  req('CONNECT without port', 'CONNECT db.example HTTP/1.1\r\nHost: db.example\r\n\r\n', bad('BAD_URI')),
  req('authority-form on GET', `GET example.com:80 HTTP/1.1\r\n${H}\r\n`, bad('BAD_URI')),
  // HAProxy 2.6 takes a target starting with '*' for any method but CONNECT.
  req('asterisk-form on GET', `GET * HTTP/1.1\r\n${H}\r\n`, { messages: [{ head: { method: 'GET', target: '*' } }] }),
  req('asterisk-form with a query on POST', `POST *?a=1 HTTP/1.1\r\n${H}Content-Length: 0\r\n\r\n`, { messages: [{ head: { method: 'POST', target: '*?a=1' } }] }),
  req('asterisk-form on CONNECT', `CONNECT * HTTP/1.1\r\n${H}\r\n`, bad('BAD_URI')),
  req('userinfo in absolute-form', `GET http://user:pw@example.com/ HTTP/1.1\r\n${H}\r\n`, bad('BAD_URI')),
  req('empty authority in absolute-form', `GET http:///p HTTP/1.1\r\n${H}\r\n`, bad('BAD_URI')),
  req('absolute-form without //', `GET http:example.com HTTP/1.1\r\n${H}\r\n`, bad('BAD_URI')),

  // ---- line endings and field syntax
  req('bare LF ending the request line', 'GET / HTTP/1.1\nHost: a\r\n\r\n', bad('BARE_LF')),
  req('bare LF ending a header', `GET / HTTP/1.1\r\nHost: a\n\r\n`, bad('BARE_LF')),
  req('bare LF ending the head', `GET / HTTP/1.1\r\n${H}\n`, bad('BARE_LF')),
  req('bare LF as a leading empty line', `\nGET / HTTP/1.1\r\n${H}\r\n`, bad('BARE_LF')),
  req('bare CR inside a value', `GET / HTTP/1.1\r\n${H}X-A: a\rb\r\n\r\n`, bad('BARE_CR')),
  req('CR CR LF', `GET / HTTP/1.1\r\r\n${H}\r\n`, bad('BARE_CR')),
  req('NUL in a value', `GET / HTTP/1.1\r\n${H}X-A: a\x00b\r\n\r\n`, bad('BAD_HEADER_VALUE')),
  req('control char in a value', `GET / HTTP/1.1\r\n${H}X-A: a\x1bb\r\n\r\n`, bad('BAD_HEADER_VALUE')),
  req('DEL in a value', `GET / HTTP/1.1\r\n${H}X-A: a\x7fb\r\n\r\n`, bad('BAD_HEADER_VALUE')),
  req('space before colon', `GET / HTTP/1.1\r\nHost : example.com\r\n\r\n`, bad('BAD_HEADER_NAME')),
  req('tab before colon', `GET / HTTP/1.1\r\n${H}X-A\t: v\r\n\r\n`, bad('BAD_HEADER_NAME')),
  req('empty header name', `GET / HTTP/1.1\r\n${H}: v\r\n\r\n`, bad('BAD_HEADER_NAME')),
  req('space inside a name', `GET / HTTP/1.1\r\n${H}X A: v\r\n\r\n`, bad('BAD_HEADER_NAME')),
  req('separator in a name', `GET / HTTP/1.1\r\n${H}X(A): v\r\n\r\n`, bad('BAD_HEADER_NAME')),
  req('non-ASCII in a name', `GET / HTTP/1.1\r\n${H}X-\xe9: v\r\n\r\n`, bad('BAD_HEADER_NAME')),
  req('line without a colon', `GET / HTTP/1.1\r\n${H}NoColon\r\n\r\n`, bad('BAD_HEADER_NAME')),
  req('obs-fold', `GET / HTTP/1.1\r\n${H}X-A: a\r\n  b\r\n\r\n`, bad('OBS_FOLD')),
  req('obs-fold with HTAB', `GET / HTTP/1.1\r\n${H}X-A: a\r\n\tb\r\n\r\n`, bad('OBS_FOLD')),
  req('whitespace after the request line', `GET / HTTP/1.1\r\n ${H}\r\n`, bad('OBS_FOLD')),
  req('102 headers', manyHeaders(102), bad('TOO_MANY_HEADERS')),
  req('custom header limit', manyHeaders(3), { opts: { maxHeaders: 2 }, ...bad('TOO_MANY_HEADERS') }),
  req('head one byte over the size limit', `GET / HTTP/1.1\r\nHost: a\r\nX: ${'v'.repeat(41)}\r\n\r\n`, { opts: { maxHeadSize: 72 }, ...bad('HEAD_TOO_LARGE') }),
  req('default 15360-byte limit', `GET / HTTP/1.1\r\nHost: a\r\nX: ${'v'.repeat(15400)}\r\n\r\n`, bad('HEAD_TOO_LARGE')),
  req('endless leading empty lines hit the size limit', '\r\n'.repeat(100), { opts: { maxHeadSize: 64 }, ...bad('HEAD_TOO_LARGE') }),

  // ---- Content-Length
  req('non-digit Content-Length', `POST / HTTP/1.1\r\n${H}Content-Length: 5a\r\n\r\n`, bad('BAD_CONTENT_LENGTH')),
  req('empty Content-Length', `POST / HTTP/1.1\r\n${H}Content-Length:\r\n\r\n`, bad('BAD_CONTENT_LENGTH')),
  req('blank Content-Length', `POST / HTTP/1.1\r\n${H}Content-Length:   \r\n\r\n`, bad('BAD_CONTENT_LENGTH')),
  req('negative Content-Length', `POST / HTTP/1.1\r\n${H}Content-Length: -1\r\n\r\n`, bad('BAD_CONTENT_LENGTH')),
  req('signed Content-Length', `POST / HTTP/1.1\r\n${H}Content-Length: +5\r\n\r\n`, bad('BAD_CONTENT_LENGTH')),
  req('Content-Length with inner space', `POST / HTTP/1.1\r\n${H}Content-Length: 1 0\r\n\r\n`, bad('BAD_CONTENT_LENGTH')),
  req('Content-Length trailing comma', `POST / HTTP/1.1\r\n${H}Content-Length: 5,\r\n\r\n`, bad('BAD_CONTENT_LENGTH')),
  req('Content-Length empty element', `POST / HTTP/1.1\r\n${H}Content-Length: 5,,5\r\n\r\n`, bad('BAD_CONTENT_LENGTH')),
  req('Content-Length hex', `POST / HTTP/1.1\r\n${H}Content-Length: 0x10\r\n\r\n`, bad('BAD_CONTENT_LENGTH')),
  req('Content-Length 2^53 overflows', `POST / HTTP/1.1\r\n${H}Content-Length: 9007199254740992\r\n\r\n`, bad('BAD_CONTENT_LENGTH')),
  req('Content-Length huge', `POST / HTTP/1.1\r\n${H}Content-Length: 99999999999999999999999\r\n\r\n`, bad('BAD_CONTENT_LENGTH')),
  req('differing Content-Length list', `POST / HTTP/1.1\r\n${H}Content-Length: 5, 6\r\n\r\n`, bad('DUPLICATE_CONTENT_LENGTH')),
  req('differing Content-Length headers', `POST / HTTP/1.1\r\n${H}Content-Length: 5\r\nContent-Length: 6\r\n\r\n`, bad('DUPLICATE_CONTENT_LENGTH')),
  req('bad Content-Length is rejected even with TE', `POST / HTTP/1.1\r\n${H}Content-Length: x\r\nTransfer-Encoding: chunked\r\n\r\n`, bad('BAD_CONTENT_LENGTH')),

  // ---- Transfer-Encoding
  req('TE final coding not chunked', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: gzip\r\n\r\n`, bad('CHUNKED_NOT_LAST')),
  req('TE chunked then gzip', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked, gzip\r\n\r\n`, bad('CHUNKED_NOT_LAST')),
  req('TE unknown alone is 400 (not last chunked)', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: foo\r\n\r\n`, bad('CHUNKED_NOT_LAST')),
  req('TE chunked twice in one header', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked, chunked\r\n\r\n`, bad('CHUNKED_TWICE')),
  req('TE chunked twice across headers', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n`, bad('CHUNKED_TWICE')),
  req('TE unknown coding before chunked -> 422', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: foo, chunked\r\n\r\n`, bad('UNKNOWN_TRANSFER_ENCODING', 422)),
  req('TE identity, chunked -> 422', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: identity, chunked\r\n\r\n`, bad('UNKNOWN_TRANSFER_ENCODING', 422)),
  req('TE empty', `POST / HTTP/1.1\r\n${H}Transfer-Encoding:\r\n\r\n`, bad('BAD_TRANSFER_ENCODING')),
  req('TE trailing comma', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked,\r\n\r\n`, bad('BAD_TRANSFER_ENCODING')),
  req('TE leading comma', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: , chunked\r\n\r\n`, bad('BAD_TRANSFER_ENCODING')),
  req('TE chunked with a parameter', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked;x=1\r\n\r\n`, bad('BAD_TRANSFER_ENCODING')),
  req('TE with a space inside a coding', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chun ked\r\n\r\n`, bad('BAD_TRANSFER_ENCODING')),
  req('TE quoted', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: "chunked"\r\n\r\n`, bad('BAD_TRANSFER_ENCODING')),
  req('TE with a bad parameter', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: gzip;q, chunked\r\n\r\n`, bad('BAD_TRANSFER_ENCODING')),
  req('TE in an HTTP/1.0 request, chunked not last', 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked, gzip\r\n\r\n', bad('CHUNKED_NOT_LAST')),
  req('TE with a vertical tab', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: \x0bchunked\r\n\r\n`, bad('BAD_HEADER_VALUE')),

  // ---- Host
  req('identical duplicate Host', `GET / HTTP/1.1\r\n${H}${H}\r\n`, bad('DUPLICATE_HOST')),
  req('differing duplicate Host', `GET / HTTP/1.1\r\n${H}host: evil.example\r\n\r\n`, bad('DUPLICATE_HOST')),
  req('Host with a space', 'GET / HTTP/1.1\r\nHost: exa mple.com\r\n\r\n', bad('BAD_HOST')),
  req('Host with a path', 'GET / HTTP/1.1\r\nHost: example.com/x\r\n\r\n', bad('BAD_HOST')),
  req('Host with userinfo', 'GET / HTTP/1.1\r\nHost: u@example.com\r\n\r\n', bad('BAD_HOST')),
  req('Host as a list (comma)', 'GET / HTTP/1.1\r\nHost: a.example,b.example\r\n\r\n', bad('BAD_HOST')),
  req('Host as a list (comma and space)', 'GET / HTTP/1.1\r\nHost: a.example, b.example\r\n\r\n', bad('BAD_HOST')),
  req('Host with a backslash', 'GET / HTTP/1.1\r\nHost: a.example\\b\r\n\r\n', bad('BAD_HOST')),
  req('Host bad pct-encoding', 'GET / HTTP/1.1\r\nHost: ex%4gmple.com\r\n\r\n', bad('BAD_HOST')),
  req('Host unterminated IP literal', 'GET / HTTP/1.1\r\nHost: [::1\r\n\r\n', bad('BAD_HOST')),

  // ---- chunked body errors (requests -> 400)
  req('non-hex chunk size', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nzz\r\n`, bad('BAD_CHUNK', 400, 'body')),
  req('empty chunk size', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n\r\n`, bad('BAD_CHUNK', 400, 'body')),
  req('negative chunk size', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n-5\r\n`, bad('BAD_CHUNK', 400, 'body')),
  req('bare LF after chunk size', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n`, bad('BARE_LF', 400, 'body')),
  req('bare LF after chunk data', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n`, bad('BARE_LF', 400, 'body')),
  req('bare LF after last chunk', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n0\n\r\n`, bad('BARE_LF', 400, 'body')),
  req('bare LF ending the trailers', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n0\r\n\n`, bad('BARE_LF', 400, 'body')),
  req('chunk data longer than its size', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n`, bad('BAD_CHUNK', 400, 'body')),
  req('chunk size overflow', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n20000000000000\r\n`, bad('BAD_CHUNK', 400, 'body')),
  req('chunk size of 2^52 (HAProxy\'s bound)', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n10000000000000\r\n`, bad('BAD_CHUNK', 400, 'body')),
  req('chunk size too long, even of zeros', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n${'0'.repeat(5000)}5\r\nhello\r\n0\r\n\r\n`, bad('BAD_CHUNK', 400, 'body')),
  req('whitespace after chunk size', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n`, bad('BAD_CHUNK', 400, 'body')),
  req('control char in chunk extension', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5;a\x01\r\nhello\r\n0\r\n\r\n`, bad('BAD_CHUNK', 400, 'body')),
  req('unterminated quoted extension', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5;a="x\r\nhello\r\n0\r\n\r\n`, bad('BAD_CHUNK', 400, 'body')),
  req('chunk size line too long', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5;${'a'.repeat(5000)}\r\nhello\r\n0\r\n\r\n`, bad('BAD_CHUNK', 400, 'body')),
  req('Content-Length in trailers', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n0\r\nContent-Length: 5\r\n\r\n`, bad('BAD_TRAILER', 400, 'body')),
  req('Transfer-Encoding in trailers', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n0\r\ntransfer-encoding: chunked\r\n\r\n`, bad('BAD_TRAILER', 400, 'body')),
  req('obs-fold in trailers', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n0\r\nX-A: a\r\n b\r\n\r\n`, bad('OBS_FOLD', 400, 'body')),
  req('bad trailer name', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n0\r\nX A: a\r\n\r\n`, bad('BAD_HEADER_NAME', 400, 'body')),
  req('NUL in a trailer value', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n0\r\nX-A: a\x00\r\n\r\n`, bad('BAD_HEADER_VALUE', 400, 'body')),
  req('chunked body cut short', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhel`, { ...bad('INCOMPLETE_MESSAGE', 400, 'body'), pending: true }),
  req('length body cut short', `POST / HTTP/1.1\r\n${H}Content-Length: 10\r\n\r\nhel`, { ...bad('INCOMPLETE_MESSAGE', 400, 'body'), pending: true }),
];

export const RESPONSE_CASES: Case[] = [
  res('200 with Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi', {
    messages: [{ head: { status: 200, reason: 'OK', versionMinor: 1, contentLength: 2, keepAlive: true }, bodyMode: 'length', payload: 'hi' }],
  }),
  res('chunked with trailers', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nwiki\r\n5\r\npedia\r\n0\r\nExpires: never\r\n\r\n', {
    messages: [{ head: { chunked: true }, bodyMode: 'chunked', payload: 'wikipedia' }],
  }),
  res('pipelined: 204 and 304 have no body', 'HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx', {
    messages: [
      { head: { status: 204, contentLength: 10 }, bodyMode: 'none', bodyBytes: 0 },
      { head: { status: 304 }, bodyMode: 'none', bodyBytes: 0 },
      { head: { status: 200 }, bodyMode: 'length', payload: 'x' },
    ],
  }),
  res('answer to HEAD has no body', 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', {
    opts: { methods: ['HEAD', 'GET'] },
    messages: [{ bodyMode: 'none' }, { bodyMode: 'chunked' }],
  }),
  res('100 Continue then the final response', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n', {
    messages: [{ head: { status: 100, reason: 'Continue' }, bodyMode: 'none' }, { head: { status: 103 }, bodyMode: 'none' }, { head: { status: 201 }, bodyMode: 'length' }],
  }),
  res('101 websocket without Sec-WebSocket-Accept (as HAProxy: a bad response)', 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n', {
    error: { code: 'BAD_WEBSOCKET_KEY', status: 502 },
  }),
  res('101 switches protocols', 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\x81\x05hello', {
    messages: [{ head: { status: 101, upgrade: true }, bodyMode: 'none' }],
    tunnel: '\x81\x05hello',
  }),
  res('CONNECT 200 is a tunnel', 'HTTP/1.1 200 Connection established\r\n\r\nraw bytes', {
    opts: { methods: ['CONNECT'] },
    messages: [{ head: { status: 200, reason: 'Connection established' }, bodyMode: 'none' }],
    tunnel: 'raw bytes',
  }),
  res('no length: until close', 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of this until EOF', {
    messages: [{ bodyMode: 'close', payload: 'all of this until EOF', head: { keepAlive: true } }],
  }),
  res('HTTP/1.0 until close', 'HTTP/1.0 200 OK\r\n\r\nold', { messages: [{ head: { versionMinor: 0, keepAlive: false, mustClose: true }, bodyMode: 'close', payload: 'old' }] }),
  res('TE without chunked: until close', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabcdef', {
    messages: [{ head: { closeDelimited: true, chunked: false, contentLength: undefined, smuggleSuspect: true, mustClose: true }, bodyMode: 'close', payload: 'abcdef' }],
  }),
  res('CL + TE response: TE wins', 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n', {
    messages: [{ head: { chunked: true, contentLength: undefined, smuggleSuspect: true, mustClose: true }, payload: 'a' }],
  }),
  res('another coding before chunked on a response -> 502 (HAProxy 2.6.12, checked)', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: br, chunked\r\n\r\n0\r\n\r\n', bad('UNKNOWN_TRANSFER_ENCODING', 502)),
  res('status line without reason', 'HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n', { messages: [{ head: { status: 200, reason: '' } }] }),
  res('empty reason after SP', 'HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n', { messages: [{ head: { status: 404, reason: '' } }] }),
  res('reason with obs-text and tab', 'HTTP/1.1 200 \xc7a\tva\r\nContent-Length: 0\r\n\r\n', { messages: [{ head: { reason: '\xc7a\tva' } }] }),
  res('response Connection: close', 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', { messages: [{ head: { keepAlive: false, mustClose: true } }] }),
  res('response Host header is not special', 'HTTP/1.1 200 OK\r\nHost: a\r\nHost: b\r\nContent-Length: 0\r\n\r\n', { messages: [{ head: { status: 200 } }] }),

  res('two-digit status', 'HTTP/1.1 20 OK\r\n\r\n', bad('BAD_STATUS_LINE', 502)),
  res('four-digit status', 'HTTP/1.1 2000 OK\r\n\r\n', bad('BAD_STATUS_LINE', 502)),
  res('status below 100', 'HTTP/1.1 099 X\r\n\r\n', bad('BAD_STATUS', 502)),
  res('status above 599', 'HTTP/1.1 600 X\r\n\r\n', bad('BAD_STATUS', 502)),
  res('HTTP/2 status line', 'HTTP/2 200 OK\r\n\r\n', bad('BAD_VERSION', 502)),
  res('HTTP/1.2 status line is read as HTTP/1.1', 'HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n', { messages: [{ head: { status: 200, versionMinor: 1, oddVersion: 'HTTP/1.2', keepAlive: true } }] }),
  res('HTTP/0.9 status line', 'HTTP/0.9 200 OK\r\n\r\n', bad('BAD_VERSION', 502)),
  res('not HTTP', 'HTTX/1.1 200 OK\r\n\r\n', bad('BAD_STATUS_LINE', 502)),
  res('leading CRLF before a response', '\r\nHTTP/1.1 200 OK\r\n\r\n', bad('BAD_STATUS_LINE', 502)),
  res('bare LF in a response head', 'HTTP/1.1 200 OK\nContent-Length: 0\n\n', bad('BARE_LF', 502)),
  res('obs-fold in a response', 'HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 0\r\n\r\n', bad('OBS_FOLD', 502)),
  res('control char in a response value', 'HTTP/1.1 200 OK\r\nX-A: \x01\r\n\r\n', bad('BAD_HEADER_VALUE', 502)),
  res('bad response Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n', bad('BAD_CONTENT_LENGTH', 502)),
  res('differing response Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', bad('DUPLICATE_CONTENT_LENGTH', 502)),
  res('response chunked twice', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n', bad('CHUNKED_TWICE', 502)),
  res('response gzip, chunked -> 502 (HAProxy: any coding besides chunked)', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n', bad('UNKNOWN_TRANSFER_ENCODING', 502)),
  res('response chunked not last', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n', bad('CHUNKED_NOT_LAST', 502)),
  res('TE in an HTTP/1.0 response: chunked, then close (HAProxy reg-test http_transfer_encoding)', 'HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', {
    messages: [{ head: { versionMinor: 0, chunked: true, smuggleSuspect: true, mustClose: true }, bodyMode: 'chunked', payload: '' }],
  }),
  res('bad chunk in a response', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n', bad('BAD_CHUNK', 502, 'body')),
  res('response body cut short', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab', { ...bad('INCOMPLETE_MESSAGE', 502, 'body'), pending: true }),
];
