/**
 * Pausing and resuming frontends as HAProxy 2.6's pause_proxy / resume_proxy report it, for
 * `disable frontend` / `enable frontend` on the runtime API and SIGTTOU / SIGTTIN
 * (Frontend.pause/resume close and reopen the listeners).
 */
import type { Frontend } from './frontend.ts';

/** HAProxy's proxy_cap_str: `listen` for a proxy with both halves. */
export type ProxyCapability = 'frontend' | 'listen';

/**
 * "Paused frontend NAME." once it paused (HAProxy 2.6.12's pause_listener), or false after its
 * warning when it could not.
 */
export async function pauseFrontend(frontend: Frontend, cap: ProxyCapability, warn: (text: string) => void): Promise<boolean> {
  const was = frontend.paused;
  if (!(await frontend.pause())) {
    warn(`${cap} ${frontend.name} failed to enter pause mode.`);
    return false;
  }
  if (!was && frontend.paused) warn(`Paused ${cap} ${frontend.name}.`);
  return true;
}

/** False, after HAProxy's warning naming the port (or the socket's bind number), when a bind could not open again. */
export async function resumeFrontend(frontend: Frontend, cap: ProxyCapability, warn: (text: string) => void): Promise<boolean> {
  const was = frontend.paused;
  const failed = await frontend.resume();
  if (failed === undefined) {
    if (was && !frontend.paused) warn(`Resumed ${cap} ${frontend.name}.`);
    return true;
  }
  const port = failed.unix === true || failed.fd !== undefined ? 0 : failed.port;
  const luid = frontend.model.binds.indexOf(failed) + 1;
  warn(port > 0 ? `Port ${port} busy while trying to enable ${cap} ${frontend.name}.` : `Bind on socket ${luid} busy while trying to enable ${cap} ${frontend.name}.`);
  return false;
}

/** What pausing every frontend needs of the running configuration (a RuntimeTarget). */
export interface PausableProxies {
  readonly proxies: readonly { readonly name: string; readonly frontend: Frontend | undefined; readonly backend: unknown }[];
  frontendWarning(frontend: Frontend, text: string): void;
  /** With `nbthread`: the other threads run the same runtime API command. */
  readonly otherThreads?: { readonly replay?: ((args: readonly string[], payload: string | undefined) => void) | undefined } | undefined;
}

/**
 * SIGTTOU (sig_pause) and SIGTTIN (sig_listen): every frontend, in every thread (each runs
 * `disable frontend` / `enable frontend`). True when all of them paused, or resumed.
 */
export async function pauseOrResumeAll(target: PausableProxies, pause: boolean): Promise<boolean> {
  let ok = true;
  for (const entry of target.proxies) {
    const frontend = entry.frontend;
    if (frontend === undefined) continue;
    const cap: ProxyCapability = entry.backend !== undefined ? 'listen' : 'frontend';
    const warn = (text: string): void => target.frontendWarning(frontend, text);
    if (!(pause ? await pauseFrontend(frontend, cap, warn) : await resumeFrontend(frontend, cap, warn))) ok = false;
    target.otherThreads?.replay?.([pause ? 'disable' : 'enable', 'frontend', entry.name], undefined);
  }
  return ok;
}
