/**
 * A proxy's email alerts (HAProxy 2.6's mailers.c): a server state change logged at a level
 * at or above `email-alert level` is mailed to every mailer of the `mailers` section. Each
 * mailer has its own queue per proxy, sent one alert at a time, each alert one SMTP exchange
 * (email-alert-rules.ts) on its own connection, never retried: a refused, failing or silent
 * mailer only loses that alert, and the exchange is bounded by `timeout mail` (or, as HAProxy
 * arms its check task, by the proxy's `timeout connect` when shorter and `timeout check` is
 * set). Nothing of this is on the traffic's path. Only the main thread mails (src/proxy/proxy.ts).
 */
import type { EmailAlertModel, MailersModel, Timeouts } from '../config/model.ts';
import type { Runtime } from '../runtime.ts';
import { emailAlertRules } from './email-alert-rules.ts';
import { TcpCheckProbe } from './tcp-check/probe.ts';
import type { ProbeSpec } from './check-probe.ts';
import type { TcpCheckRuleSet } from './tcp-check/rules.ts';

/** HAProxy formats an alert into a 1024-byte buffer: a longer message is not sent. */
const MESSAGE_LIMIT = 1024;

/** One mailer's queue for one proxy (HAProxy's email_alertq). */
class MailerQueue {
  readonly #runtime: Runtime;
  readonly #spec: ProbeSpec;
  readonly #pending: TcpCheckRuleSet[] = [];
  #current: TcpCheckProbe | undefined;

  constructor(runtime: Runtime, spec: ProbeSpec) {
    this.#runtime = runtime;
    this.#spec = spec;
  }

  push(rules: TcpCheckRuleSet): void {
    this.#pending.push(rules);
    if (this.#current === undefined) this.#next();
  }

  stop(): void {
    this.#pending.length = 0;
    const current = this.#current;
    this.#current = undefined;
    current?.abort();
  }

  #next(): void {
    const rules = this.#pending.shift();
    if (rules === undefined) return;
    // The outcome is not reported anywhere: HAProxy's alert check has no server to report to.
    const probe = new TcpCheckProbe(this.#runtime, this.#spec, rules, () => this.#done(probe));
    this.#current = probe;
    probe.start();
  }

  #done(probe: TcpCheckProbe): void {
    if (this.#current !== probe) return;
    this.#current = undefined;
    this.#next();
  }
}

export class EmailAlerts {
  readonly #runtime: Runtime;
  readonly #settings: EmailAlertModel;
  readonly #myhostname: string;
  readonly #queues: readonly MailerQueue[];

  constructor(runtime: Runtime, settings: EmailAlertModel, mailers: MailersModel, timeouts: Timeouts) {
    this.#runtime = runtime;
    this.#settings = settings;
    this.#myhostname = settings.myhostname ?? runtime.hostname ?? 'localhost';
    const connect = timeouts.check !== undefined && timeouts.connect !== undefined ? Math.min(mailers.timeoutMail, timeouts.connect) : mailers.timeoutMail;
    this.#queues = mailers.mailers.map(
      (mailer) => new MailerQueue(runtime, { host: mailer.host, port: mailer.port, tls: undefined, http: undefined, connectTimeout: connect, readTimeout: undefined }),
    );
  }

  /** Whether an event logged at `level` (0 emerg .. 7 debug) is mailed. */
  wants(level: number): boolean {
    return level <= this.#settings.level;
  }

  /**
   * Mails `message` (a log line without its final '.') to every mailer. False when it is too
   * long to be sent (HAProxy then alerts "could not format message").
   */
  send(message: string): boolean {
    if (message.length >= MESSAGE_LIMIT) return false;
    const letter = { from: this.#settings.from, to: this.#settings.to, myhostname: this.#myhostname, message, date: Math.floor(this.#runtime.wallClock() / 1000) };
    for (const queue of this.#queues) queue.push(emailAlertRules(letter));
    return true;
  }

  /** Abandons the alerts under way and queued (the proxy generation is stopping). */
  stop(): void {
    for (const queue of this.#queues) queue.stop();
  }
}
