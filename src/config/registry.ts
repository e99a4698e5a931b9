/**
 * Keyword tables, after HAProxy's cfg_kw_list / bind_kw_list / srv_kw_list: each module
 * contributes a KeywordList (its section keywords, `option` names, `bind` and `server` options,
 * and the HAProxy keywords of its area that Switchyard does not implement), and the parser
 * only dispatches through the registry. Adding a keyword means adding or editing one file under
 * keywords/ and listing it in keywords/index.ts; the parser does not change.
 */

import type { BindDraft, GlobalDraft, Place, ProxyDraft, ServerSettings } from './draft.ts';
import type { DefaultPathMode } from './default-path.ts';
import { closestMatch } from './suggest.ts';
import type { Token } from './tokenizer.ts';
import type { UserlistDraft } from './userlist-draft.ts';

export type SectionKind = 'global' | 'defaults' | 'frontend' | 'backend' | 'listen' | 'http-errors' | 'userlist' | 'resolvers' | 'cache' | 'peers' | 'program' | 'fcgi-app' | 'ring' | 'mailers' | 'log-forward';

/** `no X` / `default X` prefixes (HAProxy allows them only on a few keywords, chiefly `option`). */
export type Modifier = 'none' | 'no' | 'default';

/** What a keyword handler may see and do. One context per configuration line. */
export interface KeywordContext {
  readonly file: string;
  readonly line: number;
  readonly section: SectionKind;
  readonly modifier: Modifier;
  readonly global: GlobalDraft;
  /** The proxy (or defaults section) being defined; undefined in `global`. */
  readonly proxy: ProxyDraft | undefined;
  /**
   * In a `userlist` section: the userlist its `user` / `group` lines fill — the last one
   * created, as HAProxy (after a duplicated header, that is an earlier one); undefined when none.
   */
  readonly userlist?: UserlistDraft | undefined;
  readonly registry: KeywordRegistry;
  /** Errors reported so far in the whole configuration (to tell whether a line was valid). */
  readonly errorCount: number;
  /** Where a token is (the keyword's place when no token is given). */
  place(token?: Token): Place;
  /** Reports an error at a token (the keyword when omitted). `keyword` defaults to the line's keyword. */
  error(message: string, token?: Token, keyword?: string): void;
  warning(message: string, token?: Token, keyword?: string): void;
  /** A startup notice (HAProxy's [NOTICE]): shown unless quiet, not a warning. */
  notice(message: string, token?: Token, keyword?: string): void;
  /**
   * For keywords HAProxy accepts but ignores in a proxy lacking the capability (e.g. `timeout
   * server` in a frontend): emits HAProxy's warning. Returns true when the setting must be
   * ignored here.
   */
  ignoredWithoutCapability(capability: 'frontend' | 'backend', token?: Token, keyword?: string): boolean;
  /** Sets an environment variable for the lines that follow (`setenv`). */
  setEnv(name: string, value: string | undefined): void;
  /** `resetenv`: removes every variable but those named, for the lines that follow. */
  resetEnv(keep: readonly string[]): void;
  /** Reads the environment as the tokenizer sees it. */
  getEnv(name: string): string | undefined;
  /**
   * A file name as read while parsing this line: a relative one is joined to the directory set
   * by `default-path` (default-path.ts); unchanged when there is none. Only for files HAProxy
   * reads while parsing (not sockets, pidfile or the server-state file, opened after it).
   */
  resolvePath(path: string): string;
  /** That `default-path` directory ('' = the process's), for names read later from a file named here. */
  readonly pathDirectory: string;
  /** `default-path MODE [ORIGIN]`: applies from the next line on, and to each file that follows. */
  setDefaultPath(mode: DefaultPathMode, origin: string): void;
}

/** HAProxy 2.6.12's alert for `no` / `default` before a keyword that takes neither (cfgparse.c). */
export const MODIFIER_UNSUPPORTED =
  'negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.';

export interface SectionKeyword {
  readonly name: string;
  /** Sections where the keyword may appear. */
  readonly sections: readonly SectionKind[];
  /** Accepts `no` / `default` prefixes; otherwise they are an error. */
  readonly modifiers?: boolean;
  /** `args[0]` is the keyword itself (the `no`/`default` prefix already removed). */
  parse(ctx: KeywordContext, args: readonly Token[]): void;
}

/**
 * A section other than global and the proxies, contributed by a keyword module (HAProxy's
 * REGISTER_CONFIG_SECTION), e.g. `http-errors NAME`. Its keywords are the SectionKeywords
 * listing it; they find what `open` set up through their context (e.g. in `ctx.global`).
 */
export interface SectionHeader {
  readonly name: Exclude<SectionKind, 'global' | 'defaults' | 'frontend' | 'backend' | 'listen'>;
  /** Reads the header line (`args[0]` is the section name). */
  open(ctx: KeywordContext, args: readonly Token[]): void;
}

/** An `option NAME` (and `no option NAME`, `default option NAME`). */
export interface ProxyOption {
  readonly name: string;
  /** Which proxy side uses it; in a proxy without that side HAProxy warns and ignores it. */
  readonly capability: 'frontend' | 'backend' | 'both';
  /**
   * The prefixes HAProxy accepts for this option (default: both `no` and `default`). Others are
   * refused with HAProxy's "negation/default is not supported for option 'X'".
   */
  readonly prefixes?: readonly ('no' | 'default')[];
  /** `enabled` already accounts for `no` / `default`. `args[0]` is `option`, `args[1]` the name. */
  apply(ctx: KeywordContext, proxy: ProxyDraft, enabled: boolean, args: readonly Token[]): void;
  /** The value `default option NAME` restores when there is no defaults section. */
  readonly builtinDefault: boolean;
  /** Reads the current value (for `default option NAME`). */
  read(proxy: ProxyDraft): boolean;
}

/** A `bind` line option such as `ssl` or `crt FILE`. */
export interface BindOption {
  readonly name: string;
  /** Number of value words following the option name (0 or 1). */
  readonly arity: 0 | 1;
  parse(ctx: KeywordContext, bind: BindDraft, value: Token | undefined, option: Token): void;
}

/** A `server` / `default-server` option such as `weight N`. */
export interface ServerOption {
  readonly name: string;
  readonly arity: 0 | 1;
  /** HAProxy refuses some options on `default-server` (e.g. `id`, `cookie`). */
  readonly defaultServerAllowed: boolean;
  /** HAProxy's own message when the argument is missing (an empty word included), instead of the generic one. */
  readonly missing?: string;
  parse(ctx: KeywordContext, server: ServerSettings, value: Token | undefined, option: Token): void;
}

/** HAProxy keywords Switchyard knows of but does not implement: named as such, never ignored. */
export interface UnsupportedKeywords {
  readonly global?: readonly string[];
  /** Keywords of defaults/frontend/backend/listen sections. */
  readonly proxy?: readonly string[];
  readonly options?: readonly string[];
  readonly bindOptions?: readonly string[];
  readonly serverOptions?: readonly string[];
  /** Section headers such as `peers` or `userlist`. */
  readonly sections?: readonly string[];
}

export interface KeywordList {
  readonly keywords?: readonly SectionKeyword[];
  readonly sections?: readonly SectionHeader[];
  readonly options?: readonly ProxyOption[];
  readonly bindOptions?: readonly BindOption[];
  readonly serverOptions?: readonly ServerOption[];
  readonly unsupported?: UnsupportedKeywords;
}

export type KeywordLookup =
  | { readonly kind: 'found'; readonly keyword: SectionKeyword }
  /** Registered, but not for this section. */
  | { readonly kind: 'wrong-section'; readonly allowed: readonly SectionKind[] }
  | { readonly kind: 'unsupported' }
  | { readonly kind: 'unknown'; readonly suggestion: string | undefined };

const NONE: ReadonlySet<string> = new Set();

export const PROXY_SECTIONS: readonly SectionKind[] = ['defaults', 'frontend', 'backend', 'listen'];

function add<T extends { readonly name: string }>(table: Map<string, T>, item: T, what: string): void {
  if (table.has(item.name)) throw new Error(`${what} '${item.name}' is registered twice`);
  table.set(item.name, item);
}

export class KeywordRegistry {
  readonly #keywords = new Map<string, SectionKeyword[]>();
  readonly #sections = new Map<string, SectionHeader>();
  readonly #options = new Map<string, ProxyOption>();
  readonly #bindOptions = new Map<string, BindOption>();
  readonly #serverOptions = new Map<string, ServerOption>();
  readonly #unsupportedGlobal = new Set<string>();
  readonly #unsupportedProxy = new Set<string>();
  readonly #unsupportedOptions = new Set<string>();
  readonly #unsupportedBind = new Set<string>();
  readonly #unsupportedServer = new Set<string>();
  readonly #unsupportedSections = new Set<string>();

  register(list: KeywordList): this {
    for (const keyword of list.keywords ?? []) {
      const existing = this.#keywords.get(keyword.name) ?? [];
      for (const other of existing) {
        const clash = other.sections.find((s) => keyword.sections.includes(s));
        if (clash !== undefined) throw new Error(`keyword '${keyword.name}' is registered twice for '${clash}'`);
      }
      existing.push(keyword);
      this.#keywords.set(keyword.name, existing);
    }
    for (const section of list.sections ?? []) add(this.#sections, section, 'section');
    for (const option of list.options ?? []) add(this.#options, option, 'option');
    for (const option of list.bindOptions ?? []) add(this.#bindOptions, option, 'bind option');
    for (const option of list.serverOptions ?? []) add(this.#serverOptions, option, 'server option');
    const u = list.unsupported;
    for (const name of u?.global ?? []) this.#unsupportedGlobal.add(name);
    for (const name of u?.proxy ?? []) this.#unsupportedProxy.add(name);
    for (const name of u?.options ?? []) this.#unsupportedOptions.add(name);
    for (const name of u?.bindOptions ?? []) this.#unsupportedBind.add(name);
    for (const name of u?.serverOptions ?? []) this.#unsupportedServer.add(name);
    for (const name of u?.sections ?? []) this.#unsupportedSections.add(name);
    return this;
  }

  /** Keyword names usable in a section (supported first), e.g. for suggestions. */
  keywordNames(section: SectionKind): string[] {
    const names: string[] = [];
    for (const [name, defs] of this.#keywords) {
      if (defs.some((d) => d.sections.includes(section))) names.push(name);
    }
    return names;
  }

  lookupKeyword(section: SectionKind, name: string): KeywordLookup {
    const defs = this.#keywords.get(name);
    const def = defs?.find((d) => d.sections.includes(section));
    if (def !== undefined) return { kind: 'found', keyword: def };
    const unsupported = section === 'global' ? this.#unsupportedGlobal : section === 'userlist' || section === 'resolvers' || section === 'peers' || section === 'program' || section === 'fcgi-app' || section === 'ring' || section === 'mailers' || section === 'log-forward' ? NONE : this.#unsupportedProxy;
    if (unsupported.has(name) || (section === 'global' && name.startsWith('tune.'))) return { kind: 'unsupported' };
    if (defs !== undefined) return { kind: 'wrong-section', allowed: defs.flatMap((d) => d.sections) };
    const candidates = [...this.keywordNames(section), ...unsupported];
    return { kind: 'unknown', suggestion: closestMatch(name, candidates) };
  }

  /** The header of a section a keyword module contributes, if `name` is one. */
  section(name: string): SectionHeader | undefined {
    return this.#sections.get(name);
  }

  isUnsupportedSection(name: string): boolean {
    return this.#unsupportedSections.has(name);
  }

  option(name: string): ProxyOption | undefined {
    return this.#options.get(name);
  }

  isUnsupportedOption(name: string): boolean {
    return this.#unsupportedOptions.has(name);
  }

  suggestOption(name: string): string | undefined {
    return closestMatch(name, [...this.#options.keys(), ...this.#unsupportedOptions]);
  }

  bindOption(name: string): BindOption | undefined {
    return this.#bindOptions.get(name);
  }

  isUnsupportedBindOption(name: string): boolean {
    return this.#unsupportedBind.has(name);
  }

  suggestBindOption(name: string): string | undefined {
    return closestMatch(name, [...this.#bindOptions.keys(), ...this.#unsupportedBind]);
  }

  serverOption(name: string): ServerOption | undefined {
    return this.#serverOptions.get(name);
  }

  isUnsupportedServerOption(name: string): boolean {
    return this.#unsupportedServer.has(name);
  }

  suggestServerOption(name: string): string | undefined {
    return closestMatch(name, [...this.#serverOptions.keys(), ...this.#unsupportedServer]);
  }
}
