/**
 * Stick tables across the threads of a process (`nbthread`): every thread keeps a copy of each
 * table, and what one thread changes reaches the others, so that the copies behave as the one
 * table of the process HAProxy's threads share. A thread's changes go to the main thread, which
 * applies them and passes them on to the other threads; the main thread's own changes (rules,
 * the runtime API's `set table`/`clear table`, the updates its peers send) go to every thread.
 *
 * Nothing is sent per request: a change touches its entry (StickTable.touch), which only marks
 * it dirty; once per event-loop turn the dirty entries of a table go out in one message, each
 * as the difference between its data and a copy taken when it was last sent or received.
 * Counters (conn_cur included) and rate events travel as deltas, so that what two threads count
 * at once adds up; tags (gpt) and the stored server travel as values, the last one applied
 * winning. Entries expire in each copy by themselves: every copy is touched with each update.
 */
import type { Runtime } from '../runtime.ts';
import { FREQ_CTR_SLOTS, updateFreqCtr } from '../stick/freq-counter.ts';
import { EXPIRE_SLOT, STICK_DATA_TYPES, isArrayType, isRateType, type StickArrayType, type StickDataType } from '../stick/stick-data.ts';
import type { StickEntry, StickTable, StickTableObserver } from '../stick/stick-table.ts';

/** The changes a thread made to one table during one event-loop turn. */
export interface StickUpdateMessage {
  readonly type: 'stick';
  readonly table: string;
  /** `clear table`: applied first. */
  readonly cleared: boolean;
  /** Keys removed (`clear table ... key`), applied after the clear. */
  readonly deleted: readonly string[];
  /** The entries changed, then created or updated in that order. */
  readonly keys: readonly string[];
  /**
   * `layout.slots` numbers per key: counter deltas, rate events, tag values (NaN: unchanged);
   * the expiry slot and a rate's inner slots are unused.
   */
  readonly data: Float64Array;
  /** Per key: the server stored (`stick on`), or null when unchanged. */
  readonly servers: readonly (StoredServer | null)[];
}

export interface StoredServer {
  readonly name: string | undefined;
  readonly id: number;
}

const SKIP = 0;
const DELTA = 1;
const VALUE = 2;
const RATE = 3;

/** What was last sent or received of an entry: the base of its next difference. */
interface Synced {
  readonly data: Float64Array;
  server: string | undefined;
  serverId: number;
}

export class StickTableSync implements StickTableObserver {
  readonly table: StickTable;
  readonly #runtime: Runtime;
  readonly #send: (message: StickUpdateMessage) => void;
  /** How each slot of an entry travels (SKIP, DELTA, VALUE, RATE) and a rate's period. */
  readonly #kinds: Uint8Array;
  readonly #periods: Float64Array;
  /** A new entry's data: the base of an entry never sent. */
  readonly #fresh: Float64Array;
  readonly #dirty = new Set<StickEntry>();
  #deleted: string[] = [];
  #cleared = false;
  #scheduled = false;
  /** Set while a message is applied: its changes are not sent back. */
  #applying = false;
  readonly #flushSoon = (): void => {
    this.#scheduled = false;
    this.flush();
  };

  constructor(table: StickTable, runtime: Runtime, send: (message: StickUpdateMessage) => void) {
    this.table = table;
    this.#runtime = runtime;
    this.#send = send;
    const layout = table.layout;
    this.#kinds = new Uint8Array(layout.slots).fill(DELTA);
    this.#kinds[EXPIRE_SLOT] = SKIP;
    this.#periods = new Float64Array(layout.slots);
    for (const type of STICK_DATA_TYPES) {
      if (type === 'server_id' || layout.offset(type) < 0) continue;
      for (const at of slotsOf(table, type)) {
        if (isRateType(type)) {
          this.#kinds[at] = RATE;
          this.#periods[at] = layout.period(type);
          for (let i = 1; i < FREQ_CTR_SLOTS; i++) this.#kinds[at + i] = SKIP;
        } else if (type === 'gpt0' || type === 'gpt') {
          this.#kinds[at] = VALUE;
        }
      }
    }
    this.#fresh = layout.newData(0);
    table.threads = this;
  }

  touched(entry: StickEntry): void {
    if (this.#applying) return;
    this.#dirty.add(entry);
    this.#schedule();
  }

  deleted(key: string): void {
    if (this.#applying) return;
    this.#deleted.push(key);
    this.#schedule();
  }

  cleared(): void {
    if (this.#applying) return;
    this.#cleared = true;
    this.#deleted = [];
    this.#dirty.clear();
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#runtime.setTimer(this.#flushSoon, 0);
  }

  /** Sends what changed since the last message, if anything did. */
  flush(): void {
    if (!this.#cleared && this.#deleted.length === 0 && this.#dirty.size === 0) return;
    const message = this.#message(this.#dirty, true);
    this.#dirty.clear();
    this.#deleted = [];
    this.#cleared = false;
    this.#send(message);
  }

  /** Every entry, as a message for a thread starting with an empty copy. */
  snapshot(now: number): StickUpdateMessage | undefined {
    const entries = [...this.table.list(now)];
    if (entries.length === 0) return undefined;
    return { ...this.#message(entries, false), cleared: false, deleted: [] };
  }

  /** Applies another thread's changes; they are not sent back. */
  apply(message: StickUpdateMessage, now: number): void {
    // What this thread changed so far goes first: the bases below then hold no local change.
    this.flush();
    const table = this.table;
    const slots = table.layout.slots;
    const kinds = this.#kinds;
    this.#applying = true;
    try {
      if (message.cleared) table.clear();
      for (const key of message.deleted) table.delete(key);
      for (let k = 0; k < message.keys.length; k++) {
        const entry = table.getEntry(message.keys[k] as string, now);
        if (entry === undefined) continue;
        const data = entry.data;
        const from = k * slots;
        for (let s = 1; s < slots; s++) {
          const v = message.data[from + s] as number;
          switch (kinds[s]) {
            case DELTA:
              if (v !== 0) data[s] = (data[s] as number) + v;
              break;
            case VALUE:
              if (!Number.isNaN(v)) data[s] = v;
              break;
            case RATE:
              if (v > 0) updateFreqCtr(data, s, this.#periods[s] as number, now, v);
              break;
            default:
              break;
          }
        }
        const server = message.servers[k];
        if (server !== null && server !== undefined) {
          entry.server = server.name;
          entry.serverId = server.id;
        }
        table.touch(entry, now);
        this.#remember(entry);
      }
    } finally {
      this.#applying = false;
    }
  }

  #remember(entry: StickEntry): void {
    const synced = entry.synced as Synced | undefined;
    if (synced === undefined) {
      entry.synced = { data: entry.data.slice(), server: entry.server, serverId: entry.serverId } satisfies Synced;
    } else {
      synced.data.set(entry.data);
      synced.server = entry.server;
      synced.serverId = entry.serverId;
    }
  }

  /** The entries' differences from their bases (`sent`: the bases move on; else from fresh). */
  #message(entries: Iterable<StickEntry>, sent: boolean): StickUpdateMessage {
    const slots = this.table.layout.slots;
    const kinds = this.#kinds;
    const live: StickEntry[] = [];
    for (const entry of entries) if (entry.inTable) live.push(entry);
    const out = new Float64Array(live.length * slots);
    const keys: string[] = new Array<string>(live.length);
    const servers: (StoredServer | null)[] = new Array<StoredServer | null>(live.length);
    for (let k = 0; k < live.length; k++) {
      const entry = live[k] as StickEntry;
      const synced = sent ? (entry.synced as Synced | undefined) : undefined;
      const base = synced?.data ?? this.#fresh;
      const data = entry.data;
      const from = k * slots;
      for (let s = 1; s < slots; s++) {
        switch (kinds[s]) {
          case DELTA:
            out[from + s] = (data[s] as number) - (base[s] as number);
            break;
          case VALUE:
            out[from + s] = data[s] === base[s] ? Number.NaN : (data[s] as number);
            break;
          case RATE:
            out[from + s] = rateEvents(base, data, s);
            break;
          default:
            break;
        }
      }
      keys[k] = entry.key;
      const server = synced === undefined ? undefined : synced.server;
      const serverId = synced === undefined ? 0 : synced.serverId;
      servers[k] = entry.server !== server || entry.serverId !== serverId ? { name: entry.server, id: entry.serverId } : null;
      if (sent) this.#remember(entry);
    }
    return { type: 'stick', table: this.table.name, cleared: this.#cleared, deleted: this.#deleted, keys, data: out, servers };
  }
}

/**
 * The events a frequency counter counted since `base` was copied from it (freq-counter.ts:
 * tick, current, previous period). Only this thread's updates moved it since, all within one
 * event-loop turn, so it rotated at most once: the events before the rotation are in `prev`
 * (or were dropped with it when the counter had been idle for two periods: `prev` is 0 then).
 */
function rateEvents(base: Float64Array, data: Float64Array, at: number): number {
  const curr = data[at + 1] as number;
  const prev = data[at + 2] as number;
  const baseTick = base[at] as number;
  if (baseTick === Number.NEGATIVE_INFINITY) return curr + prev;
  if (data[at] === baseTick) return Math.max(0, curr - (base[at + 1] as number));
  if (prev === 0) return curr;
  return Math.max(0, curr + prev - (base[at + 1] as number));
}

/** The offsets of a stored type's slots (an array's every element). */
function slotsOf(table: StickTable, type: StickDataType): number[] {
  if (!isArrayType(type)) return [table.layout.offset(type)];
  const out: number[] = [];
  for (let i = 0; i < table.layout.elements(type as StickArrayType); i++) out.push(table.layout.element(type as StickArrayType, i));
  return out;
}

/**
 * Makes every table of a generation follow the other threads' copies: returns the syncs by
 * table name, to apply the messages the other threads send.
 */
export function syncStickTables(tables: ReadonlyMap<string, StickTable>, runtime: Runtime, send: (message: StickUpdateMessage) => void): Map<string, StickTableSync> {
  const syncs = new Map<string, StickTableSync>();
  for (const [name, table] of tables) syncs.set(name, new StickTableSync(table, runtime, send));
  return syncs;
}
