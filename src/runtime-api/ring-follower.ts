/**
 * `show events NAME -w`: a ring reader that writes each new line to the CLI session as it is
 * written (cli_io_handler_show_ring in wait mode). It does not hold its place in the ring: the
 * session's socket queues what the client has not read yet, so logging never waits for it.
 */
import type { RingReader } from '../log/ring-buffer.ts';
import type { RingSink, RingWaiter } from '../log/ring-sink.ts';
import type { CliFollower } from './output.ts';

export class RingFollower implements CliFollower, RingWaiter {
  readonly #ring: RingSink;
  readonly #fromEnd: boolean;
  #reader: RingReader | undefined;
  #write: ((text: string) => void) | undefined;

  constructor(ring: RingSink, fromEnd: boolean) {
    this.#ring = ring;
    this.#fromEnd = fromEnd;
  }

  start(write: (text: string) => void): string {
    this.#reader = this.#ring.buffer.attach(this.#fromEnd, false);
    const text = this.#drain();
    this.#write = write;
    this.#ring.addWaiter(this);
    return text;
  }

  ringWritten(): void {
    const text = this.#drain();
    if (text !== '') this.#write?.(text);
  }

  stop(): void {
    this.#ring.removeWaiter(this);
    if (this.#reader !== undefined) this.#ring.buffer.detach(this.#reader);
    this.#reader = undefined;
    this.#write = undefined;
  }

  #drain(): string {
    const reader = this.#reader;
    if (reader === undefined) return '';
    let text = '';
    for (let line = this.#ring.buffer.read(reader); line !== undefined; line = this.#ring.buffer.read(reader)) text += ringLineText(line);
    return text;
  }
}

/** A ring's line as the CLI writes it: its bytes (one char each), then a line feed. */
export function ringLineText(line: Uint8Array): string {
  let text = '';
  for (let i = 0; i < line.length; i += 8192) text += String.fromCharCode(...line.subarray(i, i + 8192));
  return `${text}\n`;
}
