/**
 * A stick table on the wire (HAProxy 2.6's peer_prepare_switchmsg / peer_treat_definemsg and
 * peer_prepare_updatemsg / peer_treat_updatemsg): its definition (name, key type and size,
 * the stored data types as a bit field in HAProxy's numbering, expiry, and the periods and
 * array sizes), and one entry's update (key, then each stored data type's value in HAProxy's
 * order).
 *
 * HAProxy numbers data types in its own order (stick_table-t.h), which includes `server_key`
 * (the persistence target's name or address, a "dictionary" value) that Switchyard keeps on
 * the entry as `server`; DATA_TYPES maps each number to how Switchyard stores it.
 */
import type { StickEntry, StickTable } from '../stick/stick-table.ts';
import type { StickDataType } from '../stick/stick-data.ts';
import { initFreqCtr } from '../stick/freq-counter.ts';
import { parseIpv4, parseIpv6 } from '../stick/table-key.ts';
import { ByteReader, ByteWriter, latin1Bytes, latin1Text } from './wire.ts';

type StdType = 'sint' | 'uint' | 'ull' | 'frqp' | 'dict';

interface WireDataType {
  readonly std: StdType;
  /** Switchyard's name; server_id and server_key live on the entry itself. */
  readonly type: StickDataType | 'server_key';
  readonly array: boolean;
  /** HAProxy's is_local: received values are ignored (a count of this process's connections). */
  readonly local: boolean;
}

function t(type: StickDataType | 'server_key', std: StdType, extra: { array?: boolean; local?: boolean } = {}): WireDataType {
  return { type, std, array: extra.array ?? false, local: extra.local ?? false };
}

/** HAProxy 2.6's stktable_data_types, by its STKTABLE_DT_* numbers. */
export const DATA_TYPES: readonly WireDataType[] = [
  t('server_id', 'sint'),
  t('gpt0', 'uint'),
  t('gpc0', 'uint'),
  t('gpc0_rate', 'frqp'),
  t('conn_cnt', 'uint'),
  t('conn_rate', 'frqp'),
  t('conn_cur', 'uint', { local: true }),
  t('sess_cnt', 'uint'),
  t('sess_rate', 'frqp'),
  t('http_req_cnt', 'uint'),
  t('http_req_rate', 'frqp'),
  t('http_err_cnt', 'uint'),
  t('http_err_rate', 'frqp'),
  t('bytes_in_cnt', 'ull'),
  t('bytes_in_rate', 'frqp'),
  t('bytes_out_cnt', 'ull'),
  t('bytes_out_rate', 'frqp'),
  t('gpc1', 'uint'),
  t('gpc1_rate', 'frqp'),
  t('server_key', 'dict'),
  t('http_fail_cnt', 'uint'),
  t('http_fail_rate', 'frqp'),
  t('gpt', 'uint', { array: true }),
  t('gpc', 'uint', { array: true }),
  t('gpc_rate', 'frqp', { array: true }),
];

const SERVER_ID = 0;
const SERVER_KEY = 19;

/** The network key types (PEER_KT_*). */
export const KEY_TYPES = { integer: 2, ip: 4, ipv6: 5, string: 6, binary: 7 } as const;

/** What a peer announced for one of its tables. */
export interface TableDefinition {
  /** The sender's id for the table (its SWITCH and ACK messages use it). */
  readonly id: number;
  readonly name: string;
  readonly keyType: number;
  readonly keySize: number;
  /** Bit N set: HAProxy data type N is in every update. */
  readonly data: bigint;
  /** Elements of each announced array type. */
  readonly elements: ReadonlyMap<number, number>;
  readonly expire: number;
}

const DEFAULT_KEY_LENGTH = 32;

/** HAProxy's key_size: a string key has room for its terminating NUL. */
export function wireKeySize(table: StickTable): number {
  switch (table.type) {
    case 'ip':
    case 'integer':
      return 4;
    case 'ipv6':
      return 16;
    case 'string':
      // HAProxy's default string key is 32 bytes with its NUL (31 characters); `len N` makes
      // it N + 1. Switchyard keeps 32 characters by default: the default announces 32.
      return table.keyLength === DEFAULT_KEY_LENGTH ? DEFAULT_KEY_LENGTH : table.keyLength + 1;
    case 'binary':
      return table.keyLength;
  }
}

/** The HAProxy data types a table sends: what it stores, plus server_id and server_key when stick rules use it. */
export function sentDataTypes(table: StickTable, persistence: boolean): number[] {
  const out: number[] = [];
  DATA_TYPES.forEach((d, i) => {
    if (d.type === 'server_key') {
      if (persistence) out.push(i);
    } else if (d.type === 'server_id') {
      if (persistence || table.layout.stores('server_id')) out.push(i);
    } else if (table.layout.stores(d.type)) out.push(i);
  });
  return out;
}

/** The body of a STKT_DEFINE message for `table`, announced as `id`. */
export function writeDefinition(w: ByteWriter, id: number, name: string, table: StickTable, types: readonly number[]): void {
  w.varint(id);
  const nameBytes = latin1Bytes(name);
  w.varint(nameBytes.length);
  w.bytes(nameBytes);
  w.varint(KEY_TYPES[table.type]);
  w.varint(wireKeySize(table));
  let bits = 0n;
  for (const i of types) bits |= 1n << BigInt(i);
  w.varint(Number(bits));
  w.varint(table.expire ?? 0);
  // Parameters, each prefixed by its data type: arrays' sizes, and periods of rates.
  for (const i of types) {
    const d = DATA_TYPES[i] as WireDataType;
    if (d.type === 'server_key' || d.type === 'server_id') continue;
    if (d.array) {
      w.varint(i);
      w.varint(table.layout.elements(d.type as 'gpt' | 'gpc' | 'gpc_rate'));
      if (d.std === 'frqp') w.varint(table.layout.period('gpc_rate'));
    } else if (d.std === 'frqp') {
      w.varint(i);
      w.varint(table.layout.period(d.type as Parameters<StickTable['layout']['period']>[0]));
    }
  }
}

/** Reads a STKT_DEFINE body; undefined when it cannot be used (HAProxy ignores such a table). */
export function readDefinition(r: ByteReader): TableDefinition {
  const id = r.varint();
  const nameLength = r.varint();
  const name = latin1Text(r.take(nameLength));
  const keyType = r.varint();
  const keySize = r.varint();
  const dataNumber = r.varint();
  const data = BigInt(dataNumber);
  const elements = new Map<number, number>();
  let expire = 0;
  if (r.remaining > 0) {
    expire = r.varint();
    for (let i = 0; i < DATA_TYPES.length; i++) {
      if ((data & (1n << BigInt(i))) === 0n) continue;
      const d = DATA_TYPES[i] as WireDataType;
      if (!d.array && d.std !== 'frqp') continue;
      if (r.remaining === 0) break;
      const type = r.varint();
      if (type !== i) break;
      if (d.array) elements.set(i, r.varint());
      if (d.std === 'frqp') r.varint();
    }
  }
  return { id, name, keyType, keySize, data, elements, expire };
}

/** Whether a peer's definition describes `table` (HAProxy compares key type and size). */
export function definitionMatches(def: TableDefinition, table: StickTable): boolean {
  return def.keyType === KEY_TYPES[table.type] && def.keySize === wireKeySize(table);
}

// ---- keys ----

function writeKey(w: ByteWriter, table: StickTable, key: string): void {
  switch (table.type) {
    case 'string': {
      const bytes = latin1Bytes(key);
      w.varint(bytes.length);
      w.bytes(bytes);
      return;
    }
    case 'integer':
      w.uint32(Number(key));
      return;
    case 'ip':
      w.uint32(parseIpv4(key) >>> 0);
      return;
    case 'ipv6': {
      const groups = parseIpv6(key) ?? [0, 0, 0, 0, 0, 0, 0, 0];
      for (const g of groups) {
        w.byte(g >>> 8);
        w.byte(g & 0xff);
      }
      return;
    }
    case 'binary': {
      const bytes = latin1Bytes(key);
      const out = new Uint8Array(table.keyLength);
      out.set(bytes.subarray(0, table.keyLength));
      w.bytes(out);
      return;
    }
  }
}

function readKey(r: ByteReader, table: StickTable): string {
  switch (table.type) {
    case 'string': {
      const length = r.varint();
      const bytes = r.take(length);
      // HAProxy keeps at most key_size - 1 bytes.
      return latin1Text(bytes.subarray(0, Math.min(length, table.keyLength)));
    }
    case 'integer':
      return String(r.uint32());
    case 'ip': {
      const v = r.uint32();
      return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
    }
    case 'ipv6': {
      const b = r.take(16);
      let key = '';
      for (let i = 0; i < 8; i++) key += (i === 0 ? '' : ':') + (((b[2 * i] as number) << 8) | (b[2 * i + 1] as number)).toString(16);
      return key;
    }
    case 'binary':
      return latin1Text(r.take(table.keyLength));
  }
}

// ---- updates ----

/** The receiving side's dictionary of server keys (HAProxy's dcache rx), per session. */
export type ServerKeyCache = Map<number, string>;

/** Writes an update body: update id, key, then each of `types`' values at `now`. */
export function writeUpdate(w: ByteWriter, table: StickTable, types: readonly number[], entry: StickEntry, updateId: number, now: number, timed = false): void {
  w.uint32(updateId);
  // A timed update (a lesson: HAProxy's teach stages) carries what remains of the entry's life.
  if (timed) w.uint32(Number.isFinite(entry.expire) ? Math.max(0, Math.ceil(entry.expire - now)) >>> 0 : 0);
  writeKey(w, table, entry.key);
  const data = entry.data;
  for (const i of types) {
    const d = DATA_TYPES[i] as WireDataType;
    if (i === SERVER_ID) {
      w.varint(entry.serverId);
      continue;
    }
    if (i === SERVER_KEY) {
      if (entry.server === undefined) {
        w.varint(0);
        continue;
      }
      // Always the value with cache id 1: the receiver stores it and uses it (a full dcache entry).
      const value = latin1Bytes(entry.server);
      const body = new ByteWriter(value.length + 8);
      body.varint(1);
      body.varint(value.length);
      body.bytes(value);
      w.varint(body.length);
      w.bytes(body.view());
      continue;
    }
    const type = d.type as StickDataType;
    const at = table.layout.offset(type);
    const count = d.array ? table.layout.elements(type as 'gpt' | 'gpc' | 'gpc_rate') : 1;
    for (let e = 0; e < count; e++) {
      if (d.std === 'frqp') {
        const slot = at + e * 3;
        const tick = data[slot] as number;
        w.varint(tick === Number.NEGATIVE_INFINITY ? 0 : (Math.floor(now) - tick) >>> 0);
        w.varint(data[slot + 1] as number);
        w.varint(data[slot + 2] as number);
      } else {
        w.varint(data[at + e] as number);
      }
    }
  }
}

/**
 * Applies an update body from a peer whose definition of the table is `def`: creates or updates
 * the entry. Types the table does not store, and conn_cur, are read and dropped.
 */
export function applyUpdate(r: ByteReader, table: StickTable, def: TableDefinition, cache: ServerKeyCache, withId: boolean, timed: boolean, now: number): number | undefined {
  const updateId = withId ? r.uint32() : undefined;
  const remaining = timed ? r.uint32() : undefined;
  const key = readKey(r, table);
  const entry = table.getEntry(key, now);
  const tick = Math.floor(now);
  for (let i = 0; i < DATA_TYPES.length; i++) {
    if ((def.data & (1n << BigInt(i))) === 0n) continue;
    const d = DATA_TYPES[i] as WireDataType;
    if (d.array) {
      const n = def.elements.get(i) ?? 0;
      const type = d.type as 'gpt' | 'gpc' | 'gpc_rate';
      for (let e = 0; e < n; e++) {
        const at = table.layout.element(type, e);
        if (d.std === 'frqp') readFreqCtr(r, entry, at, tick);
        else {
          const v = r.varint();
          if (entry !== undefined && at >= 0) entry.data[at] = v;
        }
      }
      continue;
    }
    if (d.std === 'dict') {
      const length = r.varint();
      if (length === 0) continue;
      const body = new ByteReader(r.take(length));
      const id = body.varint();
      let value: string | undefined;
      if (body.remaining === 0) value = cache.get(id);
      else {
        value = latin1Text(body.take(body.varint()));
        cache.set(id, value);
      }
      if (entry !== undefined && value !== undefined) entry.server = value;
      continue;
    }
    if (d.std === 'frqp') {
      readFreqCtr(r, entry, entry === undefined || !table.layout.stores(d.type as StickDataType) ? -1 : table.layout.offset(d.type as StickDataType), tick);
      continue;
    }
    const v = r.varint();
    if (entry === undefined || d.local) continue;
    if (i === SERVER_ID) entry.serverId = v;
    else if (table.layout.stores(d.type as StickDataType)) entry.data[table.layout.offset(d.type as StickDataType)] = v;
  }
  if (entry !== undefined) {
    table.remote = true;
    try {
      table.touch(entry, now);
    } finally {
      table.remote = false;
    }
    // The sender's remaining life, as HAProxy's peer_treat_updatemsg (never longer than a touch gives).
    if (remaining !== undefined && table.expire !== undefined) entry.expire = Math.min(entry.expire, now + remaining);
  }
  return updateId;
}

function readFreqCtr(r: ByteReader, entry: StickEntry | undefined, at: number, now: number): void {
  const elapsed = r.varint();
  const curr = r.varint();
  const prev = r.varint();
  if (entry === undefined || at < 0) return;
  if (curr === 0 && prev === 0) {
    initFreqCtr(entry.data, at);
    return;
  }
  const tick = now - elapsed;
  entry.data[at] = tick - (tick % 2);
  entry.data[at + 1] = curr;
  entry.data[at + 2] = prev;
}
