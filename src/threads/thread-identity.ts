/**
 * Which thread of the process this code runs in (`nbthread`), for the `thread` fetch, the stats
 * (nbthread) and `show info`. Set once per thread before its configuration generation starts.
 */
let index = 0;
let count = 1;

export function setThreadIdentity(threadIndex: number, threadCount: number): void {
  index = threadIndex;
  count = threadCount;
}

/** 0 .. nbthread-1 (HAProxy's tid); 0 in the main thread. */
export function threadIndex(): number {
  return index;
}

/** The threads the process runs (HAProxy's global.nbthread). */
export function threadCount(): number {
  return count;
}
