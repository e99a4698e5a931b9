/**
 * The haproxy.cfg reader: lines -> words (tokenizer.ts) -> conditional blocks (conditions.ts)
 * -> sections -> keyword handlers (registry.ts). It fills a ConfigDraft; resolve.ts turns that
 * into the ConfigModel after the cross-checks.
 *
 * Several files form one configuration, read in order (like `haproxy -f a.cfg -f b.cfg`). Each
 * file starts outside any section and has its own `.if` nesting; proxies inherit from the last
 * `defaults` section seen in any earlier file or line, or from the one named by `from NAME`.
 * Every problem is collected; nothing stops at the first error.
 */

import { ConditionalBlocks, evaluateCondition, type ConditionResult } from './conditions.ts';
import type { TlsLibrary } from '../runtime.ts';
import {
  newGlobalDraft,
  newProxyDraft,
  hasBackendSide,
  definesRules,
  hasFrontendSide,
  type ConfigDraft,
  type GlobalDraft,
  type Place,
  type ProxyDraft,
  type ProxyKind,
} from './draft.ts';
import { defaultDirectory, resolveFrom, type DefaultPathMode } from './default-path.ts';
import { DiagnosticList } from './errors.ts';
import { defaultKeywordRegistry } from './keywords/index.ts';
import { invalidNameCharacter } from './keywords/names.ts';
import { MODIFIER_UNSUPPORTED, type KeywordContext, type KeywordRegistry, type Modifier, type SectionKind } from './registry.ts';
import { splitLines, tokenizeLine, type EnvLookup, type Token } from './tokenizer.ts';
import type { EnvironmentChanges } from './environment-changes.ts';
import type { UserlistDraft, UserlistReference } from './userlist-draft.ts';
import { collectUserlistReferences } from '../rules/userlist-references.ts';
import { withPatternDirectory } from '../rules/pattern-files.ts';
import { backendNameMissing, collectImplicitProxyArguments } from '../rules/implicit-proxy-args.ts';

export interface ConfigSource {
  /** Shown in messages and kept in source locations. */
  readonly file: string;
  readonly text: string;
}

export interface ParseOptions {
  /** Environment for `"${VAR}"` expansion and `.if defined(VAR)`. Default: no variables. */
  readonly env?: EnvLookup | undefined;
  /** Keyword tables; default: the built-in ones. */
  readonly registry?: KeywordRegistry | undefined;
  /** The runtime's TLS library, for `.if ssllib_name_startswith()` / `openssl_version_*()`. */
  readonly tlsLibrary?: TlsLibrary | undefined;
}

export interface ParseResult {
  readonly draft: ConfigDraft;
  readonly diagnostics: DiagnosticList;
}

type Section =
  | { readonly kind: 'global'; readonly name: string }
  /** A section contributed by a keyword module (registry.section()). */
  | { readonly kind: 'http-errors' | 'resolvers' | 'cache' | 'peers' | 'program' | 'fcgi-app' | 'ring' | 'mailers' | 'log-forward'; readonly name: string }
  | { readonly kind: ProxyKind; readonly name: string; readonly proxy: ProxyDraft }
  | { readonly kind: 'userlist'; readonly name: string }
  | { readonly kind: 'unsupported'; readonly name: string };

const PROXY_HEADERS = new Set<string>(['defaults', 'frontend', 'backend', 'listen']);

/** Per-line view handed to keyword handlers. */
class LineContext implements KeywordContext {
  readonly file: string;
  readonly line: number;
  readonly section: SectionKind;
  readonly modifier: Modifier;
  readonly global: GlobalDraft;
  readonly proxy: ProxyDraft | undefined;
  readonly userlist: UserlistDraft | undefined;
  readonly registry: KeywordRegistry;
  readonly #parser: ConfigParser;
  readonly #keyword: Token;

  constructor(parser: ConfigParser, file: string, line: number, section: SectionKind, proxy: ProxyDraft | undefined, modifier: Modifier, keyword: Token) {
    this.#parser = parser;
    this.file = file;
    this.line = line;
    this.section = section;
    this.proxy = proxy;
    this.modifier = modifier;
    this.#keyword = keyword;
    this.global = parser.global;
    this.registry = parser.registry;
    this.userlist = section === 'userlist' ? parser.currentUserlist : undefined;
  }

  get errorCount(): number {
    return this.#parser.diagnostics.errors.length;
  }

  place(token?: Token): Place {
    return { file: this.file, line: this.line, column: (token ?? this.#keyword).column };
  }

  error(message: string, token?: Token, keyword?: string): void {
    this.#parser.diagnostics.error({ ...this.place(token), keyword: keyword ?? this.#keyword.text, message });
  }

  warning(message: string, token?: Token, keyword?: string): void {
    this.#parser.diagnostics.warning({ ...this.place(token), keyword: keyword ?? this.#keyword.text, message });
  }

  notice(message: string, token?: Token, keyword?: string): void {
    this.#parser.diagnostics.notice({ ...this.place(token), keyword: keyword ?? this.#keyword.text, message });
  }

  ignoredWithoutCapability(capability: 'frontend' | 'backend', token?: Token, keyword?: string): boolean {
    const proxy = this.proxy;
    if (proxy === undefined || proxy.kind === 'defaults' || proxy.kind === 'listen') return false;
    const has = capability === 'frontend' ? hasFrontendSide(proxy.kind) : hasBackendSide(proxy.kind);
    if (has) return false;
    const name = keyword ?? this.#keyword.text;
    this.warning(`'${name}' ignored because ${proxy.kind} '${proxy.name}' has no ${capability} capability.`, token, name);
    return true;
  }

  setEnv(name: string, value: string | undefined): void {
    this.#parser.setEnv(name, value);
  }

  resetEnv(keep: readonly string[]): void {
    this.#parser.resetEnv(keep);
  }

  getEnv(name: string): string | undefined {
    return this.#parser.env(name);
  }

  resolvePath(path: string): string {
    return resolveFrom(this.#parser.directory, path);
  }

  get pathDirectory(): string {
    return this.#parser.directory;
  }

  setDefaultPath(mode: DefaultPathMode, origin: string): void {
    this.#parser.setDefaultPath(mode, origin);
  }
}

class ConfigParser {
  readonly registry: KeywordRegistry;
  readonly diagnostics = new DiagnosticList();
  readonly global: GlobalDraft = newGlobalDraft();
  /** `setenv` / `unsetenv` results, consulted before the process environment. */
  readonly #envOverrides = new Map<string, string | undefined>();
  /** After `resetenv`: the names of the process environment still visible. */
  #envKept: Set<string> | undefined;
  readonly #baseEnv: EnvLookup;
  readonly #proxies: ProxyDraft[] = [];
  readonly #defaultsByName = new Map<string, ProxyDraft>();
  /** Defaults sections defining rules, and which kind of proxy inherits them. */
  readonly #rulesInheritedBy = new Map<ProxyDraft, ProxyKind>();
  /** Defaults sections named by a `from` / used as the last defaults (HAProxy's PR_FL_EXPLICIT_REF / PR_FL_IMPLICIT_REF). */
  readonly #explicitRefs = new Set<ProxyDraft>();
  readonly #implicitRefs = new Set<ProxyDraft>();
  readonly #frontends = new Map<string, ProxyDraft>();
  readonly #backends = new Map<string, ProxyDraft>();
  readonly #userlists: UserlistDraft[] = [];
  readonly #userlistReferences: UserlistReference[] = [];
  #lastDefaults: ProxyDraft | undefined;
  /** Where `user` / `group` lines go: the last userlist created (HAProxy's list head). */
  currentUserlist: UserlistDraft | undefined;

  /** `default-path`: kept from file to file, as HAProxy's static default_path_mode. */
  #pathMode: DefaultPathMode = 'current';
  #pathOrigin = '';

  // Per-file state.
  /** Where relative file names are read from ('' = the process's directory). */
  directory = '';
  #file = '';
  #line = 0;
  #section: Section | undefined;

  constructor(options: ParseOptions) {
    this.registry = options.registry ?? defaultKeywordRegistry();
    this.#baseEnv = options.env ?? (() => undefined);
    this.#tlsLibrary = options.tlsLibrary;
  }

  readonly #tlsLibrary: TlsLibrary | undefined;

  readonly env = (name: string): string | undefined => {
    if (this.#envOverrides.has(name)) return this.#envOverrides.get(name);
    return this.#envKept === undefined || this.#envKept.has(name) ? this.#baseEnv(name) : undefined;
  };

  setEnv(name: string, value: string | undefined): void {
    // Re-inserted so that the changes keep the order of their last assignment.
    this.#envOverrides.delete(name);
    this.#envOverrides.set(name, value);
  }

  /** HAProxy's resetenv: every variable but those named is removed, from here on. */
  resetEnv(keep: readonly string[]): void {
    const wanted = new Set(keep);
    this.#envKept = this.#envKept === undefined ? wanted : new Set([...this.#envKept].filter((name) => wanted.has(name)));
    for (const [name, value] of this.#envOverrides) if (value !== undefined && !wanted.has(name)) this.setEnv(name, undefined);
  }

  /** What the configuration did to the environment; undefined when it changed nothing. */
  #environmentChanges(): EnvironmentChanges | undefined {
    if (this.#envKept === undefined && this.#envOverrides.size === 0) return undefined;
    return {
      ...(this.#envKept !== undefined ? { keptOnly: [...this.#envKept] } : {}),
      changes: [...this.#envOverrides],
    };
  }

  readonly #pseudoVariable = (name: string): string | undefined => {
    if (name === 'LINE') return String(this.#line);
    if (name === 'FILE') return this.#file;
    if (name === 'SECTION') return this.#section?.name ?? '';
    return undefined;
  };

  result(): ParseResult {
    const environment = this.#environmentChanges();
    if (environment !== undefined) this.global.environment = environment;
    return {
      draft: { global: this.global, proxies: this.#proxies, userlists: this.#userlists, userlistReferences: this.#userlistReferences },
      diagnostics: this.diagnostics,
    };
  }

  #error(column: number, keyword: string, message: string): void {
    this.diagnostics.error({ file: this.#file, line: this.#line, column, keyword, message });
  }

  #warning(column: number, keyword: string, message: string): void {
    this.diagnostics.warning({ file: this.#file, line: this.#line, column, keyword, message });
  }

  setDefaultPath(mode: DefaultPathMode, origin: string): void {
    this.#pathMode = mode;
    if (mode === 'origin') this.#pathOrigin = origin;
    this.directory = defaultDirectory(mode, this.#file, this.#pathOrigin);
  }

  parseFile(source: ConfigSource): void {
    this.#file = source.file;
    this.directory = defaultDirectory(this.#pathMode, source.file, this.#pathOrigin);
    this.#section = undefined;
    const blocks = new ConditionalBlocks();
    const lines = splitLines(source.text);
    for (let index = 0; index < lines.length; index++) {
      this.#line = index + 1;
      this.#parseLine(lines[index] as string, blocks);
    }
    if (blocks.depth > 0) {
      this.#line = Math.max(lines.length, 1);
      this.#error(1, '.if', "non-terminated '.if' block.");
    }
    if (source.text !== '' && !source.text.endsWith('\n')) {
      // HAProxy refuses a file whose last line has no LF: it may have been cut short.
      this.#line = lines.length;
      this.#error(1, '', `Missing LF on last line, file might have been truncated at position ${(lines[lines.length - 1] as string).length + 1}.`);
    }
  }

  #parseLine(text: string, blocks: ConditionalBlocks): void {
    const tokenized = tokenizeLine(text, { env: this.env, pseudoVariable: this.#pseudoVariable });
    if (!tokenized.ok) {
      // Even masked lines must tokenize (HAProxy reads every line before looking at `.if`).
      this.#error(tokenized.column, '', `${tokenized.message} at position ${tokenized.column}.`);
      return;
    }
    const tokens = tokenized.tokens;
    const first = tokens[0];
    if (first === undefined) return;

    if (first.text === '.if' || first.text === '.elif' || first.text === '.else' || first.text === '.endif') {
      this.#conditional(first, tokens, blocks);
      return;
    }
    if (blocks.masked) return;
    if (first.text.startsWith('.')) {
      this.#directive(first, tokens);
      return;
    }

    let modifier: Modifier = 'none';
    let args: readonly Token[] = tokens;
    if (first.text === 'no' || first.text === 'default') {
      modifier = first.text;
      args = tokens.slice(1);
      if (args.length === 0) {
        this.#error(first.column, first.text, `'${first.text}' expects a keyword to apply to.`);
        return;
      }
    }
    const keyword = args[0] as Token;

    if (
      keyword.text === 'global' ||
      keyword.text === 'userlist' ||
      PROXY_HEADERS.has(keyword.text) ||
      this.registry.section(keyword.text) !== undefined ||
      this.registry.isUnsupportedSection(keyword.text)
    ) {
      if (modifier !== 'none') {
        this.#error(first.column, keyword.text, `'${first.text}' cannot be applied to a section header.`);
        return;
      }
      this.#openSection(args);
      return;
    }

    const section = this.#section;
    if (section === undefined) {
      this.#error(keyword.column, keyword.text, `unknown keyword '${keyword.text}' out of section.`);
      return;
    }
    if (section.kind === 'unsupported') return;

    const lookup = this.registry.lookupKeyword(section.kind, keyword.text);
    switch (lookup.kind) {
      case 'found': {
        if (modifier !== 'none' && lookup.keyword.modifiers !== true) {
          this.#error(first.column, keyword.text, MODIFIER_UNSUPPORTED);
          return;
        }
        const proxy = 'proxy' in section ? section.proxy : undefined;
        const ctx = new LineContext(this, this.#file, this.#line, section.kind, proxy, modifier, keyword);
        const reported = new Set<string>();
        collectUserlistReferences(
          () =>
            collectImplicitProxyArguments(
              () => withPatternDirectory(this.directory, () => lookup.keyword.parse(ctx, args)),
              (fetch, arg, inAcl) => {
                // A defaults section is no backend to find the server in (HAProxy's smp_resolve_args);
                // once per line, whichever passes compile the expression.
                if (section.kind !== 'defaults') return;
                const message = backendNameMissing(keyword.text, args[1]?.text, fetch, arg, inAcl, proxy?.name ?? '');
                if (reported.has(message)) return;
                reported.add(message);
                this.#error(keyword.column, keyword.text, message);
              },
            ),
          (fetch, userlist) => this.#userlistReferences.push({ fetch, userlist, keyword: keyword.text, proxy: proxy?.name ?? '', place: ctx.place() }),
        );
        return;
      }
      case 'wrong-section': {
        const allowed = [...new Set(lookup.allowed)].map((s) => `'${s}'`).join(', ');
        this.#error(
          keyword.column,
          keyword.text,
          `'${keyword.text}' not allowed in '${section.kind}' section (only in ${allowed}).`,
        );
        return;
      }
      case 'unsupported':
        this.#error(keyword.column, keyword.text, `'${keyword.text}' is a HAProxy keyword that Switchyard does not support yet.`);
        return;
      case 'unknown': {
        const hint = lookup.suggestion === undefined ? '' : `; did you mean '${lookup.suggestion}'?`;
        // HAProxy calls a userlist section 'users' in this message.
        const sectionWord = section.kind === 'userlist' ? 'users' : section.kind;
        this.#error(keyword.column, keyword.text, `unknown keyword '${keyword.text}' in '${sectionWord}' section${hint}`);
        return;
      }
    }
  }

  #conditional(first: Token, tokens: readonly Token[], blocks: ConditionalBlocks): void {
    const name = first.text;
    if (name === '.else' || name === '.endif') {
      const extra = tokens[1];
      if (extra !== undefined) {
        this.#error(extra.column, name, `Unexpected argument '${extra.text}' for '${name}'.`);
        return;
      }
      const outcome = name === '.else' ? blocks.else() : blocks.endif();
      if (!outcome.ok) this.#error(first.column, name, `${outcome.message}.`);
      return;
    }
    // The expression is the remaining words joined by one space, as HAProxy re-merges them.
    const words = tokens.slice(1);
    const expression = words.map((t) => t.text).join(' ');
    const evaluate = (): ConditionResult => evaluateCondition(expression, this.env, this.#tlsLibrary);
    const outcome = name === '.if' ? blocks.openIf(evaluate) : blocks.elif(evaluate);
    if (!outcome.ok) {
      const column = outcome.offset === undefined ? first.column : columnAtOffset(words, outcome.offset, first.column);
      this.#error(column, name, `${outcome.message} in '${name}'.`);
    }
  }

  #directive(first: Token, tokens: readonly Token[]): void {
    const name = first.text;
    if (name !== '.diag' && name !== '.notice' && name !== '.warning' && name !== '.alert') {
      this.#error(first.column, name, `unknown directive '${name}'.`);
      return;
    }
    const extra = tokens[2];
    if (extra !== undefined) {
      this.#error(
        extra.column,
        name,
        `Unexpected argument '${extra.text}' for '${name}'. Use quotes if the message should contain spaces.`,
      );
      return;
    }
    const message = tokens[1]?.text ?? '';
    if (name === '.alert') this.#error(first.column, name, `'${message}'.`);
    else if (name === '.warning') this.#warning(first.column, name, `'${message}'.`);
    else if (name === '.notice') this.diagnostics.notice({ file: this.#file, line: this.#line, column: first.column, keyword: name, message: `'${message}'.` });
    // `.diag` only prints in HAProxy's diagnostic mode (-dD), which Switchyard does not have.
  }

  #openSection(args: readonly Token[]): void {
    const header = args[0] as Token;
    const kind = header.text;
    if (kind === 'global') {
      const extra = args[1];
      if (extra !== undefined) this.#error(extra.column, 'global', `'global' cannot handle unexpected argument '${extra.text}'.`);
      this.#section = { kind: 'global', name: 'global' };
      return;
    }
    if (kind === 'userlist') {
      this.#openUserlist(args);
      return;
    }
    const registered = this.registry.section(kind);
    if (registered !== undefined) {
      const ctx = new LineContext(this, this.#file, this.#line, registered.name, undefined, 'none', header);
      registered.open(ctx, args);
      this.#section = { kind: registered.name, name: args[1]?.text ?? kind };
      return;
    }
    if (!PROXY_HEADERS.has(kind)) {
      this.#error(header.column, kind, `'${kind}' sections are not supported by Switchyard; the whole section is refused.`);
      this.#section = { kind: 'unsupported', name: kind };
      return;
    }
    this.#openProxy(kind as ProxyKind, args);
  }

  #openProxy(kind: ProxyKind, args: readonly Token[]): void {
    const header = args[0] as Token;
    const errorsBefore = this.diagnostics.errors.length;
    let name = '';
    let nameToken: Token | undefined;
    let next = 1;
    const second = args[1];
    if (kind === 'defaults') {
      if (second !== undefined && second.text !== 'from') {
        nameToken = second;
        next = 2;
      }
    } else if (second === undefined || second.text === '') {
      this.#error(header.column, kind, `'${kind}' expects <name> as an argument.`);
    } else {
      nameToken = second;
      next = 2;
    }
    if (nameToken !== undefined) {
      name = nameToken.text;
      const bad = invalidNameCharacter(name);
      if (bad !== undefined) {
        this.#error(nameToken.column, kind, `character '${bad}' is not permitted in '${kind}' name '${name}'.`);
      }
    }

    // A defaults section starts from HAProxy's built-in values unless it names one with `from`.
    let base = kind === 'defaults' ? undefined : this.#lastDefaults;
    const fromKeyword = args[next];
    if (fromKeyword !== undefined) {
      if (fromKeyword.text !== 'from') {
        this.#error(fromKeyword.column, kind, `'${kind}' cannot handle unexpected argument '${fromKeyword.text}'.`);
      } else {
        const fromName = args[next + 1];
        const extra = args[next + 2];
        if (fromName === undefined) {
          this.#error(fromKeyword.column, kind, `'from' expects the name of a defaults section.`);
        } else {
          const found = this.#defaultsByName.get(fromName.text);
          if (found === undefined) {
            this.#error(fromName.column, kind, `${kind} '${name}' : 'from' refers to unknown defaults section '${fromName.text}'.`);
          } else {
            base = found;
            this.#explicitRefs.add(found);
          }
        }
        if (extra !== undefined) {
          this.#error(extra.column, kind, `'${kind}' cannot handle unexpected argument '${extra.text}'.`);
        }
      }
    }

    if (base !== undefined && base === this.#lastDefaults && kind !== 'defaults' && fromKeyword === undefined) this.#implicitRefs.add(base);
    if (base !== undefined && this.#explicitRefs.has(base) && this.#implicitRefs.has(base)) {
      // HAProxy prints it as an ALERT but carries on (ERR_WARN).
      this.#warning(
        header.column,
        kind,
        `defaults section '${base.name}' (declared at ${base.place.file}:${base.place.line}) is explicitly referenced by another proxy and implicitly used here. To avoid any ambiguity don't mix both usage. Add a last defaults section not explicitly used or always use explicit references.`,
      );
    }
    const place: Place = { file: this.#file, line: this.#line, column: header.column };
    const proxy = newProxyDraft(kind, name, place, base);
    this.#checkDuplicate(proxy, nameToken);
    this.#section = { kind, name: name === '' ? kind : name, proxy };
    // A header with errors still opens its section, so the lines under it are checked too,
    // but it is not registered: nothing can refer to it.
    if (this.diagnostics.errors.length !== errorsBefore) return;
    // Checked once the section is registered, so the error is the only one (as HAProxy).
    if (base !== undefined && definesRules(base)) this.#checkRulesInheritance(kind, header, base);
    if (kind === 'defaults') {
      if (name !== '') this.#defaultsByName.set(name, proxy);
      this.#lastDefaults = proxy;
      return;
    }
    this.#proxies.push(proxy);
    if (hasFrontendSide(kind)) this.#frontends.set(name, proxy);
    if (hasBackendSide(kind)) this.#backends.set(name, proxy);
  }

  /**
   * HAProxy's limits on inheriting a defaults section that defines rules (cfgparse-listen.c):
   * not by a defaults section or a listen, and by frontends or by backends, not both.
   */
  #checkRulesInheritance(kind: ProxyKind, header: Token, base: ProxyDraft): void {
    const at = `defaults section at ${base.place.file}:${base.place.line}`;
    if (kind === 'defaults') {
      this.#error(header.column, kind, `a defaults section cannot inherit from a defaults section defining TCP/HTTP rules (${at}).`);
    } else if (kind === 'listen') {
      this.#error(header.column, kind, 'a listen section cannot inherit from a defaults section defining TCP/HTTP rules.');
    } else {
      const first = this.#rulesInheritedBy.get(base);
      const tcp = base.tcpRules;
      if (first !== undefined && first !== kind) {
        this.#error(header.column, kind, `frontends and backends cannot inherit from the same defaults section if it defines TCP/HTTP rules (${at}).`);
      } else if (kind === 'backend' && (tcp.connection.length > 0 || tcp.session.length > 0)) {
        this.#error(header.column, kind, `a backend section cannot inherit from a defaults section defining 'tcp-request connection' or 'tcp-request session' rules (${at}).`);
      } else if (kind === 'frontend' && tcp.response.length > 0) {
        this.#error(header.column, kind, `a frontend section cannot inherit from a defaults section defining 'tcp-response content' rules (${at}).`);
      } else {
        this.#rulesInheritedBy.set(base, kind);
      }
    }
  }

  /** HAProxy's cfg_parse_users for `userlist NAME`: a duplicated name is ignored with a warning. */
  #openUserlist(args: readonly Token[]): void {
    const header = args[0] as Token;
    const nameToken = args[1];
    const name = nameToken?.text ?? '';
    this.#section = { kind: 'userlist', name: name === '' ? 'userlist' : name };
    if (nameToken === undefined || name === '') {
      this.#error(header.column, 'userlist', "'userlist' expects <name> as arguments.");
      return;
    }
    const extra = args[2];
    if (extra !== undefined) {
      this.#error(extra.column, 'userlist', `'userlist' cannot handle unexpected argument '${extra.text}'.`);
      return;
    }
    const bad = invalidNameCharacter(name);
    if (bad !== undefined) {
      this.#error(nameToken.column, 'userlist', `character '${bad}' is not permitted in 'userlist' name '${name}'.`);
      return;
    }
    if (this.#userlists.some((u) => u.name === name)) {
      this.#warning(nameToken.column, 'userlist', `ignoring duplicated userlist '${name}'.`);
      return;
    }
    const userlist: UserlistDraft = { name, place: { file: this.#file, line: this.#line, column: header.column }, users: [], groups: [] };
    this.#userlists.push(userlist);
    this.currentUserlist = userlist;
  }

  /** A frontend and a backend may share a name; a listen is both, so it may share neither. */
  #checkDuplicate(proxy: ProxyDraft, nameToken: Token | undefined): void {
    if (nameToken === undefined) return;
    let other: ProxyDraft | undefined;
    if (proxy.kind === 'defaults') {
      other = this.#defaultsByName.get(proxy.name);
    } else {
      if (hasFrontendSide(proxy.kind)) other = this.#frontends.get(proxy.name);
      if (other === undefined && hasBackendSide(proxy.kind)) other = this.#backends.get(proxy.name);
    }
    if (other === undefined) return;
    this.#error(
      nameToken.column,
      proxy.kind,
      `${proxy.kind} '${proxy.name}' has the same name as ${other.kind} '${other.name}' declared at ${other.place.file}:${other.place.line}.`,
    );
  }
}

/** The column of the word holding `offset` in the words joined by single spaces. */
function columnAtOffset(words: readonly Token[], offset: number, fallback: number): number {
  let start = 0;
  for (const word of words) {
    const end = start + word.text.length;
    if (offset <= end) return word.column + Math.min(offset - start, word.text.length);
    start = end + 1;
  }
  return words[words.length - 1]?.column ?? fallback;
}

/** Reads the sources in order into one draft, collecting every diagnostic. */
export function parseSources(sources: readonly ConfigSource[], options: ParseOptions = {}): ParseResult {
  const parser = new ConfigParser(options);
  for (const source of sources) parser.parseFile(source);
  return parser.result();
}
