/**
 * The check loop of one server: run a probe, feed its result to the rise/fall counter, apply
 * a state change through Backend.setServerStatus (which updates the balancer, moves queues and
 * applies on-marked-down/up), report it, then schedule the next probe. The next probe is
 * scheduled when the previous one has finished, so probes of one server never overlap (as
 * HAProxy's process_chk_conn, which re-arms the task from the check's completion).
 *
 * With `observe`, the check also owns the server's HealthObserver: `error-limit` consecutive
 * errors seen by sessions act on the same counter (HAProxy's __health_adjust): `fastinter`
 * only brings the next probe forward to `fastinter`, `fail-check` counts as one failed check,
 * `sudden-death` first drops the health to one failure above DOWN, `mark-down` to DOWN at
 * once; all of them bring the next probe forward.
 */
import type { OnErrorMode, ServerCheckModel } from '../config/model.ts';
import { LogLevel } from '../log/logger.ts';
import type { Backend } from '../proxy/backend.ts';
import type { Server, ServerCheckState } from '../proxy/server.ts';
import type { Runtime, TimerHandle } from '../runtime.ts';
import { CheckProbe, type ProbeSpec } from './check-probe.ts';
import { checkPassed, type CheckOutcome } from './check-status.ts';
import { HealthCounter } from './health-counter.ts';
import type { HealthLog } from './health-log.ts';
import { DEFAULT_ERROR_LIMIT, DEFAULT_ON_ERROR, HealthObserver, type ObservedErrorsHandler } from './observe.ts';
import { SlowStart } from './slowstart.ts';
import { TcpCheckProbe } from './tcp-check/probe.ts';
import { HttpCheckSequence } from './http-check-sequence.ts';
import { spreadInterval } from './check-spread.ts';
import {
  checkResultMessage,
  countUsableServers,
  noServerAlertMessage,
  noServerLogMessage,
  serverDownMessage,
  serverUpMessage,
} from './state-messages.ts';

export interface ServerCheckOptions {
  /** How the backend is named in "no server available" messages. */
  readonly proxyType: 'backend' | 'listen';
  /** The balancing algorithm can change weights on the fly (slowstart ramps weights). */
  readonly dynamicWeight: boolean;
  /** HAProxy's global `spread-checks` percentage: each interval is randomly changed by ±N%. */
  readonly spreadChecks: number;
  readonly random: () => number;
}

export class ServerCheck implements ObservedErrorsHandler {
  readonly server: Server;
  readonly counter: HealthCounter;
  readonly state: ServerCheckState;
  /** The passive observation of the server's traffic (`observe`), or undefined. */
  readonly observer: HealthObserver | undefined;
  readonly #runtime: Runtime;
  readonly #backend: Backend;
  readonly #check: ServerCheckModel;
  readonly #spec: ProbeSpec;
  readonly #log: HealthLog;
  readonly #options: ServerCheckOptions;
  readonly #slowstart: SlowStart;
  #timer: TimerHandle | undefined;
  /** Runtime-clock time the pending timer fires at. */
  #dueAt = Infinity;
  #probe: { abort(): void } | undefined;
  #running = false;
  /** A DRAIN server that failed its checks returns to DRAIN, not UP. */
  #restoreDrain = false;
  /** HAProxy's check.addr: `addr`, then `set server check-addr` (the unspecified address means the server's). */
  #addr: string | undefined;
  /** HAProxy's check.port: `port`, then `set server check-port` (0 means the server's port). */
  #port: number | undefined;

  constructor(
    runtime: Runtime,
    backend: Backend,
    server: Server,
    check: ServerCheckModel,
    spec: ProbeSpec,
    log: HealthLog,
    options: ServerCheckOptions,
  ) {
    this.#runtime = runtime;
    this.#backend = backend;
    this.server = server;
    this.#check = check;
    this.#spec = spec;
    this.#addr = check.addr;
    this.#port = check.port;
    this.#log = log;
    this.#options = options;
    // A server already out of rotation (MAINT, or DOWN from an earlier check) starts unhealthy.
    this.counter = new HealthCounter(check.rise, check.fall, inRotation(server));
    this.state = {
      health: this.counter.health,
      rise: check.rise,
      fall: check.fall,
      status: 'INI',
      code: undefined,
      duration: -1,
      desc: '',
      failedChecks: 0,
      downTransitions: 0,
    };
    server.checkState = this.state;
    this.#slowstart = new SlowStart(runtime, backend, server, options.dynamicWeight);
    this.observer =
      check.observe === undefined
        ? undefined
        : new HealthObserver(check.observe, check.errorLimit ?? DEFAULT_ERROR_LIMIT, check.onError ?? DEFAULT_ON_ERROR, this);
  }

  /** A probe is under way. */
  get probing(): boolean {
    return this.#probe !== undefined;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Delay before the next probe for the current health (inter / fastinter / downinter). */
  interval(): number {
    return this.counter.interval(this.#check, this.server.status === 'DOWN');
  }

  /** Starts the loop; the first probe runs after `firstDelayMs` (the startup spread). */
  start(firstDelayMs: number): void {
    if (this.#running) return;
    this.#running = true;
    // Observation runs with the checks (HAProxy observes only servers whose check task exists).
    if (this.observer !== undefined) this.server.observer = this.observer;
    this.#schedule(firstDelayMs);
  }

  /** Stops the loop: no timer, probe socket or slowstart ramp is left. */
  stop(): void {
    this.#running = false;
    if (this.server.observer === this.observer) this.server.observer = undefined;
    this.#clearTimer();
    this.#probe?.abort();
    this.#probe = undefined;
    this.#slowstart.stop();
  }

  #schedule(delayMs: number): void {
    this.#dueAt = this.#runtime.now() + delayMs;
    this.#timer = this.#runtime.setTimer(() => {
      this.#timer = undefined;
      this.#dueAt = Infinity;
      this.#run();
    }, delayMs);
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    this.#runtime.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#dueAt = Infinity;
  }

  #nextDelay(): number {
    return spreadInterval(this.interval(), this.#options.spreadChecks, this.#options.random);
  }

  #run(): void {
    if (!this.#running) return;
    // Servers in maintenance are not checked (HAProxy pauses their check).
    if (this.server.status === 'MAINT') {
      this.#schedule(this.#nextDelay());
      return;
    }
    const startedAt = this.#runtime.now();
    const done = (outcome: CheckOutcome): void => {
      this.#probe = undefined;
      this.#completed(outcome, startedAt);
    };
    const spec = this.#currentSpec();
    const rules = spec.tcpRules;
    const plan = spec.httpPlan;
    const probe =
      plan !== undefined
        ? new HttpCheckSequence(this.#runtime, spec, plan, done)
        : rules === undefined
          ? new CheckProbe(this.#runtime, spec, done)
          : new TcpCheckProbe(this.#runtime, spec, rules, done);
    this.#probe = probe;
    probe.start();
  }

  /** The check's own address (`addr`, `set server check-addr`), as `show servers state` prints it. */
  get addr(): string | undefined {
    return this.#addr;
  }

  /** The check's own port (`port`, `set server check-port`); 0 when it has none. */
  get port(): number {
    return this.#port ?? 0;
  }

  /**
   * `set server B/S check-addr A [port P]` / `check-port P` (srv_update_check_addr_port):
   * the next probes go there; what the check was set up with (TLS, PROXY header) stays.
   */
  setTarget(addr: string | undefined, port: number | undefined): void {
    if (addr !== undefined) this.#addr = addr;
    if (port !== undefined) this.#port = port;
  }

  /**
   * The probe's target: the server's address and port as they are now (`set server addr`
   * moves its checks too, as HAProxy's), unless the check has its own address or port. As
   * HAProxy's is_addr(), the unspecified address (0.0.0.0, ::) is no address of its own.
   */
  #currentSpec(): ProbeSpec {
    const spec = this.#spec;
    const own = this.#addr !== undefined && this.#addr !== '0.0.0.0' && this.#addr !== '::' ? this.#addr : undefined;
    // A UNIX socket server is checked on its socket until the check is given an address.
    if (spec.path !== undefined && own === undefined) return spec;
    const host = own ?? this.server.host;
    const port = this.#port !== undefined && this.#port !== 0 ? this.#port : this.server.port;
    if (host === spec.host && port === spec.port && spec.path === undefined) return spec;
    return { ...spec, host, port, path: undefined };
  }

  #completed(outcome: CheckOutcome, startedAt: number): void {
    if (!this.#running) return;
    const now = this.#runtime.now();
    const duration = Math.max(0, Math.floor(now - startedAt));
    const state = this.state;
    const previousStatus = state.status;
    const previousHealth = this.counter.health;
    state.status = outcome.status;
    state.code = outcome.code;
    state.desc = outcome.desc;
    state.duration = duration;
    const server = this.server;
    if (server.status !== 'MAINT') {
      const passed = checkPassed(outcome.status);
      if (passed) this.observer?.checkPassed();
      // HAProxy counts a failure only while health can still drop (set_server_check_status).
      else if (this.counter.health > 0) state.failedChecks++;
      const transition = this.counter.record(passed, inRotation(server));
      state.health = this.counter.health;
      // HAProxy logs a result that changes the status or moves the health (set_server_check_status).
      if (this.#log.logsChecks && (outcome.status !== previousStatus || this.counter.health !== previousHealth)) {
        this.#log.checkResult(`${checkResultMessage(this.#backend.name, server, { ...outcome, duration }, this.counter)}.`);
      }
      if (transition === 'down') this.#markDown(outcome, duration, now);
      else if (passed && this.counter.healthy) this.#passed(outcome, duration, now);
    }
    if (this.#running) this.#schedule(this.#nextDelay());
  }

  /**
   * `error-limit` consecutive errors were observed (HAProxy's __health_adjust): apply `on-error`
   * as a failed check with status HANA (no duration: no probe ran), then bring the next probe
   * forward to `fastinter` when one is configured.
   */
  observedErrors(onError: OnErrorMode, info: string): void {
    const server = this.server;
    // Like a probe's result, this leaves servers in maintenance alone.
    if (onError !== 'fastinter' && server.status !== 'MAINT') {
      const counter = this.counter;
      if (onError === 'sudden-death') {
        if (counter.health > counter.rise) counter.health = counter.rise + 1;
      } else if (onError === 'mark-down') {
        counter.health = counter.rise;
      }
      const state = this.state;
      const previousStatus = state.status;
      state.status = 'HANA';
      state.desc = info;
      state.duration = -1;
      const previousHealth = counter.health;
      if (counter.health > 0) state.failedChecks++;
      const transition = counter.record(false, inRotation(server));
      state.health = counter.health;
      // HAProxy's set_server_check_status logs HANA results too under log-health-checks.
      if (this.#log.logsChecks && (previousStatus !== 'HANA' || counter.health !== previousHealth)) {
        this.#log.checkResult(`${checkResultMessage(this.#backend.name, server, { status: 'HANA', code: undefined, desc: info, duration: -1 }, counter)}.`);
      }
      if (transition === 'down') this.#markDown({ status: 'HANA', code: undefined, desc: info }, -1, this.#runtime.now());
    }
    this.#advanceToFastinter();
  }

  /**
   * HAProxy 2.6 moves the check task's expiry to now + fastinter when that is sooner (verified
   * against the binary: `on-error fastinter` on a fully healthy server probes again after
   * fastinter, then at inter). A probe under way is left alone; the next one follows it as usual.
   */
  #advanceToFastinter(): void {
    const fastinter = this.#check.fastinter;
    if (fastinter === undefined || this.#timer === undefined) return;
    if (this.#runtime.now() + fastinter >= this.#dueAt) return;
    this.#clearTimer();
    this.#schedule(fastinter);
  }

  /**
   * A passing result with the health at rise or above (check_notify_success / check_notify_stopping):
   * a conditional pass (L7OKC: a 404 under `http-check disable-on-404`, `ok-status L7OKC`) sets
   * the server stopping (NOLB), a full pass sets it running again.
   */
  #passed(outcome: CheckOutcome, duration: number, now: number): void {
    const status = this.server.status;
    if (outcome.status === 'L7OKC') {
      if (status === 'UP' || status === 'DOWN') this.#markStopping(outcome, duration, now);
    } else if (status === 'DOWN' || status === 'NOLB') {
      this.#markUp(outcome, duration, now);
    }
  }

  #markDown(outcome: CheckOutcome, duration: number, now: number): void {
    const backend = this.#backend;
    const server = this.server;
    const before = countUsableServers(backend.servers);
    const queued = server.queue.length;
    // HAProxy notices rather than alerts when the server was already stopping or draining (srv_update_status).
    const wasStopping = server.status === 'NOLB' || server.status === 'DRAIN';
    this.#restoreDrain = server.status === 'DRAIN';
    this.#slowstart.stop();
    this.state.downTransitions++;
    backend.setServerStatus(server, 'DOWN', now);
    const after = countUsableServers(backend.servers);
    const requeued = Math.max(0, queued - server.queue.length);
    this.#log.serverState(wasStopping ? LogLevel.notice : LogLevel.alert, serverDownMessage(backend.name, server, this.#log.logsChecks ? undefined : { ...outcome, duration }, after, requeued), true);
    if (before.active + before.backup > 0 && after.active + after.backup === 0) {
      const type = this.#options.proxyType;
      this.#log.backendDown(noServerAlertMessage(type, backend.name), noServerLogMessage(type, backend.name));
    }
  }

  /** `Server be/s1 is stopping, ...`: out of load balancing, persistent traffic still welcome (srv_set_stopping). */
  #markStopping(outcome: CheckOutcome, duration: number, now: number): void {
    const backend = this.#backend;
    const server = this.server;
    const before = countUsableServers(backend.servers);
    const queued = server.queue.length;
    this.#slowstart.stop();
    backend.setServerStatus(server, 'NOLB', now);
    const after = countUsableServers(backend.servers);
    const requeued = Math.max(0, queued - server.queue.length);
    const report = this.#log.logsChecks ? undefined : { ...outcome, duration };
    this.#log.serverState(LogLevel.notice, serverUpMessage(backend.name, server, report, after, requeued, 'stopping'));
    if (before.active + before.backup > 0 && after.active + after.backup === 0) {
      const type = this.#options.proxyType;
      this.#log.backendDown(noServerAlertMessage(type, backend.name), noServerLogMessage(type, backend.name));
    }
  }

  #markUp(outcome: CheckOutcome, duration: number, now: number): void {
    const backend = this.#backend;
    const server = this.server;
    const waiting = backend.queueLength;
    // Reduce the limits first, so the sessions the UP transition dequeues respect the ramp.
    this.#slowstart.begin(now);
    backend.setServerStatus(server, this.#restoreDrain ? 'DRAIN' : 'UP', now);
    this.#restoreDrain = false;
    const requeued = Math.max(0, waiting - backend.queueLength);
    this.#log.serverState(
      LogLevel.notice,
      serverUpMessage(backend.name, server, this.#log.logsChecks ? undefined : { ...outcome, duration }, countUsableServers(backend.servers), requeued),
      true,
    );
  }
}

/** Running in HAProxy's sense (not SRV_ST_STOPPED): UP, draining or stopping. */
function inRotation(server: Server): boolean {
  return server.status === 'UP' || server.status === 'DRAIN' || server.status === 'NOLB';
}
