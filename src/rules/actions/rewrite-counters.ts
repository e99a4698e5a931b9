/**
 * HAProxy's failed_rewrites and internal_errors counters for one message's rules: the failed
 * rewrites the rules counted in their context go to the frontend (and the backend once it is
 * chosen, the server once one answered, the listener under `option socket-stats`), and a strict-mode failure (`rewriteError`) is an
 * internal error on each.
 */
import type { HttpCounters } from '../../proxy/counters.ts';
import { addToListener, type ListenerCounters } from '../../proxy/listener-stats.ts';

export function countRewrites(
  frontend: HttpCounters,
  backend: HttpCounters | undefined,
  rules: { failedRewrites: number; rewriteError: boolean },
  server?: HttpCounters | undefined,
  listener?: ListenerCounters | undefined,
): void {
  const failed = rules.failedRewrites;
  if (failed === 0) return;
  rules.failedRewrites = 0;
  frontend.failedRewrites += failed;
  addToListener(listener, 'failedRewrites', failed);
  if (backend !== undefined) backend.failedRewrites += failed;
  if (server !== undefined) server.failedRewrites += failed;
  if (!rules.rewriteError) return;
  frontend.internalErrors++;
  addToListener(listener, 'internalErrors');
  if (backend !== undefined) backend.internalErrors++;
  if (server !== undefined) server.internalErrors++;
}
