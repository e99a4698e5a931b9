/**
 * The accept queue asked of the kernel for each bind, by HAProxy 2.6's listener_backlog(): the
 * bind's `backlog`, else the frontend's (`backlog` in the frontend or its defaults), else the
 * frontend's `maxconn`, which HAProxy sets to the global `maxconn` when the frontend has none.
 * The kernel caps whatever is asked at net.core.somaxconn.
 */
import type { BindModel, FrontendModel } from '../config/model.ts';

/**
 * Asked when no maxconn limits the frontend. HAProxy's global maxconn then comes from the file
 * descriptor limit and usually exceeds somaxconn, so its listeners get the system's maximum:
 * asking for more than any somaxconn lets the kernel give the same.
 */
export const UNLIMITED_BACKLOG = 65_535;

export function listenerBacklog(bind: BindModel, frontend: FrontendModel, globalMaxconn: number): number {
  return bind.backlog ?? frontend.backlog ?? (frontend.maxconn > 0 ? frontend.maxconn : globalMaxconn > 0 ? globalMaxconn : UNLIMITED_BACKLOG);
}
