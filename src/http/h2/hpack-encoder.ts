import { DynamicTable } from './hpack-dynamic-table.ts';
import { latin1String, viewOf } from '../codec/chars.ts';
import { huffmanEncode, huffmanEncodeBytes, huffmanLength, huffmanLengthOfBytes } from './hpack-huffman.ts';
import { STATIC_COUNT, hasStaticValues, staticNameIndex, staticPairIndex } from './hpack-static-table.ts';

export interface HpackEncoderOptions {
  /**
   * Add every field to the dynamic table (literal with incremental indexing) and refer to it
   * afterwards. Off by default: like HAProxy's encoder the proxy then keeps no per-connection
   * table state, indexing only into the static table.
   */
  indexing?: boolean;
  /** Huffman-code strings when that is shorter (default true). */
  huffman?: boolean;
  /** The dynamic table's size when indexing (the peer's SETTINGS_HEADER_TABLE_SIZE, default 4096). */
  tableSize?: number;
}

/**
 * HPACK encoding (RFC 7541 §6) into a growable buffer: a block is begun, fields are added,
 * and the block's bytes are taken. Exact static matches (`:status: 200`, `:method: GET`) are one
 * byte; other names go by static (or dynamic) reference when they have one.
 */
export class HpackEncoder {
  readonly table: DynamicTable;
  readonly indexing: boolean;
  readonly huffman: boolean;
  #buf = new Uint8Array(512);
  #len = 0;
  /** A size update to announce at the start of the next block (§4.2), or -1. */
  #pendingResize = -1;

  constructor(opts: HpackEncoderOptions = {}) {
    this.indexing = opts.indexing ?? false;
    this.huffman = opts.huffman ?? true;
    this.table = new DynamicTable(this.indexing ? (opts.tableSize ?? 4096) : 0);
  }

  /** The peer changed SETTINGS_HEADER_TABLE_SIZE: use at most that much (announced in the next block). */
  setMaxTableSize(size: number): void {
    if (!this.indexing) return;
    const next = Math.min(size, 4096);
    if (next === this.table.maxSize) return;
    this.table.resize(next);
    this.#pendingResize = next;
  }

  /** Starts a block. */
  begin(): void {
    this.#len = 0;
    if (this.#pendingResize >= 0) {
      this.#ensure(6);
      this.#integer(this.#pendingResize, 5, 0x20);
      this.#pendingResize = -1;
    }
  }

  /** Adds an indexed field by its static index (e.g. :status 200 is 8). */
  addIndexed(index: number): void {
    this.#ensure(6);
    this.#integer(index, 7, 0x80);
  }

  /** Adds a field; names must already be lowercase. */
  add(name: string, value: string, sensitive = false): void {
    const pair = staticPairIndex(name, value);
    if (pair > 0 && !sensitive) return this.addIndexed(pair);
    let nameIndex = staticNameIndex(name);
    if (this.indexing && !sensitive) {
      const dyn = this.table.findPair(name, value);
      if (dyn >= 0) return this.addIndexed(STATIC_COUNT + 1 + dyn);
      if (nameIndex === 0) {
        const dn = this.table.findName(name);
        if (dn >= 0) nameIndex = STATIC_COUNT + 1 + dn;
      }
    }
    this.#ensure(12 + 2 * (name.length + value.length));
    if (sensitive) this.#integer(nameIndex, 4, 0x10);
    else if (this.indexing) this.#integer(nameIndex, 6, 0x40);
    else this.#integer(nameIndex, 4, 0x00);
    if (nameIndex === 0) this.#string(name);
    this.#string(value);
    if (this.indexing && !sensitive) this.table.add(name, value);
  }

  /**
   * add(name, value) for the value in raw[start, end) (latin1 bytes, as a head holds it): the
   * same bytes, without making the value a string when the encoder keeps no table and the name
   * has no static entry with a value (what a translated head's fields mostly are).
   */
  addBytes(name: string, raw: Uint8Array, start: number, end: number): void {
    if (this.indexing || hasStaticValues(name)) return this.add(name, latin1String(raw, start, end));
    const nameIndex = staticNameIndex(name);
    this.#ensure(12 + 2 * (name.length + end - start));
    this.#integer(nameIndex, 4, 0x00);
    if (nameIndex === 0) this.#string(name);
    const hlen = this.huffman ? huffmanLengthOfBytes(raw, start, end) : -1;
    // As #string: ties go to Huffman, an empty value is sent raw.
    if (hlen > 0 && hlen <= end - start) {
      this.#integer(hlen, 7, 0x80);
      this.#len = huffmanEncodeBytes(raw, start, end, this.#buf, this.#len);
      return;
    }
    this.#integer(end - start, 7, 0);
    const buf = this.#buf;
    let at = this.#len;
    for (let i = start; i < end; i++) buf[at++] = raw[i]!;
    this.#len = at;
  }

  /** The block's bytes (a view of the encoder's buffer, valid until the next begin()). */
  get bytes(): Uint8Array {
    return viewOf(this.#buf, 0, this.#len);
  }

  /** The block's size so far. */
  get length(): number {
    return this.#len;
  }

  #string(s: string): void {
    const hlen = this.huffman ? huffmanLength(s) : -1;
    // Ties go to Huffman (as RFC 7541 C.6 encodes "307"); an empty string is sent raw, which every decoder reads.
    if (hlen > 0 && hlen <= s.length) {
      this.#integer(hlen, 7, 0x80);
      this.#len = huffmanEncode(s, this.#buf, this.#len);
      return;
    }
    this.#integer(s.length, 7, 0);
    const buf = this.#buf;
    let at = this.#len;
    for (let i = 0; i < s.length; i++) buf[at++] = s.charCodeAt(i) & 0xff;
    this.#len = at;
  }

  #integer(value: number, prefixBits: number, flags: number): void {
    const buf = this.#buf;
    const max = (1 << prefixBits) - 1;
    if (value < max) {
      buf[this.#len++] = flags | value;
      return;
    }
    buf[this.#len++] = flags | max;
    value -= max;
    while (value >= 128) {
      buf[this.#len++] = (value % 128) | 0x80;
      value = Math.floor(value / 128);
    }
    buf[this.#len++] = value;
  }

  #ensure(extra: number): void {
    const need = this.#len + extra;
    if (need <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(need, this.#buf.length * 2));
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }
}
