/**
 * C's atol()/atoi(), as HAProxy reads many numbers (configuration keywords, CLI arguments):
 * leading blanks, an optional sign, the decimal digits that follow; 0 when there are none
 * ("12abc" is 12, "abc" is 0).
 */
export function atol(text: string): number {
  const m = /^\s*([+-]?\d+)/.exec(text);
  return m === null ? 0 : Number(m[1]);
}

/**
 * atol() as glibc computes it on a 64-bit long (saturated), then stored in a 32-bit field: its
 * low 32 bits as an int (`>>> 0` gives them as a uint32).
 */
export function atolInt32(text: string): number {
  const m = /^[\t\n\v\f\r ]*([+-]?)([0-9]+)/.exec(text);
  if (m === null) return 0;
  let value = BigInt(m[2] as string);
  if (m[1] === '-') value = -value;
  const max = (1n << 63n) - 1n;
  if (value > max) value = max;
  if (value < -max - 1n) value = -max - 1n;
  return Number(BigInt.asIntN(32, value));
}
