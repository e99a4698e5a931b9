/**
 * Runtime.setIdentity on node:process, which Node, Bun and Deno provide: HAProxy's
 * set_identity (drop the supplementary groups and set the gid, then the uid).
 */
import type { Runtime } from '../../src/runtime.ts';

export const setIdentityNode: NonNullable<Runtime['setIdentity']> = (uid, gid) => {
  let groupsDropped = true;
  if (gid !== undefined) {
    try {
      if ((process.getgroups?.() ?? []).length > 0) process.setgroups?.([]);
    } catch {
      groupsDropped = false;
    }
    try {
      process.setgid?.(gid);
    } catch {
      throw new Error(`Cannot set gid ${gid}.`);
    }
  }
  if (uid !== undefined) {
    try {
      process.setuid?.(uid);
    } catch {
      throw new Error(`Cannot set uid ${uid}.`);
    }
  }
  return { groupsDropped };
};
