/**
 * How a soft stop ends the front HTTP connections, after `grace` (HAProxy 2.6's global
 * `close-spread-time`, read by mux_h1.c and mux_h2.c against global.close_spread_end):
 *
 * - `at-once` (no `close-spread-time`, or 0): idle connections close now, active ones at their
 *   next response (`Connection: close`, HTTP/2's GOAWAY);
 * - `spread` (a window): each decision is a draw that closes more the further the window has
 *   gone (`closesActive`), and each idle connection closes at a random moment of what remains
 *   of the window, unless its own timeout comes first (`spreadDeadline`). Past the window's
 *   end every connection closes as `at-once`, so clients do not all reconnect at the same time;
 * - `never` (`infinite`): nothing is closed by the stop; connections end by their timeouts
 *   (or `hard-stop-after`).
 */

export type SoftStopMode = 'at-once' | 'spread' | 'never';

/** [0, 1), as Math.random: the draws (a test passes its own). */
export type RandomSource = () => number;

export class SoftStopClosing {
  /** A stop without `close-spread-time`. */
  static readonly atOnce = new SoftStopClosing(undefined, 0);

  readonly mode: SoftStopMode;
  readonly #window: number;
  readonly #end: number;
  readonly #random: RandomSource;

  /** `setting`: the model's closeSpreadTime; `startedAt`: when the listeners stopped (runtime ms). */
  constructor(setting: number | 'infinite' | undefined, startedAt: number, random: RandomSource = Math.random) {
    this.mode = setting === 'infinite' ? 'never' : setting === undefined || setting <= 0 ? 'at-once' : 'spread';
    this.#window = typeof setting === 'number' ? setting : 0;
    this.#end = startedAt + this.#window;
    this.#random = random;
  }

  /**
   * Whether an active connection ends after its transaction, drawn each time HAProxy decides
   * (h1_set_cli_conn_mode, h2_process): remaining <= a random share of the whole window, which
   * is never true at the start and always at the end.
   */
  closesActive(now: number): boolean {
    if (this.mode !== 'spread') return this.mode === 'at-once';
    const remaining = this.#end - now;
    return remaining <= 0 || remaining <= this.#draw(this.#window);
  }

  /**
   * When an idle connection closes in a spread stop: its own deadline `due` (Infinity: none) if
   * that comes before the window's end, else a random moment of what remains (now, past it).
   */
  spreadDeadline(now: number, due: number): number {
    const remaining = this.#end - now;
    if (remaining <= 0) return now;
    return due < this.#end ? due : now + this.#draw(remaining);
  }

  /** HAProxy's statistical_prng_range(n): an integer in [0, n). */
  #draw(range: number): number {
    return Math.floor(this.#random() * range);
  }
}
