/**
 * The mux a `mode tcp` connection gets when its stream turns HTTP (HAProxy 2.6's
 * stream_set_http_mode: `tcp-request content switch-mode http [proto h1|h2]`, or a backend in
 * `mode http`): the rule's `proto` when given, else HTTP/2 when the bytes read so far are its
 * connection preface, else HTTP/1. A bind with `proto none` (the pass-through mux) cannot be
 * upgraded: HAProxy aborts the stream, so the connection is closed.
 */
import { PREFACE } from '../http/h2/frames.ts';
import type { HeldInput } from '../proxy/content-wait.ts';

export type UpgradeMux = 'h1' | 'h2' | 'refused';

/** Whether the held bytes start with the HTTP/2 preface (all of it, as HAProxy's detection waits for it). */
function startsWithPreface(input: HeldInput | undefined): boolean {
  if (input === undefined) return false;
  let at = 0;
  for (const chunk of input.chunks) {
    for (let i = 0; i < chunk.length && at < PREFACE.length; i++, at++) {
      if (chunk[i] !== PREFACE[at]) return false;
    }
    if (at === PREFACE.length) return true;
  }
  return false;
}

export function upgradeMux(bindProto: 'h1' | 'h2' | 'none' | undefined, ruleProto: 'h1' | 'h2' | undefined, input: HeldInput | undefined): UpgradeMux {
  if (bindProto === 'none') return 'refused';
  if (ruleProto !== undefined) return ruleProto;
  return startsWithPreface(input) ? 'h2' : 'h1';
}

/**
 * How data[off..] compares with the HTTP/2 connection preface: 'match' when it begins with all
 * of it, 'partial' when it is a shorter beginning of it (more bytes decide), else 'mismatch'.
 */
export function prefaceAt(data: Uint8Array, off: number): 'match' | 'partial' | 'mismatch' {
  const n = Math.min(data.byteLength - off, PREFACE.length);
  for (let i = 0; i < n; i++) if (data[off + i] !== PREFACE[i]) return 'mismatch';
  return n === PREFACE.length ? 'match' : 'partial';
}
