import type { CompiledFormat } from './log-format.ts';
import type { StreamContext } from './log-record.ts';

/** HAProxy's UNIQUEID_LEN: an id is at most 127 characters. */
const MAX_LENGTH = 127;

/**
 * One session's unique id (`unique-id-format`), generated at most once per stream: when the
 * request is processed (for `unique-id-header`), by the first `unique-id` fetch, or for the
 * log line, whichever comes first (HAProxy's stream_generate_unique_id).
 */
export class UniqueId {
  readonly #format: CompiledFormat;
  readonly #context: StreamContext;
  #value: string | undefined;
  #generating = false;

  constructor(format: CompiledFormat, context: StreamContext) {
    this.#format = format;
    this.#context = context;
  }

  /** The id, generated now if it was not yet. */
  get value(): string {
    let value = this.#value;
    if (value === undefined) {
      // A format that reads `unique-id` itself finds it empty instead of recursing.
      if (this.#generating) return '';
      this.#generating = true;
      try {
        value = this.#format.evaluate(this.#context);
      } finally {
        this.#generating = false;
      }
      if (value.length > MAX_LENGTH) value = value.slice(0, MAX_LENGTH);
      this.#value = value;
    }
    return value;
  }

  /** The id if it was generated (%ID does not generate it). */
  get generated(): string | undefined {
    return this.#value;
  }

  /** A new stream begins (the next request of a keep-alive connection). */
  reset(): void {
    this.#value = undefined;
  }
}
