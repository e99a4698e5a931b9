/**
 * The keywords of `userlist` sections (HAProxy's cfg_parse_users), with its messages:
 *
 * - `user NAME [password HASH | insecure-password PASS] [groups G1,G2...]`;
 * - `group NAME [users U1,U2...]`.
 *
 * Names of groups and users are kept as written; userlists.ts resolves them once every
 * section is read (a group may name users declared after it). A `password` must be a crypt(3)
 * hash Switchyard computes ($1$, $5$, $6$): another crypt(3) format is refused at its line, and
 * a value that is no hash at all draws a warning (it never matches, as with HAProxy on Debian).
 */
import { passwordHash } from '../../auth/crypt.ts';
import type { KeywordContext, KeywordList, SectionKeyword } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import type { UserDraft } from '../userlist-draft.ts';
import { invalidNameCharacter } from './names.ts';

const SECTIONS = ['userlist'] as const;

/** HAProxy reads a missing option value as an empty word. */
function valueOf(args: readonly Token[], i: number): string {
  return args[i]?.text ?? '';
}

function parseUser(ctx: KeywordContext, args: readonly Token[]): void {
  const nameToken = args[1];
  if (nameToken === undefined || nameToken.text === '') {
    ctx.error("'user' expects <name> as arguments.");
    return;
  }
  const userlist = ctx.userlist;
  if (userlist === undefined) return;
  const name = nameToken.text;
  if (userlist.users.some((u) => u.name === name)) {
    ctx.warning(`ignoring duplicated user '${name}' in userlist '${userlist.name}'.`, nameToken);
    return;
  }
  const user: UserDraft = { name, password: undefined, insecure: false, groupNames: undefined, place: ctx.place(nameToken) };
  userlist.users.push(user);
  for (let i = 2; i < args.length; i += 2) {
    const option = args[i] as Token;
    const value = valueOf(args, i + 1);
    if (option.text === 'password') {
      if (!checkHash(ctx, user.name, value, args[i + 1] ?? option)) return;
      user.password = value;
    } else if (option.text === 'insecure-password') {
      user.password = value;
      user.insecure = true;
    } else if (option.text === 'groups') {
      user.groupNames = value;
    } else {
      ctx.error("'user' only supports 'password', 'insecure-password' and 'groups' options.", option);
      return;
    }
  }
}

/** HAProxy asks crypt(3) whether it knows the hash; false after reporting an error. */
function checkHash(ctx: KeywordContext, user: string, hash: string, at: Token): boolean {
  const parsed = passwordHash(hash);
  if (parsed.kind === 'unsupported') {
    const format = parsed.prefix === '' ? parsed.name : `${parsed.name} ('${parsed.prefix}')`;
    ctx.error(
      `the encrypted password used for user '${user}' is not supported by crypt(3) here: Switchyard cannot check ${format} hashes; ` +
        "use SHA-512 ('$6$', e.g. openssl passwd -6), SHA-256 ('$5$') or MD5 ('$1$').",
      at,
    );
    return false;
  }
  if (parsed.kind === 'invalid') {
    ctx.warning(
      `the password of user '${user}' is not a crypt(3) hash that can be checked ('$1$', '$5$' or '$6$' with a valid setting): ` +
        "this user never authenticates (use 'insecure-password' for a clear-text password).",
      at,
    );
  }
  return true;
}

function parseGroup(ctx: KeywordContext, args: readonly Token[]): void {
  const nameToken = args[1];
  if (nameToken === undefined || nameToken.text === '') {
    ctx.error("'group' expects <name> as arguments.");
    return;
  }
  const name = nameToken.text;
  const bad = invalidNameCharacter(name);
  if (bad !== undefined) {
    ctx.error(`character '${bad}' is not permitted in 'group' name '${name}'.`, nameToken);
    return;
  }
  const userlist = ctx.userlist;
  if (userlist === undefined) return;
  if (userlist.groups.some((g) => g.name === name)) {
    ctx.warning(`ignoring duplicated group '${name}' in userlist '${userlist.name}'.`, nameToken);
    return;
  }
  let userNames: string | undefined;
  for (let i = 2; i < args.length; i += 2) {
    const option = args[i] as Token;
    if (option.text !== 'users') {
      ctx.error("'group' only supports 'users' option.", option);
      return;
    }
    userNames = valueOf(args, i + 1);
  }
  userlist.groups.push({ name, userNames, place: ctx.place(nameToken) });
}

const keywords: SectionKeyword[] = [
  { name: 'user', sections: SECTIONS, parse: parseUser },
  { name: 'group', sections: SECTIONS, parse: parseGroup },
];

export const userlistKeywords: KeywordList = { keywords };
