/**
 * `http-request` actions acting on the connection rather than the message (HAProxy 2.6's
 * http_act.c, tcp_act.c): `reject` (no response, the connection is closed), `early-hint NAME
 * FMT` (a 103 Early Hints interim response sent at once), `set-src`, `set-dst` and their ports,
 * `disable-l7-retry` (only connection failures are retried for this transaction),
 * `wait-for-handshake` (wait for the TLS handshake of a connection still in early data),
 * `set-priority-class` and `set-priority-offset` (also `tcp-request content` actions).
 */
import type { ConditionModel, SourceLocation } from './model.ts';

/** `set-priority-class EXPR` / `set-priority-offset EXPR`: the stream's place in the queues (queue.c). */
export interface PriorityRuleModel {
  readonly action: 'set-priority-class' | 'set-priority-offset';
  /** A sample expression giving an integer. */
  readonly expression: string;
  readonly condition: ConditionModel | undefined;
  readonly source: SourceLocation;
}

export type HttpStreamRuleModel =
  | PriorityRuleModel
  | {
      /**
       * `reject`; `silent-drop` (request and response rules): no answer, the client connection
       * reset; `disable-l7-retry`, `wait-for-handshake`: no argument.
       */
      readonly action: 'reject' | 'silent-drop' | 'disable-l7-retry' | 'wait-for-handshake';
      readonly condition: ConditionModel | undefined;
      readonly source: SourceLocation;
    }
  | {
      readonly action: 'early-hint';
      readonly header: string;
      /** A log-format string as written. */
      readonly format: string;
      readonly condition: ConditionModel | undefined;
      readonly source: SourceLocation;
    }
  | {
      /** The stream's client or destination address (or port) from a sample expression. */
      readonly action: 'set-src' | 'set-src-port' | 'set-dst' | 'set-dst-port';
      readonly expression: string;
      readonly condition: ConditionModel | undefined;
      readonly source: SourceLocation;
    };
