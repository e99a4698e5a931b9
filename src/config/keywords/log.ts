/**
 * `log` lines, shared by the global section and proxies:
 *
 *   log TARGET [len N] [format FORMAT] [sample RANGES:SIZE] FACILITY [LEVEL [MINLEVEL]]
 *
 * Served: `stdout`, `stderr` (also `fd@1`, `fd@2`), syslog over UDP (an IP address) and UNIX
 * datagram sockets (a path, `abns@NAME`),
 * `ring@NAME` (a `ring` section's buffer, checked once every section is read: config/rings.ts)
 * and `tcp@ADDRESS[:PORT]` (syslog over TCP through an implicit ring `ring#N`, numbered in the
 * order of the lines as HAProxy's parse_logsrv does). A target nothing would reach is refused at
 * its line rather than silently dropped.
 */

import type { LogLevelName, LogSample, LogTarget } from '../model.ts';
import type { KeywordContext } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { parseSyslogAddress, parseSyslogHostTarget, parseSyslogInetAddress, type SyslogInetAddress } from '../../log/syslog-target.ts';
import { parseInteger } from './args.ts';
import { expandAddressEnv } from '../env-expand.ts';

export const LOG_FACILITIES: readonly string[] = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'auth2', 'ftp',
  'ntp', 'audit', 'alert', 'cron2', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5',
  'local6', 'local7',
];

export const LOG_LEVELS: readonly LogLevelName[] = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

const SUPPORTED_FORMATS = new Set<LogTarget['format']>(['raw', 'local', 'rfc3164', 'rfc5424', 'short', 'priority', 'timed', 'iso']);
const FORMAT_LIST = 'local, rfc3164, rfc5424, priority, short, timed, iso, raw';

function isLevel(text: string): text is LogLevelName {
  return (LOG_LEVELS as readonly string[]).includes(text);
}

export function isStdioLogTarget(target: string): boolean {
  return target === 'stdout' || target === 'stderr';
}

/**
 * Targets lines are sent to: stdout, stderr, and syslog sockets (`ADDRESS[:PORT]`, `/PATH`, and
 * `HOST[:PORT]`, whose address is resolved at startup).
 */
export function isServedLogTarget(target: string): boolean {
  return isStdioLogTarget(target) || parseSyslogAddress(target) !== undefined || parseSyslogHostTarget(target) !== undefined;
}

/**
 * A target under its usual name: HAProxy's `stdout` and `stderr` are its `fd@1` and `fd@2`
 * (parse_logsrv), so those are the same targets.
 */
export function canonicalLogTarget(target: string): string {
  return target === 'fd@1' ? 'stdout' : target === 'fd@2' ? 'stderr' : target;
}

/** Why a target cannot be served, in the words of the error at its line. */
export function unservedLogTargetReason(target: string): string {
  if (target.startsWith('fd@')) return `'log' : target '${target}' is not supported (fd@1 and fd@2 are stdout and stderr; other descriptors are not written to).`;
  if (/^(sockpair|uxst|uxdg)@/.test(target)) return `'log' : target '${target}' is not supported (use stdout, stderr, a UDP address or a UNIX socket path).`;
  return `'log' : invalid address: '${target}'.`;
}

const TCP_PREFIXES: ReadonlyArray<[string, string]> = [
  ['tcp@', 'udp@'],
  ['tcp4@', 'udp4@'],
  ['tcp6@', 'udp6@'],
];

/**
 * The server of a `log tcp@ADDRESS[:PORT]` target (port 514 by default, as HAProxy's
 * SYSLOG_PORT); undefined when the text is not such a target or its address is not an IP.
 */
export function parseTcpLogTarget(text: string): SyslogInetAddress | undefined {
  for (const [tcp, udp] of TCP_PREFIXES) {
    if (text.startsWith(tcp)) return parseSyslogInetAddress(udp + text.slice(tcp.length));
  }
  return undefined;
}

/** Parses the words after `log`; reports problems and returns undefined when invalid. */
export function parseLogTarget(ctx: KeywordContext, args: readonly Token[]): LogTarget | undefined {
  const target = args[1];
  if (target === undefined) {
    ctx.error("'log' expects either <address[:port]> and <facility> or 'global' as arguments.");
    return undefined;
  }
  let i = 2;
  let format: LogTarget['format'] = 'unspec';
  let maxLength: number | undefined;
  let sample: LogSample | undefined;
  for (;;) {
    const word = args[i];
    if (word?.text === 'len') {
      const value = args[i + 1];
      if (value === undefined) {
        ctx.error("'log' : 'len' expects a length in bytes.", word);
        return undefined;
      }
      const parsed = parseInteger(ctx, value, { min: 80, max: 65535 }, "'log len'");
      if (parsed === undefined) return undefined;
      maxLength = parsed;
      i += 2;
    } else if (word?.text === 'format') {
      const value = args[i + 1];
      if (value === undefined) {
        ctx.error(`'log' : 'format' expects one of ${FORMAT_LIST}.`, word);
        return undefined;
      }
      if (SUPPORTED_FORMATS.has(value.text as LogTarget['format'])) {
        format = value.text as LogTarget['format'];
      } else {
        ctx.error(`'log' : unknown log format '${value.text}' (supported: ${FORMAT_LIST}).`, value);
        return undefined;
      }
      i += 2;
    } else if (word?.text === 'sample') {
      const value = args[i + 1];
      const parsed = parseLogSample(value?.text ?? '');
      if (typeof parsed === 'string') {
        ctx.error(`log : ${parsed}`, value ?? word);
        return undefined;
      }
      sample = parsed;
      i += 2;
    } else {
      break;
    }
  }

  const facility = args[i];
  if (facility === undefined) {
    ctx.error("'log' expects <facility> after the target (e.g. 'log stdout format raw local0').", target);
    return undefined;
  }
  if (!LOG_FACILITIES.includes(facility.text)) {
    ctx.error(`'log' : unknown log facility '${facility.text}'.`, facility);
    return undefined;
  }
  let level: LogLevelName | undefined;
  let minLevel: LogLevelName | undefined;
  const levelToken = args[i + 1];
  if (levelToken !== undefined) {
    if (!isLevel(levelToken.text)) {
      ctx.error(`'log' : unknown optional log level '${levelToken.text}'.`, levelToken);
      return undefined;
    }
    level = levelToken.text;
  }
  const minToken = args[i + 2];
  if (minToken !== undefined) {
    if (!isLevel(minToken.text)) {
      ctx.error(`'log' : unknown optional minimum log level '${minToken.text}'.`, minToken);
      return undefined;
    }
    minLevel = minToken.text;
  }
  const extra = args[i + 3];
  if (extra !== undefined) {
    ctx.error(`'log' cannot handle unexpected argument '${extra.text}'.`, extra);
    return undefined;
  }

  // str2sa_range expands the environment in an address (`${S1_addr}:${S1_port}`, unset: `:`).
  const text = canonicalLogTarget(expandAddressEnv(target.text, (name) => ctx.getEnv(name)));
  let ring: string | undefined;
  if (text.startsWith('ring@')) {
    ring = text.slice(5);
  } else if (/^tcp[46]?@/.test(text)) {
    if (parseTcpLogTarget(text) === undefined) {
      ctx.error(`'log' : invalid address: '${text}' (syslog over TCP takes an IP address and an optional port: tcp@127.0.0.1:514).`, target);
      return undefined;
    }
    ctx.global.implicitRings = (ctx.global.implicitRings ?? 0) + 1;
    ring = `ring#${ctx.global.implicitRings}`;
  } else if (!isServedLogTarget(text)) {
    ctx.error(unservedLogTargetReason(text), target);
    return undefined;
  }
  const { file, line } = ctx.place(args[0]);
  return {
    target: text,
    format,
    facility: facility.text,
    level,
    minLevel,
    maxLength,
    ...(sample === undefined ? {} : { sample }),
    ...(ring === undefined ? {} : { ring }),
    source: { file, line },
  };
}

/**
 * `sample RANGES:SIZE` (HAProxy 2.6's log load-balancing): of each SIZE lines the target takes
 * those whose 1-based index falls in RANGES (`1,3`, `2-4`), which may not overlap; SIZE must
 * reach the highest range. Returns HAProxy's message when invalid.
 */
export function parseLogSample(text: string): LogSample | string {
  const colon = text.indexOf(':');
  if (colon < 0) return 'Missing sample size';
  const list = text.slice(0, colon);
  const ranges: { low: number; high: number }[] = [];
  let highest = 0;
  for (let p = 0; p < list.length; ) {
    let end = list.indexOf(',', p);
    if (end < 0) end = list.length;
    const m = /^(\d+)(?:-(\d+))?$/.exec(list.slice(p, end));
    const low = m === null ? 0 : Number(m[1]);
    const high = m === null ? 0 : m[2] === undefined ? low : Number(m[2]);
    if (low === 0 || high === 0 || (m?.[2] !== undefined && high <= low)) return `wrong sample range '${list.slice(p)}'`;
    if (ranges.some((r) => (low >= r.low && low <= r.high) || (high >= r.low && high <= r.high))) return 'ranges are overlapping';
    ranges.push({ low, high });
    highest = Math.max(highest, high);
    p = end + 1;
  }
  if (ranges.length === 0) return 'no sampling ranges given';
  const sizeText = text.slice(colon + 1);
  const size = /^\d+$/.test(sizeText) ? Number(sizeText) : 0;
  if (size === 0) return `wrong sample size '${sizeText}' for sample range '${list}'`;
  if (size < highest) return `sample size ${size} should be greater or equal to ${highest} the maximum of the high ranges limits`;
  ranges.sort((a, b) => a.low - b.low);
  return { ranges, size };
}
