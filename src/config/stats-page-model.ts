/**
 * The stats page of a proxy (HAProxy's `stats` keywords of a proxy section, its `uri_auth`):
 * served when the proxy in charge has it and a GET/HEAD/POST request's path starts with `uri`.
 * A proxy with its own `stats` line starts from scratch; one without inherits its defaults'.
 */
import type { ConditionModel, HttpFinalRuleModel, SourceLocation } from './model.ts';

/** `stats http-request allow|deny|auth [realm R] [if|unless COND]`. */
export type StatsAccessRuleModel = Extract<HttpFinalRuleModel, { readonly action: 'allow' | 'deny' | 'auth' }>;

export interface StatsPageModel {
  /** `stats uri PREFIX` (HAProxy's default `/haproxy?stats`). */
  readonly uri: string;
  /** `stats realm R` (the 401's realm; default "HAProxy Statistics"). */
  readonly realm?: string | undefined;
  /** `stats refresh T`, in seconds; 0 = none. */
  readonly refresh: number;
  /** `stats auth USER:PASS` lines in order (HAProxy's stats userlist, passwords in clear). */
  readonly users: readonly { readonly user: string; readonly password: string }[];
  /** `stats scope NAME` lines: the proxies shown (all when empty; `.` is this proxy). */
  readonly scopes: readonly string[];
  readonly hideVersion: boolean;
  readonly showLegends: boolean;
  /** `stats show-node [NAME]`: '' for the global `node` (the host's name by default). */
  readonly showNode?: string | undefined;
  /** `stats show-desc [TEXT]`: '' for the global `description`. */
  readonly showDesc?: string | undefined;
  /** `stats admin if|unless COND` lines: the first that matches grants the admin forms. */
  readonly admin: readonly ConditionModel[];
  /** `stats http-request ...` rules, in order (not with `stats auth`/`stats realm`). */
  readonly accessRules: readonly StatsAccessRuleModel[];
  readonly source: SourceLocation;
}
