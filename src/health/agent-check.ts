/**
 * `agent-check`: every `agent-inter` (default: the check's `inter`), connect to the server's
 * agent (`agent-addr`/`agent-port`), send `agent-send`, read one line and apply it as HAProxy's
 * tcpcheck_agent_expect_reply does (agent-reply.ts): the administrative state first (`ready`,
 * `drain`, `maint`, as the runtime API's `set server ... state`), then the weight (`N%` of the
 * configured weight) and `maxconn:N`, then the health: `down`/`stopped`/`fail` take the server
 * DOWN, `up` brings it back unless its health check says otherwise. An agent that cannot be
 * reached or answers nothing changes nothing, as in HAProxy.
 */
import type { AgentCheckModel } from '../config/model.ts';
import { LogLevel } from '../log/logger.ts';
import type { Backend } from '../proxy/backend.ts';
import type { Server } from '../proxy/server.ts';
import type { Runtime, TimerHandle } from '../runtime.ts';
import { setDrain, setMaint, setReady } from '../runtime-api/server-admin.ts';
import type { ProbeSpec } from './check-probe.ts';
import type { HealthLog } from './health-log.ts';
import { parseAgentReply, type AgentReply } from './agent-reply.ts';
import type { ServerCheck } from './server-check.ts';
import { checkResultMessage, countUsableServers, serverDownMessage, serverUpMessage, type CheckReport } from './state-messages.ts';
import { checkPassed, type CheckOutcome, type CheckStatus } from './check-status.ts';
import { TcpCheckProbe } from './tcp-check/probe.ts';
import { spreadInterval } from './check-spread.ts';
import { connectRule, expectRule, finishRuleSet, latin1Of, type CustomVerdict, type ExpectInput, type TcpCheckRule, type TcpCheckRuleSet } from './tcp-check/rules.ts';

export interface AgentSpread {
  readonly percent: number;
  readonly random: () => number;
}

const NO_SPREAD: AgentSpread = { percent: 0, random: Math.random };

export class AgentCheck {
  readonly server: Server;
  readonly #runtime: Runtime;
  readonly #backend: Backend;
  readonly #healthCheck: ServerCheck | undefined;
  readonly #log: HealthLog;
  readonly #inter: number;
  #spec: ProbeSpec;
  #rules: TcpCheckRuleSet;
  #line: string | undefined;
  /** The agent's own check state: HAProxy's agent rise and fall are 1 (DEF_AGENT_RISETIME / FALLTIME). */
  readonly #health = { health: 1, rise: 1, fall: 1 };
  /** Its last status; CHECKED after a reply without a health word. */
  #status: CheckStatus | 'INI' | 'CHECKED' = 'INI';
  #timer: TimerHandle | undefined;
  #probe: TcpCheckProbe | undefined;
  #running = false;
  #addr: string | undefined;
  #port: number | undefined;
  /** `spread-checks` (%) and its random source: the agent's interval is spread as a check's. */
  readonly #spread: AgentSpread;

  constructor(
    runtime: Runtime,
    backend: Backend,
    server: Server,
    agent: AgentCheckModel,
    healthCheck: ServerCheck | undefined,
    log: HealthLog,
    checkTimeout: number | undefined,
    spread: AgentSpread = NO_SPREAD,
  ) {
    this.#runtime = runtime;
    this.#spread = spread;
    this.#backend = backend;
    this.server = server;
    this.#healthCheck = healthCheck;
    this.#log = log;
    this.#inter = agent.inter ?? server.check?.inter ?? 2000;
    // HAProxy's agent.addr / agent.port: `agent-addr` / `agent-port`, else the check's `addr` / `port`.
    this.#addr = agent.addr ?? server.check?.addr;
    this.#port = agent.port ?? server.check?.port;
    this.#spec = {
      host: this.#addr ?? server.host,
      port: this.#port ?? server.port,
      tls: undefined,
      http: undefined,
      connectTimeout: this.#inter,
      readTimeout: checkTimeout,
      ...(server.connectSource !== undefined ? { source: server.connectSource } : {}),
      // The agent's connect is a default one: `check-via-socks4` sends it through the server's
      // SOCKS4 proxy too (tcpcheck_eval_connect tests s->check.via_socks4, not the check's kind).
      ...(server.socks4 !== undefined ? { socks4: server.socks4, viaSocks4: server.checkViaSocks4 } : {}),
    };
    this.#rules = this.#ruleSet(agent.send);
  }

  /** Connect, send `agent-send` (if any), read one line. */
  #ruleSet(send: string | undefined): TcpCheckRuleSet {
    const rules: TcpCheckRule[] = [connectRule(0, { implicit: true, isDefault: true })];
    if (send !== undefined && send !== '') rules.push({ action: 'send', step: 1, data: latin1Of(send), comment: undefined });
    rules.push(expectRule(rules.length, { match: 'custom', custom: (input) => this.#readLine(input) }));
    return finishRuleSet(rules, false);
  }

  /** `set server B/S agent-addr|agent-port`: the next runs connect there. */
  setAddress(host: string | undefined, port: number | undefined): void {
    if (host !== undefined) this.#addr = host;
    if (port !== undefined) this.#port = port;
    this.#spec = { ...this.#spec, ...(host !== undefined ? { host } : {}), ...(port !== undefined ? { port } : {}) };
  }

  /** `set server B/S agent-send TEXT`: what the next runs send (nothing when empty). */
  setSend(text: string): void {
    this.#rules = this.#ruleSet(text);
  }

  /** `set server B/S agent up|down`: the agent's own health, as HAProxy sets it (rise + fall - 1, or 0). */
  setHealth(up: boolean): void {
    this.#health.health = up ? this.#health.rise + this.#health.fall - 1 : 0;
  }

  /** The agent's own address (`agent-addr`, `addr`, `set server agent-addr`), as `show servers state` prints it. */
  get addr(): string | undefined {
    return this.#addr;
  }

  /** The agent's own port (`agent-port`, `port`, `set server agent-port`); 0 when it has none. */
  get port(): number {
    return this.#port ?? 0;
  }

  /** Started and not stopped by `disable agent` (HAProxy's CHK_ST_ENABLED). */
  get running(): boolean {
    return this.#running;
  }

  /** The agent's interval (`agent-inter`, else the check's `inter`). */
  interval(): number {
    return this.#inter;
  }

  start(firstDelayMs: number): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(firstDelayMs);
  }

  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#runtime.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#probe?.abort();
    this.#probe = undefined;
  }

  #schedule(ms: number): void {
    this.#timer = this.#runtime.setTimer(() => {
      this.#timer = undefined;
      this.#run();
    }, ms);
  }

  #run(): void {
    if (!this.#running) return;
    this.#line = undefined;
    const startedAt = this.#runtime.now();
    const probe = new TcpCheckProbe(this.#runtime, this.#spec, this.#rules, (outcome) => {
      this.#probe = undefined;
      const duration = Math.max(0, Math.floor(this.#runtime.now() - startedAt));
      if (this.#line !== undefined) this.apply(parseAgentReply(this.#line), duration);
      else if (!checkPassed(outcome.status)) this.#failed(outcome, duration);
      if (this.#running) this.#schedule(spreadInterval(this.#inter, this.#spread.percent, this.#spread.random));
    });
    this.#probe = probe;
    probe.start();
  }

  /** One line, ended by CR or LF; an incomplete one is ignored (HAProxy logs "Ignoring incomplete line from agent"). */
  #readLine(input: ExpectInput): CustomVerdict {
    const { data, length } = input;
    let end = 0;
    while (end < length && data[end] !== 0x0a && data[end] !== 0x0d && data[end] !== 0) end++;
    if (end === length && !input.lastRead) return { kind: 'wait' };
    if (end < length && data[end] !== 0) this.#line = String.fromCharCode(...data.subarray(0, end));
    return { kind: 'done', outcome: { status: 'L7OK', code: undefined, desc: '' } };
  }

  /**
   * The agent could not be asked (set_server_check_status on an agent): its health drops only
   * for layer 7 failures (no reply in time, a bad one), and never takes the server down.
   */
  #failed(outcome: CheckOutcome, duration: number): void {
    const layer7 = outcome.status === 'L7TOUT' || outcome.status === 'L7RSP';
    const report = layer7 && this.#health.health > 0;
    if (report) this.#health.health = 0;
    this.#result({ ...outcome, duration }, report);
  }

  /** set_server_check_status's log line (`option log-health-checks`) when the status changed or the health moved. */
  #result(report: CheckReport, moved: boolean): void {
    const previous = this.#status;
    this.#status = report.status;
    if (this.#log.logsChecks && (report.status !== previous || moved)) {
      this.#log.checkResult(`${checkResultMessage(this.#backend.name, this.server, report, this.#health, 'Agent')}.`);
    }
  }

  /** Applies a reply: admin state, weight, maxconn, then health (tcpcheck_agent_expect_reply's order). */
  apply(reply: AgentReply, duration = -1): void {
    const backend = this.#backend;
    const server = this.server;
    const now = this.#runtime.now();
    if (reply.admin !== undefined) {
      const set = reply.admin === 'maint' ? setMaint : reply.admin === 'drain' ? setDrain : setReady;
      const change = set(backend, server, this.#healthCheck, now);
      if (change !== undefined) this.#log.serverState(change.level, change.text, change.mailed === true);
    }
    if (reply.weight !== undefined) {
      const percent = Number.parseInt(reply.weight, 10);
      const initial = server.initialWeight;
      const weight = Math.min(256, Math.floor((initial * Math.min(percent, 25600)) / 100));
      server.userWeight = weight;
      backend.setServerWeight(server, weight);
    }
    if (reply.maxconn !== undefined && /^\d+$/.test(reply.maxconn)) backend.setServerWeight(server, server.weight, Number(reply.maxconn));
    if (reply.health === undefined) {
      // HCHK_STATUS_CHECKED: a neutral result, not logged, but the next one counts as a change.
      this.#status = 'CHECKED';
      return;
    }
    // HAProxy: without a description, an "up" reply reports the first unknown word.
    const detail = reply.description !== '' ? reply.description : reply.health === 'up' ? (reply.error ?? '') : '';
    const info = `via agent : ${reply.health}${detail !== '' ? ` (${detail})` : ''}`;
    const up = reply.health === 'up';
    this.#health.health = up ? this.#health.rise + this.#health.fall - 1 : 0;
    this.#result({ status: up ? 'L7OK' : 'L7STS', code: 0, desc: info, duration }, false);
    if (reply.health === 'up') {
      const checkHealthy = this.#healthCheck === undefined || this.#healthCheck.counter.healthy;
      if (server.status !== 'DOWN' || !checkHealthy) return;
      backend.setServerStatus(server, 'UP', now);
      const report = { status: 'L7OK' as const, code: undefined, desc: info, duration: -1 };
      this.#log.serverState(LogLevel.notice, serverUpMessage(backend.name, server, report, countUsableServers(backend.servers), 0), true);
      return;
    }
    if (server.status === 'DOWN' || server.status === 'MAINT') return;
    backend.setServerStatus(server, 'DOWN', now);
    const report = { status: 'L7STS' as const, code: undefined, desc: info, duration: -1 };
    this.#log.serverState(LogLevel.alert, serverDownMessage(backend.name, server, report, countUsableServers(backend.servers), 0), true);
  }
}
