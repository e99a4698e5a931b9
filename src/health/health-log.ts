/**
 * Where health-check state changes are reported, as HAProxy does in the foreground: to the
 * backend's `log` targets (send_log, at HAProxy's levels), to stderr as
 * `[WARNING]  (pid) : ...` / `[ALERT]    (pid) : ...` lines (ha_warning / ha_alert), and for the
 * changes HAProxy also mails (send_email_alert), to the backend's email alerts.
 */
import { LogLevel, type LogLevelValue, type ProxyLogger } from '../log/logger.ts';
import type { Runtime } from '../runtime.ts';
import type { EmailAlerts } from './email-alerts.ts';

export class HealthLog {
  readonly #runtime: Runtime;
  readonly #logger: ProxyLogger | undefined;
  readonly #quiet: boolean;
  readonly #mail: EmailAlerts | undefined;
  readonly #proxyName: string;

  /** `option log-health-checks`: each check result change is reported (checkResult). */
  readonly logsChecks: boolean;

  /** `mail`: the backend's email alerts (none in threads other than the main one); `proxyName` names it in their failures. */
  constructor(runtime: Runtime, logger: ProxyLogger | undefined, quiet = false, logsChecks = false, mail?: { readonly alerts: EmailAlerts; readonly proxyName: string }) {
    this.#runtime = runtime;
    this.#logger = logger;
    this.#quiet = quiet;
    this.logsChecks = logsChecks;
    this.#mail = mail?.alerts;
    this.#proxyName = mail?.proxyName ?? '';
  }

  /** A `log-health-checks` line: [WARNING] on the console, LOG_NOTICE to the logs, mailed at LOG_INFO (check.c set_server_check_status). */
  checkResult(text: string): void {
    this.#console('WARNING', text);
    if (this.#logger?.enabled) this.#logger.emit(LogLevel.notice, text);
    this.#mailed(LogLevel.info, text);
  }

  /**
   * A server went DOWN (LOG_ALERT) or UP (LOG_NOTICE): a [WARNING] on the console either way.
   * `mailed`: HAProxy also sends it as an email alert, as srv_update_status does for a server
   * going DOWN, UP or into drain (not for maintenance, `stopping` or address changes).
   */
  serverState(level: LogLevelValue, text: string, mailed = false): void {
    this.#console('WARNING', text);
    if (this.#logger?.enabled) this.#logger.emit(level, text);
    if (mailed) this.#mailed(level, text);
  }

  /** The mail carries the log line without its final '.' (send_email_alert gets the text before it). */
  #mailed(level: LogLevelValue, text: string): void {
    const mail = this.#mail;
    if (mail === undefined || !mail.wants(level)) return;
    if (!mail.send(text.endsWith('.') ? text.slice(0, -1) : text)) this.#console('ALERT', `Email alert [${this.#proxyName}] could not format message`);
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
