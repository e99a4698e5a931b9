/**
 * `http-request|http-response|http-after-response strict-mode on|off` (HAProxy 2.2+): whether
 * a rewrite that fails (HAProxy's fail_rewrite) ends the transaction with a 500 (on, the
 * default) or is skipped (off), for the rest of the current message.
 */
import type { ConditionModel, SourceLocation } from './model.ts';

export interface HttpStrictModeRuleModel {
  readonly action: 'strict-mode';
  readonly on: boolean;
  readonly condition: ConditionModel | undefined;
  readonly source: SourceLocation;
}
