/**
 * Who the serving process becomes (`user`/`uid`, `group`/`gid`): names are looked up in
 * /etc/passwd and /etc/group as getpwnam/getgrnam read them (at startup, `-c` included, as
 * HAProxy looks them up while parsing), and the ids are applied through Runtime.setIdentity once
 * the listeners are bound (HAProxy's set_identity), by the process that serves: not by a master.
 */
import type { ProcessIdentityModel } from '../config/model.ts';

export interface ProcessIds {
  readonly uid: number | undefined;
  readonly gid: number | undefined;
}

/** /etc/passwd and /etc/group, each read once (and only if a name needs it); unreadable = empty. */
export class AccountFiles {
  readonly #readText: (path: string) => Promise<string>;
  readonly #texts = new Map<string, Promise<string>>();

  constructor(readText: (path: string) => Promise<string>) {
    this.#readText = readText;
  }

  /** The uid of a user name, or the gid of a group name; undefined when there is none. */
  async id(kind: 'user' | 'group', name: string): Promise<number | undefined> {
    const path = kind === 'user' ? '/etc/passwd' : '/etc/group';
    let text = this.#texts.get(path);
    if (text === undefined) {
      text = this.#readText(path).catch(() => '');
      this.#texts.set(path, text);
    }
    return idInAccountFile(await text, name);
  }
}

/**
 * The ids of a `user`/`uid`, `group`/`gid` pair, or the alerts for names not found: each name's
 * own words when the keyword gave them (AccountNameModel.unknown), else HAProxy's for the
 * process identity.
 */
export async function lookupIds(identity: ProcessIdentityModel | undefined, accounts: AccountFiles): Promise<ProcessIds | string[]> {
  let uid = identity?.uid;
  let gid = identity?.gid;
  const alerts: string[] = [];
  for (const kind of ['user', 'group'] as const) {
    const entry = identity?.[kind];
    if (entry === undefined) continue;
    const id = await accounts.id(kind, entry.name);
    if (id === undefined) {
      const words = entry.unknown ?? `cannot find ${kind} id for '${entry.name}' (0:Success)`;
      alerts.push(`parsing [${entry.source.file}:${entry.source.line}] : ${words}`);
    } else if (kind === 'user') uid = id;
    else gid = id;
  }
  return alerts.length > 0 ? alerts : { uid, gid };
}

/** The process's ids, or HAProxy's alerts for names that are not found. */
export async function resolveProcessIds(identity: ProcessIdentityModel | undefined, accounts: AccountFiles): Promise<ProcessIds | string[]> {
  const ids = await lookupIds(identity, accounts);
  if (Array.isArray(ids)) return ids;
  // 0 is HAProxy's "not set": it never switches to root.
  return { uid: ids.uid || undefined, gid: ids.gid || undefined };
}

/**
 * Field 3 of the line naming `name` in the text of a passwd or group file, as getpwnam/getgrnam
 * find it (also the adapters' lookup for `program` sections' user and group).
 */
export function idInAccountFile(text: string, name: string): number | undefined {
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === name && fields[2] !== undefined && /^\d+$/.test(fields[2])) return Number(fields[2]);
  }
  return undefined;
}
