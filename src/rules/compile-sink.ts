/**
 * A receiver of facts noticed while expressions compile (a userlist an `http_auth()` names, a
 * server argument without its backend), installed around one configuration line: fetch and ACL
 * compilation is synchronous, so whatever is noted between install and return is that line's.
 * HAProxy resolves such references once every section is read (smp_resolve_args); the parser
 * collects them per line so that the resolver reports them at their line.
 */
export class CompileSink<A extends unknown[]> {
  #receiver: ((...facts: A) => void) | undefined;

  /** Whether something listens: lets a caller skip the work of finding facts nobody wants. */
  get listening(): boolean {
    return this.#receiver !== undefined;
  }

  /** Hands the facts to the line being compiled, if any. */
  note(...facts: A): void {
    this.#receiver?.(...facts);
  }

  /** Runs `body`, handing everything noted meanwhile to `into` (nested calls restore the outer one). */
  collect<T>(body: () => T, into: (...facts: A) => void): T {
    const previous = this.#receiver;
    this.#receiver = into;
    try {
      return body();
    } finally {
      this.#receiver = previous;
    }
  }
}
