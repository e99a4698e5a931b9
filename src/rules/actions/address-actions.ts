/**
 * `http-request set-src EXPR`, `set-src-port EXPR`, `set-dst EXPR`, `set-dst-port EXPR`
 * (HAProxy 2.6's tcp_act.c, ACT_F_HTTP_REQ): the stream's client (src) or destination (dst)
 * address as later rules' fetches (`src`, `dst`, `src_port`...), the X-Forwarded-For header
 * and the log line (%ci %cp %fi %fp) see it. The address keeps its port; a port keeps the
 * address. An expression giving no address (or no integer) changes nothing. Each request starts
 * from the connection's own addresses again (HAProxy keeps them per stream).
 *
 * A server without address (0.0.0.0) and `option transparent` connect to the destination
 * set-dst chose (stream/connection-key.ts); HAProxy's `option http_proxy` is not supported.
 */
import { Verdict, type HttpAction, type HttpActionCompile, type HttpActionContext } from '../http-action.ts';
import { castSample } from '../sample-casts.ts';
import { Sample } from '../sample.ts';
import { compileSampleFetch, type SampleFetch } from '../sample-fetch.ts';

/** What the address actions change: the rule context of a stream implements it. */
export interface StreamAddresses {
  setStreamAddress(side: 'src' | 'dst', address: string | undefined, port: number | undefined): void;
}

const SCRATCH = new Sample();

export type AddressAction = 'set-src' | 'set-src-port' | 'set-dst' | 'set-dst-port';

class SetAddress implements HttpAction {
  readonly #fetch: SampleFetch;
  readonly #side: 'src' | 'dst';
  readonly #port: boolean;
  constructor(fetch: SampleFetch, side: 'src' | 'dst', port: boolean) {
    this.#fetch = fetch;
    this.#side = side;
    this.#port = port;
  }
  run(ctx: HttpActionContext): Verdict {
    const target = ctx as Partial<StreamAddresses>;
    if (target.setStreamAddress === undefined || !this.#fetch.sample(ctx, SCRATCH)) return Verdict.continue;
    if (this.#port) {
      if (!castSample(SCRATCH, 'sint')) return Verdict.continue;
      // htons(): the port is the low 16 bits.
      target.setStreamAddress(this.#side, undefined, ((SCRATCH.num % 65536) + 65536) % 65536);
    } else {
      if (!castSample(SCRATCH, 'addr')) return Verdict.continue;
      target.setStreamAddress(this.#side, SCRATCH.str, undefined);
    }
    return Verdict.continue;
  }
}

export function compileAddressAction(action: AddressAction, expression: string): HttpActionCompile {
  const compiled = compileSampleFetch(expression, { direction: 'request' });
  if (!compiled.ok) return { ok: false, message: compiled.message };
  return { ok: true, action: new SetAddress(compiled.fetch, action.startsWith('set-src') ? 'src' : 'dst', action.endsWith('-port')) };
}
