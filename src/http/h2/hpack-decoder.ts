import { latin1String } from '../codec/chars.ts';
import { DynamicTable, ENTRY_OVERHEAD } from './hpack-dynamic-table.ts';
import { huffmanDecode } from './hpack-huffman.ts';
import { STATIC_COUNT, STATIC_NAMES, STATIC_VALUES } from './hpack-static-table.ts';
import { rangesEqual } from '../../util/bytes.ts';

/** A header block that cannot be decoded: a connection error of type COMPRESSION_ERROR (RFC 9113 §4.3). */
export class HpackError extends Error {
  override readonly name = 'HpackError';
}

/**
 * A decoded header list, reused from block to block: names and values as latin1 strings
 * (static-table names are the table's own interned strings). `size` is RFC 9113's header list
 * size (name + value + 32 per field); `tooLarge` says it passed the decoder's limit, in which
 * case the fields past the limit were decoded (the table must stay in step) but not kept.
 */
export class HeaderList {
  names: string[] = [];
  values: string[] = [];
  count = 0;
  size = 0;
  tooLarge = false;

  clear(): void {
    this.count = 0;
    this.size = 0;
    this.tooLarge = false;
  }

  push(name: string, value: string): void {
    this.names[this.count] = name;
    this.values[this.count] = value;
    this.count++;
  }
}

export interface HpackDecoderOptions {
  /** SETTINGS_HEADER_TABLE_SIZE we announce: the largest table the peer may ask for (default 4096). */
  maxTableSize?: number;
  /** Largest header list kept (RFC 9113 SETTINGS_MAX_HEADER_LIST_SIZE sense); beyond, `tooLarge`. */
  maxListSize?: number;
}

/** Integers past this are refused: nothing in a header block may be that large. */
const INTEGER_LIMIT = 2 ** 28;
/** Longest encoded literal value remembered per static name (a date is 22 bytes in Huffman). */
const REMEMBERED_VALUE_BYTES = 48;

/**
 * HPACK decoding (RFC 7541 §6) for one connection's direction: indexed fields, literals with,
 * without and never indexing, dynamic table size updates (only at the start of a block, and
 * never above our announced size), Huffman strings. Throws HpackError on any malformed block.
 */
export class HpackDecoder {
  readonly table: DynamicTable;
  readonly maxTableSize: number;
  readonly maxListSize: number;
  #scratch = new Uint8Array(256);
  #pos = 0;
  /**
   * The last literal value seen after each static-table name, encoded and decoded: a peer that
   * does not index its fields (nginx sends `server`, `date`, `content-type` as literals without
   * indexing on every response) would otherwise cost a string per field per message. Made at
   * the first such literal; a slot's bytes are rewritten in place when its value changes.
   */
  #rememberedBytes: (Uint8Array | undefined)[] | undefined = undefined;
  #rememberedLength: Int32Array | undefined = undefined;
  #rememberedValue: string[] | undefined = undefined;

  constructor(opts: HpackDecoderOptions = {}) {
    this.maxTableSize = opts.maxTableSize ?? 4096;
    this.maxListSize = opts.maxListSize ?? 65536;
    this.table = new DynamicTable(this.maxTableSize);
  }

  /** Decodes block[start, end) (a complete header block) into out (cleared first). */
  decode(block: Uint8Array, start: number, end: number, out: HeaderList): void {
    out.clear();
    this.#pos = start;
    let fieldSeen = false;
    while (this.#pos < end) {
      const b = block[this.#pos]!;
      if (b & 0x80) {
        // Indexed field (§6.1).
        const index = this.#integer(block, end, 7);
        if (index === 0) throw new HpackError('index 0');
        this.#emit(out, this.#nameAt(index), this.#valueAt(index));
        fieldSeen = true;
      } else if ((b & 0xe0) === 0x20) {
        // Dynamic table size update (§6.3): only before the first field of a block.
        if (fieldSeen) throw new HpackError('table size update after a field');
        const size = this.#integer(block, end, 5);
        if (size > this.maxTableSize) throw new HpackError('table size update above the announced limit');
        this.table.resize(size);
      } else {
        // Literal: with incremental indexing (01xxxxxx, 6-bit index), else without (0000) or never (0001) indexing (4-bit).
        const indexing = (b & 0xc0) === 0x40;
        const index = this.#integer(block, end, indexing ? 6 : 4);
        const name = index === 0 ? this.#string(block, end) : this.#nameAt(index);
        const value = index > 0 && index <= STATIC_COUNT ? this.#rememberedString(index, block, end) : this.#string(block, end);
        if (indexing) this.table.add(name, value);
        this.#emit(out, name, value);
        fieldSeen = true;
      }
    }
  }

  #emit(out: HeaderList, name: string, value: string): void {
    const size = out.size + name.length + value.length + ENTRY_OVERHEAD;
    out.size = size;
    if (size > this.maxListSize) out.tooLarge = true;
    else out.push(name, value);
  }

  #nameAt(index: number): string {
    if (index <= STATIC_COUNT) return STATIC_NAMES[index - 1]!;
    const i = index - STATIC_COUNT - 1;
    if (i >= this.table.length) throw new HpackError(`index ${index} beyond the table`);
    return this.table.name(i);
  }

  #valueAt(index: number): string {
    if (index <= STATIC_COUNT) return STATIC_VALUES[index - 1]!;
    return this.table.value(index - STATIC_COUNT - 1);
  }

  /** An integer with an N-bit prefix (§5.1), starting at the current byte. */
  #integer(block: Uint8Array, end: number, prefixBits: number): number {
    const max = (1 << prefixBits) - 1;
    let value = block[this.#pos++]! & max;
    if (value < max) return value;
    let shift = 0;
    for (;;) {
      if (this.#pos >= end) throw new HpackError('truncated integer');
      const b = block[this.#pos++]!;
      value += (b & 0x7f) * 2 ** shift;
      if (value > INTEGER_LIMIT) throw new HpackError('integer too large');
      if ((b & 0x80) === 0) return value;
      shift += 7;
    }
  }

  /**
   * A string literal (§5.2) following static name `slot`: the string decoded last time for
   * that name when its encoded bytes (Huffman flag, length and octets) are the same.
   */
  #rememberedString(slot: number, block: Uint8Array, end: number): string {
    const at = this.#pos;
    const lengths = (this.#rememberedLength ??= new Int32Array(STATIC_COUNT + 1));
    const bytes = (this.#rememberedBytes ??= new Array<Uint8Array | undefined>(STATIC_COUNT + 1).fill(undefined));
    const values = (this.#rememberedValue ??= new Array<string>(STATIC_COUNT + 1).fill(''));
    const known = bytes[slot];
    const n = lengths[slot]!;
    // The length prefix is among the bytes compared: the same bytes are the same whole literal.
    if (known !== undefined && n > 0 && at + n <= end && rangesEqual(block, at, at + n, known, 0, n)) {
      this.#pos = at + n;
      return values[slot]!;
    }
    const value = this.#string(block, end);
    const used = this.#pos - at;
    if (used <= REMEMBERED_VALUE_BYTES) {
      const into = known ?? (bytes[slot] = new Uint8Array(REMEMBERED_VALUE_BYTES));
      into.set(block.subarray(at, this.#pos));
      lengths[slot] = used;
      values[slot] = value;
    } else {
      lengths[slot] = 0;
    }
    return value;
  }

  /** A string literal (§5.2): raw or Huffman-coded. */
  #string(block: Uint8Array, end: number): string {
    if (this.#pos >= end) throw new HpackError('truncated string');
    const huffman = (block[this.#pos]! & 0x80) !== 0;
    const length = this.#integer(block, end, 7);
    const start = this.#pos;
    if (length > end - start) throw new HpackError('string beyond the block');
    this.#pos = start + length;
    if (!huffman) return latin1String(block, start, start + length);
    const room = Math.ceil((length * 8) / 5);
    if (this.#scratch.length < room) this.#scratch = new Uint8Array(Math.max(room, this.#scratch.length * 2));
    const n = huffmanDecode(block, start, start + length, this.#scratch, 0);
    if (n < 0) throw new HpackError('invalid Huffman string');
    return latin1String(this.#scratch, 0, n);
  }
}
