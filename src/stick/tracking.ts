/**
 * Stick counter tracking (HAProxy's stkctr, stream.h / session.c): `track-sc0|1|2 KEY [table T]`
 * binds one of three slots to a table entry, and from then on the session's events are counted
 * on it (requests, errors, bytes) and `sc*_` fetches read it.
 *
 * Two sets of slots, as HAProxy's session and stream:
 * - `session`: tracked by `tcp-request connection|session track-scN`; held for the client
 *   connection's whole life (every keep-alive request counts on it);
 * - `stream`: tracked by `http-request|http-response|tcp-request content track-scN`; held for
 *   one HTTP transaction (HAProxy's stream), released by endStream().
 * A fetch `scN_*` reads the stream's slot N, else the session's (smp_fetch_sc_stkctr); an event
 * counts on the stream's slot N when its table stores that counter, else on the session's.
 *
 * Tracking an entry counts a connection on it (conn_cur++, conn_cnt, conn_rate: HAProxy's
 * stream_start_counters) and holds it (refs: it is neither evicted nor expired while tracked);
 * releasing it decrements conn_cur.
 *
 * Use from a rules engine (http-request here; tcp-request rules the same way):
 *   const table = tracking.table(name);            // the generation's table of proxy `name`
 *   const key = table.keyOf(sampleText);            // undefined: the rule does nothing
 *   tracking.track(tracking.session|stream, slot, table, key, now)
 *   tracking.countSession(now)                      // after tcp-request session rules (sess_cnt)
 *   tracking.countHttpRequest(now)                  // each request, before its http-request rules
 *   tracking.countHttpResponse(status, now) / countHttpError(now)
 *   tracking.endStream(bytesIn, bytesOut, now) / endSession(now)
 */
import type { StickEntry, StickEvent, StickTable } from './stick-table.ts';

/** HAProxy's MAX_SESS_STKCTR (tune.stick-counters default). */
export const STICK_COUNTERS = 3;

/** Three tracking slots. */
export class StickTrackers {
  readonly #tables: (StickTable | undefined)[] = [undefined, undefined, undefined];
  readonly #entries: (StickEntry | undefined)[] = [undefined, undefined, undefined];

  table(slot: number): StickTable | undefined {
    return this.#tables[slot];
  }

  entry(slot: number): StickEntry | undefined {
    return this.#entries[slot];
  }

  /**
   * Tracks `entry` of `table` in `slot` and counts the connection on it; false when the slot
   * already tracks something (HAProxy keeps the first).
   */
  track(slot: number, table: StickTable, entry: StickEntry, now: number): boolean {
    if (this.#entries[slot] !== undefined) return false;
    this.#tables[slot] = table;
    this.#entries[slot] = entry;
    table.acquire(entry);
    const curAt = table.layout.offset('conn_cur');
    if (curAt >= 0) entry.data[curAt] = (entry.data[curAt] as number) + 1;
    table.count(entry, 'conn', 1, now);
    table.touch(entry, now);
    return true;
  }

  /** Counts `n` events on slot `slot`; false when nothing is tracked there or the table stores neither counter. */
  count(slot: number, event: StickEvent, n: number, now: number): boolean {
    const entry = this.#entries[slot];
    if (entry === undefined) return false;
    const table = this.#tables[slot] as StickTable;
    if (!table.count(entry, event, n, now)) return false;
    table.touch(entry, now);
    return true;
  }

  /** Releases every slot (conn_cur--, as HAProxy's stream_store_counters). */
  release(now: number): void {
    for (let slot = 0; slot < STICK_COUNTERS; slot++) {
      const entry = this.#entries[slot];
      if (entry === undefined) continue;
      const table = this.#tables[slot] as StickTable;
      const curAt = table.layout.offset('conn_cur');
      if (curAt >= 0) {
        if ((entry.data[curAt] as number) > 0) entry.data[curAt] = (entry.data[curAt] as number) - 1;
        table.touch(entry, now);
      }
      this.#entries[slot] = undefined;
      this.#tables[slot] = undefined;
      table.release(entry, now);
    }
  }

  get any(): boolean {
    return this.#entries[0] !== undefined || this.#entries[1] !== undefined || this.#entries[2] !== undefined;
  }
}

/** Where tables are found by the name of the proxy declaring them. */
export type StickTableDirectory = ReadonlyMap<string, StickTable>;

/** A client connection's tracking: its session slots, its current stream's slots, the tables. */
export class StickTracking {
  readonly session = new StickTrackers();
  readonly stream = new StickTrackers();
  readonly #tables: StickTableDirectory;
  readonly #clock: { now(): number };

  /** `clock.now()`: the runtime's monotonic ms (fetches read rates at that time). */
  constructor(tables: StickTableDirectory, clock: { now(): number }) {
    this.#tables = tables;
    this.#clock = clock;
  }

  now(): number {
    return this.#clock.now();
  }

  /** The table declared by proxy `name`. */
  table(name: string): StickTable | undefined {
    return this.#tables.get(name);
  }

  /**
   * `track-scN`: the entry of `key` in `table` (created when absent) tracked in `slot` of
   * `trackers`. Returns the entry, or undefined when the slot was taken or the table is full.
   */
  track(trackers: StickTrackers, slot: number, table: StickTable, key: string, now: number): StickEntry | undefined {
    if (trackers.entry(slot) !== undefined) return undefined;
    const entry = table.getEntry(key, now);
    if (entry === undefined) return undefined;
    trackers.track(slot, table, entry, now);
    return entry;
  }

  /** The table slot `slot` reads: the stream's, else the session's. */
  trackedTable(slot: number): StickTable | undefined {
    return this.stream.entry(slot) !== undefined ? this.stream.table(slot) : this.session.table(slot);
  }

  /** The entry slot `slot` reads: the stream's, else the session's. */
  trackedEntry(slot: number): StickEntry | undefined {
    return this.stream.entry(slot) ?? this.session.entry(slot);
  }

  /** Counts an event on each slot: the stream's when its table stores it, else the session's. */
  countEvent(event: StickEvent, n: number, now: number): void {
    for (let slot = 0; slot < STICK_COUNTERS; slot++) {
      if (!this.stream.count(slot, event, n, now)) this.session.count(slot, event, n, now);
    }
  }

  /** A new session (after the connection rules): sess_cnt / sess_rate of the session's slots. */
  countSession(now: number): void {
    for (let slot = 0; slot < STICK_COUNTERS; slot++) this.session.count(slot, 'sess', 1, now);
  }

  /** A request begins (HAProxy's stream_inc_http_req_ctr, before the http-request rules). */
  countHttpRequest(now: number): void {
    if (this.stream.any || this.session.any) this.countEvent('http_req', 1, now);
  }

  /** A request denied, tarpitted or refused (http_err). */
  countHttpError(now: number): void {
    if (this.stream.any || this.session.any) this.countEvent('http_err', 1, now);
  }

  /** A server's response status: 4xx counts an error, 5xx but 501/505 a failure (http_wait_for_response). */
  countHttpResponse(status: number, now: number): void {
    if (!this.stream.any && !this.session.any) return;
    if (status >= 400 && status < 500) this.countEvent('http_err', 1, now);
    else if (status >= 500 && status < 600 && status !== 501 && status !== 505) this.countEvent('http_fail', 1, now);
  }

  /** The stream ends: its bytes are counted and its slots released. */
  endStream(bytesIn: number, bytesOut: number, now: number): void {
    if (!this.stream.any && !this.session.any) return;
    if (bytesIn > 0) this.countEvent('bytes_in', bytesIn, now);
    if (bytesOut > 0) this.countEvent('bytes_out', bytesOut, now);
    this.stream.release(now);
  }

  /** The client connection ends: the session's slots are released too. */
  endSession(now: number): void {
    this.stream.release(now);
    this.session.release(now);
  }
}
