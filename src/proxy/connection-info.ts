/**
 * The facts of one accepted client connection that fetches, logs, balancing and the PROXY
 * header sent to servers read: its addresses and ports (as the socket reports them, or as a
 * PROXY header or a `tcp-request connection set-src/set-dst` rule replaced them), its TLS
 * facts, and what a received PROXY v2 header carried. Built once by the frontend at accept
 * and shared by whichever session (tcp or http) then serves the connection, so both read the
 * same record (HAProxy's session addresses, sess->src / sess->dst).
 */
import type { StreamCaptures } from '../stream/captures.ts';
import type { ListenerCounters } from './listener-stats.ts';
import type { BindModel } from '../config/model.ts';
import type { Socket, TlsInfo } from '../runtime.ts';
import type { ProxyHeader } from './proxy-protocol.ts';
import type { ConnectionError } from './connection-error.ts';
import type { SessionVars } from '../rules/vars.ts';
import type { SessionServerConns } from '../stream/session-server-conns.ts';
import type { RuleSource } from '../rules/sample-context.ts';
import type { StickTracking } from '../stick/tracking.ts';

/** What a ConnectionInfo reads of its socket (a failed handshake has no Socket, only these). */
export type ConnectionFacts = Pick<Socket, 'remoteAddress' | 'remotePort' | 'localAddress' | 'localPort' | 'tls'>;

/** The stream settings a frontend's `tcp-request content` rules made at accept, for the first HTTP stream. */
export interface AcceptStreamSettings {
  readonly priorityClass: number;
  readonly priorityOffset: number;
  readonly logLevel: number | undefined;
}

export class ConnectionInfo {
  /** The accepting listener's counters under `option socket-stats` (src/proxy/listener-stats.ts). */
  listenerCounters: ListenerCounters | undefined = undefined;
  /** `src`, %ci. */
  clientAddress: string;
  /** `src_port`, %cp. */
  clientPort: number;
  /** `fc_pp_authority`: PP2_TYPE_AUTHORITY of the PROXY v2 header received, if any. */
  ppAuthority: string | undefined = undefined;
  /** `fc_pp_unique_id`: PP2_TYPE_UNIQUE_ID of the PROXY v2 header received, if any. */
  ppUniqueId: string | undefined = undefined;
  /** A PROXY header was received on this connection (HAProxy's CO_FL_RCVD_PROXY). */
  receivedProxyHeader = false;
  /**
   * The session's variables once `tcp-request` rules created them: the HTTP rules of the same
   * connection go on with them (a `sess` variable set by a tcp rule is seen by `http-request`).
   */
  sessionVars: SessionVars | undefined = undefined;
  /**
   * An HTTP/2 connection's private server connections (`http-reuse never`, dispatch,
   * transparent), shared by its streams and closed with it; an HTTP/1 connection's one stream
   * keeps its own (HttpStream).
   */
  privateServerConns: SessionServerConns | undefined = undefined;
  /**
   * Stick counters tracked by `tcp-request` rules: held for the connection's whole life (the
   * HTTP rules of the same connection go on with them), released by release().
   */
  stick: StickTracking | undefined = undefined;
  /**
   * The frontend's `tcp-request content` rule that decided at accept, for the first HTTP
   * stream's `last_rule_file` (HAProxy runs those rules in that stream); taken once.
   */
  #acceptRule: RuleSource | undefined = undefined;

  set acceptRule(rule: RuleSource | undefined) {
    this.#acceptRule = rule;
  }

  takeAcceptRule(): RuleSource | undefined {
    const rule = this.#acceptRule;
    this.#acceptRule = undefined;
    return rule;
  }
  /**
   * What those rules gave the first HTTP stream: its queue priority (`set-priority-class|offset`)
   * and log level (`set-log-level`); taken once.
   */
  acceptPriority: AcceptStreamSettings | undefined = undefined;

  takeAcceptPriority(): AcceptStreamSettings | undefined {
    const priority = this.acceptPriority;
    this.acceptPriority = undefined;
    return priority;
  }
  /**
   * What the frontend's `tcp-request content capture` rules stored at accept, for the first
   * HTTP transaction's captures (HAProxy runs those rules in that stream); taken once.
   */
  acceptCaptures: StreamCaptures | undefined = undefined;

  takeAcceptCaptures(): StreamCaptures | undefined {
    const captures = this.acceptCaptures;
    this.acceptCaptures = undefined;
    return captures;
  }
  /**
   * The HTTP transaction in flight is not the connection's first (HAProxy's SE_FL_NOT_FIRST,
   * read by `http_first_req`): the H1 mux sets it from the second request on; an HTTP/2 mux
   * sets it for every stream, as HAProxy's does.
   */
  notFirstTransaction = false;
  /** The connection speaks HTTP/2 (`proto h2`, or `h2` negotiated by ALPN): the H2 mux serves it. */
  http2 = false;
  /** The bind's `proto` (`none`: the pass-through mux, which a tcp stream cannot leave for HTTP). */
  bindProto: 'h1' | 'h2' | 'none' | undefined = undefined;
  /**
   * The bind that accepted the connection (`so_name`, `so_id`); unset for connections that
   * came otherwise, whose bind is then found by their local address.
   */
  bind: BindModel | undefined = undefined;
  /**
   * Every HTTP stream, the first included, runs the frontend's content rules: a `mode http`
   * frontend's (none ran on the connection), or a tcp stream upgraded to HTTP/2, which ended
   * there (HAProxy frees it and the H2 mux makes new streams).
   */
  contentRulesPerStream = false;
  /**
   * Why the connection failed before becoming a stream (a TLS handshake, a client certificate
   * refused): `fc_err`, `ssl_fc_err`. Undefined: no error (HAProxy's CO_ER_NONE).
   */
  error: ConnectionError | undefined = undefined;
  /** Counted among the process's open TLS connections (CurrSslConns) until it ends. */
  sslOpen = false;
  readonly #socket: ConnectionFacts;
  /** The front address and port once known (read lazily: a getsockname per connection is not free). */
  #localAddress: string | undefined = undefined;
  #localPort: number | undefined = undefined;

  constructor(socket: ConnectionFacts) {
    this.#socket = socket;
    // Hosts forget a socket's peer once it is closed: read at accept.
    this.clientAddress = socket.remoteAddress;
    this.clientPort = socket.remotePort;
  }

  /** The connection is gone (served or dropped): its tracked stick counters are released (conn_cur--). */
  release(now: number): void {
    const stick = this.stick;
    if (stick === undefined) return;
    this.stick = undefined;
    stick.endSession(now);
  }

  /** `dst`, %fi. */
  get localAddress(): string {
    return this.#localAddress ?? this.#socket.localAddress;
  }
  set localAddress(address: string) {
    this.#localAddress = address;
  }

  /** `dst_port`, %fp. */
  get localPort(): number {
    return this.#localPort ?? this.#socket.localPort;
  }
  set localPort(port: number) {
    this.#localPort = port;
  }

  /** TLS on the client connection (`ssl_fc*`, %sslv); undefined on plain TCP. */
  get tls(): TlsInfo | undefined {
    return this.#socket.tls;
  }

  /**
   * The connection's own addresses (`fc_src`, `fc_dst`...): the socket's, as `tcp-request
   * connection set-src|set-dst` left them. A PROXY header and `tcp-request session` rules
   * change only the session's (`src`, `dst`), as in HAProxy 2.5+ (conn_recv_proxy fills
   * sess->src). Copied once either may happen; until then they are the same addresses.
   */
  #front: { src: string; srcPort: number; dst: string; dstPort: number } | undefined = undefined;

  /** Fixes the connection-level addresses before the session's may move. */
  pinConnectionAddresses(): void {
    this.#front ??= { src: this.clientAddress, srcPort: this.clientPort, dst: this.localAddress, dstPort: this.localPort };
  }

  get connectionClientAddress(): string {
    return this.#front?.src ?? this.clientAddress;
  }

  get connectionClientPort(): number {
    return this.#front?.srcPort ?? this.clientPort;
  }

  get connectionLocalAddress(): string {
    return this.#front?.dst ?? this.localAddress;
  }

  get connectionLocalPort(): number {
    return this.#front?.dstPort ?? this.localPort;
  }

  /** Reads the front address now, while the socket still knows it (the log reads it after close). */
  pinLocal(): void {
    this.#localAddress ??= this.#socket.localAddress;
    this.#localPort ??= this.#socket.localPort;
  }

  /** A received PROXY header replaces the addresses it carries (LOCAL and UNKNOWN keep the socket's). */
  /** A NetScaler CIP header's addresses (HAProxy sets the session's; no `fc_rcvd_proxy`). */
  applyClientIpInsertion(addresses: NonNullable<ProxyHeader['addresses']>): void {
    this.pinConnectionAddresses();
    this.clientAddress = addresses.source;
    this.clientPort = addresses.sourcePort;
    this.#localAddress = addresses.destination;
    this.#localPort = addresses.destinationPort;
  }

  applyProxyHeader(header: ProxyHeader): void {
    this.receivedProxyHeader = true;
    const addresses = header.addresses;
    if (addresses !== undefined) {
      this.pinConnectionAddresses();
      this.clientAddress = addresses.source;
      this.clientPort = addresses.sourcePort;
      this.#localAddress = addresses.destination;
      this.#localPort = addresses.destinationPort;
    }
    this.ppAuthority = header.authority;
    this.ppUniqueId = header.uniqueId;
  }
}
