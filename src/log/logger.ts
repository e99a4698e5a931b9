import type { LogTarget } from '../config/model.ts';
import type { Runtime } from '../runtime.ts';
import { formatRfc3164Date } from './log-time.ts';

const FACILITIES: Record<string, number> = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9,
  auth2: 10, ftp: 11, ntp: 12, audit: 13, alert: 14, cron2: 15,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
};

export const LogLevel = { emerg: 0, alert: 1, crit: 2, err: 3, warning: 4, notice: 5, info: 6, debug: 7 } as const;
export type LogLevelValue = (typeof LogLevel)[keyof typeof LogLevel];

/**
 * Emits proxy log lines to the targets of one proxy (`log` lines), framed as the target's
 * `format` asks. Only stdout/stderr are served; other targets were warned about at load.
 */
export class ProxyLogger {
  readonly #runtime: Runtime;
  readonly #targets: readonly LogTarget[];
  readonly #json: boolean;

  constructor(runtime: Runtime, targets: readonly LogTarget[], json: boolean) {
    this.#runtime = runtime;
    this.#targets = targets.filter((t) => t.target === 'stdout' || t.target === 'stderr');
    this.#json = json;
  }

  get enabled(): boolean {
    return this.#targets.length > 0;
  }

  get json(): boolean {
    return this.#json;
  }

  emit(level: LogLevelValue, message: string): void {
    for (const t of this.#targets) {
      // `log TARGET FACILITY LEVEL MINLEVEL`: drop what is more verbose than LEVEL, and raise
      // what is more severe than MINLEVEL up to it, as HAProxy does.
      if (t.level !== undefined && level > LogLevel[t.level]) continue;
      const effective = t.minLevel !== undefined && level < LogLevel[t.minLevel] ? LogLevel[t.minLevel] : level;
      let line = this.#json ? message : frame(t, effective, message, this.#runtime);
      if (t.maxLength !== undefined && line.length > t.maxLength) line = line.slice(0, t.maxLength);
      if (t.target === 'stdout') this.#runtime.writeStdout(`${line}\n`);
      else this.#runtime.writeStderr(`${line}\n`);
    }
  }
}

function frame(t: LogTarget, level: LogLevelValue, message: string, runtime: Runtime): string {
  const pri = (FACILITIES[t.facility ?? 'local0'] ?? 16) * 8 + level;
  switch (t.format) {
    case 'raw':
      return message;
    case 'short':
      // HAProxy's short format carries the level alone: "further format ignore the facility".
      return `<${level}>${message}`;
    case 'rfc5424':
      return `<${pri}>1 ${new Date(runtime.wallClock()).toISOString()} - switchyard ${runtime.pid} - - ${message}`;
    case 'rfc3164':
      return `<${pri}>${formatRfc3164Date(runtime.wallClock())} switchyard[${runtime.pid}]: ${message}`;
  }
}
