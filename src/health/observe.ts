/**
 * Passive health observation (`observe layer4|layer7`, `error-limit`, `on-error`), as HAProxy's
 * check.c __health_adjust with its analyze_statuses table: sessions report what they saw of a
 * server (a connection attempt, an HTTP response), each report is an error, a success or
 * nothing depending on the observe mode; a success clears the run of consecutive errors, and
 * `error-limit` consecutive errors hand the `on-error` action to the server's check
 * (server-check.ts), then the run starts over.
 *
 * Sessions call `server.observer?.observe(event)`: one field check when observation is off.
 */
import type { ObserveMode, OnErrorMode } from '../config/model.ts';

/** What a session saw of a server: HAProxy's HANA_STATUS_* (the value indexes the tables below). */
export const Observed = {
  /** A connection to the server was established (or an idle one reused). */
  l4Ok: 0,
  /** A connection attempt failed or timed out (each retry counts). */
  l4Error: 1,
  /** A response status from 100 to 499, or 501 or 505 (which the client provokes). */
  httpOk: 2,
  /** Any other status: 5xx but 501 and 505, or a status below 100. */
  httpStatus: 3,
  /** The response head could not be parsed. */
  httpHeaders: 4,
  /** The response was invalid in another way. */
  httpResponse: 5,
  /** The connection failed (reset) before a response came. */
  httpReadError: 6,
  /** `timeout server` expired before a response came. */
  httpReadTimeout: 7,
  /** The server closed the connection before responding. */
  httpBrokenPipe: 8,
} as const;

export type ObservedEvent = (typeof Observed)[keyof typeof Observed];

/** HAProxy's analyze_statuses descriptions: the "last one was: ..." of the state-change line. */
const DESCRIPTIONS: readonly string[] = [
  'L4 successful connection',
  'L4 unsuccessful connection',
  'Correct http response',
  'Wrong http response',
  'Invalid http response (headers)',
  'Invalid http response',
  'Read error (http)',
  'Read timeout (http)',
  'Close from server (http)',
];

const IGNORED = 0;
const ERROR = 1;
const SUCCESS = 2;

/**
 * The verdict of each event per mode (HAProxy's lr[] columns): layer4 judges connections only;
 * layer7 judges responses and failed connections, but a successful connection proves nothing.
 */
const VERDICTS: Readonly<Record<ObserveMode, readonly number[]>> = {
  layer4: [SUCCESS, ERROR, IGNORED, IGNORED, IGNORED, IGNORED, IGNORED, IGNORED, IGNORED],
  layer7: [IGNORED, ERROR, SUCCESS, ERROR, ERROR, ERROR, ERROR, ERROR, ERROR],
};

/** HAProxy's rule (http_ana.c): 501 and 505 are the client's doing, not a sick server. */
export function httpStatusEvent(status: number): ObservedEvent {
  return status >= 100 && (status < 500 || status === 501 || status === 505) ? Observed.httpOk : Observed.httpStatus;
}

/** The hook on Server that sessions call; undefined on servers that are not observed. */
export interface ServerObserver {
  observe(event: ObservedEvent): void;
}

/** Where `error-limit` consecutive errors go: the server's health check applies `on-error`. */
export interface ObservedErrorsHandler {
  observedErrors(onError: OnErrorMode, info: string): void;
}

/** HAProxy's DEF_HANA_ERRLIMIT and DEF_HANA_ONERR. */
export const DEFAULT_ERROR_LIMIT = 10;
export const DEFAULT_ON_ERROR: OnErrorMode = 'fail-check';

export class HealthObserver implements ServerObserver {
  readonly mode: ObserveMode;
  readonly errorLimit: number;
  readonly onError: OnErrorMode;
  /** Errors since the last success (HAProxy's consecutive_errors). */
  consecutiveErrors = 0;
  /** Times `error-limit` was reached (HAProxy's failed_hana, the stats' `hanafail`). */
  failures = 0;
  readonly #verdicts: readonly number[];
  readonly #handler: ObservedErrorsHandler;

  constructor(mode: ObserveMode, errorLimit: number, onError: OnErrorMode, handler: ObservedErrorsHandler) {
    if (!Number.isInteger(errorLimit) || errorLimit < 1) throw new RangeError(`'error-limit' must be an integer >= 1 (got ${errorLimit})`);
    this.mode = mode;
    this.errorLimit = errorLimit;
    this.onError = onError;
    this.#verdicts = VERDICTS[mode];
    this.#handler = handler;
  }

  observe(event: ObservedEvent): void {
    const verdict = this.#verdicts[event];
    if (verdict === SUCCESS) {
      this.consecutiveErrors = 0;
      return;
    }
    if (verdict !== ERROR || ++this.consecutiveErrors < this.errorLimit) return;
    const info = `Detected ${this.consecutiveErrors} consecutive errors, last one was: ${DESCRIPTIONS[event] as string}`;
    // Start the next run before acting: the action may end sessions that report again.
    this.consecutiveErrors = 0;
    this.failures++;
    this.#handler.observedErrors(this.onError, info);
  }

  /** A passed health check ends the run too (HAProxy's set_server_check_status). */
  checkPassed(): void {
    this.consecutiveErrors = 0;
  }
}
