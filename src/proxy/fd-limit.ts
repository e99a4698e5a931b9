/**
 * The process's file descriptor limit, as HAProxy 2.6's main() sets it ("ulimits"): the soft
 * RLIMIT_NOFILE is raised to `ulimit-n N`, or global.maxsock without one, and the hard one to
 * the larger of that and the hard limit at boot (applyFdLimit, through Runtime.setFdLimit);
 * neither is ever lowered. show info's Ulimit-n is that number all the same. When the
 * system refuses, HAProxy's "Cannot raise FD limit" alert stops the process under
 * `strict-limits` (2.6's default); without it the warning says so and the process takes the
 * most it may. The limit is read from /proc/self/limits through the runtime's file reading.
 *
 * Where the runtime cannot call setrlimit() (Node before 26.1: no node:ffi), applyFdLimit runs
 * with every call refused: the limit the process has (Node, Bun and Deno raise their soft limit
 * to the hard one as they start) either holds what is wanted, which HAProxy would not change
 * either, or the process cannot have it, HAProxy's "Cannot raise FD limit" alert or warning.
 *
 * Then, as HAProxy's main() once its listeners are bound ("check ulimits"), the limit the
 * process ended up with is compared with maxsock (tooLowForMaxsock): below it, HAProxy's "FD
 * limit (N) too low for maxconn" alert, which stops the process under `strict-limits`. It
 * speaks where `ulimit-n` asked for less than maxsock and the process had no more, where a
 * failed raise was let go (`no strict-limits`), and on a runtime that cannot raise the limit.
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

/** Without /proc/self/limits (not Linux) nothing is set: `ulimit-n` gets a notice saying so. */
export function unreadableFdLimit(ulimitN: number | undefined): FdLimitOutcome {
  if (ulimitN === undefined) return { kind: 'ok' };
  return { kind: 'notice', text: `'ulimit-n ${ulimitN}' not checked: the process's file descriptor limit cannot be read here (no /proc/self/limits).` };
}

/** What applyFdLimit did: what to say, and HAProxy's global.rlimit_nofile (show info's Ulimit-n) unless the process stops. */
export interface AppliedFdLimit {
  readonly outcome: FdLimitOutcome;
  readonly nofile: number;
}

/** The calls applyFdLimit makes: setrlimit(RLIMIT_NOFILE) and a fresh read of the limit. */
export interface FdLimitCalls {
  set(soft: number, hard: number): boolean;
  read(): Promise<FdLimit | undefined>;
}

/**
 * HAProxy's main() "ulimits" with `wanted` (`ulimit-n`, else maxsock) and the limit read at
 * boot: an unlimited hard limit counts as the soft one there, as HAProxy takes it.
 */
export async function applyFdLimit(wanted: number, boot: FdLimit, strict: boolean, program: string, calls: FdLimitCalls): Promise<AppliedFdLimit> {
  const hardAtBoot = Number.isFinite(boot.hard) ? boot.hard : boot.soft;
  if (raise(boot, wanted, Math.max(hardAtBoot, wanted), calls)) return { outcome: { kind: 'ok' }, nofile: wanted };
  let limit = (await calls.read()) ?? boot;
  if (strict) return { outcome: { kind: 'alert', text: cannotRaise(program, wanted, limit.soft) }, nofile: asInt(limit.soft) };
  // HAProxy then tries for the most it may: the hard limit as the soft one.
  if (raise(limit, limit.hard, limit.hard, calls)) limit = (await calls.read()) ?? limit;
  return { outcome: { kind: 'warning', text: cannotRaise(program, wanted, limit.soft) }, nofile: asInt(limit.soft) };
}

/**
 * HAProxy 2.6's raise_rlim_nofile (2.6.7 on): setrlimit() only when it raises the soft or the
 * hard limit, never to shrink them (some containers refuse even that), so `ulimit-n` below
 * what the process has is shown by `show info` but the process keeps its limit, and nothing
 * the runtime already opened is ever above it.
 */
function raise(current: FdLimit, soft: number, hard: number, calls: FdLimitCalls): boolean {
  if (current.soft >= soft && current.hard >= hard) return true;
  return calls.set(soft, hard);
}

/** HAProxy keeps and prints the limit as an int: unlimited (RLIM_INFINITY) is -1 there. */
function asInt(limit: number): number {
  return Number.isFinite(limit) ? limit : -1;
}

/**
 * HAProxy's "FD limit too low" alert when the process's soft limit is below maxsock (0: no
 * maxconn, nothing to hold), else undefined. Unlimited is never too low.
 */
export function tooLowForMaxsock(limit: FdLimit | undefined, maxconn: number, maxsock: number, program: string): string | undefined {
  if (limit === undefined || maxsock <= 0 || limit.soft >= maxsock) return undefined;
  return `[${program}.main()] FD limit (${asInt(limit.soft)}) too low for maxconn=${maxconn}/maxsock=${maxsock}. Please raise 'ulimit-n' to ${maxsock} or more to avoid any trouble.`;
}

function cannotRaise(program: string, wanted: number, soft: number): string {
  return `[${program}.main()] Cannot raise FD limit to ${wanted}, limit is ${asInt(soft)}.`;
}
