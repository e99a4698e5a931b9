/**
 * HAProxy's parse_process_number (cfgparse.c): a process or thread set, `all`, `odd`, `even`, a
 * number or a range (`2-`, `-3`), read by `bind-process`, `process`, `thread` and `cpu-map`.
 */

/** HAProxy's MAX_THREADS (LONGBITS): thread numbers go from 1 to 64. */
export const MAX_THREAD_NUMBER = 64;

/** parse_process_number's check (one process by default): undefined when valid, else its message. */
export function processNumberError(arg: string, max = 1): string | undefined {
  if (arg === 'all' || arg === 'odd' || arg === 'even') return undefined;
  if (!/^[0-9]*-?[0-9]*$/.test(arg)) return `'${arg}' is not a valid number/range.`;
  const dash = arg.indexOf('-');
  // str2uic: the leading digits, 0 when there are none.
  const number = (text: string): number => Number(/^[0-9]*/.exec(text)?.[0] || '0');
  let low = number(arg);
  let high = dash < 0 ? low : dash === arg.length - 1 ? max : number(arg.slice(dash + 1));
  if (high < low) [low, high] = [high, low];
  if (low < 1 || low > max || high > max) return `'${arg}' is not a valid number/range. It supports numbers from 1 to ${max}.`;
  return undefined;
}

/** str2uic: the leading digits, 0 when there are none. */
function leadingNumber(text: string): number {
  const digits = /^[0-9]*/.exec(text)?.[0] ?? '';
  return digits === '' ? 0 : Number(digits);
}

/** parse_process_number's set, once processNumberError accepted it (at most 64 numbers). */
export function threadMask(arg: string): bigint {
  if (arg === 'all') return (1n << 64n) - 1n;
  if (arg === 'odd' || arg === 'even') {
    let mask = 0n;
    for (let bit = arg === 'odd' ? 0n : 1n; bit < 64n; bit += 2n) mask |= 1n << bit;
    return mask;
  }
  const dash = arg.indexOf('-');
  let low = leadingNumber(arg);
  let high = dash < 0 ? low : dash === arg.length - 1 ? MAX_THREAD_NUMBER : leadingNumber(arg.slice(dash + 1));
  if (high < low) [low, high] = [high, low];
  let mask = 0n;
  for (let n = low; n <= high; n++) mask |= 1n << BigInt(n - 1);
  return mask;
}

