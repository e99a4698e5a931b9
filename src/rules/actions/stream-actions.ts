/**
 * Actions on the transaction rather than the message: `set-timeout server|tunnel` (HAProxy's
 * action_timeout_set_stream_timeout: a constant or an integer expression, in ms; an expression
 * without a value leaves the timeout as it was) and `set-log-level` (the level of the
 * transaction's log line; `silent` logs nothing), and `set-nice` (accepted, changes nothing).
 */
import { Sample, sampleInt } from '../sample.ts';
import { compileSampleFetch, type SampleFetch } from '../sample-fetch.ts';
import { Verdict, type HttpAction, type HttpActionCompile, type HttpActionContext } from '../http-action.ts';
import type { TcpAction, TcpVerdict } from '../tcp/tcp-action.ts';

const SCRATCH = new Sample();
const LEVELS = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

class SetTimeout implements HttpAction {
  readonly #tunnel: boolean;
  readonly #value: number | undefined;
  readonly #fetch: SampleFetch | undefined;
  constructor(tunnel: boolean, value: number | undefined, fetch: SampleFetch | undefined) {
    this.#tunnel = tunnel;
    this.#value = value;
    this.#fetch = fetch;
  }
  run(ctx: HttpActionContext): Verdict {
    let ms = this.#value;
    if (this.#fetch !== undefined) {
      if (!this.#fetch.sample(ctx, SCRATCH)) return Verdict.continue;
      ms = sampleInt(SCRATCH);
      if (ms === undefined) return Verdict.continue;
    }
    if (this.#tunnel) ctx.tunnelTimeout = ms;
    else ctx.serverTimeout = ms;
    return Verdict.continue;
  }
}

/**
 * `set-log-level`: the level of the stream's log line (HAProxy's s->logs.level). One action for
 * the http and tcp rules: both contexts carry logLevel, and both verdict tables' `continue` is 0
 * (the return type is never, and this fails to compile, should they part).
 */
class SetLogLevel implements HttpAction, TcpAction {
  readonly #level: number;
  constructor(level: number) {
    this.#level = level;
  }
  run(ctx: { logLevel: number | undefined }): typeof Verdict.continue & typeof TcpVerdict.continue {
    ctx.logLevel = this.#level;
    return Verdict.continue;
  }
}

export function compileSetTimeout(timeout: 'server' | 'tunnel', value: number | undefined, expression: string | undefined): HttpActionCompile {
  let fetch: SampleFetch | undefined;
  if (expression !== undefined) {
    const compiled = compileSampleFetch(expression, { direction: 'request' });
    if (!compiled.ok) return { ok: false, message: compiled.message };
    fetch = compiled.fetch;
  } else if (value === undefined || value < 1) {
    return { ok: false, message: `null value is not valid for a 'set-timeout ${timeout}' rule` };
  }
  return { ok: true, action: new SetTimeout(timeout === 'tunnel', value, fetch) };
}

/** A `set-log-level` word as the stream keeps it: the syslog severity, -1 for `silent`, undefined if unknown. */
export function logLevelOf(level: string): number | undefined {
  if (level === 'silent') return -1;
  const n = (LEVELS as readonly string[]).indexOf(level);
  return n < 0 ? undefined : n;
}

/** For `http-*` and `tcp-*` rules alike: the result is both an HttpActionCompile and a TcpActionCompile. */
export function compileSetLogLevel(level: string): { readonly ok: true; readonly action: SetLogLevel } | { readonly ok: false; readonly message: string } {
  const n = logLevelOf(level);
  if (n === undefined) return { ok: false, message: `unknown log level '${level}'` };
  return { ok: true, action: new SetLogLevel(n) };
}

/** `set-nice`: HAProxy's task priority; there is no scheduler here to give it to. */
const NICE: HttpAction = { run: () => Verdict.continue };

export function compileSetNice(): HttpActionCompile {
  return { ok: true, action: NICE };
}
