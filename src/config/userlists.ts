/**
 * What HAProxy checks about userlists once every section is read, turning the drafts into
 * UserlistModels:
 *
 * - userlist_postinit: every group a user names, and every user a group names, exists in the
 *   userlist ("userlist 'L': no such group 'G' specified in user 'U'");
 * - smp_resolve_args: every `http_auth(NAME)` / `http_auth_group(NAME)` names an existing
 *   userlist, wherever the fetch is used ("unable to find userlist ...");
 * - acl_find_targets: an `http_auth_group(NAME)` ACL lists groups, each one of that userlist.
 *
 * HAProxy prints the first two kinds without a line; here each error points at the line of the
 * user, group or rule it is about.
 */
import type { DiagnosticList } from './errors.ts';
import type { Place, ProxyDraft } from './draft.ts';
import type { AclModel, ConditionModel, UserlistModel, UserModel } from './model.ts';
import type { UserlistDraft, UserlistReference } from './userlist-draft.ts';

/** HAProxy splits name lists with strtok(",") : empty items are skipped. */
function names(list: string | undefined): string[] {
  return (list ?? '').split(',').filter((n) => n !== '');
}

function error(diagnostics: DiagnosticList, place: Place | { file: string; line: number }, keyword: string, message: string): void {
  diagnostics.error({ file: place.file, line: place.line, column: 'column' in place ? place.column : 0, keyword, message });
}

/** userlist_postinit: resolves group and user names; reports the unknown ones. */
export function resolveUserlists(drafts: readonly UserlistDraft[], diagnostics: DiagnosticList): UserlistModel[] {
  return drafts.map((draft) => {
    const groupNames = new Set(draft.groups.map((g) => g.name));
    const userNames = new Set(draft.users.map((u) => u.name));
    const memberships = new Map<string, string[]>(draft.users.map((u) => [u.name, []]));
    const join = (user: string, group: string): void => {
      const list = memberships.get(user);
      if (list !== undefined && !list.includes(group)) list.push(group);
    };
    for (const user of draft.users) {
      for (const group of names(user.groupNames)) {
        if (groupNames.has(group)) join(user.name, group);
        else error(diagnostics, user.place, 'user', `userlist '${draft.name}': no such group '${group}' specified in user '${user.name}'.`);
      }
    }
    for (const group of draft.groups) {
      for (const user of names(group.userNames)) {
        if (userNames.has(user)) join(user, group.name);
        else error(diagnostics, group.place, 'group', `userlist '${draft.name}': no such user '${user}' specified in group '${group.name}'.`);
      }
    }
    const users = draft.users.map(
      (u): UserModel => ({
        name: u.name,
        password: u.password === undefined ? undefined : u.insecure ? { kind: 'insecure', text: u.password } : { kind: 'hash', hash: u.password },
        groups: memberships.get(u.name) ?? [],
        source: { file: u.place.file, line: u.place.line },
      }),
    );
    return { name: draft.name, users, groups: draft.groups.map((g) => g.name), source: { file: draft.place.file, line: draft.place.line } };
  });
}

/** smp_resolve_args for userlist arguments: each reference is reported once per line. */
export function checkUserlistReferences(references: readonly UserlistReference[], userlists: readonly UserlistModel[], diagnostics: DiagnosticList): void {
  const known = new Set(userlists.map((u) => u.name));
  const reported = new Set<string>();
  for (const ref of references) {
    if (known.has(ref.userlist)) continue;
    const key = `${ref.place.file}:${ref.place.line}:${ref.fetch}:${ref.userlist}`;
    if (reported.has(key)) continue;
    reported.add(key);
    const what = ref.keyword === 'acl' ? `ACL keyword '${ref.fetch}'` : `sample fetch keyword '${ref.fetch}' in ${ref.keyword} expression`;
    error(diagnostics, ref.place, ref.keyword, `unable to find userlist '${ref.userlist}' referenced in arg 1 of ${what} in proxy '${ref.proxy}'.`);
  }
}

const AUTH_GROUP = /^http_auth_group\(\s*([^),]*?)\s*\)/;

/** Every ACL of a proxy: its named ones and the anonymous ones of its rules' conditions. */
function proxyAcls(proxy: ProxyDraft): { acl: AclModel; place: { file: string; line: number } }[] {
  const found = proxy.acls.map((acl) => ({ acl, place: acl.source }));
  const fromCondition = (condition: ConditionModel | undefined, place: { file: string; line: number }): void => {
    for (const terms of condition?.anyOf ?? []) for (const term of terms) if (typeof term.acl !== 'string') found.push({ acl: term.acl, place });
  };
  for (const rule of [...proxy.httpRequestRules, ...proxy.httpResponseRules, ...proxy.httpAfterResponseRules, ...proxy.redirectRules]) {
    fromCondition(rule.condition, rule.source);
  }
  for (const { rule } of proxy.switchingRules) fromCondition(rule.condition, rule.source);
  return found;
}

/** acl_find_targets: the groups an `http_auth_group` ACL matches must be the userlist's. */
export function checkAuthGroupAcls(proxies: readonly ProxyDraft[], userlists: readonly UserlistModel[], diagnostics: DiagnosticList): void {
  const byName = new Map(userlists.map((u) => [u.name, u]));
  for (const proxy of proxies) {
    for (const { acl, place } of proxyAcls(proxy)) {
      const m = AUTH_GROUP.exec(acl.criterion.trim());
      const userlist = m === null ? undefined : byName.get(m[1] as string);
      if (userlist === undefined) continue;
      const where = `proxy ${proxy.name}: acl ${acl.name} http_auth_group()`;
      // With `-m`, HAProxy keeps the patterns where this check does not look: no group then.
      if (acl.patterns.length === 0 || acl.method !== undefined) {
        error(diagnostics, place, 'acl', `${where}: no groups specified.`);
        continue;
      }
      for (const group of acl.patterns) {
        if (!userlist.groups.includes(group)) error(diagnostics, place, 'acl', `${where}: invalid group '${group}'.`);
      }
    }
  }
}
