/**
 * What a stick table stores per entry (HAProxy's stktable_data_types, `store ...`): counters
 * (`gpc0`, `conn_cnt`...), frequency counters over a period (`http_req_rate(10s)`...), the
 * general purpose tag `gpt0`, and `server_id` (persistence).
 *
 * Like HAProxy, a table lays out only the data it stores: each stored type gets an offset in the
 * entry's Float64Array (a counter one slot, a rate three, see freq-counter.ts), the others -1.
 * Reading a type the table does not store gives "absent" to fetches and converters.
 */
import type { StickDataTypeName, StickStoreModel } from '../config/model.ts';
import { FREQ_CTR_SLOTS, initFreqCtr } from './freq-counter.ts';

export type { StickStoreModel } from '../config/model.ts';

/** HAProxy's data type names, in its order; `*_rate` types take a period. */
export const STICK_DATA_TYPES = [
  'server_id',
  'gpt0',
  'gpc0',
  'gpc0_rate',
  'conn_cnt',
  'conn_rate',
  'conn_cur',
  'sess_cnt',
  'sess_rate',
  'http_req_cnt',
  'http_req_rate',
  'http_err_cnt',
  'http_err_rate',
  'bytes_in_cnt',
  'bytes_in_rate',
  'bytes_out_cnt',
  'bytes_out_rate',
  'gpc1',
  'gpc1_rate',
  'http_fail_cnt',
  'http_fail_rate',
] as const satisfies readonly StickDataTypeName[];

export type StickDataType = (typeof STICK_DATA_TYPES)[number];

/** The data types counting events over a period. */
export type StickRateType = Extract<StickDataType, `${string}_rate`>;
/** The plain counters and tags. */
export type StickCountType = Exclude<StickDataType, StickRateType | 'server_id'>;

export function isStickDataType(name: string): name is StickDataType {
  return (STICK_DATA_TYPES as readonly string[]).includes(name);
}

export function isRateType(type: StickDataType): type is StickRateType {
  return type.endsWith('_rate');
}

const TYPE_COUNT = STICK_DATA_TYPES.length;

/** Where an entry's data keeps its expiry date (runtime ms). */
export const EXPIRE_SLOT = 0;
const INDEX: ReadonlyMap<StickDataType, number> = new Map(STICK_DATA_TYPES.map((t, i) => [t, i]));

/** Index of a data type in a layout's tables. */
export function dataTypeIndex(type: StickDataType): number {
  return INDEX.get(type) as number;
}

/**
 * Where each stored data type sits in an entry, and the periods of the rates. Built once per
 * table; `offset(type)` is -1 for a type the table does not store (server_id is not in the
 * array: it is a name, kept on the entry).
 */
export class StickDataLayout {
  /** Float64Array length of an entry. */
  readonly slots: number;
  readonly #offsets: Int32Array = new Int32Array(TYPE_COUNT).fill(-1);
  readonly #periods: Float64Array = new Float64Array(TYPE_COUNT);
  readonly #stored: boolean[] = new Array<boolean>(TYPE_COUNT).fill(false);
  readonly #rates: number[] = [];

  constructor(stores: readonly StickStoreModel[]) {
    // Slot 0 is the entry's expiry date: a number field of an object would box each new value.
    let slots = EXPIRE_SLOT + 1;
    for (const store of stores) {
      const i = dataTypeIndex(store.type);
      if (this.#stored[i]) continue;
      this.#stored[i] = true;
      if (store.type === 'server_id') continue;
      this.#offsets[i] = slots;
      if (isRateType(store.type)) {
        this.#periods[i] = store.period ?? 1000;
        this.#rates.push(slots);
        slots += FREQ_CTR_SLOTS;
      } else {
        slots += 1;
      }
    }
    this.slots = slots;
  }

  stores(type: StickDataType): boolean {
    return this.#stored[dataTypeIndex(type)] as boolean;
  }

  /** The type's offset in an entry's data, -1 when not stored. */
  offset(type: StickDataType): number {
    return this.#offsets[dataTypeIndex(type)] as number;
  }

  /** A rate's period (ms). */
  period(type: StickRateType): number {
    return this.#periods[dataTypeIndex(type)] as number;
  }

  /** Fresh data for a new entry: counters at 0, rates never updated, expiring at `expire`. */
  newData(expire: number): Float64Array {
    const data = new Float64Array(this.slots);
    data[EXPIRE_SLOT] = expire;
    for (const at of this.#rates) initFreqCtr(data, at);
    return data;
  }
}
