/**
 * defineConfig()'s ACLs, HTTP rules and content switching, drafted by haproxy.cfg's own keyword
 * parsers: each entry becomes the words of its haproxy.cfg line (text entries are tokenized as a
 * haproxy.cfg line is, typed ones give their words as they are) and is handed to the registered
 * keyword handler (keywords/http-rules.ts, switching.ts, errorfiles.ts ...) through a keyword
 * context that reports at the input path instead of a line. So the TypeScript form gets exactly
 * haproxy.cfg's grammar, checks, messages and model, and a new action or keyword needs no code
 * here: its text form works at once, its typed form is one schema in define-rules-input.ts.
 *
 * Environment variables are not expanded in rule text (`"${VAR}"` reads as empty): a
 * TypeScript configuration has template literals for that.
 */
import { hasBackendSide, hasFrontendSide, type GlobalDraft, type Place, type ProxyDraft } from './draft.ts';
import type { DiagnosticList } from './errors.ts';
import { defaultKeywordRegistry } from './keywords/index.ts';
import { MODIFIER_UNSUPPORTED, type KeywordContext, type KeywordRegistry, type Modifier, type SectionKind } from './registry.ts';
import { tokenizeLine, type Token } from './tokenizer.ts';
import type { UserlistReference } from './userlist-draft.ts';
import { collectUserlistReferences } from '../rules/userlist-references.ts';
import { missingFileMessage } from './define-files.ts';
import {
  aclWords,
  conditionOf,
  httpRuleWords,
  redirectWords,
  replyWords,
  type AclDefinition,
  type ConditionText,
  type ErrorfilesFromRule,
  type HttpErrorRule,
  type PersistRule,
  type RedirectRule,
  type TypedHttpRule,
  type UseBackendRule,
  type UseServerRule,
} from './define-rules-input.ts';

/** The rule entries of one proxy, as validated (define-rules-input.ts). */
export interface RuleInput {
  readonly acls?: Readonly<Record<string, AclDefinition | readonly AclDefinition[]>> | undefined;
  readonly lines?: readonly string[] | undefined;
  readonly httpRequest?: readonly (string | TypedHttpRule)[] | undefined;
  readonly httpResponse?: readonly (string | TypedHttpRule)[] | undefined;
  readonly httpAfterResponse?: readonly (string | TypedHttpRule)[] | undefined;
  readonly redirect?: readonly RedirectRule[] | undefined;
  readonly errorfilesFrom?: readonly ErrorfilesFromRule[] | undefined;
  readonly httpError?: readonly HttpErrorRule[] | undefined;
  readonly useBackend?: readonly UseBackendRule[] | undefined;
  readonly useServer?: readonly UseServerRule[] | undefined;
  readonly forcePersist?: readonly PersistRule[] | undefined;
  readonly ignorePersist?: readonly PersistRule[] | undefined;
}

const NO_ENV = (): undefined => undefined;

/** One entry's line: its keyword, then its words. */
type Line = { readonly ok: true; readonly tokens: Token[] } | { readonly ok: false; readonly message: string };

/** A haproxy.cfg keyword context for one defineConfig entry: messages carry its input path. */
class EntryContext implements KeywordContext {
  readonly file: string;
  readonly line = 0;
  readonly section: SectionKind;
  readonly modifier: Modifier;
  readonly global: GlobalDraft;
  readonly proxy: ProxyDraft;
  readonly registry: KeywordRegistry;
  readonly #diagnostics: DiagnosticList;
  readonly #path: string;

  constructor(
    file: string,
    proxy: ProxyDraft,
    global: GlobalDraft,
    registry: KeywordRegistry,
    diagnostics: DiagnosticList,
    path: string,
    modifier: Modifier = 'none',
  ) {
    this.file = file;
    this.modifier = modifier;
    this.section = proxy.kind;
    this.proxy = proxy;
    this.global = global;
    this.registry = registry;
    this.#diagnostics = diagnostics;
    this.#path = path;
  }

  get errorCount(): number {
    return this.#diagnostics.errors.length;
  }

  place(token?: Token): Place {
    return { file: this.file, line: 0, column: token?.column ?? 0 };
  }

  error(message: string, token?: Token): void {
    this.#diagnostics.error({ ...this.place(token), keyword: this.#path, message: `${this.#path}: ${message}` });
  }

  warning(message: string, token?: Token): void {
    this.#diagnostics.warning({ ...this.place(token), keyword: this.#path, message: `${this.#path}: ${message}` });
  }

  notice(message: string, token?: Token): void {
    this.#diagnostics.notice({ ...this.place(token), keyword: this.#path, message: `${this.#path}: ${message}` });
  }

  ignoredWithoutCapability(capability: 'frontend' | 'backend', token?: Token, keyword?: string): boolean {
    const kind = this.proxy.kind;
    if (kind === 'defaults' || kind === 'listen') return false;
    if (capability === 'frontend' ? hasFrontendSide(kind) : hasBackendSide(kind)) return false;
    this.warning(`'${keyword ?? ''}' ignored because ${kind} '${this.proxy.name}' has no ${capability} capability.`, token);
    return true;
  }

  setEnv(): void {}

  resetEnv(): void {}

  getEnv(): string | undefined {
    return undefined;
  }

  /** A defineConfig() file name is taken as written (no `default-path` there). */
  resolvePath(path: string): string {
    return path;
  }

  readonly pathDirectory = '';

  setDefaultPath(): void {}
}

/** Words given as they are (typed entries): no quoting to undo. */
function literal(words: readonly string[]): Token[] {
  return words.map((text) => ({ text, column: 0 }));
}

/** haproxy.cfg text, tokenized as a line is (quotes, escapes, `#` comments). */
function tokenize(text: string): Line {
  const result = tokenizeLine(text, { env: NO_ENV });
  return result.ok ? { ok: true, tokens: result.tokens } : { ok: false, message: `${result.message} at position ${result.column}` };
}

/** The words of a typed entry without a condition. */
function typedLine(words: readonly string[]): Line {
  return { ok: true, tokens: literal(words) };
}

/** The words of a typed entry followed by its condition's (tokenized: conditions are haproxy.cfg text). */
function withCondition(words: readonly string[], condition: ConditionText | undefined): Line {
  if (condition === undefined) return typedLine(words);
  const tokens = tokenize(condition.text);
  if (!tokens.ok) return tokens;
  return { ok: true, tokens: [...literal(words), ...literal([condition.keyword]), ...tokens.tokens] };
}

/** Drafts the rule entries of proxies into their drafts, as haproxy.cfg lines would. */
export class RuleDrafter {
  readonly #file: string;
  readonly #global: GlobalDraft;
  readonly #diagnostics: DiagnosticList;
  readonly #registry: KeywordRegistry;
  readonly #hasFile: (path: string) => boolean;
  /** `http_auth(NAME)` fetches met, for the resolver's userlist check. */
  readonly userlistReferences: UserlistReference[] = [];

  constructor(
    file: string,
    global: GlobalDraft,
    diagnostics: DiagnosticList,
    hasFile: (path: string) => boolean,
    registry: KeywordRegistry = defaultKeywordRegistry(),
  ) {
    this.#file = file;
    this.#hasFile = hasFile;
    this.#global = global;
    this.#diagnostics = diagnostics;
    this.#registry = registry;
  }

  /**
   * In haproxy.cfg's order of dependence: ACLs first (conditions name them), then the section's
   * free `lines` (declarations such as `declare capture` that rules refer to), then the rules.
   */
  draft(proxy: ProxyDraft, input: RuleInput, path: string): void {
    for (const [name, value] of Object.entries(input.acls ?? {})) {
      const definitions = Array.isArray(value) ? value : [value];
      definitions.forEach((definition, i) => {
        const at = Array.isArray(value) ? `${path}.acls.${name}.${i}` : `${path}.acls.${name}`;
        if (typeof definition === 'string') this.#text(proxy, 'acl', [name], definition, at);
        else this.#run(proxy, 'acl', typedLine([name, ...aclWords(definition)]), at);
      });
    }
    input.lines?.forEach((text, i) => this.#line(proxy, text, `${path}.lines.${i}`));
    const httpSets = [
      ['httpRequest', 'http-request'],
      ['httpResponse', 'http-response'],
      ['httpAfterResponse', 'http-after-response'],
    ] as const;
    for (const [key, keyword] of httpSets) {
      input[key]?.forEach((rule, i) => {
        const at = `${path}.${key}.${i}`;
        if (typeof rule === 'string') this.#text(proxy, keyword, [], rule, at);
        else this.#run(proxy, keyword, withCondition(httpRuleWords(rule), conditionOf(rule)), at);
      });
    }
    input.redirect?.forEach((rule, i) => {
      const at = `${path}.redirect.${i}`;
      if (typeof rule === 'string') this.#text(proxy, 'redirect', [], rule, at);
      else this.#run(proxy, 'redirect', withCondition(redirectWords(rule), conditionOf(rule)), at);
    });
    input.useBackend?.forEach((rule, i) => {
      const at = `${path}.useBackend.${i}`;
      if (typeof rule === 'string') this.#text(proxy, 'use_backend', [], rule, at);
      else this.#run(proxy, 'use_backend', withCondition([rule.backend], conditionOf(rule)), at);
    });
    input.useServer?.forEach((rule, i) => {
      const at = `${path}.useServer.${i}`;
      if (typeof rule === 'string') this.#text(proxy, 'use-server', [], rule, at);
      else this.#run(proxy, 'use-server', withCondition([rule.server], conditionOf(rule)), at);
    });
    for (const [key, keyword] of [['forcePersist', 'force-persist'], ['ignorePersist', 'ignore-persist']] as const) {
      input[key]?.forEach((rule, i) => {
        const at = `${path}.${key}.${i}`;
        if (typeof rule === 'string') this.#text(proxy, keyword, [], rule, at);
        else this.#run(proxy, keyword, withCondition([], conditionOf(rule)), at);
      });
    }
    input.errorfilesFrom?.forEach((rule, i) => {
      const at = `${path}.errorfilesFrom.${i}`;
      if (typeof rule === 'string') this.#text(proxy, 'errorfiles', [], rule, at);
      else this.#run(proxy, 'errorfiles', typedLine([rule.section, ...(rule.codes ?? []).map(String)]), at);
    });
    input.httpError?.forEach((rule, i) => {
      const at = `${path}.httpError.${i}`;
      if (typeof rule === 'string') this.#text(proxy, 'http-error', [], rule, at);
      else this.#run(proxy, 'http-error', typedLine(['status', String(rule.status), ...replyWords({ ...rule, status: undefined }, undefined)]), at);
    });
  }

  /** A whole haproxy.cfg line: its first word is the keyword, looked up as the parser does. */
  #line(proxy: ProxyDraft, text: string, path: string): void {
    const ctx = new EntryContext(this.#file, proxy, this.#global, this.#registry, this.#diagnostics, path);
    const tokens = tokenize(text);
    if (!tokens.ok) {
      ctx.error(`${tokens.message}.`);
      return;
    }
    const first = tokens.tokens[0];
    const modifier: Modifier = first?.text === 'no' || first?.text === 'default' ? first.text : 'none';
    const words = modifier === 'none' ? tokens.tokens : tokens.tokens.slice(1);
    const keyword = words[0];
    if (keyword === undefined) {
      ctx.error(first === undefined ? 'an empty line (only a comment?).' : `'${first.text}' expects a keyword to apply to.`);
      return;
    }
    const lookup = this.#registry.lookupKeyword(proxy.kind, keyword.text);
    switch (lookup.kind) {
      case 'found':
        if (modifier !== 'none' && lookup.keyword.modifiers !== true) {
          ctx.error(MODIFIER_UNSUPPORTED);
          return;
        }
        this.#run(proxy, keyword.text, { ok: true, tokens: words.slice(1) }, path, modifier);
        return;
      case 'wrong-section':
        ctx.error(`'${keyword.text}' not allowed in '${proxy.kind}' section (only in ${[...new Set(lookup.allowed)].map((s) => `'${s}'`).join(', ')}).`);
        return;
      case 'unsupported':
        ctx.error(`'${keyword.text}' is a HAProxy keyword that Switchyard does not support yet.`);
        return;
      case 'unknown':
        ctx.error(`unknown keyword '${keyword.text}' in '${proxy.kind}' section${lookup.suggestion === undefined ? '' : `; did you mean '${lookup.suggestion}'?`}`);
        return;
    }
  }

  /** `keyword FIXED... TEXT`: the text is haproxy.cfg words. */
  #text(proxy: ProxyDraft, keyword: string, fixed: readonly string[], text: string, path: string): void {
    const tokens = tokenize(text);
    this.#run(proxy, keyword, tokens.ok ? { ok: true, tokens: [...literal(fixed), ...tokens.tokens] } : tokens, path);
  }

  #run(proxy: ProxyDraft, keyword: string, line: Line, path: string, modifier: Modifier = 'none'): void {
    const ctx = new EntryContext(this.#file, proxy, this.#global, this.#registry, this.#diagnostics, path, modifier);
    if (!line.ok) {
      ctx.error(`${line.message}.`);
      return;
    }
    const lookup = this.#registry.lookupKeyword(proxy.kind, keyword);
    if (lookup.kind !== 'found') {
      // The schemas only offer keywords the registry has for these sections.
      ctx.error(`internal error: '${keyword}' is not a ${proxy.kind} keyword.`);
      return;
    }
    const args = [{ text: keyword, column: 0 }, ...line.tokens];
    const filesBefore = this.#global.replyFiles.length;
    collectUserlistReferences(
      () => lookup.keyword.parse(ctx, args),
      (fetch, userlist) => this.userlistReferences.push({ fetch, userlist, keyword, proxy: proxy.name, place: ctx.place() }),
    );
    this.#refuseMissingFiles(ctx, filesBefore);
  }

  /** A file a rule names (`file`, `lf-file`, `errorfile`) must be among the given `files`: defineConfig reads none. */
  #refuseMissingFiles(ctx: EntryContext, from: number): void {
    const files = this.#global.replyFiles;
    for (let i = files.length - 1; i >= from; i--) {
      const reference = files[i] as (typeof files)[number];
      if (this.#hasFile(reference.path)) continue;
      ctx.error(`${reference.use} ${missingFileMessage(reference.path)}.`);
      files.splice(i, 1);
    }
  }
}
