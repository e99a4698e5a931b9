/**
 * The header a `log-forward` section puts before a message it relays (HAProxy 2.6's
 * build_log_header given the received message's metadata): each target's format, or with no
 * `format` the one the message came in (rfc5424 or rfc3164 with a host, local with a tag alone,
 * priority with a PRI alone, raw otherwise). Received timestamps are kept, converted between
 * the RFC 3164 and RFC 5424 forms when the format asks for the other one.
 */
import type { LogTarget } from '../config/model.ts';
import { formatIsoMicros, formatRfc3164Date } from './log-time.ts';
import { ISO_TIME_MIN_LENGTH, LEGACY_TIME_LENGTH, MONTHS, type SyslogMetadata } from './syslog-message.ts';

type Format = Exclude<LogTarget['format'], 'unspec'>;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

function chosenFormat(format: LogTarget['format'], meta: SyslogMetadata): Format {
  if (format !== 'unspec') return format;
  if (meta.host !== '') return meta.time === '-' || meta.time.length >= ISO_TIME_MIN_LENGTH ? 'rfc5424' : 'rfc3164';
  if (meta.tag !== '') return 'local';
  return meta.prio !== '' ? 'priority' : 'raw';
}

/** `Mmm dd hh:mm:ss ` for rfc3164 and local. */
function legacyTime(meta: SyslogMetadata, now: number): string {
  const t = meta.time;
  if (t.length === LEGACY_TIME_LENGTH) return `${t} `;
  if (t.length >= ISO_TIME_MIN_LENGTH) {
    let month = 10 * (t.charCodeAt(5) - 0x30) + (t.charCodeAt(6) - 0x30);
    if (month !== 0) month--;
    if (month >= 0 && month <= 11) return `${MONTHS[month]} ${t[8] !== '0' ? t[8] : ' '}${t[9]} ${t.slice(11, 19)} `;
  }
  return `${formatRfc3164Date(now)} `;
}

/** The ISO timestamp and its space for rfc5424, timed and iso. */
function isoTime(meta: SyslogMetadata, now: number): string {
  const t = meta.time;
  if (t.length >= ISO_TIME_MIN_LENGTH) return `${t} `;
  if (t.length === LEGACY_TIME_LENGTH) {
    const month = (MONTHS as readonly string[]).indexOf(t.slice(0, 3));
    if (month >= 0) {
      const local = new Date(now);
      // The legacy form has no year: the current one, or the last if that month is yet to come.
      const year = local.getMonth() < month ? local.getFullYear() - 1 : local.getFullYear();
      // "-00:00": the timezone is unknown (RFC 5424).
      return `${year}-${pad2(month + 1)}-${t[4] !== ' ' ? t[4] : '0'}${t[5]}T${t.slice(7, 15)}-00:00 `;
    }
  }
  return `${formatIsoMicros(now)} `;
}

function word(value: string): string {
  return value !== '' ? `${value} ` : '- ';
}

/** The header of a relayed message for a target of `format` (a latin-1 string). */
export function forwardedHeader(format: LogTarget['format'], level: number, facility: number, meta: SyslogMetadata, now: number): string {
  const chosen = chosenFormat(format, meta);
  switch (chosen) {
    case 'raw':
      return '';
    case 'short':
      return `<${level}>`;
    case 'priority':
      return `<${facility * 8 + level}>`;
    case 'timed':
      return `<${level}>${isoTime(meta, now)}`;
    case 'iso':
      return isoTime(meta, now);
    case 'rfc5424': {
      const time = meta.time === '-' ? '- ' : isoTime(meta, now);
      return `<${facility * 8 + level}>1 ${time}${word(meta.host)}${word(meta.tag)}${word(meta.pid)}${word(meta.msgid)}${word(meta.structuredData)}`;
    }
    case 'rfc3164':
    case 'local': {
      let header = `<${facility * 8 + level}>${legacyTime(meta, now)}`;
      // The host name is mandatory in rfc3164: `localhost` without one.
      if (chosen === 'rfc3164') header += meta.host !== '' ? `${meta.host} ` : 'localhost ';
      if (meta.tag === '') return header;
      return `${header}${meta.tag}${meta.pid !== '' ? `[${meta.pid}]` : ''}: `;
    }
  }
}
