import type { RequestHead } from '../http/codec/head.ts';
import type { Server } from '../proxy/server.ts';
import type { MessageBody } from '../rules/message-body.ts';

/**
 * What a balancer may read from the session it picks a server for. Sessions implement it
 * themselves (no object per pick): TcpSession has no head; HttpStream exposes the request
 * being routed.
 */
export interface LbRequest {
  /** Client address as text ("192.0.2.1", "2001:db8::1"). */
  readonly clientAddress: string;
  /** The request head in mode http; undefined in tcp mode (L7 keys then fall back to round-robin). */
  readonly lbHead: RequestHead | undefined;
  /** The request payload the stream holds (what came with the head, or all of it after `option http-buffer-request`): `url_param`'s POST lookup, `req.body*`. */
  readonly requestBody?: MessageBody | undefined;
}

/**
 * One load-balancing algorithm over one backend's servers (HAProxy's lb_ops). Implementations
 * live one per file beside this one and are chosen by `balance` in the config.
 *
 * Eligibility is HAProxy's: active servers that are UP with weight > 0; when none is, the first
 * UP backup (or every UP backup with `option allbackups`).
 */
export interface Balancer {
  /**
   * The server for a new session, or undefined.
   *
   * Non-deterministic algorithms (roundrobin, static-rr, leastconn, first, random) return only a
   * server with a free slot (`server.hasSlot`), skipping `avoid` when another is available
   * (redispatch after a failure); undefined when every eligible server is full (the backend then
   * queues the session) or none is eligible.
   *
   * Hash algorithms (source, uri, url_param, hdr, hash) return the key's server even when it is
   * full (the session then waits in that server's queue), and behave as round-robin when the
   * request has no key (an absent header or parameter, or an L7 key in tcp mode).
   */
  pick(req: LbRequest, avoid: Server | undefined): Server | undefined;
  /** `server`'s status or effective weight changed (UP/DOWN/MAINT, admin weight, slowstart step). */
  serverChanged(server: Server): void;
  /** A session took a slot on `server` (leastconn reorders; the others ignore it). */
  taken(server: Server): void;
  /** A session released a slot of `server`. */
  released(server: Server): void;
}

/** Options every algorithm receives from its backend. */
export interface BalancerOptions {
  /** `option allbackups`. */
  readonly allBackups: boolean;
  /** Uniform random in [0, 1); Math.random unless a test injects one. */
  readonly random: () => number;
  /**
   * With several threads (`nbthread`): the process-wide position of the round-robin algorithms
   * (Int32 `slot` of `counts`, over a SharedArrayBuffer), so that consecutive picks from any
   * thread follow one rotation, as HAProxy's one lb tree per backend does. Undefined with one
   * thread (the position then stays a plain field: no atomic operation per pick).
   */
  readonly rotation?: SharedRotation | undefined;
  /** `hash-balance-factor` (> 100): bounded loads for consistent hashing and `balance random`; none when undefined. */
  readonly hashBalanceFactor?: number | undefined;
}

/** A position in shared memory, advanced with Atomics.add. */
export interface SharedRotation {
  readonly counts: Int32Array;
  readonly slot: number;
}

/**
 * Whether `server` may receive new traffic under HAProxy's rules: an active server that is UP with
 * weight > 0; a backup one only when no active server is, and then only the first such backup
 * unless `allBackups`.
 */
export function isEligible(server: Server, servers: readonly Server[], allBackups: boolean): boolean {
  if (!server.usable) return false;
  if (!server.backup) return true;
  for (const s of servers) if (!s.backup && s.usable) return false;
  if (allBackups) return true;
  for (const s of servers) if (s.backup && s.usable) return s === server;
  return false;
}
