/**
 * What a stick table stores per entry (HAProxy's stktable_data_types, `store ...`): counters
 * (`gpc0`, `conn_cnt`...), frequency counters over a period (`http_req_rate(10s)`...), the
 * general purpose tag `gpt0`, `server_id` (persistence), and the arrays of HAProxy 2.5+
 * (`gpc(N)`, `gpc_rate(N,P)`, `gpt(N)`: N elements of one type, N up to 100).
 *
 * Like HAProxy, a table lays out only the data it stores: each stored type gets an offset in the
 * entry's Float64Array (a counter one slot, a rate three, see freq-counter.ts; an array N times
 * that), the others -1. Reading a type the table does not store gives "absent" to fetches and
 * converters.
 *
 * HAProxy forbids an array beside its legacy counterpart (`gpc` with `gpc0`) and falls back on
 * the array for the legacy name (`gpc0` reads `gpc[0]`, `gpc1` `gpc[1]`, `gpt0` `gpt[0]`): the
 * layout gives the legacy type the element's offset, so every gpc0/gpc1/gpt0 path (actions,
 * fetches, converters) reads and writes the element without knowing about arrays.
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
  'gpt',
  'gpc',
  'gpc_rate',
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

/** The array types (HAProxy's is_array) and the most elements one may have. */
export type StickArrayType = 'gpt' | 'gpc' | 'gpc_rate';
export const STICK_ARRAY_MAX = 100;

export function isArrayType(type: StickDataType): type is StickArrayType {
  return type === 'gpt' || type === 'gpc' || type === 'gpc_rate';
}

/** Legacy types that read an array's element when the table stores the array instead. */
const LEGACY_ELEMENTS: readonly (readonly [StickDataType, StickArrayType, number])[] = [
  ['gpt0', 'gpt', 0],
  ['gpc0', 'gpc', 0],
  ['gpc1', 'gpc', 1],
  ['gpc0_rate', 'gpc_rate', 0],
  ['gpc1_rate', 'gpc_rate', 1],
];

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
  /** Elements of each stored type (1 for a scalar). */
  readonly #elements: Int32Array = new Int32Array(TYPE_COUNT);
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
      const elements = isArrayType(store.type) ? Math.min(Math.max(store.elements ?? 1, 1), STICK_ARRAY_MAX) : 1;
      this.#elements[i] = elements;
      if (isRateType(store.type)) {
        this.#periods[i] = store.period ?? 1000;
        for (let e = 0; e < elements; e++) {
          this.#rates.push(slots);
          slots += FREQ_CTR_SLOTS;
        }
      } else {
        slots += elements;
      }
    }
    this.slots = slots;
    for (const [legacy, array, element] of LEGACY_ELEMENTS) {
      const l = dataTypeIndex(legacy);
      if (this.#stored[l]) continue;
      const at = this.element(array, element);
      if (at < 0) continue;
      this.#offsets[l] = at;
      this.#periods[l] = this.#periods[dataTypeIndex(array)] as number;
    }
  }

  stores(type: StickDataType): boolean {
    return this.#stored[dataTypeIndex(type)] as boolean;
  }

  /** The type's offset in an entry's data (an array's first element), -1 when not stored. */
  offset(type: StickDataType): number {
    return this.#offsets[dataTypeIndex(type)] as number;
  }

  /** How many elements the table stores of an array type (0 when not stored). */
  elements(type: StickArrayType): number {
    return this.#elements[dataTypeIndex(type)] as number;
  }

  /** The offset of an array's element `index`, -1 when not stored or past its end (stktable_data_ptr_idx). */
  element(type: StickArrayType, index: number): number {
    const i = dataTypeIndex(type);
    const at = this.#offsets[i] as number;
    if (at < 0 || index < 0 || index >= (this.#elements[i] as number)) return -1;
    return at + index * (type === 'gpc_rate' ? FREQ_CTR_SLOTS : 1);
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
