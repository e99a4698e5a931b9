/**
 * Runtime API commands that change what every thread of the process serves with (`nbthread`).
 * The runtime API runs in the main thread; once such a command ran there, the other threads
 * run it too, in the same order, so that their servers, maps, certificates, limits and
 * variables stay those of the main thread. Not here: what only the main thread has (health
 * checks and agents), `shutdown session ID` (an id names one thread's stream: the main thread
 * asks the others to find it, ThreadGroup), the session's own settings, and the stick tables,
 * whose updates travel with each change (threads share them entry by entry).
 */
const REPLAYED: readonly (readonly string[])[] = [
  ['add', 'server'], ['del', 'server'], ['set', 'server'], ['enable', 'server'], ['disable', 'server'],
  ['set', 'weight'], ['set', 'maxconn'], ['shutdown', 'sessions'], ['shutdown', 'frontend'], ['disable', 'frontend'], ['enable', 'frontend'], ['clear', 'counters'],
  ['add', 'map'], ['set', 'map'], ['del', 'map'], ['clear', 'map'], ['prepare', 'map'], ['commit', 'map'],
  ['add', 'acl'], ['del', 'acl'], ['clear', 'acl'], ['prepare', 'acl'], ['commit', 'acl'],
  ['new', 'ssl'], ['set', 'ssl'], ['commit', 'ssl'], ['abort', 'ssl'], ['del', 'ssl'], ['add', 'ssl'],
  ['set', 'var'],
];

/** Whether the command line (its words) changes the state every thread serves with. */
export function replayedInThreads(args: readonly string[]): boolean {
  return REPLAYED.some((words) => words.every((w, i) => args[i] === w));
}
