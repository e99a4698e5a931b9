/**
 * One run of an HTTP check plan (http-check-plan.ts) against one server: its steps in order,
 * each over its own connection (CheckProbe), sharing the run's `check.*` variables. A step
 * that fails ends the check with its outcome; the last step's outcome is the check's, as
 * HAProxy's tcpcheck_main reports the last rule evaluated.
 *
 * A step's connect follows tcpcheck_eval_connect: `addr`/`port` replace the check's address
 * and port; the server's TLS, PROXY header, SOCKS4 and check mux (`check-proto`, else the
 * server's `proto`) apply to the default connect (implicit or `default`); otherwise only what
 * the rule asks for (`ssl`, `send-proxy`, `via-socks4`, `proto`).
 */
import type { HttpCheckConnectModel } from '../config/model.ts';
import type { Runtime } from '../runtime.ts';
import { CheckProbe, type HttpProbeSpec, type ProbeSpec } from './check-probe.ts';
import { checkSampleContext, CheckVars } from './check-sample-context.ts';
import { checkPassed, type CheckOutcome } from './check-status.ts';
import type { HttpCheckPlan, HttpCheckStep } from './http-check-plan.ts';

/** The probe of one step: the server's spec, redirected and reshaped by the step's connect. */
export function stepSpec(base: ProbeSpec, connect: HttpCheckConnectModel | undefined, http: HttpProbeSpec): ProbeSpec {
  const isDefault = connect === undefined || connect.isDefault;
  const redirected = connect?.addr !== undefined || connect?.port !== undefined;
  const tls = connect?.ssl === true
    ? {
        ...(base.tls ?? { verify: false }),
        ...(connect.sni !== undefined ? { servername: connect.sni } : {}),
        ...(connect.alpn !== undefined ? { alpn: connect.alpn.split(',') } : {}),
      }
    : isDefault
      ? base.tls
      : undefined;
  const proxyHeader = connect?.sendProxy === true ? (base.proxyHeader ?? 1) : isDefault ? base.proxyHeader : undefined;
  return {
    host: connect?.addr ?? base.host,
    port: connect?.port ?? base.port,
    ...(redirected ? {} : { path: base.path }),
    tls,
    http,
    connectTimeout: base.connectTimeout,
    readTimeout: base.readTimeout,
    ...(proxyHeader !== undefined ? { proxyHeader } : {}),
    ...(base.proxyV2Addresses === true ? { proxyV2Addresses: true } : {}),
    ...(base.socks4 !== undefined ? { socks4: base.socks4, viaSocks4: connect?.viaSocks4 === true || (isDefault && base.viaSocks4 === true) } : {}),
    subject: base.subject,
    h2: connect?.proto !== undefined ? connect.proto === 'h2' : isDefault && base.h2 === true,
    ...(base.headerCase !== undefined ? { headerCase: base.headerCase } : {}),
    ...(connect?.linger === true ? { linger: true } : {}),
    // Its TLS connections count among the process's (show info, `maxsslconn`).
    ...(base.sslCounts !== undefined ? { sslCounts: base.sslCounts } : {}),
  };
}

export class HttpCheckSequence {
  readonly #runtime: Runtime;
  readonly #spec: ProbeSpec;
  readonly #plan: HttpCheckPlan;
  readonly #onDone: (outcome: CheckOutcome) => void;
  readonly #vars: CheckVars;
  #probe: CheckProbe | undefined;
  #finished = false;

  constructor(runtime: Runtime, spec: ProbeSpec, plan: HttpCheckPlan, onDone: (outcome: CheckOutcome) => void) {
    this.#runtime = runtime;
    this.#spec = spec;
    this.#vars = new CheckVars(spec.procVars);
    this.#plan = plan;
    this.#onDone = onDone;
  }

  start(): void {
    this.#step(0);
  }

  abort(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#probe?.abort();
    this.#probe = undefined;
  }

  #step(index: number): void {
    const step = this.#plan.steps[index] as HttpCheckStep;
    const context = checkSampleContext(this.#spec.subject, undefined, this.#vars);
    step.before?.(context);
    let request: Uint8Array;
    try {
      request = step.request.build(context, this.#spec.serverState?.());
    } catch {
      // A built value that cannot go on the wire: HAProxy fails the check on its HTX error.
      this.#finish({ status: 'L7RSP', code: undefined, desc: '' });
      return;
    }
    const http: HttpProbeSpec = { request, method: step.request.method, expectation: step.expectation, vars: this.#vars, disableOn404: this.#spec.disableOn404 };
    const last = index === this.#plan.steps.length - 1;
    const probe = new CheckProbe(this.#runtime, stepSpec(this.#spec, step.connect, http), (outcome) => {
      this.#probe = undefined;
      if (this.#finished) return;
      if (last || !checkPassed(outcome.status)) this.#finish(outcome);
      else this.#step(index + 1);
    });
    this.#probe = probe;
    probe.start();
  }

  #finish(outcome: CheckOutcome): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#onDone(outcome);
  }
}
