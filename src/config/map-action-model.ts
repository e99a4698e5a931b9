/**
 * `http-request|http-response set-map(FILE) KEYFMT VALUEFMT`, `del-map(FILE) KEYFMT`,
 * `add-acl(FILE) KEYFMT`, `del-acl(FILE) KEYFMT` (HAProxy's parse_http_set_map): they change
 * the live pattern reference of FILE, if the configuration loaded one, as the CLI does.
 */
import type { ConditionModel, SourceLocation } from './model.ts';

export interface HttpMapRuleModel {
  readonly action: 'set-map' | 'del-map' | 'add-acl' | 'del-acl';
  /** The reference's name: the file as written between the parentheses. */
  readonly file: string;
  /** Log-format strings. */
  readonly key: string;
  /** `set-map` only. */
  readonly value: string | undefined;
  readonly condition: ConditionModel | undefined;
  readonly source: SourceLocation;
}
