/**
 * `userlist` sections as read, before their cross-references are resolved (HAProxy keeps group
 * and user names as written until userlist_postinit): filled by the haproxy.cfg keywords in
 * keywords/userlist.ts and by defineConfig(), resolved by userlists.ts.
 */
import type { Place } from './draft.ts';

export interface UserDraft {
  readonly name: string;
  /** The last `password` / `insecure-password` value of the line; undefined when none. */
  password: string | undefined;
  /** Set by `insecure-password` and never cleared (HAProxy's AU_O_INSECURE flag). */
  insecure: boolean;
  /** `groups G1,G2` as written (the last one of the line). */
  groupNames: string | undefined;
  readonly place: Place;
}

export interface GroupDraft {
  readonly name: string;
  /** `users U1,U2` as written. */
  userNames: string | undefined;
  readonly place: Place;
}

export interface UserlistDraft {
  readonly name: string;
  readonly place: Place;
  readonly users: UserDraft[];
  readonly groups: GroupDraft[];
}

/** A fetch naming a userlist (`http_auth(NAME)`...), to be checked once every section is read. */
export interface UserlistReference {
  /** The fetch keyword, e.g. `http_auth`. */
  readonly fetch: string;
  readonly userlist: string;
  /** The line's keyword (`acl`, `http-request`...). */
  readonly keyword: string;
  readonly proxy: string;
  readonly place: Place;
}
