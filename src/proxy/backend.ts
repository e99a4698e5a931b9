import type { BackendHttpOptions, BackendModel, ProxyMode, Timeouts } from '../config/model.ts';
import type { Balancer } from '../balance/balancer.ts';
import { createBalancer } from '../balance/create-balancer.ts';
import { newBackendCounters, sessionOpened, type BackendCounters } from './counters.ts';
import { Server } from './server.ts';

/** A session waiting in the backend queue for a server slot. */
export interface QueueWaiter {
  /** A slot on `server` was reserved for the waiter (server.active already counts it). */
  granted(server: Server): void;
}

/** Outcome of asking for a server: one was reserved, the session was queued, or none exists. */
export type TakeResult = Server | 'queued' | 'unavailable';

export class Backend {
  readonly name: string;
  readonly mode: ProxyMode;
  readonly servers: readonly Server[];
  readonly retries: number;
  readonly redispatch: boolean;
  readonly timeouts: Timeouts;
  /** HTTP settings (mode http). */
  readonly http: BackendHttpOptions | undefined;
  /** `timeout queue`, falling back to `timeout connect` as HAProxy does. */
  readonly queueTimeout: number | undefined;
  readonly counters: BackendCounters = newBackendCounters();
  readonly #balancer: Balancer;
  readonly #queue: QueueWaiter[] = [];

  constructor(model: BackendModel) {
    this.name = model.name;
    this.mode = model.mode;
    this.servers = model.servers.map((s) => new Server(s));
    this.retries = model.retries;
    this.redispatch = model.options.redispatch;
    this.timeouts = model.timeouts;
    this.http = model.http;
    this.queueTimeout = model.timeouts.queue ?? model.timeouts.connect;
    this.#balancer = createBalancer(model.balance, this.servers);
  }

  /** Call after changing a server's status or weight. */
  serversChanged(): void {
    this.#balancer.refresh();
  }

  /**
   * Reserves a server for a session (avoiding `avoid` when redispatching). When every usable
   * server is at its maxconn the waiter is queued and granted a slot later, FIFO.
   */
  take(waiter: QueueWaiter, avoid: Server | undefined): TakeResult {
    const server = this.#balancer.pick(avoid);
    if (server !== undefined) {
      this.#assign(server);
      return server;
    }
    if (!this.servers.some((s) => s.status === 'UP' && s.weight > 0)) return 'unavailable';
    this.#queue.push(waiter);
    if (++this.counters.qcur > this.counters.qmax) this.counters.qmax = this.counters.qcur;
    return 'queued';
  }

  /** Removes a waiter that gave up (queue timeout, client abort). */
  leaveQueue(waiter: QueueWaiter): void {
    const i = this.#queue.indexOf(waiter);
    if (i >= 0) {
      this.#queue.splice(i, 1);
      this.counters.qcur--;
    }
  }

  /** A session stopped using `server`: free its slot and hand it to the queue's head. */
  release(server: Server): void {
    server.active--;
    server.counters.scur--;
    while (this.#queue.length > 0) {
      const next = this.#balancer.pick(undefined);
      if (next === undefined) return;
      const waiter = this.#queue.shift() as QueueWaiter;
      this.counters.qcur--;
      this.#assign(next);
      waiter.granted(next);
    }
  }

  #assign(server: Server): void {
    server.active++;
    server.counters.lbtot++;
    this.counters.lbtot++;
    sessionOpened(server.counters);
  }
}

