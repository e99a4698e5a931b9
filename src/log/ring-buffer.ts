/**
 * HAProxy's ring (src/ring.c): a buffer of `size` bytes holding the latest messages, each taking
 * its varint-encoded length, its bytes and one reader-count byte (plus the one byte every ring
 * starts with). A write that finds no room deletes the oldest messages, unless a reader still
 * waits on the oldest one: then the write fails (the caller counts it dropped), as HAProxy's
 * ring_write does. A message that could never fit is refused.
 *
 * Readers are positions (the sequence number of the next message to read). A reader that
 * `holds` its position keeps the messages from it on alive: the TCP forwarders do, from their
 * first connection on, so that a server that goes away loses nothing until the ring is full.
 */

/** Bytes of HAProxy's varint encoding of `v` (src/tools.h varint_bytes). */
export function varintBytes(v: number): number {
  let len = 1;
  if (v >= 240) {
    let rest = Math.floor((v - 240) / 16);
    for (;;) {
      len++;
      if (rest < 128) break;
      rest = Math.floor((rest - 128) / 128);
    }
  }
  return len;
}

/** A position in a ring: the sequence number of the next message to read. */
export interface RingReader {
  next: number;
  /** The reader keeps the messages from `next` on from being deleted. */
  holds: boolean;
}

export class RingBuffer {
  readonly size: number;
  /** The messages still held, oldest first; the oldest's sequence number is #first. */
  readonly #messages: Uint8Array[] = [];
  #head = 0;
  #first = 0;
  /** Bytes used as HAProxy counts them: the initial counter byte and each message's varint, bytes and counter. */
  #used = 1;
  readonly #readers = new Set<RingReader>();

  constructor(size: number) {
    this.size = size;
  }

  /** Sequence number of the oldest message held. */
  get first(): number {
    return this.#first;
  }

  /** Sequence number the next message written will have. */
  get end(): number {
    return this.#first + this.#messages.length - this.#head;
  }

  get used(): number {
    return this.#used;
  }

  /** The message of sequence number `seq`, or undefined when no longer (or not yet) held. */
  at(seq: number): Uint8Array | undefined {
    if (seq < this.#first) return undefined;
    return this.#messages[this.#head + seq - this.#first];
  }

  /** Stores a message; false when it cannot fit (too large, or a reader holds the oldest message). */
  write(message: Uint8Array): boolean {
    const lenlen = varintBytes(message.length);
    if (lenlen + message.length + 2 > this.size) return false;
    const needed = lenlen + message.length + 1;
    while (this.size - this.#used < needed) {
      if (this.#heldAt(this.#first)) return false;
      const oldest = this.#messages[this.#head] as Uint8Array;
      this.#used -= varintBytes(oldest.length) + oldest.length + 1;
      this.#messages[this.#head] = EMPTY;
      this.#head++;
      this.#first++;
    }
    // Compact once the dead head is as long as what is left (amortised O(1) per message).
    if (this.#head > 64 && this.#head * 2 > this.#messages.length) {
      this.#messages.splice(0, this.#head);
      this.#head = 0;
    }
    this.#messages.push(message);
    this.#used += needed;
    return true;
  }

  /** A reader at the oldest message, or at the end (`fromEnd`: only messages written from now on). */
  attach(fromEnd: boolean, holds: boolean): RingReader {
    const reader: RingReader = { next: fromEnd ? this.end : this.#first, holds };
    this.#readers.add(reader);
    return reader;
  }

  detach(reader: RingReader): void {
    this.#readers.delete(reader);
  }

  /** The reader's next message, advancing it; undefined when it read everything. */
  read(reader: RingReader): Uint8Array | undefined {
    // A reader that does not hold its place may have lost messages: it resumes at the oldest.
    if (reader.next < this.#first) reader.next = this.#first;
    const message = this.at(reader.next);
    if (message !== undefined) reader.next++;
    return message;
  }

  #heldAt(seq: number): boolean {
    for (const reader of this.#readers) if (reader.holds && reader.next <= seq) return true;
    return false;
  }
}

const EMPTY = new Uint8Array(0);
