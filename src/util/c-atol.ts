/**
 * C's atol()/atoi(), as HAProxy reads many numbers (configuration keywords, CLI arguments):
 * leading blanks, an optional sign, the decimal digits that follow; 0 when there are none
 * ("12abc" is 12, "abc" is 0).
 */
export function atol(text: string): number {
  const m = /^\s*([+-]?\d+)/.exec(text);
  return m === null ? 0 : Number(m[1]);
}
