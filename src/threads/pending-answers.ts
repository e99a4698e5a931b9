/**
 * Questions one thread asks another (`nbthread`) by message, each with an id its answer
 * carries back; a question left unanswered (the other thread is stopping) settles with the
 * fallback after a time limit, so a reader of the stats never hangs on a thread.
 */
import type { Runtime, TimerHandle } from '../runtime.ts';

export class PendingAnswers<T> {
  readonly #runtime: Runtime;
  readonly #timeoutMs: number;
  readonly #waiting = new Map<number, { resolve: (value: T) => void; timer: TimerHandle }>();
  #nextId = 1;

  constructor(runtime: Runtime, timeoutMs: number) {
    this.#runtime = runtime;
    this.#timeoutMs = timeoutMs;
  }

  /** Sends a question (`send` posts it with the id) and resolves with its answer, or `fallback` in time. */
  ask(send: (id: number) => void, fallback: T): Promise<T> {
    return new Promise<T>((resolve) => {
      const id = this.#nextId++;
      const timer = this.#runtime.setTimer(() => {
        this.#waiting.delete(id);
        resolve(fallback);
      }, this.#timeoutMs);
      this.#waiting.set(id, { resolve, timer });
      send(id);
    });
  }

  /** The answer to question `id` arrived (a late or unknown one is dropped). */
  answered(id: number, value: T): void {
    const waiting = this.#waiting.get(id);
    if (waiting === undefined) return;
    this.#waiting.delete(id);
    this.#runtime.clearTimer(waiting.timer);
    waiting.resolve(value);
  }
}
