/**
 * `http-request` actions acting on the connection rather than the message (HAProxy 2.6's
 * http_act.c): `reject` (no response, the connection is closed) and `early-hint NAME FMT` (a
 * 103 Early Hints interim response sent at once).
 */
import type { ConditionModel, SourceLocation } from './model.ts';

export type HttpStreamRuleModel =
  | {
      readonly action: 'reject';
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
    };
