/** Smallest of a set of optional deadlines (ms on the runtime's monotonic clock). */
export function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a < b ? a : b;
}
