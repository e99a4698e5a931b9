/**
 * defineConfig()'s `userlists`, the TypeScript form of `userlist` sections:
 *
 *   userlists: {
 *     admins: {
 *       groups: { ops: { users: ['carol'] }, dev: {} },      // or groups: ['ops', 'dev']
 *       users: {
 *         alice: { password: '$6$...', groups: ['ops'] },     // a crypt(3) hash: $1$, $5$ or $6$
 *         bob: { insecurePassword: 'secret' },
 *       },
 *     },
 *   }
 *
 * Validated by valibot, then drafted as haproxy.cfg's lines would be, so the same checks
 * (unknown groups and users, hash formats) give the same model.
 */
import * as v from 'valibot';
import { passwordHash } from '../auth/crypt.ts';
import type { DiagnosticList } from './errors.ts';
import type { Place } from './draft.ts';
import { nameSchema } from './schema.ts';
import type { UserlistDraft } from './userlist-draft.ts';

/** A user name usable in `groups`/`users` lists and in Basic credentials. */
const userNameSchema = v.pipe(
  v.string(),
  v.minLength(1),
  v.regex(/^[^,:\s]+$/, "user names may not contain ',', ':' or spaces (lists are comma-separated; Basic credentials split at ':')"),
);

const userInputSchema = v.pipe(
  v.strictObject({
    /** A crypt(3) hash: `$6$...` (openssl passwd -6), `$5$...` or `$1$...`. */
    password: v.optional(v.string()),
    /** Compared as written (HAProxy's `insecure-password`). */
    insecurePassword: v.optional(v.string()),
    groups: v.optional(v.array(nameSchema)),
  }),
  v.check((u) => u.password === undefined || u.insecurePassword === undefined, "give either 'password' or 'insecurePassword', not both"),
);

const groupInputSchema = v.strictObject({ users: v.optional(v.array(userNameSchema)) });

export const userlistsInputSchema = v.record(
  nameSchema,
  v.strictObject({
    users: v.optional(v.record(userNameSchema, userInputSchema)),
    groups: v.optional(v.union([v.array(nameSchema), v.record(nameSchema, groupInputSchema)])),
  }),
);

export type UserlistsInput = v.InferOutput<typeof userlistsInputSchema>;

/** Drafts the validated userlists; hash problems are reported with their input path. */
export function draftUserlists(input: UserlistsInput, place: Place, diagnostics: DiagnosticList): UserlistDraft[] {
  const report = (kind: 'error' | 'warning', path: string, message: string): void =>
    diagnostics[kind]({ ...place, keyword: path, message: `${path}: ${message}` });
  return Object.entries(input).map(([name, list]): UserlistDraft => {
    const groupEntries: [string, { users?: string[] | undefined }][] = Array.isArray(list.groups)
      ? list.groups.map((g) => [g, {}])
      : Object.entries(list.groups ?? {});
    const users = Object.entries(list.users ?? {}).map(([user, spec]) => {
      const path = `userlists.${name}.users.${user}.password`;
      if (spec.password !== undefined) {
        const hash = passwordHash(spec.password);
        if (hash.kind === 'unsupported') {
          report('error', path, `${hash.name} hashes cannot be checked by Switchyard; use SHA-512 ('$6$', e.g. openssl passwd -6), SHA-256 ('$5$') or MD5 ('$1$').`);
        } else if (hash.kind === 'invalid') {
          report('warning', path, "not a crypt(3) hash that can be checked ('$1$', '$5$' or '$6$'): this user never authenticates (use 'insecurePassword' for a clear-text password).");
        }
      }
      return {
        name: user,
        password: spec.password ?? spec.insecurePassword,
        insecure: spec.insecurePassword !== undefined,
        groupNames: spec.groups?.join(','),
        place,
      };
    });
    const groups = groupEntries.map(([group, spec]) => ({ name: group, userNames: spec.users?.join(','), place }));
    return { name, place, users, groups };
  });
}
