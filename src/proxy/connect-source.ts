/**
 * The local address of connections to a server (`source`): HAProxy's conn_src, the server's
 * before its backend's. A port range hands its ports out in turn (HAProxy's port_range keeps
 * a ring of free ports; a port still in use here makes that connect fail, and `retries` try the
 * next one).
 */
import type { ConnectSourceModel } from '../config/model.ts';

/** What a connect adds for its source: nothing, or the local address (and port). */
export interface SourceBinding {
  readonly localAddress?: string;
  readonly localPort?: number;
}

const NONE: SourceBinding = {};

export class ConnectSource {
  readonly address: string;
  readonly #low: number;
  readonly #high: number;
  #next: number;
  /** Bound without a port: the same options for every connection. */
  readonly #fixed: SourceBinding | undefined;

  constructor(model: ConnectSourceModel) {
    this.address = model.address;
    this.#low = model.ports?.low ?? model.port ?? 0;
    this.#high = model.ports?.high ?? this.#low;
    this.#next = this.#low;
    this.#fixed = this.#low === this.#high ? (this.#low === 0 ? { localAddress: this.address } : { localAddress: this.address, localPort: this.#low }) : undefined;
  }

  /** The local address and port of the next connection. */
  binding(): SourceBinding {
    if (this.#fixed !== undefined) return this.#fixed;
    const port = this.#next;
    this.#next = port >= this.#high ? this.#low : port + 1;
    return { localAddress: this.address, localPort: port };
  }
}

/** The binding of a connection from `source`, if any. UNIX socket connections have none. */
export function sourceBinding(source: ConnectSource | undefined, unix = false): SourceBinding {
  return source === undefined || unix ? NONE : source.binding();
}
