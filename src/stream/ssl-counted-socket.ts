/**
 * A TLS connection to a server counted among the process's TLS connections for as long as it
 * is open (HAProxy's ssl_sock_init / ssl_sock_close: global.sslconns, totalsslconns count server
 * connections as well as clients'). The socket passes from the connect attempt to a session, a
 * mux, the idle pool, each setting its own handler: the wrapper sees its close whoever holds it.
 * It stands in for the socket in every event, so handlers comparing sockets by identity see one
 * object.
 */
import type { Socket, SocketError, SocketHandler } from '../runtime.ts';
import { InterposedSocket } from '../util/interposed-socket.ts';

/** Where the wrapper counts: ProcessLimits' TLS connection counts. */
export interface SslConnectionCounts {
  sslConnectionOpened(): void;
  sslConnectionClosed(): void;
  /** `maxsslconn` TLS connections are open: ssl_sock_init refuses another. */
  readonly sslConnectionsFull: boolean;
}

/** HAProxy's conn_err_code_str for CO_ER_SSL_TOO_MANY: a check refused past `maxsslconn` says it. */
export const TOO_MANY_SSL_CONNECTIONS = 'Too many SSL connections';

export class SslCountedSocket extends InterposedSocket {
  readonly #counts: SslConnectionCounts;
  #open = true;

  /** `inner` was just dialled with `handler`: from now on the events go through the wrapper. */
  constructor(inner: Socket, handler: SocketHandler, counts: SslConnectionCounts) {
    super(inner, handler);
    this.#counts = counts;
    counts.sslConnectionOpened();
  }

  override onClose(socket: Socket, error: SocketError | undefined): void {
    if (this.#open) {
      this.#open = false;
      this.#counts.sslConnectionClosed();
    }
    super.onClose(socket, error);
  }
}
