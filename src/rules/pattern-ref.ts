/**
 * HAProxy's pattern references (pattern.c's pat_ref): one live list of entries per pattern file
 * of a configuration generation, shared by every map converter and `-f FILE` ACL that names the
 * file, and changed at runtime by the CLI (`add map`, `del acl`, ...) and by the rule actions
 * `set-map`, `del-map`, `add-acl`, `del-acl`. Users keep their own lookup structure and rebuild
 * it when `version` moves, so a change is seen by the next lookup and costs nothing before.
 */

/** One line of a pattern file, or an entry added at runtime. */
export interface PatternRefEntry {
  /** Stable per process: the `0x...` address `show map` prints and `#0x...` names. */
  readonly id: number;
  readonly key: string;
  /** The map value (two-column files); undefined for ACL patterns. */
  value: string | undefined;
  /** Line of the file it was read from, for messages; 0 when added at runtime. */
  readonly line: number;
  /** Its version (HAProxy's gen_id): lookups see the entries of the reference's current one. */
  readonly gen: number;
}

/** How a user of a reference checks an entry before it is added or changed (HAProxy's parse/parse_smp). */
export type PatternEntryCheck = (key: string, value: string | undefined) => string | undefined;

/** One expression using a reference (a map converter's match kind, an ACL's method), for `get map|acl`. */
export interface PatternRefUser {
  /** HAProxy's pat_match_names entry: str, beg, ip, ... */
  readonly method: string;
  readonly ignoreCase: boolean;
  /** Whether HAProxy indexes these patterns in a tree (`idx=tree`) or a list. */
  readonly tree: boolean;
  /** The entry matching `text` (a string sample), and the type of its value for maps. */
  find(text: string): { readonly entry: PatternRefEntry; readonly type: string | undefined } | undefined;
}

let nextEntryId = 1;

/** `%p` of HAProxy's pat_ref_elt: a plausible heap address, unique per entry. */
export function entryAddress(entry: PatternRefEntry): string {
  return `0x${(0x5610_0000_0000 + entry.id * 0x40).toString(16)}`;
}

/** `#0x...` as HAProxy's strtoll(…, 16) reads it; undefined when malformed. */
function parseAddress(text: string): number | undefined {
  if (!/^0x[0-9a-fA-F]+$/.test(text)) return undefined;
  const n = Number.parseInt(text.slice(2), 16);
  const offset = n - 0x5610_0000_0000;
  return offset > 0 && offset % 0x40 === 0 ? offset / 0x40 : 0;
}

export class PatternRef {
  /** The file name, as written in the configuration. */
  readonly reference: string;
  /** `show map`'s id (`#N`), assigned in the order references are created. */
  readonly uniqueId: number;
  /** Two-column (map) entries: `add acl` is refused on them. */
  readonly withValues: boolean;
  usedByMap = false;
  usedByAcl = false;
  /** HAProxy's description: which keyword loaded the file. */
  display: string;
  /** Moves on every change; users compare it with the one their lookup was built for. */
  version = 0;
  /** The version lookups see (`commit map`) and the last one `prepare map` handed out. */
  currGen = 0;
  nextGen = 0;
  readonly #entries: PatternRefEntry[] = [];
  readonly #checks: PatternEntryCheck[] = [];
  readonly #users: PatternRefUser[] = [];

  constructor(reference: string, uniqueId: number, withValues: boolean, display: string) {
    this.reference = reference;
    this.uniqueId = uniqueId;
    this.withValues = withValues;
    this.display = display;
  }

  /** Every entry, of every version. */
  get entries(): readonly PatternRefEntry[] {
    return this.#entries;
  }

  /** The entries of the current version: what maps and ACLs match. */
  get current(): readonly PatternRefEntry[] {
    return this.#entries.filter((e) => e.gen === this.currGen);
  }

  /** `prepare map`: a new version for entries added before `commit map` makes it current. */
  newGen(): number {
    return ++this.nextGen;
  }

  /** pat_ref_commit then the purge of older versions; false when `gen` is not a prepared one. */
  commit(gen: number): boolean {
    if (!(gen > this.currGen && gen <= this.nextGen)) return false;
    this.currGen = gen;
    this.purge((g) => g < gen);
    return true;
  }

  /** Removes the entries of the versions `which` selects. */
  purge(which: (gen: number) => boolean): void {
    let kept = 0;
    for (const entry of this.#entries) if (!which(entry.gen)) this.#entries[kept++] = entry;
    this.#entries.length = kept;
    this.version++;
  }

  /** Registers a user's check: an entry is refused when one user cannot parse it. */
  addCheck(check: PatternEntryCheck): void {
    this.#checks.push(check);
  }

  addUser(user: PatternRefUser): void {
    this.#users.push(user);
  }

  get users(): readonly PatternRefUser[] {
    return this.#users;
  }

  /** Appends an entry read from the file (checked by its users when they build). */
  load(key: string, value: string | undefined, line: number): void {
    this.#entries.push({ id: nextEntryId++, key, value, line, gen: 0 });
  }

  #check(key: string, value: string | undefined): string | undefined {
    for (const check of this.#checks) {
      const error = check(key, value);
      if (error !== undefined) return error;
    }
    return undefined;
  }

  /** pat_ref_load: the entry (in version `gen`, the current one by default), checked by every user first; an error text otherwise. */
  add(key: string, value: string | undefined, gen = this.currGen): string | undefined {
    const error = this.#check(key, value);
    if (error !== undefined) return error;
    this.#entries.push({ id: nextEntryId++, key, value, line: 0, gen });
    this.version++;
    return undefined;
  }

  find(key: string): PatternRefEntry | undefined {
    return this.#entries.find((e) => e.key === key);
  }

  /** The entry named `#0x...`, or undefined; `'malformed'` when the text is no address. */
  byAddress(text: string): PatternRefEntry | undefined | 'malformed' {
    const id = parseAddress(text);
    if (id === undefined) return 'malformed';
    return this.#entries.find((e) => e.id === id);
  }

  /** pat_ref_set: every entry of `key` gets `value`; HAProxy's messages when none or a bad value. */
  set(key: string, value: string): string | undefined {
    let found = false;
    let error: string | undefined;
    for (const entry of this.#entries) {
      if (entry.key !== key) continue;
      const bad = this.#check(entry.key, value);
      if (bad === undefined) entry.value = value;
      else error = error === undefined ? bad : `${error}, ${bad}`;
      found = true;
    }
    if (!found) return 'entry not found';
    this.version++;
    return error;
  }

  /** pat_ref_set_by_id. */
  setEntry(entry: PatternRefEntry, value: string): string | undefined {
    const bad = this.#check(entry.key, value);
    if (bad !== undefined) return bad;
    entry.value = value;
    this.version++;
    return undefined;
  }

  /** pat_ref_delete: every entry of `key`; false when there was none. */
  delete(key: string): boolean {
    let kept = 0;
    for (const entry of this.#entries) if (entry.key !== key) this.#entries[kept++] = entry;
    if (kept === this.#entries.length) return false;
    this.#entries.length = kept;
    this.version++;
    return true;
  }

  deleteEntry(entry: PatternRefEntry): boolean {
    const at = this.#entries.indexOf(entry);
    if (at < 0) return false;
    this.#entries.splice(at, 1);
    this.version++;
    return true;
  }

  /** `clear map`: the entries of the current version. */
  clear(): void {
    this.purge((g) => g === this.currGen);
  }
}

/** The references of one configuration generation, in creation order (HAProxy's pattern_reference list). */
export class PatternRefs {
  readonly #list: PatternRef[] = [];
  readonly #byName = new Map<string, PatternRef>();

  get all(): readonly PatternRef[] {
    return this.#list;
  }

  /** pat_ref_lookup: by file name. */
  lookup(reference: string): PatternRef | undefined {
    return this.#byName.get(reference);
  }

  /** pat_ref_lookup_ref: `#ID` or a file name. */
  lookupRef(name: string): PatternRef | undefined {
    if (name.startsWith('#')) {
      const id = Number.parseInt(name.slice(1), 10);
      return this.#list.find((r) => r.uniqueId === (Number.isNaN(id) ? 0 : id));
    }
    return this.lookup(name);
  }

  /**
   * The reference of `path`, created from the file's `text` on first use (HAProxy's
   * pattern_read_from_file); an error when the file is already used with the other number of
   * columns.
   */
  obtain(path: string, text: string, withValues: boolean, user: 'map' | 'acl', parse: (text: string, withValues: boolean) => readonly { key: string; value: string; line: number }[]): PatternRef | string {
    let ref = this.#byName.get(path);
    if (ref === undefined) {
      ref = new PatternRef(path, this.#list.length, withValues, `pattern loaded from file '${path}' used by ${user}`);
      for (const line of parse(text, withValues)) ref.load(line.key, withValues ? line.value : undefined, line.line);
      this.#list.push(ref);
      this.#byName.set(path, ref);
    } else if (ref.withValues !== withValues) {
      return withValues
        ? `The file "${path}" is already used as one column file and cannot be used by as two column file.`
        : `The file "${path}" is already used as two column file and cannot be used by as one column file.`;
    } else if (!(user === 'map' ? ref.usedByMap : ref.usedByAcl)) {
      ref.display += `, by ${user}`;
    }
    if (user === 'map') ref.usedByMap = true;
    else ref.usedByAcl = true;
    return ref;
  }
}
