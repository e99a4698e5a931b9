/**
 * A userlist as requests use it (HAProxy's check_user and the group lookup of pat_match_auth),
 * built once per configuration generation from its UserlistModel.
 *
 * Names and passwords are compared as bytes: credentials arrive as latin1 strings (one character
 * per byte, like every header sample), so the configured names and insecure passwords are kept
 * as the latin1 strings of their UTF-8 bytes.
 *
 * HAProxy runs crypt(3) on every check. Our SHA-crypt costs a few milliseconds of the event loop
 * (bench: tens of times libxcrypt's), so each userlist remembers the outcome of recent checks
 * of hashed passwords — valid and invalid pairs apart, each bounded, so a flood of wrong
 * passwords cannot push the valid ones out — until the configuration is replaced (a new
 * generation builds new userlists). An outcome cannot go stale: within a generation a hash never
 * changes.
 */
import { latin1Bytes, latin1String } from '../http/codec/chars.ts';
import type { UserlistModel } from '../config/model.ts';
import { passwordHash } from './crypt.ts';

/** Outcomes remembered per userlist, valid and invalid each. */
const CACHE_ENTRIES = 1024;
/** Longer credentials are checked every time rather than kept. */
const CACHE_MAX_KEY = 512;

type Check = (password: string) => boolean;

interface User {
  readonly check: Check;
  /** Hashed: outcomes are worth remembering. */
  readonly costly: boolean;
  readonly groups: readonly string[];
}

const encoder = new TextEncoder();

/** The latin1 form of a configured string's UTF-8 bytes. */
function bytesAsLatin1(text: string): string {
  const bytes = encoder.encode(text);
  return latin1String(bytes, 0, bytes.length);
}

const NEVER: Check = () => false;

function userCheck(password: UserlistModel['users'][number]['password']): { check: Check; costly: boolean } {
  if (password === undefined) return { check: NEVER, costly: false };
  if (password.kind === 'insecure') {
    const expected = bytesAsLatin1(password.text);
    return { check: (given) => given === expected, costly: false };
  }
  const hash = passwordHash(password.hash);
  if (hash.kind !== 'supported') return { check: NEVER, costly: false };
  return { check: (given) => hash.matches(latin1Bytes(given)), costly: true };
}

/** A bounded set of outcomes: the oldest entry leaves first. */
class OutcomeCache {
  readonly #entries = new Set<string>();
  has(key: string): boolean {
    return this.#entries.has(key);
  }
  add(key: string): void {
    if (this.#entries.size >= CACHE_ENTRIES) {
      const oldest = this.#entries.values().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.add(key);
  }
}

export class Userlist {
  readonly name: string;
  readonly #users = new Map<string, User>();
  readonly #valid = new OutcomeCache();
  readonly #invalid = new OutcomeCache();

  constructor(model: UserlistModel) {
    this.name = model.name;
    for (const user of model.users) {
      const key = bytesAsLatin1(user.name);
      if (!this.#users.has(key)) this.#users.set(key, { ...userCheck(user.password), groups: user.groups });
    }
  }

  /**
   * HAProxy's check_user: `user` and `password` are latin1 strings of the received bytes, as
   * C strings (no NUL: basic-auth.ts cuts the credentials at the first one).
   */
  check(user: string, password: string): boolean {
    const entry = this.#users.get(user);
    if (entry === undefined) return false;
    if (!entry.costly) return entry.check(password);
    // The user part never holds a ':' (Basic credentials split at the first one).
    const key = `${user}:${password}`;
    if (key.length > CACHE_MAX_KEY) return entry.check(password);
    if (this.#valid.has(key)) return true;
    if (this.#invalid.has(key)) return false;
    const ok = entry.check(password);
    (ok ? this.#valid : this.#invalid).add(key);
    return ok;
  }

  /** The groups of `user` (as checked by check()), or undefined for an unknown user. */
  groupsOf(user: string): readonly string[] | undefined {
    return this.#users.get(user)?.groups;
  }
}

/** The userlists of one configuration generation, by name. */
export type UserlistTable = ReadonlyMap<string, Userlist>;

export const NO_USERLISTS: UserlistTable = new Map();

/** Builds a generation's userlists (none: the shared empty table). */
export function userlistTable(models: readonly UserlistModel[] | undefined): UserlistTable {
  if (models === undefined || models.length === 0) return NO_USERLISTS;
  return new Map(models.map((m) => [m.name, new Userlist(m)]));
}
