/**
 * HAProxy's health check status numbers (enum healthcheck_status), as `show servers state`
 * writes them and a server-state file gives them back.
 */
export const CHECK_STATUS_CODES: Readonly<Record<string, number>> = {
  UNK: 0, INI: 1, START: 2, CHECKED: 3, HANA: 4, SOCKERR: 5, L4OK: 6, L4TOUT: 7, L4CON: 8, L6OK: 9, L6TOUT: 10,
  L6RSP: 11, L7TOUT: 12, L7RSP: 13, L57DATA: 14, L7OK: 15, L7OKC: 16, L7STS: 17, PROCERR: 18, PROCTOUT: 19, PROCOK: 20,
};

const NAMES: readonly string[] = Object.entries(CHECK_STATUS_CODES)
  .sort((a, b) => a[1] - b[1])
  .map(([name]) => name);

/** The short status name of a code (undefined when out of range). */
export function checkStatusName(code: number): string | undefined {
  return NAMES[code];
}
