/**
 * HTTP dates as HAProxy's parse_http_date reads them (RFC 7231 §7.1.1.1): IMF-fixdate, the
 * obsolete RFC 850 form and asctime(). Returns UNIX seconds, or undefined for anything else.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const IMF_FIXDATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const RFC850 = /^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ASCTIME = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

function seconds(year: number, month: string, day: number, h: number, m: number, s: number): number | undefined {
  const mon = MONTHS.indexOf(month);
  if (mon < 0 || day < 1 || day > 31 || h > 23 || m > 59 || s > 60) return undefined;
  return Date.UTC(year, mon, day, h, m, s) / 1000;
}

export function parseHttpDate(text: string): number | undefined {
  const value = text.trim();
  let r = IMF_FIXDATE.exec(value);
  if (r !== null) return seconds(Number(r[3]), r[2] as string, Number(r[1]), Number(r[4]), Number(r[5]), Number(r[6]));
  r = RFC850.exec(value);
  if (r !== null) {
    // RFC 7231: a two-digit year more than 50 years in the future is in the past century.
    const yy = Number(r[3]);
    return seconds(yy < 70 ? 2000 + yy : 1900 + yy, r[2] as string, Number(r[1]), Number(r[4]), Number(r[5]), Number(r[6]));
  }
  r = ASCTIME.exec(value);
  if (r !== null) return seconds(Number(r[6]), r[1] as string, Number((r[2] as string).trim()), Number(r[3]), Number(r[4]), Number(r[5]));
  return undefined;
}
