/**
 * UNIX socket files' owners named by user or group (`bind ... user U group G`, `stats socket
 * ... user U`, `unix-bind user U`) become ids at startup, `-c` included, with HAProxy's alerts
 * for unknown names (it looks them up while parsing). The listeners then only see ids.
 */
import type { ConfigModel, SocketOwnerModel } from '../config/model.ts';
import { lookupIds, type AccountFiles } from './process-identity.ts';

async function ownerIds(owner: SocketOwnerModel | undefined, accounts: AccountFiles, alerts: string[]): Promise<SocketOwnerModel | undefined> {
  if (owner?.user === undefined && owner?.group === undefined) return owner;
  const ids = await lookupIds(owner, accounts);
  if (Array.isArray(ids)) {
    alerts.push(...ids);
    return owner;
  }
  return { ...(ids.uid !== undefined ? { uid: ids.uid } : {}), ...(ids.gid !== undefined ? { gid: ids.gid } : {}) };
}

/** The configuration with every socket owner given by ids, or the alerts for names not found. */
export async function resolveSocketOwners(config: ConfigModel, accounts: AccountFiles): Promise<ConfigModel | string[]> {
  // In the order HAProxy meets them: the global section's lines, then the proxies'.
  const alerts: string[] = [];
  const stats = config.global.stats;
  const sockets = stats === undefined ? undefined : await Promise.all(stats.sockets.map(async (s) => (s.owner === undefined ? s : { ...s, owner: await ownerIds(s.owner, accounts, alerts) })));
  // Only checked: its settings were copied into the binds while parsing.
  await ownerIds(config.global.unixBind?.owner, accounts, alerts);
  const frontends = await Promise.all(
    config.frontends.map(async (frontend) => {
      if (!frontend.binds.some((b) => b.owner?.user !== undefined || b.owner?.group !== undefined)) return frontend;
      const binds = await Promise.all(frontend.binds.map(async (bind) => (bind.owner === undefined ? bind : { ...bind, owner: await ownerIds(bind.owner, accounts, alerts) })));
      return { ...frontend, binds };
    }),
  );
  if (alerts.length > 0) return alerts;
  return {
    ...config,
    frontends,
    ...(stats !== undefined && sockets !== undefined ? { global: { ...config.global, stats: { ...stats, sockets } } } : {}),
  };
}

/**
 * A UNIX listener's file settings (Runtime.listenUnix's mode, uid, gid). A name still there means
 * resolveSocketOwners was skipped: refused, since the socket would silently keep the process's owner.
 */
export function socketFileOptions(mode: number | undefined, owner: SocketOwnerModel | undefined): { mode?: number; uid?: number; gid?: number } {
  const name = owner?.user?.name ?? owner?.group?.name;
  if (name !== undefined) throw new Error(`the socket owner '${name}' was not looked up (resolveSocketOwners) before listening`);
  return {
    ...(mode !== undefined ? { mode } : {}),
    ...(owner?.uid !== undefined ? { uid: owner.uid } : {}),
    ...(owner?.gid !== undefined ? { gid: owner.gid } : {}),
  };
}
