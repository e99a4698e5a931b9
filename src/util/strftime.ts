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
  readonly epoch: number;
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

/** The broken-down time of `epochSeconds`, in UTC or local time; undefined out of Date's range. */
export function brokenDownTime(epochSeconds: number, utc: boolean): Tm | undefined {
  const date = new Date(epochSeconds * 1000);
  if (Number.isNaN(date.getTime())) return undefined;
  const year = utc ? date.getUTCFullYear() : date.getFullYear();
  const mon = utc ? date.getUTCMonth() : date.getMonth();
  const mday = utc ? date.getUTCDate() : date.getDate();
  return {
    year,
    mon,
    mday,
    hour: utc ? date.getUTCHours() : date.getHours(),
    min: utc ? date.getUTCMinutes() : date.getMinutes(),
    sec: utc ? date.getUTCSeconds() : date.getSeconds(),
    wday: utc ? date.getUTCDay() : date.getDay(),
    yday: dayOfYear(year, mon, mday),
    gmtoff: utc ? 0 : -date.getTimezoneOffset() * 60,
    zone: utc ? 'GMT' : localZone(date),
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
        out += num(tm.epoch, 1);
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
