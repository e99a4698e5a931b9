/**
 * C's strftime() in the C locale, as glibc formats it (HAProxy's ltime/utime converters), for
 * UTC or the host's local time zone: every POSIX and GNU conversion, the GNU flags `-` (no
 * padding), `_` (space padding), `0` (zero padding) and `^` (upper case), and a field width.
 * An unknown conversion is copied as written.
 */

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** struct tm, as gmtime_r/localtime_r fill it. */
interface Tm {
  readonly year: number;
  readonly mon: number;
  readonly mday: number;
  readonly hour: number;
  readonly min: number;
  readonly sec: number;
  readonly wday: number;
  readonly yday: number;
  /** Seconds east of UTC. */
  readonly gmtoff: number;
  readonly zone: string;
  /** Seconds since the epoch (`%s`). */
  readonly epoch: number | bigint;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function dayOfYear(year: number, mon: number, mday: number): number {
  const days = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  let n = mday - 1;
  for (let m = 0; m < mon; m++) n += days[m] as number;
  return n;
}

function localZone(date: Date): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(date).find((p) => p.type === 'timeZoneName');
  return part?.value ?? '';
}

/**
 * gmtime for any date (HAProxy may ask for years far beyond JavaScript's Date range): days to
 * the civil calendar with H. Hinnant's algorithm, exact for every integer a double holds.
 */
function gmtime(epochSeconds: number | bigint): Tm {
  let days: number;
  let secs: number;
  if (typeof epochSeconds === 'bigint') {
    const d = epochSeconds / 86400n - (epochSeconds < 0n && epochSeconds % 86400n !== 0n ? 1n : 0n);
    days = Number(d);
    secs = Number(epochSeconds - d * 86400n);
  } else {
    days = Math.floor(epochSeconds / 86400);
    secs = epochSeconds - days * 86400;
  }
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const mday = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const mon = mp < 10 ? mp + 2 : mp - 10;
  const year = yoe + era * 400 + (mon <= 1 ? 1 : 0);
  return {
    year,
    mon,
    mday,
    hour: Math.floor(secs / 3600),
    min: Math.floor((secs % 3600) / 60),
    sec: secs % 60,
    wday: (((days + 4) % 7) + 7) % 7,
    yday: dayOfYear(year, mon, mday),
    gmtoff: 0,
    zone: 'GMT',
    epoch: epochSeconds,
  };
}

/** Date's range in seconds. */
const DATE_LIMIT = 8.64e12;

/** The broken-down time of `epochSeconds`, in UTC or local time (dates beyond Date's range in UTC). */
export function brokenDownTime(epochSeconds: number | bigint, utc: boolean): Tm {
  if (utc || typeof epochSeconds === 'bigint' || Math.abs(epochSeconds) > DATE_LIMIT) return gmtime(epochSeconds);
  const date = new Date(epochSeconds * 1000);
  const year = date.getFullYear();
  const mon = date.getMonth();
  const mday = date.getDate();
  return {
    year,
    mon,
    mday,
    hour: date.getHours(),
    min: date.getMinutes(),
    sec: date.getSeconds(),
    wday: date.getDay(),
    yday: dayOfYear(year, mon, mday),
    gmtoff: -date.getTimezoneOffset() * 60,
    zone: localZone(date),
    epoch: epochSeconds,
  };
}

/** ISO 8601 week number and week-based year (`%V`, `%G`). */
function isoWeek(tm: Tm): { week: number; year: number } {
  const wdayMon = (tm.wday + 6) % 7; // Monday = 0
  let year = tm.year;
  let week = Math.floor((tm.yday - wdayMon + 10) / 7);
  if (week < 1) {
    year--;
    const prevDays = isLeap(year) ? 366 : 365;
    week = Math.floor((tm.yday + prevDays - wdayMon + 10) / 7);
  } else {
    const days = isLeap(year) ? 366 : 365;
    if (week === 53 && tm.yday - wdayMon + 3 >= days) {
      week = 1;
      year++;
    }
  }
  return { week, year };
}

function pad(n: number, width: number, padChar: string, flag: string, fieldWidth: number): string {
  const w = fieldWidth > 0 ? fieldWidth : width;
  const negative = n < 0;
  let digits = String(Math.abs(n));
  if (flag === '-') return (negative ? '-' : '') + digits;
  const p = flag === '_' ? ' ' : flag === '0' ? '0' : padChar;
  while (digits.length + (negative ? 1 : 0) < w) digits = p + digits;
  return (negative ? '-' : '') + digits;
}

function text(value: string, flag: string, upper: boolean, fieldWidth: number): string {
  let out = upper ? value.toUpperCase() : value;
  while (out.length < fieldWidth) out = (flag === '0' ? '0' : ' ') + out;
  return out;
}

/** strftime(format, tm) in the C locale. */
export function strftime(format: string, tm: Tm): string {
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i] as string;
    if (c !== '%' || i + 1 >= format.length) {
      out += c;
      continue;
    }
    const start = i;
    let flag = '';
    let upper = false;
    i++;
    while ('-_0^#'.includes(format[i] as string) && i < format.length) {
      if (format[i] === '^') upper = true;
      else if (format[i] !== '#') flag = format[i] as string;
      i++;
    }
    let width = 0;
    while (i < format.length && format[i]! >= '0' && format[i]! <= '9') width = width * 10 + Number(format[i++]);
    // E and O modifiers select alternative forms, the same in the C locale.
    while (format[i] === 'E' || format[i] === 'O') i++;
    const conv = format[i];
    const num = (n: number, w: number, padChar = '0'): string => pad(n, w, padChar, flag, width);
    const txt = (s: string): string => text(s, flag, upper, width);
    const hour12 = tm.hour % 12 === 0 ? 12 : tm.hour % 12;
    switch (conv) {
      case 'a':
        out += txt(DAYS[tm.wday]!.slice(0, 3));
        break;
      case 'A':
        out += txt(DAYS[tm.wday]!);
        break;
      case 'b':
      case 'h':
        out += txt(MONTHS[tm.mon]!.slice(0, 3));
        break;
      case 'B':
        out += txt(MONTHS[tm.mon]!);
        break;
      case 'c':
        out += txt(strftime('%a %b %e %H:%M:%S %Y', tm));
        break;
      case 'C':
        out += num(Math.floor(tm.year / 100), 2);
        break;
      case 'd':
        out += num(tm.mday, 2);
        break;
      case 'D':
      case 'x':
        out += txt(strftime('%m/%d/%y', tm));
        break;
      case 'e':
        out += num(tm.mday, 2, ' ');
        break;
      case 'F':
        out += txt(strftime('%Y-%m-%d', tm));
        break;
      case 'g':
        out += num(((isoWeek(tm).year % 100) + 100) % 100, 2);
        break;
      case 'G':
        out += num(isoWeek(tm).year, 1);
        break;
      case 'H':
        out += num(tm.hour, 2);
        break;
      case 'I':
        out += num(hour12, 2);
        break;
      case 'j':
        out += num(tm.yday + 1, 3);
        break;
      case 'k':
        out += num(tm.hour, 2, ' ');
        break;
      case 'l':
        out += num(hour12, 2, ' ');
        break;
      case 'm':
        out += num(tm.mon + 1, 2);
        break;
      case 'M':
        out += num(tm.min, 2);
        break;
      case 'n':
        out += '\n';
        break;
      case 'p':
        out += txt(tm.hour < 12 ? 'AM' : 'PM');
        break;
      case 'P':
        out += txt(tm.hour < 12 ? 'am' : 'pm');
        break;
      case 'r':
        out += txt(strftime('%I:%M:%S %p', tm));
        break;
      case 'R':
        out += txt(strftime('%H:%M', tm));
        break;
      case 's':
        out += typeof tm.epoch === 'bigint' ? tm.epoch.toString() : num(tm.epoch, 1);
        break;
      case 'S':
        out += num(tm.sec, 2);
        break;
      case 't':
        out += '\t';
        break;
      case 'T':
      case 'X':
        out += txt(strftime('%H:%M:%S', tm));
        break;
      case 'u':
        out += num(tm.wday === 0 ? 7 : tm.wday, 1);
        break;
      case 'U':
        out += num(Math.floor((tm.yday + 7 - tm.wday) / 7), 2);
        break;
      case 'V':
        out += num(isoWeek(tm).week, 2);
        break;
      case 'w':
        out += num(tm.wday, 1);
        break;
      case 'W':
        out += num(Math.floor((tm.yday + 7 - ((tm.wday + 6) % 7)) / 7), 2);
        break;
      case 'y':
        out += num(((tm.year % 100) + 100) % 100, 2);
        break;
      case 'Y':
        out += num(tm.year, 1);
        break;
      case 'z': {
        const off = Math.abs(tm.gmtoff);
        out += (tm.gmtoff < 0 ? '-' : '+') + pad(Math.floor(off / 3600) * 100 + Math.floor((off % 3600) / 60), 4, '0', '', 0);
        break;
      }
      case 'Z':
        out += txt(tm.zone);
        break;
      case '%':
        out += '%';
        break;
      default:
        // glibc copies an unknown conversion as written.
        out += format.slice(start, i + 1);
        if (conv === undefined) i = format.length;
    }
  }
  return out;
}
