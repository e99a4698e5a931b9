/**
 * One `resolvers` section at run time, HAProxy 2.6's resolvers.c: resolutions shared by the
 * requesters asking the same name with the same preferred type, queries sent to every
 * nameserver over UDP, answers matched by query id, and one timer for the whole section
 * (process_resolvers):
 *
 *  - a resolution waits `timeout resolve` after its last result, then sends a query
 *    (`resolve_retries` tries in all);
 *  - without an answer within `timeout retry` the query is sent again; a failed answer to the
 *    preferred type (A or AAAA) is retried at once with the other type, once per try;
 *  - after the last try, or when every nameserver answered with an error, the requesters hear
 *    the error status; a valid answer goes to the requesters at once.
 *
 * What a status means for a server (the `hold` periods) is the requester's business
 * (server-resolution.ts).
 */
import type { NameserverModel, ResolversModel } from '../config/model.ts';
import type { DatagramSender, Runtime, TimerHandle } from '../runtime.ts';
import { buildQuery, DNS_TYPE_A, DNS_TYPE_AAAA, DNS_TYPE_SRV, encodeName, parseResponse, type DnsQueryType, type DnsResponse, type DnsResponseStatus } from './wire.ts';
import { nameserversFromResolvConf } from './resolv-conf.ts';

/** HAProxy's RSLV_STATUS_*: what the last resolution of a name gave. */
export type ResolutionStatus = 'none' | 'valid' | 'invalid' | 'error' | 'nx' | 'refused' | 'timeout' | 'other';

/** A server (or any owner) kept informed of a name's resolution. */
export interface ResolutionRequester {
  /** Requesters of one group (a backend's servers) never share an address of the answer. */
  readonly group: object;
  /**
   * A valid answer. `nameserver` is `RESOLVERS/NAMESERVER` for the first requester (the one the
   * answer was asked for), undefined for the others, which HAProxy says got it from its cache.
   */
  onAnswer(resolution: Resolution, nameserver: string | undefined, counters?: NameserverCounters): void;
  /** The resolution failed (status in `resolution.status`). */
  onFailure(resolution: Resolution): void;
  /** The section stopped (stop, reload): a requester waiting for an outcome will get none. */
  onStop?(resolution: Resolution): void;
}

/**
 * The per-nameserver counters of `show resolvers`. `cname` and `timeout` are there because
 * HAProxy 2.6 prints them, but it never counts them: they stay 0 there too.
 */
export interface NameserverCounters {
  sent: number;
  sndError: number;
  cname: number;
  timeout: number;
  valid: number;
  update: number;
  invalid: number;
  nx: number;
  refused: number;
  other: number;
  outdated: number;
  tooBig: number;
  truncated: number;
  cnameError: number;
  anyErr: number;
}

interface Nameserver {
  readonly model: NameserverModel;
  readonly counters: NameserverCounters;
}

/** One name being resolved (HAProxy's resolv_resolution). */
export class Resolution {
  readonly hostname: string;
  readonly preferredType: DnsQueryType;
  readonly requesters: ResolutionRequester[] = [];
  /**
   * Which requester took which address of the answer (HAProxy's answer items' attached_servers):
   * servers sharing a name (server-template) take different addresses, and keep theirs while
   * the answer still has it.
   */
  readonly attached = new Map<string, ResolutionRequester[]>();
  readonly #name: Uint8Array | undefined;
  status: ResolutionStatus = 'none';
  /** The last valid answer (kept while the hold periods keep it). */
  response: DnsResponse | undefined = undefined;
  queryType: DnsQueryType;
  running = false;
  tries = 0;
  queryId = 0;
  queriesSent = 0;
  responses = 0;
  lastQuery = 0;
  /** When the last resolution ended (undefined before the first one: resolve at once). */
  lastResolution: number | undefined = undefined;
  /** When an answer was last valid (HAProxy's last_valid, from which the hold periods count). */
  lastValid: number;

  constructor(hostname: string, preferredType: DnsQueryType, now: number) {
    this.hostname = hostname.toLowerCase().replace(/\.$/, '');
    this.preferredType = preferredType;
    this.queryType = preferredType;
    this.#name = encodeName(this.hostname);
    this.lastValid = now;
  }

  get encodedName(): Uint8Array | undefined {
    return this.#name;
  }
}

function statusOf(response: DnsResponseStatus): ResolutionStatus {
  switch (response) {
    case 'valid':
      return 'valid';
    case 'nx':
      return 'nx';
    case 'refused':
      return 'refused';
    case 'invalid':
    case 'query-count':
    case 'wrong-name':
      return 'invalid';
    default:
      return 'other';
  }
}

function countResponse(counters: NameserverCounters, status: DnsResponseStatus): void {
  switch (status) {
    case 'valid':
      counters.valid++;
      return;
    case 'nx':
      counters.nx++;
      return;
    case 'refused':
      counters.refused++;
      return;
    case 'invalid':
    case 'query-count':
    case 'wrong-name':
      counters.invalid++;
      return;
    case 'ancount-zero':
      counters.anyErr++;
      return;
    case 'cname-error':
      counters.cnameError++;
      return;
    case 'truncated':
      counters.truncated++;
      return;
    default:
      counters.other++;
  }
}

function newCounters(): NameserverCounters {
  return { sent: 0, sndError: 0, cname: 0, timeout: 0, valid: 0, update: 0, invalid: 0, nx: 0, refused: 0, other: 0, outdated: 0, tooBig: 0, truncated: 0, cnameError: 0, anyErr: 0 };
}

export class DnsResolvers {
  readonly model: ResolversModel;
  readonly #runtime: Runtime;
  readonly #nameservers: Nameserver[];
  readonly #resolutions: Resolution[] = [];
  readonly #byQueryId = new Map<number, Resolution>();
  readonly #sockets = new Map<4 | 6, DatagramSender>();
  #timer: TimerHandle | undefined = undefined;
  #running = false;
  #seed = 0;
  /** A `do-resolve` rule uses the section, or a server may be given a name: it runs even while nothing is asked. */
  #runsIdle = false;

  constructor(runtime: Runtime, model: ResolversModel) {
    this.#runtime = runtime;
    this.model = model;
    this.#nameservers = model.nameservers.map((m) => ({ model: m, counters: newCounters() }));
  }

  get nameservers(): ReadonlyArray<{ readonly model: NameserverModel; readonly counters: Readonly<NameserverCounters> }> {
    return this.#nameservers;
  }

  /** Attaches `requester` to the resolution of `hostname` (shared with those asking the same). */
  subscribe(hostname: string, preferIPv4: boolean, requester: ResolutionRequester): Resolution {
    return this.subscribeType(hostname, preferIPv4 ? DNS_TYPE_A : DNS_TYPE_AAAA, requester);
  }

  /**
   * resolv_link_resolution for any query type (SRV for `_service._proto.name`). A name first
   * asked while the section runs is resolved at once, as HAProxy does for an SRV target.
   */
  subscribeType(hostname: string, type: DnsQueryType, requester: ResolutionRequester): Resolution {
    const name = hostname.toLowerCase().replace(/\.$/, '');
    let resolution = this.#resolutions.find((r) => r.hostname === name && r.preferredType === type);
    if (resolution === undefined) {
      resolution = new Resolution(name, type, this.#runtime.now());
      this.#resolutions.push(resolution);
      if (this.#running && this.#timer !== undefined && this.#run(resolution)) this.#arm();
    }
    resolution.requesters.push(requester);
    return resolution;
  }

  /** The resolution of `hostname` some requester already keeps, if any (nothing is created or sent). */
  existing(hostname: string, preferIPv4: boolean): Resolution | undefined {
    const name = hostname.toLowerCase().replace(/\.$/, '');
    const type = preferIPv4 ? DNS_TYPE_A : DNS_TYPE_AAAA;
    return this.#resolutions.find((r) => r.hostname === name && r.preferredType === type);
  }

  /** resolv_unlink_resolution: a resolution nobody asks for any more is dropped. */
  unsubscribe(resolution: Resolution, requester: ResolutionRequester): void {
    const i = resolution.requesters.indexOf(requester);
    if (i >= 0) resolution.requesters.splice(i, 1);
    for (const [address, owners] of resolution.attached) {
      const j = owners.indexOf(requester);
      if (j < 0) continue;
      owners.splice(j, 1);
      if (owners.length === 0) resolution.attached.delete(address);
    }
    if (resolution.requesters.length > 0) return;
    const at = this.#resolutions.indexOf(resolution);
    if (at >= 0) this.#resolutions.splice(at, 1);
    if (resolution.running) this.#byQueryId.delete(resolution.queryId);
    resolution.running = false;
  }

  /** Keeps the section running for the `do-resolve` rules (called before start). */
  serveRules(): void {
    this.#runsIdle = true;
  }

  /** A server given by address may be given a name (`set server fqdn`): the section runs meanwhile (called before start). */
  standBy(): void {
    this.#runsIdle = true;
  }

  /** Opens the sockets (reading /etc/resolv.conf first with `parse-resolv-conf`) and resolves every name at once. */
  async start(): Promise<void> {
    if (this.#running || (this.#resolutions.length === 0 && !this.#runsIdle)) return;
    this.#running = true;
    if (this.model.parseResolvConf) {
      const text = await this.#runtime.readTextFile('/etc/resolv.conf').catch(() => '');
      for (const model of nameserversFromResolvConf(text)) {
        if (!this.#nameservers.some((n) => n.model.name === model.name)) this.#nameservers.push({ model, counters: newCounters() });
      }
      if (!this.#running) return;
    }
    this.#process();
  }

  /** Stops the timer and closes the sockets: no query leaves afterwards. */
  stop(): void {
    if (this.#running) {
      for (const resolution of [...this.#resolutions]) for (const requester of [...resolution.requesters]) requester.onStop?.(resolution);
    }
    this.#running = false;
    if (this.#timer !== undefined) this.#runtime.clearTimer(this.#timer);
    this.#timer = undefined;
    for (const socket of this.#sockets.values()) socket.close();
    this.#sockets.clear();
  }

  #socket(family: 4 | 6): DatagramSender {
    let socket = this.#sockets.get(family);
    if (socket === undefined) {
      socket = this.#runtime.openDatagramSocket(family, { onDatagram: (bytes, address, port) => this.#receive(bytes, address, port) });
      this.#sockets.set(family, socket);
    }
    return socket;
  }

  /** HAProxy's resolv_rnd16 (xorshift seeded by the clock). */
  #nextId(): number {
    if (this.#seed === 0) this.#seed = (Math.floor(this.#runtime.now()) | 1) >>> 0;
    for (let i = 0; i < 100; i++) {
      let x = this.#seed;
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
      this.#seed = x >>> 0;
      const id = this.#seed & 0xffff;
      if (!this.#byQueryId.has(id)) return id;
    }
    return -1;
  }

  /** resolv_send_query: the current query to every nameserver. */
  #send(resolution: Resolution): void {
    resolution.queriesSent = 0;
    resolution.responses = 0;
    resolution.lastQuery = this.#runtime.now();
    const name = resolution.encodedName;
    if (name === undefined) return;
    const query = buildQuery(resolution.queryId, name, resolution.queryType, this.model.acceptedPayloadSize);
    for (const ns of this.#nameservers) {
      this.#socket(ns.model.family).send(query, ns.model.host, ns.model.port);
      ns.counters.sent++;
      resolution.queriesSent++;
    }
  }

  /** resolv_run_resolution: a new query id, the preferred type, all tries left. */
  #run(resolution: Resolution): boolean {
    if (resolution.running || resolution.encodedName === undefined) return false;
    const id = this.#nextId();
    if (id < 0) return false;
    resolution.queryId = id;
    resolution.running = true;
    resolution.queryType = resolution.preferredType;
    resolution.tries = this.model.resolveRetries - 1;
    this.#byQueryId.set(id, resolution);
    this.#send(resolution);
    return true;
  }

  /** resolv_reset_resolution. */
  #reset(resolution: Resolution): void {
    resolution.running = false;
    resolution.tries = 0;
    resolution.lastResolution = this.#runtime.now();
    resolution.queriesSent = 0;
    resolution.responses = 0;
    resolution.queryType = resolution.preferredType;
    this.#byQueryId.delete(resolution.queryId);
    resolution.queryId = 0;
  }

  #receive(bytes: Uint8Array, address: string, port: number): void {
    if (!this.#running) return;
    const ns = this.#nameservers.find((n) => n.model.port === port && n.model.host === address);
    if (ns === undefined) return;
    if (bytes.length > this.model.acceptedPayloadSize) {
      ns.counters.tooBig++;
      return;
    }
    if (bytes.length < 2) {
      ns.counters.invalid++;
      return;
    }
    const resolution = this.#byQueryId.get((bytes[0]! << 8) | bytes[1]!);
    if (resolution === undefined) {
      ns.counters.outdated++;
      return;
    }
    resolution.responses++;
    const response = parseResponse(bytes, resolution.hostname, this.model.acceptedPayloadSize);
    countResponse(ns.counters, response.status);
    if (response.status !== 'valid') {
      resolution.status = statusOf(response.status);
      // Wait for every nameserver before deciding on an error.
      if (resolution.responses < resolution.queriesSent) return;
      if (resolution.queryType !== resolution.preferredType) {
        // The other type was tried already: the try counter decides.
        if (resolution.tries === 0) this.#fail(resolution);
      } else if (resolution.preferredType !== DNS_TYPE_SRV) {
        resolution.queryType = resolution.preferredType === DNS_TYPE_A ? DNS_TYPE_AAAA : DNS_TYPE_A;
        this.#send(resolution);
      }
      this.#arm();
      return;
    }
    resolution.status = 'valid';
    resolution.response = response;
    // Addresses gone from the answer free their servers (`hold obsolete` 0, HAProxy's default).
    for (const address of [...resolution.attached.keys()]) {
      if (!response.answers.some((a) => 'address' in a && a.address === address)) resolution.attached.delete(address);
    }
    resolution.lastValid = this.#runtime.now();
    // Only the first requester hears which nameserver answered; the others got it "from the cache".
    let source: string | undefined = `${this.model.name}/${ns.model.name}`;
    for (const requester of [...resolution.requesters]) {
      requester.onAnswer(resolution, source, source === undefined ? undefined : ns.counters);
      source = undefined;
    }
    this.#reset(resolution);
    this.#arm();
  }

  #fail(resolution: Resolution): void {
    for (const requester of [...resolution.requesters]) requester.onFailure(resolution);
    this.#reset(resolution);
  }

  /** process_resolvers: expired queries retried or failed, waiting resolutions started. */
  #process(): void {
    this.#timer = undefined;
    if (!this.#running) return;
    const now = this.#runtime.now();
    const { timeoutRetry, timeoutResolve } = this.model;
    for (const resolution of this.#resolutions) {
      if (!resolution.running || now < resolution.lastQuery + timeoutRetry) continue;
      if (resolution.tries === 0) {
        if (resolution.responses === 0) resolution.status = 'timeout';
        this.#fail(resolution);
        continue;
      }
      if (resolution.responses === 0 || resolution.queryType !== resolution.preferredType || resolution.preferredType === DNS_TYPE_SRV) {
        // SRV has no other family to fall back to: each resend is a try.
        resolution.queryType = resolution.preferredType;
        resolution.tries--;
      } else {
        resolution.queryType = resolution.preferredType === DNS_TYPE_A ? DNS_TYPE_AAAA : DNS_TYPE_A;
      }
      this.#send(resolution);
    }
    for (const resolution of this.#resolutions) {
      if (resolution.running) continue;
      if (resolution.lastResolution !== undefined && now < resolution.lastResolution + timeoutResolve) continue;
      if (!this.#run(resolution)) resolution.lastResolution = now;
    }
    this.#arm();
  }

  /** resolv_update_resolvers_timeout: the timer at the earliest retry or next resolution. */
  #arm(): void {
    if (!this.#running) return;
    const now = this.#runtime.now();
    let next = now + this.model.timeoutResolve;
    for (const r of this.#resolutions) {
      if (r.running) next = Math.min(next, r.lastQuery + this.model.timeoutRetry);
      else next = Math.min(next, (r.lastResolution ?? now) + this.model.timeoutResolve);
    }
    if (this.#timer !== undefined) this.#runtime.clearTimer(this.#timer);
    this.#timer = this.#runtime.setTimer(() => this.#process(), Math.max(0, next - now));
  }
}
