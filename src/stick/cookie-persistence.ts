/**
 * Cookie persistence (`cookie NAME [insert|rewrite|prefix] ...` plus `server ... cookie VALUE`),
 * as HAProxy's http_ana.c does it. Without a mode word the cookie is passive: the servers set it,
 * the proxy only reads it to route (as in rewrite mode) and leaves responses alone, except that
 * `indirect` removes the server's Set-Cookie from a direct hit's response.
 *
 * Request side (http_manage_client_side_cookies): the NAME cookie of the Cookie headers names a
 * server (insert/rewrite/passive: the whole value, or the part before `|` when it carries dates; prefix:
 * the part before `~`). The first server with that cookie value that is not stopped (or any
 * state with `option persist`) becomes the persistence target. With `maxidle`/`maxlife`, a
 * cookie whose dates are too old is ignored. The cookie is then removed from what the server
 * sees in `insert indirect` mode, and `prefix` mode strips its `VALUE~`.
 *
 * Response side (http_manage_server_side_cookies + the insertion step of
 * http_process_res_common): the server's own Set-Cookie NAME is removed in insert mode (or
 * indirect on a direct hit), rewritten to the server's value in rewrite mode, prefixed with
 * `VALUE~` in prefix mode, left alone with `preserve`. In insert mode a Set-Cookie is added
 * when the client did not come with a valid cookie for this server, or its dates need
 * refreshing (and only for POST with `postonly`; never when the server set NAME itself under
 * `preserve`). A server without a cookie value gets HAProxy's removal cookie
 * (`NAME=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/`) so a client does not stick to it.
 * `nocache` adds `Cache-control: private` when the response would otherwise be cacheable.
 * `attr VALUE`s close every cookie the proxy inserts, the removal one included.
 */
import type { CookieModel } from '../config/model.ts';
import { headerName, receivedFieldValue, type FieldValue, type HeaderName, type HeadEditor, type RequestHead, type ResponseHead } from '../http/codec/index.ts';
import { equalsLower, latin1String } from '../http/codec/chars.ts';
import type { Server } from '../proxy/server.ts';
import { decodeCookieDate, encodeCookieDate, s30tob64 } from './cookie-date.ts';
import { persistable } from './stick-rules.ts';
import { Cacheability, responseCacheability } from '../http/cacheability.ts';

const H_COOKIE = headerName('Cookie');
const COOKIE_LOWER = H_COOKIE.lower;

/** A header value as text: rule-written values are strings, received ones latin1 bytes. */
function fieldText(value: FieldValue): string {
  return typeof value === 'string' ? value : latin1String(value, 0, value.length);
}
const H_SET_COOKIE = headerName('Set-Cookie');
const H_CACHE_CONTROL = headerName('Cache-control');

/** What the request's cookie said, kept by the session for its response (one per session, reused). */
export class CookieTxn {
  /** The server the cookie designates and that may take the session (HAProxy's SF_DIRECT target). */
  server: Server | undefined = undefined;
  /** Dates carried by the cookie, UNIX seconds; 0 = none. */
  lastDate = 0;
  firstDate = 0;
  /**
   * The request cookie as HAProxy's log reports it (third %tsc character, TX_CK_*): N none,
   * I invalid (names no server), D names a DOWN server, V valid, E expired (maxidle), O too old
   * (maxlife).
   */
  requestFlag: '-' | 'N' | 'I' | 'D' | 'V' | 'E' | 'O' = '-';
  /**
   * What happened to the response's cookie (fourth %tsc character, TX_SCK_*): N none, I inserted,
   * U updated (dates refreshed), P provided by the server and passed, R rewritten, D deleted.
   */
  responseFlag: '-' | 'N' | 'I' | 'U' | 'P' | 'R' | 'D' = '-';

  /** The transaction was logged: the next one starts unprocessed ('-', as a request refused before persistence). */
  logged(): void {
    this.requestFlag = '-';
    this.responseFlag = '-';
  }

  reset(): void {
    this.server = undefined;
    this.lastDate = 0;
    this.firstDate = 0;
    this.requestFlag = 'N';
    this.responseFlag = 'N';
  }
}

export class CookiePersistence {
  readonly name: string;
  readonly mode: CookieModel['mode'];
  /**
   * The log's cookie flags (the last two %ts characters) are shown: HAProxy prints them only
   * with a mode or `indirect` (PR_CK_ANY), so a plain passive cookie logs `--`.
   */
  readonly logsFlags: boolean;
  readonly #model: CookieModel;
  readonly #servers: readonly Server[];
  readonly #persist: boolean;
  /** seconds; 0 = off. */
  readonly #maxidle: number;
  readonly #maxlife: number;
  /** `; path=/` plus domains, HttpOnly, Secure: the tail of every inserted cookie. */
  readonly #attributes: string;
  /**
   * Inserted Set-Cookie values when no dates make them vary, with the server cookie each was
   * made for (a dynamic cookie follows the server's address). Keyed by server: indexes move
   * when the runtime API deletes a server.
   */
  readonly #fixed: Map<Server, { readonly cookie: string | undefined; readonly header: string }>;

  constructor(model: CookieModel, servers: readonly Server[], persist: boolean) {
    this.#model = model;
    this.name = model.name;
    this.mode = model.mode;
    this.logsFlags = model.mode !== 'passive' || model.indirect;
    this.#servers = servers;
    this.#persist = persist;
    this.#maxidle = model.maxidle === undefined ? 0 : Math.ceil(model.maxidle / 1000);
    this.#maxlife = model.maxlife === undefined ? 0 : Math.ceil(model.maxlife / 1000);
    let attributes = '; path=/';
    for (const domain of model.domains) attributes += `; domain=${domain}`;
    if (model.httponly) attributes += '; HttpOnly';
    if (model.secure) attributes += '; Secure';
    if (model.attrs !== undefined) attributes += `; ${model.attrs}`;
    this.#attributes = attributes;
    this.#fixed = new Map();
    if (this.#maxidle === 0 && this.#maxlife === 0) {
      for (const s of servers) this.#fixed.set(s, { cookie: s.cookie, header: this.#dated(s, 0, 0) });
    }
  }

  // ---- request side ------------------------------------------------------------------------

  /**
   * Reads the persistence cookie into `txn` (reset first) and marks the edits the forwarded
   * request needs in `editor` (already begun on `head`). `nowSec` is the wall clock in seconds.
   */
  request(head: RequestHead, editor: HeadEditor, txn: CookieTxn, nowSec: number): void {
    txn.reset();
    // HAProxy reads the persistence cookie after the http-request rules: the Cookie headers as
    // they left them (removed, rewritten, added).
    const edited = editor.changed;
    for (let i = head.indexOf(H_COOKIE); i >= 0; i = head.indexOf(H_COOKIE, i + 1)) {
      let value: string;
      if (!edited) {
        value = head.valueAt(i);
      } else {
        const v = editor.editedValue(i);
        if (v === undefined) continue;
        value = fieldText(v);
      }
      // Most Cookie headers of most requests do not carry ours: skip them without parsing.
      if (value.indexOf(this.name) < 0) continue;
      const rewritten = this.#requestHeader(value, txn, nowSec);
      if (rewritten === undefined) continue;
      if (rewritten === '') editor.remove(i);
      else editor.replace(i, receivedFieldValue(rewritten));
    }
    if (!edited) return;
    for (let j = 0; j < editor.appendedCount; j++) {
      const name = editor.appendedName(j).lower;
      if (name.length !== COOKIE_LOWER.length || !equalsLower(name, 0, name.length, COOKIE_LOWER)) continue;
      const value = fieldText(editor.appendedValue(j));
      if (value.indexOf(this.name) < 0) continue;
      const rewritten = this.#requestHeader(value, txn, nowSec);
      if (rewritten === undefined) continue;
      if (rewritten === '') editor.dropAppended(j--);
      else editor.replaceAppended(j, receivedFieldValue(rewritten));
    }
  }

  /** Processes one Cookie header value; returns its new value ('' = remove it), or undefined if unchanged. */
  #requestHeader(v: string, txn: CookieTxn, nowSec: number): string | undefined {
    const n = v.length;
    const prefix = this.mode === 'prefix';
    const deleteOurs = this.mode === 'insert' && this.#model.indirect;
    let kept = '';
    let changed = false;
    let previousDeleted = false;
    let p = 0;
    for (let guard = 0; p <= n && guard <= n; guard++) {
      let attBeg = p;
      while (attBeg < n && isSpace(v.charCodeAt(attBeg))) attBeg++;
      let equal = attBeg;
      let attEnd = attBeg;
      while (equal < n) {
        const c = v.charCodeAt(equal);
        if (c === 0x3d /* = */ || c === 0x3b /* ; */ || c === 0x2c /* , */) break;
        equal++;
        if (!isSpace(c)) attEnd = equal;
      }
      let valBeg: number;
      let valEnd: number;
      let next: number;
      if (equal < n && v.charCodeAt(equal) === 0x3d) {
        valBeg = equal + 1;
        while (valBeg < n && isSpace(v.charCodeAt(valBeg))) valBeg++;
        next = cookieValueEnd(v, valBeg);
        valEnd = next;
        while (valEnd > valBeg && isSpace(v.charCodeAt(valEnd - 1))) valEnd--;
      } else {
        valBeg = valEnd = next = equal;
      }
      p = next + 1;
      if (attEnd === attBeg && equal === next) {
        if (next >= n) break;
        continue; // empty element (";;" or a trailing ';'): dropped if the header is rewritten
      }
      const attName = v.slice(attBeg, attEnd);
      let segment: string | undefined = v.slice(attBeg, valEnd);
      if (attName.charCodeAt(0) === 0x24 /* $ */) {
        // RFC 2109 attributes belong to the cookie before them and share its fate.
        if (previousDeleted) segment = undefined;
      } else if (equal === next || attName !== this.name) {
        previousDeleted = false;
      } else {
        // Our cookie.
        let delim = valEnd;
        if (prefix) {
          const tilde = v.indexOf('~', valBeg);
          delim = tilde >= 0 && tilde < valEnd ? tilde : valEnd;
        } else {
          const bar = v.indexOf('|', valBeg);
          if (bar >= 0 && bar < valEnd) {
            delim = bar;
            if (valEnd - (bar + 1) >= 5) {
              const last = decodeCookieDate(v, bar + 1);
              if (last > 0) txn.lastDate = last;
            }
            const bar2 = v.indexOf('|', bar + 1);
            if (bar2 >= 0 && bar2 < valEnd && valEnd - bar2 > 5) {
              const first = decodeCookieDate(v, bar2 + 1);
              if (first > 0) txn.firstDate = first;
            }
          }
        }
        let usable = delim > valBeg;
        let expired: 'E' | 'O' | undefined;
        if (txn.firstDate > 0 && this.#maxlife > 0 && (nowSec - txn.firstDate > this.#maxlife || txn.firstDate - nowSec > 86400)) {
          usable = false; // too old (maxlife): as if there were no cookie
          expired = 'O';
          txn.firstDate = txn.lastDate = 0;
        } else if (txn.lastDate > 0 && this.#maxidle > 0 && (nowSec - txn.lastDate > this.#maxidle || txn.lastDate - nowSec > 86400)) {
          usable = false; // idle too long (maxidle)
          expired = 'E';
          txn.firstDate = txn.lastDate = 0;
        }
        // Only the first cookie naming a usable server counts (HAProxy's SF_ASSIGNED).
        if (usable && txn.server === undefined) {
          txn.server = this.#serverFor(v, valBeg, delim);
          txn.requestFlag = txn.server !== undefined ? 'V' : this.#namesAnyServer(v, valBeg, delim) ? 'D' : 'I';
        } else if (txn.server === undefined && txn.requestFlag === 'N') {
          txn.requestFlag = expired ?? 'I';
        }
        previousDeleted = false;
        if (prefix && delim !== valEnd) {
          segment = v.slice(attBeg, attEnd) + '=' + v.slice(delim + 1, valEnd);
          changed = true;
        } else if (deleteOurs) {
          segment = undefined;
          previousDeleted = true;
        }
      }
      if (segment === undefined) changed = true;
      else kept = kept === '' ? segment : `${kept}; ${segment}`;
      if (next >= n) break;
    }
    return changed ? kept : undefined;
  }

  /** Some server has the cookie v[start, end), whether or not it may take traffic. */
  #namesAnyServer(v: string, start: number, end: number): boolean {
    const len = end - start;
    for (const server of this.#servers) {
      const cookie = server.cookie;
      if (cookie !== undefined && cookie.length === len && v.startsWith(cookie, start)) return true;
    }
    return false;
  }

  /** First server whose cookie is v[start, end) and that persistence may use. */
  #serverFor(v: string, start: number, end: number): Server | undefined {
    const len = end - start;
    for (const server of this.#servers) {
      const cookie = server.cookie;
      if (cookie === undefined || cookie.length !== len || !v.startsWith(cookie, start)) continue;
      if (persistable(server, this.#persist)) return server;
    }
    return undefined;
  }

  // ---- response side -----------------------------------------------------------------------

  /**
   * Edits the response for `server`: the server's own NAME cookie, then the inserted cookie and
   * `Cache-control: private`. `direct` = the session went to the server its request's
   * persistence (cookie or stick table) named. True when it added `Cache-control: private`
   * (the response is no longer cacheable: `option checkcache` lets it through).
   */
  response(head: ResponseHead, editor: HeadEditor, txn: CookieTxn, server: Server, direct: boolean, req: RequestHead, nowSec: number): boolean {
    const model = this.#model;
    let found = false;
    for (let i = head.indexOf(H_SET_COOKIE); i >= 0; i = head.indexOf(H_SET_COOKIE, i + 1)) {
      const v = head.valueAt(i);
      if (v.indexOf(this.name) < 0) continue;
      const n = v.length;
      let attBeg = 0;
      while (attBeg < n && isSpace(v.charCodeAt(attBeg))) attBeg++;
      let equal = attBeg;
      let attEnd = attBeg;
      while (equal < n) {
        const c = v.charCodeAt(equal);
        if (c === 0x3d || c === 0x3b) break;
        equal++;
        if (!isSpace(c)) attEnd = equal;
      }
      if (equal >= n || v.charCodeAt(equal) !== 0x3d) continue; // no '=': not a cookie
      if (attEnd - attBeg !== this.name.length || !v.startsWith(this.name, attBeg)) continue;
      let valBeg = equal + 1;
      while (valBeg < n && isSpace(v.charCodeAt(valBeg))) valBeg++;
      let valEnd = cookieValueEnd(v, valBeg);
      while (valEnd > valBeg && isSpace(v.charCodeAt(valEnd - 1))) valEnd--;
      found = true;
      txn.responseFlag = 'P';
      if (model.preserve) continue;
      if (this.mode === 'insert' || (direct && model.indirect)) {
        editor.remove(i);
        txn.responseFlag = 'D';
      } else if (server.cookie !== undefined && this.mode === 'rewrite') {
        editor.replace(i, receivedFieldValue(`${this.name}=${server.cookie}${v.slice(valEnd)}`));
        txn.responseFlag = 'R';
      } else if (server.cookie !== undefined && this.mode === 'prefix') {
        editor.replace(i, receivedFieldValue(`${this.name}=${server.cookie}~${v.slice(valBeg)}`));
        txn.responseFlag = 'R';
      }
    }
    if (this.mode !== 'insert' || (found && model.preserve)) return false;
    if (model.postonly && req.method !== 'POST') return false;
    const maxidle = this.#maxidle;
    const maxlife = this.#maxlife;
    const last = txn.lastDate;
    const first = txn.firstDate;
    const needed =
      !direct ||
      ((maxidle > 0 || last > 0) && (last === 0 || last - nowSec < 0)) || // refresh the last-seen date
      (maxlife > 0 && first === 0) || // set the first date
      (maxlife === 0 && first > 0); // remove the first date
    if (!needed) return false;
    const fixed = this.#fixed.get(server);
    editor.append(H_SET_COOKIE, fixed !== undefined && fixed.cookie === server.cookie ? fixed.header : this.#dated(server, first, nowSec));
    txn.responseFlag = server.cookie === undefined ? 'D' : direct && txn.requestFlag === 'V' ? 'U' : 'I';
    if (model.nocache && responseCacheability(req, head) !== Cacheability.none) {
      editor.append(H_CACHE_CONTROL, 'private');
      return true;
    }
    return false;
  }

  #dated(server: Server, first: number, nowSec: number): string {
    if (server.cookie === undefined) return this.#removal();
    let value = `${this.name}=${server.cookie}`;
    if (this.#maxidle > 0 || this.#maxlife > 0) {
      value += `|${encodeCookieDate(nowSec)}`;
      // The first date is kept as it came (HAProxy writes it back truncated to its 4-second unit).
      if (this.#maxlife > 0) value += `|${first > 0 ? s30tob64(Math.floor(first / 4)) : encodeCookieDate(nowSec)}`;
    }
    return value + this.#attributes;
  }

  #removal(): string {
    let value = `${this.name}=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/`;
    for (const domain of this.#model.domains) value += `; domain=${domain}`;
    if (this.#model.httponly) value += '; HttpOnly';
    if (this.#model.secure) value += '; Secure';
    if (this.#model.attrs !== undefined) value += `; ${this.#model.attrs}`;
    return value;
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** End of a cookie value starting at `start`: the next ';' or ',' outside double quotes. */
function cookieValueEnd(v: string, start: number): number {
  let quoted = false;
  let escaped = false;
  for (let i = start; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (escaped) escaped = false;
    else if (quoted) {
      if (c === 0x5c /* \ */) escaped = true;
      else if (c === 0x22 /* " */) quoted = false;
    } else if (c === 0x22) quoted = true;
    else if (c === 0x3b || c === 0x2c) return i;
  }
  return v.length;
}



