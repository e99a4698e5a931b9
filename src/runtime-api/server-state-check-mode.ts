/**
 * `-c` with a server-state file: HAProxy 2.6 applies the file in check mode too, and what it
 * changes ("Server B/S is DOWN, changed from server-state after a reload. ...") is told as
 * warnings, which make "Warnings were found." and count for `zero-warning`. The states are
 * applied to a proxy built for that alone (never started: nothing listens, checks, resolves or
 * logs), and only when the file holds some, so that a plain check still does not load the data
 * plane (src/cli-serving.ts).
 */
import type { ConfigModel } from '../config/model.ts';
import type { ServerStates } from '../proxy/server-state-file.ts';
import type { Runtime } from '../runtime.ts';

/** The warnings applying `states` to `config` gives (without "config : "), in order. */
export async function serverStateChanges(runtime: Runtime, config: ConfigModel, states: ServerStates): Promise<string[]> {
  if (states.byBackend.size === 0) return [];
  const { applyServerStates, Proxy } = await import('../cli-serving.ts');
  const told: string[] = [];
  try {
    const proxy = new Proxy(runtime, config, { quiet: true });
    applyServerStates(proxy.target, states, { holdCheck: () => {}, warning: (text) => told.push(text) });
  } catch {
    // What the serving process's build refuses is its to report: the check tells what it can.
  }
  return told;
}
