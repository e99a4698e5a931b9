/**
 * A server-side mux (HTTP/2, FastCGI) is presented to the stream as the socket of an HTTP/1
 * server: what the stream asks of that socket about the connection itself (addresses, TLS,
 * Nagle, keep-alive probes) is the answer of the socket under the mux.
 */
import type { Socket } from '../runtime.ts';
import { DelegatedSocketFacts } from '../util/delegated-socket-facts.ts';

export abstract class MuxedServerSocket extends DelegatedSocketFacts {
  protected constructor(inner: Socket) {
    super(inner);
  }
}
