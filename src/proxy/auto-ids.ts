/**
 * HAProxy's automatic numbering of servers (puid) and listeners (luid) around the ids forced by
 * `id N` (check_config_validity): in declaration order, an object without an id takes the first
 * id not forced from a counter that moves on by one after every object, numbered or not. So
 * `server a id 5`, `server b`, `server c` give b 2 and c 3 (1 is skipped).
 */
import type { BindModel } from '../config/model.ts';

/** The ids of objects whose forced ids (or undefined) are `forced`, in the same order. */
export function numberAround(forced: readonly (number | undefined)[]): number[] {
  const used = new Set<number>();
  for (const id of forced) if (id !== undefined) used.add(id);
  const ids: number[] = [];
  let next = 1;
  for (const id of forced) {
    if (id !== undefined) ids.push(id);
    else {
      while (used.has(next)) next++;
      used.add(next);
      ids.push(next);
    }
    next++;
  }
  return ids;
}

const listenerIds = new WeakMap<readonly BindModel[], ReadonlyMap<BindModel, number>>();

/** The listener id (luid) of a frontend's bind, numbered once per list of binds. */
export function listenerIdOf(binds: readonly BindModel[], bind: BindModel): number {
  let ids = listenerIds.get(binds);
  if (ids === undefined) {
    const numbers = numberAround(binds.map((b) => b.id));
    ids = new Map(binds.map((b, i) => [b, numbers[i] as number]));
    listenerIds.set(binds, ids);
  }
  return ids.get(bind) ?? 0;
}
