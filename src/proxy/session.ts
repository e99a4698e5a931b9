import type { FrontendModel, Timeouts } from '../config/model.ts';
import type { ProxyLogger } from '../log/logger.ts';
import type { Runtime } from '../runtime.ts';
import type { FrontendCounters } from './counters.ts';
import type { ProcessLimits } from './process-limits.ts';

/** A client connection being served (tcp splice or http transactions). */
export interface ProxySession {
  /** Ends the session now (soft-stop grace expired, admin kill). */
  kill(cause?: 'K' | 'D' | 'U'): void;
  /** Stop after the transaction in flight (soft stop): no further keep-alive requests. */
  drain(): void;
}

/** What a session needs from the frontend that accepted it. */
export interface SessionHost {
  readonly runtime: Runtime;
  readonly name: string;
  readonly model: FrontendModel;
  readonly counters: FrontendCounters;
  /** Client-side timeouts (the frontend's). */
  readonly timeouts: Timeouts;
  readonly logger: ProxyLogger;
  readonly limits: ProcessLimits;
  sessionEnded(session: ProxySession): void;
}
