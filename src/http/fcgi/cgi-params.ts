/**
 * The PARAMS of one request, as HAProxy 2.6's FCGI mux builds them (fcgi_strm_send_params,
 * fcgi_set_default_param, fcgi_encode_default_param in mux_fcgi.c). First, in the request's
 * order, each header: Content-Length as CONTENT_LENGTH, Content-Type as CONTENT_TYPE, any other
 * as HTTP_<NAME> (`te` only as "trailers"); then the fcgi-app's `set-param` values; then the CGI/1.1
 * variables nobody set, in HAProxy's order: GATEWAY_INTERFACE, DOCUMENT_ROOT, SCRIPT_NAME,
 * PATH_INFO, REQUEST_URI, REQUEST_METHOD, QUERY_STRING, SERVER_NAME (the Host header, else the
 * address the client reached), SERVER_PORT, SERVER_PROTOCOL, REMOTE_ADDR, REMOTE_PORT,
 * SCRIPT_FILENAME (docroot + script name), PATH_TRANSLATED (docroot + path info), CONTENT_LENGTH,
 * SERVER_SOFTWARE, HTTPS (`on` over TLS). A variable with an empty value is not sent.
 *
 * The script name is the URL-decoded path; with `path-info REGEX` matching it, capture 1 is
 * the script name and capture 2 the path info; a script name ending with '/' gets the `index`.
 */
import type { RequestHead } from '../codec/index.ts';
import type { ParamsWriter } from './records.ts';

/** What the parameters say about the connection and the fcgi-app. */
export interface CgiFacts {
  readonly docroot: string;
  readonly index: string | undefined;
  readonly pathInfo: RegExp | undefined;
  readonly clientAddress: string;
  readonly clientPort: number;
  /** The address and port the client connected to. */
  readonly localAddress: string;
  readonly localPort: number;
  readonly https: boolean;
  /** The `set-param` values: HAProxy's keys (lowercase, '_'), in order. */
  readonly params: readonly (readonly [string, string])[];
  /** Headers the fcgi-app hides (lowercase names). */
  readonly hiddenHeaders: ReadonlySet<string>;
  /** The body's length when the request has no Content-Length (its bytes gathered so far). */
  readonly bodyLength: number;
  readonly software: string;
}

/** The request cannot be expressed as CGI variables (HAProxy's processing error: the stream fails). */
export class CgiParamsError extends Error {}

/** `set-param` keys that replace one of the defaults (HAProxy's FCGI_SP_* mask, `request_meth` included as spelled there). */
const OVERRIDES = new Set([
  'gateway_interface', 'document_root', 'script_name', 'path_info', 'request_uri', 'request_meth', 'query_string', 'server_name',
  'server_port', 'server_protocol', 'remote_addr', 'remote_port', 'script_filename', 'path_translated', 'https', 'server_software',
]);

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/** HAProxy's url_decode without '+' handling (in_form 0); undefined on a bad escape. */
function urlDecode(path: string): string | undefined {
  if (!path.includes('%')) return path;
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c !== 0x25) {
      out += path[i];
      continue;
    }
    const h = hexValue(path.charCodeAt(i + 1));
    const l = hexValue(path.charCodeAt(i + 2));
    if (i + 2 >= path.length || h < 0 || l < 0) return undefined;
    out += String.fromCharCode((h << 4) | l);
    i += 2;
  }
  return out;
}

/** The path of a request-target (HAProxy's http_parse_path): from the first '/' after an authority, else the target. */
function targetPath(target: string): string {
  const c = target.charCodeAt(0);
  if (c === 0x2f /* / */ || c === 0x2a /* * */) return target;
  const scheme = target.indexOf('://');
  if (scheme > 0) {
    const slash = target.indexOf('/', scheme + 3);
    return slash < 0 ? '' : target.slice(slash);
  }
  return target;
}

/** Writes the PARAMS content of `head` into `out`. Throws CgiParamsError. */
export function writeCgiParams(head: RequestHead, facts: CgiFacts, out: ParamsWriter): void {
  let serverName = '';
  let hasContentLength = false;
  for (let i = 0; i < head.headerCount; i++) {
    const name = head.nameAt(i).toLowerCase();
    if (facts.hiddenHeaders.has(name)) continue;
    let value = head.valueAt(i);
    if (name === 'content-length') {
      hasContentLength = true;
      out.add('CONTENT_LENGTH', value);
      continue;
    }
    if (name === 'content-type') {
      out.add('CONTENT_TYPE', value);
      continue;
    }
    if (name === 'host') serverName = value;
    else if (name === 'te') {
      const at = value.toLowerCase().indexOf('trailers');
      if (at < 0 || (value.length > at + 8 && value.charCodeAt(at + 8) !== 0x2c)) continue;
      value = 'trailers';
    }
    out.add(`http_${name}`, value);
  }
  const set = new Map<string, string>();
  for (const [key, value] of facts.params) {
    out.add(key, value);
    if (OVERRIDES.has(key)) set.set(key, value);
  }

  const docroot = set.get('document_root') ?? facts.docroot;
  const uri = set.get('request_uri') ?? head.target;
  let scriptName = set.get('script_name');
  let pathInfo = set.get('path_info') ?? '';
  let query = '';
  const needsUri = scriptName === undefined || !set.has('path_info') || !set.has('query_string');
  if (needsUri) {
    let path = targetPath(uri);
    if (scriptName === undefined && path === '') throw new CgiParamsError('no path to take the script name from');
    const q = path.indexOf('?');
    if (q >= 0) {
      query = path.slice(q + 1);
      path = path.slice(0, q);
    }
    if (scriptName === undefined) {
      const decoded = urlDecode(path);
      if (decoded === undefined) throw new CgiParamsError('invalid %-escape in the path');
      scriptName = decoded;
      if (facts.pathInfo !== undefined) {
        if (decoded.includes('\n') || decoded.includes('\0')) throw new CgiParamsError('LF or NUL in the decoded path');
        const m = facts.pathInfo.exec(decoded);
        if (m !== null && m[1] !== undefined) {
          scriptName = m[1];
          if (!set.has('path_info') && m[2] !== undefined) pathInfo = m[2];
        }
      }
      if (facts.index !== undefined && scriptName.endsWith('/')) scriptName += facts.index;
    }
  }
  const defaults: readonly (readonly [string, string, string])[] = [
    ['gateway_interface', 'GATEWAY_INTERFACE', 'CGI/1.1'],
    ['document_root', 'DOCUMENT_ROOT', docroot],
    ['script_name', 'SCRIPT_NAME', scriptName ?? ''],
    ['path_info', 'PATH_INFO', pathInfo],
    ['request_uri', 'REQUEST_URI', uri],
    ['request_meth', 'REQUEST_METHOD', head.method],
    ['query_string', 'QUERY_STRING', query],
    ['server_name', 'SERVER_NAME', serverName !== '' ? serverName : facts.localAddress],
    ['server_port', 'SERVER_PORT', String(facts.localPort)],
    ['server_protocol', 'SERVER_PROTOCOL', `HTTP/1.${head.versionMinor}`],
    ['remote_addr', 'REMOTE_ADDR', facts.clientAddress],
    ['remote_port', 'REMOTE_PORT', String(facts.clientPort)],
    ['script_filename', 'SCRIPT_FILENAME', docroot + (scriptName ?? '')],
    ['path_translated', 'PATH_TRANSLATED', pathInfo === '' ? '' : docroot + pathInfo],
    ['', 'CONTENT_LENGTH', hasContentLength ? '' : String(facts.bodyLength)],
    ['server_software', 'SERVER_SOFTWARE', facts.software],
    ['https', 'HTTPS', facts.https ? 'on' : ''],
  ];
  for (const [key, name, value] of defaults) {
    if (key !== '' && set.has(key)) continue;
    if (value !== '') out.add(name, value);
  }
}
