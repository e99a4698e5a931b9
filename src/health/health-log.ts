/**
 * Where health-check state changes are reported, as HAProxy does in the foreground: to the
 * backend's `log` targets (send_log, at HAProxy's levels) and to stderr as
 * `[WARNING]  (pid) : ...` / `[ALERT]    (pid) : ...` lines (ha_warning / ha_alert).
 */
import { LogLevel, type LogLevelValue, type ProxyLogger } from '../log/logger.ts';
import type { Runtime } from '../runtime.ts';

export class HealthLog {
  readonly #runtime: Runtime;
  readonly #logger: ProxyLogger | undefined;
  readonly #quiet: boolean;

  /** `option log-health-checks`: each check result change is reported (checkResult). */
  readonly logsChecks: boolean;

  constructor(runtime: Runtime, logger: ProxyLogger | undefined, quiet = false, logsChecks = false) {
    this.#runtime = runtime;
    this.#logger = logger;
    this.#quiet = quiet;
    this.logsChecks = logsChecks;
  }

  /** A `log-health-checks` line: [WARNING] on the console, LOG_NOTICE to the logs (check.c set_server_check_status). */
  checkResult(text: string): void {
    this.#console('WARNING', text);
    if (this.#logger?.enabled) this.#logger.emit(LogLevel.notice, text);
  }

  /** A server went DOWN (LOG_ALERT) or UP (LOG_NOTICE): a [WARNING] on the console either way. */
  serverState(level: LogLevelValue, text: string): void {
    this.#console('WARNING', text);
    if (this.#logger?.enabled) this.#logger.emit(level, text);
  }

  /** Another event of the backend at LOG_ALERT (`option checkcache` blocking a response): [ALERT] on the console too. */
  alert(text: string): void {
    this.#console('ALERT', text);
    if (this.#logger?.enabled) this.#logger.emit(LogLevel.alert, text);
  }

  /** The backend lost its last server: [ALERT] on the console, LOG_EMERG to the logs. */
  backendDown(consoleText: string, logText: string): void {
    this.#console('ALERT', consoleText);
    if (this.#logger?.enabled) this.#logger.emit(LogLevel.emerg, logText);
  }

  #console(label: 'WARNING' | 'ALERT', text: string): void {
    if (this.#quiet) return;
    // HAProxy pads "[LABEL]" to a fixed width: "[WARNING]  (pid)", "[ALERT]    (pid)".
    this.#runtime.writeStderr(`[${label}]${' '.repeat(9 - label.length)}(${this.#runtime.pid}) : ${text}\n`);
  }
}
