/**
 * Health-check result statuses, as HAProxy's check.c names and describes them (check_statuses[]):
 * the short name is what the stats page shows (check_status), the description is the "reason"
 * of the state-change log lines.
 */

export type CheckStatus =
  | 'INI'
  | 'HANA'
  | 'SOCKERR'
  | 'L4OK'
  | 'L4TOUT'
  | 'L4CON'
  | 'L6OK'
  | 'L6TOUT'
  | 'L6RSP'
  | 'L7TOUT'
  | 'L7RSP'
  | 'L7OK'
  | 'L7OKC'
  | 'L7STS';

interface StatusInfo {
  readonly passed: boolean;
  readonly description: string;
  /** HAProxy prints ", code: N" only for statuses past HCHK_STATUS_L57DATA (L7OK, L7OKC, L7STS). */
  readonly showsCode: boolean;
}

const STATUSES: Readonly<Record<CheckStatus, StatusInfo>> = {
  INI: { passed: false, description: 'Initializing', showsCode: false },
  /** Not a probe: `observe` saw `error-limit` consecutive errors (on-error fail-check and beyond). */
  HANA: { passed: false, description: 'Health analyze', showsCode: false },
  SOCKERR: { passed: false, description: 'Socket error', showsCode: false },
  L4OK: { passed: true, description: 'Layer4 check passed', showsCode: false },
  L4TOUT: { passed: false, description: 'Layer4 timeout', showsCode: false },
  L4CON: { passed: false, description: 'Layer4 connection problem', showsCode: false },
  L6OK: { passed: true, description: 'Layer6 check passed', showsCode: false },
  L6TOUT: { passed: false, description: 'Layer6 timeout', showsCode: false },
  L6RSP: { passed: false, description: 'Layer6 invalid response', showsCode: false },
  L7TOUT: { passed: false, description: 'Layer7 timeout', showsCode: false },
  L7RSP: { passed: false, description: 'Layer7 invalid response', showsCode: false },
  L7OK: { passed: true, description: 'Layer7 check passed', showsCode: true },
  /** Only from `tcp-check expect ok-status L7OKC` here (HAProxy's disable-on-404 also yields it). */
  L7OKC: { passed: true, description: 'Layer7 check conditionally passed', showsCode: true },
  L7STS: { passed: false, description: 'Layer7 wrong status', showsCode: true },
};

export function checkPassed(status: CheckStatus): boolean {
  return STATUSES[status].passed;
}

export function checkStatusDescription(status: CheckStatus): string {
  return STATUSES[status].description;
}

export function checkStatusShowsCode(status: CheckStatus): boolean {
  return STATUSES[status].showsCode;
}

/** What one check run found. */
export interface CheckOutcome {
  readonly status: CheckStatus;
  /** HTTP status code, when a response head was read. */
  readonly code: number | undefined;
  /** HAProxy's check "info" ("Connection refused", a reason phrase, ...); "" for none. */
  readonly desc: string;
}
