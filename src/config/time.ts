/**
 * HAProxy time values: an unsigned integer with an optional unit, `us`, `ms`, `s`, `m`, `h` or
 * `d`; a bare number is milliseconds. Sub-millisecond values round up (1us = 1ms) so a set
 * timeout never becomes 0 ("no timeout"). HAProxy's timers stop at 2^31-1 ms (~24.8 days).
 */

export const MAX_TIMER_MS = 2_147_483_647;

const UNIT_MS: Readonly<Record<string, number>> = {
  us: 0.001,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

export type DurationResult = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly message: string };

export function parseDuration(text: string): DurationResult {
  const match = /^(\d+)([a-z]*)$/.exec(text);
  if (!match) {
    return {
      ok: false,
      message: `invalid time value '${text}' (expected an integer with an optional unit: us, ms, s, m, h, d)`,
    };
  }
  const digits = match[1] as string;
  const unit = match[2] as string;
  const factor = unit === '' ? 1 : UNIT_MS[unit];
  if (factor === undefined) {
    return { ok: false, message: `unknown time unit '${unit}' in '${text}' (expected us, ms, s, m, h or d)` };
  }
  const ms = Math.ceil(Number(digits) * factor);
  if (!Number.isSafeInteger(ms) || ms > MAX_TIMER_MS) {
    return { ok: false, message: `timer overflow in '${text}' (maximum value is ${MAX_TIMER_MS} ms or ~24.8 days)` };
  }
  return { ok: true, ms };
}
