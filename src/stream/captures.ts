/**
 * One transaction's captures (HAProxy's s->req_cap / s->res_cap and txn->cli_cookie /
 * srv_cookie), laid out by the frontend's capture slots (config/capture-model.ts):
 *
 * - when the request head arrives (after the frontend's `tcp-request content` rules, before the
 *   `http-request` ones, as http_wait_for_request), each `capture request header` slot takes the last value of its header, truncated to the slot's length,
 *   and `capture cookie` the first matching cookie of the Cookie headers;
 * - when the response head arrives (before the response rules), the same for the response
 *   headers and the Set-Cookie headers;
 * - `capture` rules fill any slot by number, at their turn; a `tcp-request content capture`
 *   of the first request, which ran when the connection was accepted, is carried over.
 *
 * One object per client connection, reset by each request: a log line is emitted before the
 * next request starts, so the values it reads are still this transaction's.
 */
import type { CaptureSlotModel, CapturesModel } from '../config/capture-model.ts';
import { latin1Bytes } from '../http/codec/chars.ts';
import type { HttpHead } from '../http/codec/head.ts';

const COOKIE = latin1Bytes('cookie');
const SET_COOKIE = latin1Bytes('set-cookie');
const SET_COOKIE2 = latin1Bytes('set-cookie2');

interface Slots {
  readonly slots: readonly CaptureSlotModel[];
  /** Lower-case header names of header slots (undefined for rule slots). */
  readonly names: readonly (Uint8Array | undefined)[];
  readonly anyHeader: boolean;
}

function slotsOf(slots: readonly CaptureSlotModel[]): Slots {
  const names = slots.map((s) => (s.header === undefined ? undefined : latin1Bytes(s.header.toLowerCase())));
  return { slots, names, anyHeader: names.some((n) => n !== undefined) };
}

export class StreamCaptures {
  /** Captured values by slot; undefined = nothing captured (logged empty, or '-' in %hrl). */
  readonly request: (string | undefined)[];
  readonly response: (string | undefined)[];
  /** `capture cookie`: `name=value` of the request's (%CC) and the response's (%CS) cookie. */
  clientCookie: string | undefined = undefined;
  serverCookie: string | undefined = undefined;
  readonly #request: Slots;
  readonly #response: Slots;
  readonly #cookie: CapturesModel['cookie'];

  constructor(model: CapturesModel) {
    this.#request = slotsOf(model.request);
    this.#response = slotsOf(model.response);
    this.#cookie = model.cookie;
    this.request = new Array<string | undefined>(model.request.length).fill(undefined);
    this.response = new Array<string | undefined>(model.response.length).fill(undefined);
  }

  /** A new transaction: its captures start empty. */
  beginRequest(): void {
    this.request.fill(undefined);
    this.response.fill(undefined);
    this.clientCookie = undefined;
    this.serverCookie = undefined;
  }

  /**
   * The request head as HAProxy's http_wait_for_request captures it: after the frontend's
   * `tcp-request content` rules (a request they reject has none of these).
   */
  captureRequest(head: HttpHead): void {
    if (this.#request.anyHeader) captureHeaders(head, this.#request, this.request);
    if (this.#cookie !== undefined) this.clientCookie = findCookie(head, COOKIE, this.#cookie, false);
  }

  /** The response head arrived (before the response rules). */
  captureResponse(head: HttpHead): void {
    if (this.#response.anyHeader) captureHeaders(head, this.#response, this.response);
    if (this.#cookie !== undefined) {
      this.serverCookie = findCookie(head, SET_COOKIE, this.#cookie, true) ?? findCookie(head, SET_COOKIE2, this.#cookie, true);
    }
  }

  /**
   * The connection's first transaction began: what the frontend's `tcp-request content capture`
   * rules stored when they ran at accept (`accepted`, laid out by the same frontend) is its.
   */
  keepAcceptCaptures(accepted: StreamCaptures): void {
    const from = accepted.request;
    for (let i = 0; i < from.length && i < this.request.length; i++) if (from[i] !== undefined) this.request[i] = from[i];
  }

  /** A `capture` rule: `value` into request (or response) slot `id`; false when there is no such slot. */
  set(response: boolean, id: number, value: string): boolean {
    const layout = response ? this.#response : this.#request;
    const slot = layout.slots[id];
    if (slot === undefined) return false;
    (response ? this.response : this.request)[id] = value.length > slot.len ? value.slice(0, slot.len) : value;
    return true;
  }
}

/** The frontend's captures, or undefined when it declares none (nothing to do per request). */
export function streamCapturesFor(model: { readonly captures?: CapturesModel | undefined }): StreamCaptures | undefined {
  return model.captures === undefined ? undefined : new StreamCaptures(model.captures);
}

/** http_capture_headers: every occurrence overwrites the slot, so the last one stays. */
function captureHeaders(head: HttpHead, layout: Slots, out: (string | undefined)[]): void {
  for (let s = 0; s < layout.names.length; s++) {
    const name = layout.names[s];
    if (name === undefined) continue;
    let last = -1;
    for (let i = head.indexOf(name); i >= 0; i = head.indexOf(name, i + 1)) last = i;
    if (last < 0) continue;
    const value = head.valueAt(last);
    const len = (layout.slots[s] as CaptureSlotModel).len;
    out[s] = value.length > len ? value.slice(0, len) : value;
  }
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09;

/**
 * The first cookie whose `name=value` (blanks around '=' removed, as HAProxy rewrites it)
 * starts with the capture's name, truncated to its length. In Set-Cookie headers only the
 * first pair of each header is a cookie (the rest are attributes).
 */
function findCookie(head: HttpHead, header: Uint8Array, capture: { readonly name: string; readonly len: number }, setCookie: boolean): string | undefined {
  for (let i = head.indexOf(header); i >= 0; i = head.indexOf(header, i + 1)) {
    const value = head.valueAt(i);
    let from = 0;
    while (from <= value.length) {
      let end = value.indexOf(';', from);
      if (end < 0 || setCookie) end = setCookie ? firstSemicolon(value) : value.length;
      const pair = cookiePair(value, from, end);
      if (pair !== undefined && pair.startsWith(capture.name)) return pair.length > capture.len ? pair.slice(0, capture.len) : pair;
      if (setCookie) break;
      from = end + 1;
    }
  }
  return undefined;
}

function firstSemicolon(value: string): number {
  const semi = value.indexOf(';');
  return semi < 0 ? value.length : semi;
}

/** `name=value` of value[from, end) with surrounding blanks removed, or undefined without '='. */
function cookiePair(value: string, from: number, end: number): string | undefined {
  const eq = value.indexOf('=', from);
  if (eq < 0 || eq >= end) return undefined;
  let a = from;
  while (a < eq && isSpace(value.charCodeAt(a))) a++;
  let nameEnd = eq;
  while (nameEnd > a && isSpace(value.charCodeAt(nameEnd - 1))) nameEnd--;
  let v = eq + 1;
  while (v < end && isSpace(value.charCodeAt(v))) v++;
  let vEnd = end;
  while (vEnd > v && isSpace(value.charCodeAt(vEnd - 1))) vEnd--;
  return `${value.slice(a, nameEnd)}=${value.slice(v, vEnd)}`;
}
