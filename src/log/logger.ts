import { latin1Bytes } from '../http/codec/chars.ts';
import type { LogTarget } from '../config/model.ts';
import type { Runtime } from '../runtime.ts';
import { formatIsoMicros, formatRfc3164Date } from './log-time.ts';
import { parseSyslogAddress, type SyslogAddress, type SyslogSenders } from './syslog-target.ts';
import type { LogSampling } from './log-sampling.ts';
import type { RingSink } from './ring-sink.ts';
import type { Rings } from './rings.ts';
import { forwardedHeader } from './forwarded-header.ts';
import type { ParsedSyslogMessage } from './syslog-message.ts';

/**
 * What the loggers of one running configuration share: the syslog sockets, each target's
 * sampling count, and the names of the syslog header (global `log-tag`, `log-send-hostname`).
 */
export interface LogSinks {
  readonly syslog: SyslogSenders;
  readonly sampling: LogSampling;
  readonly header?: SyslogHeaderNames | undefined;
  /** The addresses of the targets written with a host name (GlobalModel.logHosts). */
  readonly hosts?: ReadonlyMap<string, SyslogAddress> | undefined;
  /** The rings `ring@NAME` and `tcp@...` targets write to. */
  readonly rings?: Rings | undefined;
}

/** The header's HOSTNAME ('' for none: HAProxy then writes `localhost` or `-` as each format wants) and TAG (the program's name when undefined). */
export interface SyslogHeaderNames {
  readonly hostname: string;
  readonly tag?: string | undefined;
}

/** The program's name, HAProxy's default tag. */
export const PROGRAM_TAG = 'switchyard';

const FACILITIES: Record<string, number> = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9,
  auth2: 10, ftp: 11, ntp: 12, audit: 13, alert: 14, cron2: 15,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
};

/** HAProxy's default max_syslog_len for a target without `len`. */
const SYSLOG_MAX = 1024;

export const LogLevel = { emerg: 0, alert: 1, crit: 2, err: 3, warning: 4, notice: 5, info: 6, debug: 7 } as const;
export type LogLevelValue = (typeof LogLevel)[keyof typeof LogLevel];

/** A served target: stdout, stderr, a syslog socket (`to`: UDP or UNIX datagrams), or a ring. */
interface ServedTarget {
  readonly target: LogTarget;
  readonly to: SyslogAddress | undefined;
  readonly ring?: RingSink | undefined;
}

/**
 * Emits proxy log lines to the targets of one proxy (`log` lines), framed as the target's
 * `format` asks: stdout, stderr and syslog sockets, UDP or UNIX datagrams (through the
 * process's shared sockets).
 */
export class ProxyLogger {
  readonly #runtime: Runtime;
  readonly #targets: readonly ServedTarget[];
  readonly #json: boolean;
  readonly #syslog: SyslogSenders | undefined;
  readonly #sampling: LogSampling | undefined;
  /** The syslog tag (a proxy's `log-tag`, an fcgi-app's name for its STDERR lines, or the global one). */
  readonly #tag: string;
  readonly #hostname: string;
  readonly #encoder = new TextEncoder();

  constructor(runtime: Runtime, targets: readonly LogTarget[], json: boolean, sinks?: LogSinks, tag?: string) {
    this.#tag = tag ?? sinks?.header?.tag ?? PROGRAM_TAG;
    this.#hostname = sinks?.header?.hostname ?? '';
    const syslog = sinks?.syslog;
    this.#runtime = runtime;
    const served: ServedTarget[] = [];
    for (const target of targets) {
      if (target.ring !== undefined) {
        const ring = sinks?.rings?.get(target.ring);
        if (ring !== undefined) served.push({ target, to: undefined, ring });
      } else if (target.target === 'stdout' || target.target === 'stderr') served.push({ target, to: undefined });
      else if (syslog !== undefined) {
        const to = parseSyslogAddress(target.target) ?? sinks?.hosts?.get(target.target);
        if (to !== undefined) served.push({ target, to });
      }
    }
    this.#targets = served;
    this.#json = json;
    this.#syslog = syslog;
    this.#sampling = sinks?.sampling;
  }

  get enabled(): boolean {
    return this.#targets.length > 0;
  }

  get json(): boolean {
    return this.#json;
  }

  /**
   * `bytes`: the message is a byte string (one char per byte: a traffic log line, whose samples
   * are the bytes of the request), written as those bytes as HAProxy does; otherwise text.
   * `structuredData`: rfc5424's STRUCTURED-DATA field (`log-format-sd`), '-' when undefined.
   */
  emit(level: LogLevelValue, message: string, bytes = false, structuredData?: string): void {
    for (const { target: t, to, ring } of this.#targets) {
      // `log TARGET FACILITY LEVEL MINLEVEL`: drop what is more verbose than LEVEL, and raise
      // what is more severe than MINLEVEL up to it, as HAProxy does.
      if (t.level !== undefined && level > LogLevel[t.level]) continue;
      if (t.sample !== undefined && this.#sampling !== undefined && !this.#sampling.takes(t)) continue;
      const effective = t.minLevel !== undefined && level < LogLevel[t.minLevel] ? LogLevel[t.minLevel] : level;
      if (ring !== undefined) {
        // The ring puts its own header (sink_write); the line is the message cut to `len`.
        let data = bytes ? latin1Bytes(message) : this.#encoder.encode(message);
        const max = t.maxLength ?? SYSLOG_MAX;
        if (data.length > max) data = data.subarray(0, max);
        ring.write(effective, t.facility, data, this.#tag, structuredData);
        continue;
      }
      let line = this.#json ? message : frame(t, effective, message, this.#runtime, this.#tag, this.#hostname, structuredData);
      if (t.maxLength !== undefined && line.length > t.maxLength) line = line.slice(0, t.maxLength);
      if (to !== undefined) {
        // One datagram per line, ending in a newline as HAProxy's do (1024 bytes at most by default).
        (this.#syslog as SyslogSenders).send(to, `${line.length >= SYSLOG_MAX ? line.slice(0, SYSLOG_MAX - 1) : line}\n`, bytes);
      } else {
        const out = bytes ? latin1Bytes(`${line}\n`) : `${line}\n`;
        if (t.target === 'stdout') this.#runtime.writeStdout(out);
        else this.#runtime.writeStderr(out);
      }
    }
  }

  /**
   * Relays a message a `log-forward` section received (process_send_log with its metadata):
   * its own facility and level, or without a PRI the target's facility and minimum level; the
   * header rebuilt in the target's format from the received fields; header and message cut to
   * the target's `len` (1024 bytes by default), then a newline.
   */
  forward(parsed: ParsedSyslogMessage): void {
    let message = parsed.message;
    // HAProxy strips the trailing LFs and NULs some senders leave.
    let size = message.length;
    while (size > 0 && (message[size - 1] === 0x0a || message[size - 1] === 0)) size--;
    if (size !== message.length) message = message.subarray(0, size);
    let text: string | undefined;
    for (const { target: t, to, ring } of this.#targets) {
      if (t.level !== undefined && parsed.level > LogLevel[t.level]) continue;
      if (t.sample !== undefined && this.#sampling !== undefined && !this.#sampling.takes(t)) continue;
      const minLevel = t.minLevel !== undefined ? LogLevel[t.minLevel] : 0;
      const level = (parsed.level > minLevel ? parsed.level : minLevel) as LogLevelValue;
      const max = t.maxLength ?? SYSLOG_MAX;
      if (ring !== undefined) {
        ring.write(level, t.facility, message.length > max ? message.subarray(0, max) : message, parsed.metadata.tag, parsed.metadata.structuredData || undefined);
        continue;
      }
      const facility = parsed.facility >= 0 ? parsed.facility : (FACILITIES[t.facility ?? 'local0'] ?? 16);
      text ??= latin1Text(message);
      let line = forwardedHeader(t.format, level, facility, parsed.metadata, this.#runtime.wallClock()) + text;
      if (line.length > max) line = line.slice(0, max);
      if (to !== undefined) (this.#syslog as SyslogSenders).send(to, `${line}\n`, true);
      else if (t.target === 'stdout') this.#runtime.writeStdout(latin1Bytes(`${line}\n`));
      else this.#runtime.writeStderr(latin1Bytes(`${line}\n`));
    }
  }
}

function latin1Text(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i] as number);
  return out;
}

/**
 * HAProxy's build_log_header: a target without `format` writes rfc3164 when a host name is
 * sent, and otherwise the same header without it ("local").
 */
function frame(t: LogTarget, level: LogLevelValue, message: string, runtime: Runtime, tag: string, hostname: string, structuredData: string | undefined): string {
  return logHeader(t.format, t.facility, level, runtime, tag, hostname, structuredData) + message;
}

/** The header `format` puts before a message (build_log_header): '' for raw. */
export function logHeader(
  format: LogTarget['format'],
  facility: string | undefined,
  level: LogLevelValue,
  runtime: Runtime,
  tag: string,
  hostname: string,
  structuredData: string | undefined,
): string {
  const pri = (FACILITIES[facility ?? 'local0'] ?? 16) * 8 + level;
  switch (format === 'unspec' ? (hostname !== '' ? 'rfc3164' : 'local') : format) {
    case 'raw':
      return '';
    case 'short':
      // HAProxy's short format carries the level alone: "further format ignore the facility".
      return `<${level}>`;
    case 'priority':
      return `<${pri}>`;
    case 'timed':
      return `<${level}>${formatIsoMicros(runtime.wallClock())} `;
    case 'iso':
      return `${formatIsoMicros(runtime.wallClock())} `;
    case 'rfc5424':
      return `<${pri}>1 ${formatIsoMicros(runtime.wallClock())} ${hostname !== '' ? hostname : '-'} ${tag} ${runtime.pid} - ${structuredData ?? '-'} `;
    case 'rfc3164':
      // The host name is mandatory in this format: HAProxy writes `localhost` without one.
      return `<${pri}>${formatRfc3164Date(runtime.wallClock())} ${hostname !== '' ? hostname : 'localhost'} ${tag}[${runtime.pid}]: `;
    case 'local':
      return `<${pri}>${formatRfc3164Date(runtime.wallClock())} ${tag}[${runtime.pid}]: `;
  }
}
