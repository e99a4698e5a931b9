/**
 * Date converters: HAProxy's `ltime(format[,offset])` and `utime(format[,offset])` (strftime of
 * the integer input as seconds since the epoch, local time or UTC) and `http_date([offset[,unit]])`
 * (the IMF-fixdate of an HTTP header, from seconds, or milliseconds/microseconds with `ms`/`us`,
 * the fraction then printed as HAProxy prints it).
 */
import { brokenDownTime, strftime } from '../../util/strftime.ts';
import { type ConverterDefinition, intArg, spec, strArg } from './definition.ts';

const TWO_55 = 2 ** 55;
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * HAProxy masks dates to 55 bits so that a large or negative input never reads as a negative
 * date (a negative one becomes a date hundreds of millions of years ahead, kept exact).
 */
function mask55(n: number, offset: number): number | bigint {
  if (n >= 0 && n < TWO_55 && Number.isSafeInteger(n + offset)) return n + offset;
  return BigInt.asUintN(55, BigInt(Math.trunc(n))) + BigInt(offset);
}

function timeConverter(name: 'ltime' | 'utime'): ConverterDefinition {
  return {
    name,
    args: spec(1, 'str', 'sint'),
    input: 'sint',
    output: 'str',
    compile(args) {
      const format = strArg(args, 0) ?? '';
      const offset = intArg(args, 1, 0);
      return (s) => {
        return s.setStr(strftime(format, brokenDownTime(mask55(s.num, offset), name === 'utime')));
      };
    },
  };
}

export type TimeUnit = 's' | 'ms' | 'us';

/** HAProxy's smp_check_date_unit, shared with the `date` fetch: the unit word, or the error. */
export function dateUnit(word: string | undefined): { readonly unit: TimeUnit | undefined } | { readonly error: string } {
  if (word === undefined || word === 's' || word === 'ms' || word === 'us') return { unit: word };
  return { error: `expects 's', 'ms' or 'us', got '${word}'` };
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** The IMF-fixdate of `value` (in `unit`), as HAProxy's sample_conv_http_date prints it. */
export function httpDate(value: number, unit: TimeUnit | undefined): string {
  let n = value;
  let fraction = 0;
  if (unit === 'ms' || unit === 'us') {
    const per = unit === 'ms' ? 1000 : 1_000_000;
    fraction = n % per || 0;
    n = Math.trunc(n / per);
  }
  const tm = brokenDownTime(mask55(n, 0), true);
  const year = String(tm.year).padStart(4, '0');
  const base = `${DAYS[tm.wday]}, ${two(tm.mday)} ${MONTHS[tm.mon]} ${year} ${two(tm.hour)}:${two(tm.min)}:${two(tm.sec)}`;
  return unit === 'ms' || unit === 'us' ? `${base}.${fraction} GMT` : `${base} GMT`;
}

const httpDateConverter: ConverterDefinition = {
  name: 'http_date',
  args: spec(0, 'sint', 'str'),
  input: 'sint',
  output: 'str',
  compile(args) {
    const checked = dateUnit(strArg(args, 1));
    if ('error' in checked) return checked.error;
    const unit = checked.unit;
    const offset = intArg(args, 0, 0);
    return (s) => s.setStr(httpDate(s.num + offset, unit));
  },
};

export const TIME_CONVERTERS: readonly ConverterDefinition[] = [timeConverter('ltime'), timeConverter('utime'), httpDateConverter];
