/**
 * An event sink of type buffer (HAProxy's struct sink with a ring, src/sink.c): a `ring`
 * section, or the implicit ring of a `log tcp@...` target. A line written to it gets the ring's
 * own header (`format`, raw by default; sink_write ignores the log line's `format`), is cut to
 * `maxlen`, and goes into the RingBuffer. Lines the ring could not take are counted; the next
 * write first tries to store "N events dropped" (sink_announce_dropped), at level notice.
 * Readers (TCP forwarders, `show events -w`) are told of every line written.
 */
import type { LogTarget } from '../config/model.ts';
import type { Runtime } from '../runtime.ts';
import { logHeader, LogLevel, type LogLevelValue } from './logger.ts';
import { RingBuffer } from './ring-buffer.ts';

/** Told when a line was written (the readers waiting for more, ring->waiters). */
export interface RingWaiter {
  ringWritten(): void;
}

/** What a ring section or an implicit ring says about its sink. */
export interface RingSinkSettings {
  readonly name: string;
  readonly description: string;
  readonly format: LogTarget['format'];
  /** `maxlen`: the longest line stored, header included. */
  readonly maxLength: number;
  readonly size: number;
}

/** The syslog header's fields for this process (log-send-hostname, the global log-tag). */
export interface RingHeaderNames {
  readonly hostname: string;
  readonly tag: string;
}

export class RingSink {
  readonly name: string;
  readonly description: string;
  readonly format: LogTarget['format'];
  readonly maxLength: number;
  readonly buffer: RingBuffer;
  /** Lines lost since the last successful "events dropped" announce (sink->ctx.dropped). */
  dropped = 0;
  readonly #runtime: Runtime;
  readonly #names: RingHeaderNames;
  readonly #waiters = new Set<RingWaiter>();
  readonly #encoder = new TextEncoder();

  constructor(runtime: Runtime, settings: RingSinkSettings, names: RingHeaderNames) {
    this.#runtime = runtime;
    this.name = settings.name;
    this.description = settings.description;
    this.format = settings.format;
    this.maxLength = settings.maxLength;
    this.buffer = new RingBuffer(settings.size);
    this.#names = names;
  }

  /**
   * Stores one log line (the message without a header), framed as the ring's format asks.
   * `tag`: the logger's tag (a proxy's log-tag or the global one); `structuredData`: rfc5424's
   * STRUCTURED-DATA (`log-format-sd`), '-' when undefined. False when the line was dropped.
   */
  write(level: LogLevelValue, facility: string | undefined, message: Uint8Array, tag: string, structuredData?: string): boolean {
    if (this.dropped > 0 && !this.#announceDropped(facility)) {
      this.dropped++;
      return false;
    }
    if (!this.#store(level, facility, message, tag, structuredData)) {
      this.dropped++;
      return false;
    }
    return true;
  }

  addWaiter(waiter: RingWaiter): void {
    this.#waiters.add(waiter);
  }

  removeWaiter(waiter: RingWaiter): void {
    this.#waiters.delete(waiter);
  }

  #announceDropped(facility: string | undefined): boolean {
    const n = this.dropped;
    const text = this.#encoder.encode(`${n} event${n > 1 ? 's' : ''} dropped`);
    if (!this.#store(LogLevel.notice, facility, text, this.#names.tag)) return false;
    this.dropped -= n;
    return true;
  }

  #store(level: LogLevelValue, facility: string | undefined, message: Uint8Array, tag: string, structuredData?: string): boolean {
    let line = message;
    if (this.format !== 'raw') {
      const header = this.#encoder.encode(logHeader(this.format, facility, level, this.#runtime, tag, this.#names.hostname, structuredData));
      line = new Uint8Array(header.length + message.length);
      line.set(header, 0);
      line.set(message, header.length);
    }
    if (line.length > this.maxLength) line = line.subarray(0, this.maxLength);
    if (!this.buffer.write(line)) return false;
    for (const waiter of this.#waiters) waiter.ringWritten();
    return true;
  }
}
