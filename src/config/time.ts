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

/** What HAProxy's parse_time_err() makes of a time argument, in milliseconds (TIME_UNIT_MS). */
export type TimeArgument =
  /** `trailing`: the first character after the unit, which HAProxy 2.6 only warns about. */
  | { readonly ok: true; readonly ms: number; readonly trailing?: string }
  | { readonly ok: false; readonly problem: 'overflow' }
  | { readonly ok: false; readonly problem: 'character'; readonly character: string };

const ARGUMENT_UNITS: Readonly<Record<string, { readonly multiply: number; readonly divide: number }>> = {
  '': { multiply: 1, divide: 1 },
  us: { multiply: 1, divide: 1000 },
  ms: { multiply: 1, divide: 1 },
  s: { multiply: 1000, divide: 1 },
  m: { multiply: 60_000, divide: 1 },
  h: { multiply: 3_600_000, divide: 1 },
  d: { multiply: 86_400_000, divide: 1 },
};

/**
 * HAProxy 2.6's parse_time_err() for a value in milliseconds, for the keywords that give its
 * own messages: digits, then an optional unit (rounded up: 1us is 1 ms); the first character
 * that is not a digit nor a unit is the "unexpected character" of the error; a character after
 * a unit is only a warning there ("1sx" is one second).
 */
export function parseTimeArgument(text: string): TimeArgument {
  let end = 0;
  while (end < text.length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++;
  if (end === 0) return { ok: false, problem: 'character', character: text.charAt(0) };
  const rest = text.slice(end);
  const unit = rest.startsWith('us') || rest.startsWith('ms') ? rest.slice(0, 2) : rest.charAt(0);
  const scale = ARGUMENT_UNITS[unit];
  if (scale === undefined) return { ok: false, problem: 'character', character: unit.charAt(0) };
  const ms = Math.ceil((Number(text.slice(0, end)) * scale.multiply) / scale.divide);
  if (!(ms < 0x80000000)) return { ok: false, problem: 'overflow' };
  const trailing = rest.charAt(unit.length);
  return trailing === '' ? { ok: true, ms } : { ok: true, ms, trailing };
}
