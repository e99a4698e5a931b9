/**
 * `ulimit-n N` against the file descriptors the process may open (HAProxy's haproxy.c
 * "ulimits"). HAProxy calls setrlimit(); Node, Bun and Deno cannot, but each raises its soft
 * limit to the hard one as it starts, so the limit the process has is the most it can get: N
 * above it is HAProxy's "Cannot raise FD limit" (fatal under `strict-limits`, HAProxy 2.6's
 * default), and N below it cannot be lowered to (a notice says so). The limit is read from
 * /proc/self/limits, through the runtime's file reading: on a system without it nothing can
 * be compared, and a notice says that too.
 */

/** The soft and hard RLIMIT_NOFILE (Infinity for "unlimited"). */
export interface FdLimit {
  readonly soft: number;
  readonly hard: number;
}

/** Parses the "Max open files" line of /proc/PID/limits; undefined when absent or unreadable. */
export function parseFdLimit(limitsText: string): FdLimit | undefined {
  for (const line of limitsText.split('\n')) {
    if (!line.startsWith('Max open files')) continue;
    const [soft, hard] = line.slice('Max open files'.length).trim().split(/\s+/);
    const value = (word: string | undefined): number => (word === 'unlimited' ? Infinity : Number(word));
    const limit = { soft: value(soft), hard: value(hard) };
    return Number.isNaN(limit.soft) || Number.isNaN(limit.hard) ? undefined : limit;
  }
  return undefined;
}

export async function readFdLimit(readTextFile: (path: string) => Promise<string>): Promise<FdLimit | undefined> {
  try {
    return parseFdLimit(await readTextFile('/proc/self/limits'));
  } catch {
    return undefined;
  }
}

/** What starting with `ulimit-n wanted` gives: nothing to say, a notice, a warning, or an alert that stops the process. */
export type FdLimitOutcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'notice' | 'warning' | 'alert'; readonly text: string };

/** HAProxy's messages; `program` is the name in "[program.main()]". */
export function checkFdLimit(wanted: number, limit: FdLimit | undefined, strict: boolean, program: string, runtimeName: string): FdLimitOutcome {
  if (limit === undefined) {
    return { kind: 'notice', text: `'ulimit-n ${wanted}' not checked: the process's file descriptor limit cannot be read here (no /proc/self/limits).` };
  }
  if (limit.soft < wanted) {
    const text = `[${program}.main()] Cannot raise FD limit to ${wanted}, limit is ${limit.soft}.`;
    return { kind: strict ? 'alert' : 'warning', text };
  }
  if (limit.soft > wanted) {
    return { kind: 'notice', text: `'ulimit-n ${wanted}': ${runtimeName} cannot lower the file descriptor limit; the process keeps ${limit.soft}.` };
  }
  return { kind: 'ok' };
}
