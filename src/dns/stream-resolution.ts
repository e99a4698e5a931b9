/**
 * A stream's `do-resolve` (HAProxy 2.6's resolv_action_do_resolve and its OBJ_TYPE_STREAM
 * requester): the name is resolved through a `resolvers` section, sharing the resolution of
 * any requester asking the same name and type; a valid answer younger than `hold valid` is
 * used at once, otherwise the rules wait until the resolution ends (answer, error or the
 * last retry timing out) and the stream is woken to run the action again.
 *
 * The requester leaves the resolution as soon as it has its outcome (a resolution nobody
 * else asks for is then dropped, as HAProxy frees it), or when the stream ends first.
 */
import type { Runtime } from '../runtime.ts';
import type { DnsResolvers, Resolution, ResolutionRequester } from './resolvers.ts';
import { DNS_TYPE_A, DNS_TYPE_AAAA, encodeName } from './wire.ts';

/** The generation's `resolvers` sections by name. */
export interface ResolversLookup {
  resolversNamed(name: string): DnsResolvers | undefined;
}

/** One name a stream waits for. */
export class StreamResolution implements ResolutionRequester {
  readonly #owner: StreamNameResolver;
  readonly #resolvers: DnsResolvers;
  readonly #preferIPv4: boolean;
  #resolution: Resolution | undefined = undefined;
  /** The resolution ended (the address, if any, is in `address`). */
  done = false;
  address: string | undefined = undefined;

  constructor(owner: StreamNameResolver, resolvers: DnsResolvers, preferIPv4: boolean) {
    this.#owner = owner;
    this.#resolvers = resolvers;
    this.#preferIPv4 = preferIPv4;
  }

  get group(): object {
    return this;
  }

  /** Joins the resolution of `hostname`; done at once when a fresh enough answer is there. */
  attach(hostname: string, now: number): void {
    const resolution = this.#resolvers.subscribe(hostname, this.#preferIPv4, this);
    this.#resolution = resolution;
    const holdValid = this.#resolvers.model.hold.valid;
    if (!resolution.running && resolution.status === 'valid' && resolution.lastResolution !== undefined && now < resolution.lastResolution + holdValid) {
      this.#finish(resolution, true);
    }
  }

  onAnswer(resolution: Resolution): void {
    this.#finish(resolution, true);
  }

  onFailure(resolution: Resolution): void {
    this.#finish(resolution, false);
  }

  /** The section stopped (reload): the stream goes on as after a failure rather than wait forever. */
  onStop(resolution: Resolution): void {
    this.#finish(resolution, false);
  }

  #finish(resolution: Resolution, valid: boolean): void {
    if (this.done) return;
    this.done = true;
    this.address = valid ? this.#pick(resolution) : undefined;
    this.detach();
    this.#owner.settled(this);
  }

  /**
   * resolv_get_ip_from_response without an owner server: the first address of the preferred
   * family, else the first of the other.
   */
  #pick(resolution: Resolution): string | undefined {
    let other: string | undefined;
    const preferred = this.#preferIPv4 ? DNS_TYPE_A : DNS_TYPE_AAAA;
    for (const record of resolution.response?.answers ?? []) {
      if (record.type === preferred) return record.address;
      if ((record.type === DNS_TYPE_A || record.type === DNS_TYPE_AAAA) && other === undefined) other = record.address;
    }
    return other;
  }

  /** Leaves the resolution (idempotent). */
  detach(): void {
    const resolution = this.#resolution;
    if (resolution === undefined) return;
    this.#resolution = undefined;
    this.#resolvers.unsubscribe(resolution, this);
  }
}

/**
 * The `do-resolve` state of one stream's rules: at most one name pending (the rules wait on
 * it), and the stream's wake-up once it settles.
 */
export class StreamNameResolver {
  readonly #sections: ResolversLookup;
  readonly #runtime: Runtime;
  readonly #wake: () => void;
  pending: StreamResolution | undefined = undefined;
  #waking = false;

  constructor(sections: ResolversLookup, runtime: Runtime, wake: () => void) {
    this.#sections = sections;
    this.#runtime = runtime;
    this.#wake = wake;
  }

  /**
   * Starts resolving `hostname`; undefined when the action is to be skipped (an unknown section
   * or a name that is no valid DNS name, as HAProxy ignores the action then). `final` (the
   * rules cannot wait): only a resolution another requester keeps can answer, a fresh valid
   * one; a new one would be dropped before HAProxy's resolvers task ever sent its query.
   */
  resolve(section: string, hostname: string, preferIPv4: boolean, final = false): StreamResolution | undefined {
    this.release();
    const resolvers = this.#sections.resolversNamed(section);
    if (resolvers === undefined || hostname.length === 0 || encodeName(hostname) === undefined) return undefined;
    if (final && resolvers.existing(hostname, preferIPv4) === undefined) return undefined;
    const pending = new StreamResolution(this, resolvers, preferIPv4);
    this.pending = pending;
    pending.attach(hostname, this.#runtime.now());
    return pending;
  }

  /** Forgets the pending name, leaving its resolution (the action took its outcome, or the stream ends). */
  release(): void {
    const pending = this.pending;
    if (pending === undefined) return;
    this.pending = undefined;
    pending.detach();
  }

  /**
   * The resolution ended while the rules waited: the stream resumes once the resolvers are done
   * with their answer (a microtask later), so that its rules never run inside the resolvers'
   * loop over their requesters.
   */
  settled(resolution: StreamResolution): void {
    if (this.pending !== resolution || this.#waking) return;
    this.#waking = true;
    queueMicrotask(() => {
      this.#waking = false;
      if (this.pending === resolution) this.#wake();
    });
  }
}
