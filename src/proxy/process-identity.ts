/**
 * Who the serving process becomes (`user`/`uid`, `group`/`gid`): names are looked up in
 * /etc/passwd and /etc/group as getpwnam/getgrnam read them (at startup, `-c` included, as
 * HAProxy looks them up while parsing), and the ids are applied through Runtime.setIdentity once
 * the listeners are bound (HAProxy's set_identity), by the process that serves: not by a master.
 */
import type { ProcessIdentityModel, SourceLocation } from '../config/model.ts';

export interface ProcessIds {
  readonly uid: number | undefined;
  readonly gid: number | undefined;
}

/** The ids, or HAProxy's alerts for names that are not found. */
export async function resolveProcessIds(identity: ProcessIdentityModel | undefined, readText: (path: string) => Promise<string>): Promise<ProcessIds | string[]> {
  // 0 is HAProxy's "not set": it never switches to root.
  let uid = identity?.uid || undefined;
  let gid = identity?.gid || undefined;
  const alerts: string[] = [];
  const lookup = async (file: string, entry: { readonly name: string; readonly source: SourceLocation }, what: string): Promise<number | undefined> => {
    const id = idInAccountFile(await readText(file).catch(() => ''), entry.name);
    if (id === undefined) alerts.push(`parsing [${entry.source.file}:${entry.source.line}] : cannot find ${what} id for '${entry.name}' (0:Success)`);
    return id;
  };
  if (identity?.user !== undefined) uid = (await lookup('/etc/passwd', identity.user, 'user')) || undefined;
  if (identity?.group !== undefined) gid = (await lookup('/etc/group', identity.group, 'group')) || undefined;
  return alerts.length > 0 ? alerts : { uid, gid };
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
