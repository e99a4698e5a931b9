/**
 * Entry points for haproxy.cfg configurations.
 *
 * loadConfig() takes what `haproxy -f` takes: files, or directories whose `*.cfg` files (not
 * hidden ones) are read in lexical order. All of them form one configuration. Files and
 * certificates are read only through the runtime. Any error rejects with a ConfigError that
 * lists every problem found; warnings ride along in the model.
 *
 * TypeScript/JavaScript configurations (defineConfig) are imported by the CLI, not here.
 */

import { certificateLoadingOf, loadCaFiles, loadCertificates, type ConfigFileReader } from './certificates.ts';
import type { CertificateReference, ConfigDraft, GlobalDraft } from './draft.ts';
import { ConfigError, DiagnosticList } from './errors.ts';
import type { ConfigModel } from './model.ts';
import { parseSources, type ConfigSource } from './parser.ts';
import { loadReplyFiles } from './reply-files.ts';
import { loadCaseAdjustFile } from './h1-case-adjust-file.ts';
import type { KeywordRegistry } from './registry.ts';
import { resolveConfig } from './resolve.ts';
import { loadTlsFiles } from './tls-files.ts';
import { checkRuntimeTicketKeys, checkRuntimeTls, type RuntimeTlsLimits } from './runtime-tls-check.ts';
import { checkRuntimeSockets, type RuntimeSocketLimits } from './runtime-socket-check.ts';
import type { SocketFeature, TlsFeature, TlsLibrary } from '../runtime.ts';
import type { EnvLookup } from './tokenizer.ts';
import { LoadedPatternFiles, PatternFileCollector, type PatternFileTexts, withPatternFiles } from '../rules/pattern-files.ts';

export type { ConfigFileReader } from './certificates.ts';
export type { ConfigSource } from './parser.ts';

/**
 * What loadConfig() needs from the runtime: file access and, optionally, the environment and
 * what its TLS stack cannot do (options refused on it, runtime-tls-check.ts).
 */
export type ConfigLoaderRuntime = ConfigFileReader & {
  env?(name: string): string | undefined;
  readonly name?: string;
  readonly tlsUnsupported?: ReadonlySet<TlsFeature> | undefined;
  readonly tlsLibrary?: TlsLibrary | undefined;
  readonly socketUnsupported?: ReadonlySet<SocketFeature> | undefined;
};

export interface ParseConfigOptions {
  /** Environment for `"${VAR}"` and `.if defined(VAR)`; default: none. */
  readonly env?: EnvLookup | undefined;
  /** Needed when the configuration names files (`crt`, `ca-file`, errorfiles, reply payloads). */
  readonly files?: ConfigFileReader | undefined;
  readonly registry?: KeywordRegistry | undefined;
  /** TLS options the runtime cannot honour, refused at their lines; none when undefined. */
  readonly tlsLimits?: RuntimeTlsLimits | undefined;
  /** TCP socket options the runtime cannot set, refused at their lines; none when undefined. */
  readonly socketLimits?: RuntimeSocketLimits | undefined;
  /** The runtime's TLS library, for `.if openssl_version_atleast()` and friends. */
  readonly tlsLibrary?: TlsLibrary | undefined;
  /**
   * Whether the produced model is checked against the model schema (schema.ts), a check of
   * the parser itself; default true. The command line skips it: the schema and valibot are a
   * fifth of the code a configuration check (-c) would otherwise load, and HAProxy's tests
   * run that check many times in a row.
   */
  readonly checkModel?: boolean | undefined;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function certificateReferences(draft: ConfigDraft): CertificateReference[] {
  const references: CertificateReference[] = [];
  for (const proxy of draft.proxies) {
    for (const bind of proxy.binds) if (bind.ssl) references.push(...bind.crt);
  }
  return references;
}

/** Checks the produced model against the schema; a failure here is a Switchyard bug. */
async function assertModel(model: ConfigModel, diagnostics: DiagnosticList, file: string): Promise<void> {
  const { checkConfigModel } = await import('./schema.ts');
  for (const problem of checkConfigModel(model)) {
    diagnostics.error({ file, line: 0, column: 0, keyword: '', message: `internal error: invalid model: ${problem}` });
  }
}

/** Parses in-memory sources as one configuration (what loadConfig does after reading files). */
export async function parseConfigSources(
  sources: readonly ConfigSource[],
  options: ParseConfigOptions = {},
): Promise<ConfigModel> {
  const parse = () => parseSources(sources, { env: options.env, registry: options.registry, tlsLibrary: options.tlsLibrary });
  // Map and ACL pattern files: a first pass learns their names, then they are read and the
  // configuration parsed again with them, so that their errors are reported at the lines that
  // name them, as HAProxy does (it reads them while parsing).
  const collector = new PatternFileCollector();
  let parsed = withPatternFiles(collector, parse);
  let loaded: LoadedPatternFiles | undefined;
  if (collector.paths.size > 0) {
    loaded = await loadPatternFiles(collector.paths, options.files);
    parsed = withPatternFiles(loaded, parse);
  }
  const { draft, diagnostics } = parsed;
  diagnostics.quiet = draft.global.quiet === true;
  if (options.files !== undefined) await checkDefaultPathOrigins(draft.global.defaultPathOrigins, options.files, diagnostics);
  checkRuntimeTls(draft, options.tlsLimits, diagnostics);
  checkRuntimeSockets(draft, options.socketLimits, diagnostics);
  const references = certificateReferences(draft);
  // Without file access, resolve.ts reports each `crt` and `ca-file` it cannot read.
  const certificates =
    options.files === undefined ? undefined : await loadCertificates(references, options.files, diagnostics, certificateLoadingOf(draft.global.ssl));
  // Every `ca-file` is read, used or not (HAProxy loads them while parsing).
  const caFiles =
    options.files === undefined ? undefined : await loadCaFiles(draft.global.caFiles, options.files, diagnostics);
  // Errorfiles and reply payloads, read once here (never at request time).
  const replyFiles =
    options.files === undefined ? undefined : await loadReplyFiles(draft.global.replyFiles, options.files, diagnostics);
  // `h1-case-adjust-file`: its entries follow the `h1-case-adjust` lines'.
  const files = options.files;
  await loadCaseAdjustFile(draft.global, files === undefined ? undefined : (path) => files.readTextFile(path), diagnostics);
  // crl-file, crt-list and server crt files (tls-files.ts).
  const tlsFiles = options.files === undefined ? undefined : await loadTlsFiles(draft, options.files, diagnostics);
  checkRuntimeTicketKeys(draft, tlsFiles, options.tlsLimits, diagnostics);
  const model = withPatternFiles(loaded, () => resolveConfig(draft, diagnostics, certificates, caFiles, replyFiles, tlsFiles));
  diagnostics.throwIfFailed();
  const result = loaded === undefined ? model : attachPatternFiles(model, loaded.texts);
  if (options.checkModel !== false) {
    await assertModel(result, diagnostics, sources[0]?.file ?? '');
    diagnostics.throwIfFailed();
  }
  return result;
}

/**
 * A `default-path origin` naming no directory is an error at its line, as HAProxy's chdir() to
 * it fails there (HAProxy's message then names its startup directory, which the core does not know).
 */
async function checkDefaultPathOrigins(origins: GlobalDraft['defaultPathOrigins'], files: ConfigFileReader, diagnostics: DiagnosticList): Promise<void> {
  for (const origin of origins ?? []) {
    if (await files.isDirectory(origin.path).catch(() => false)) continue;
    diagnostics.error({
      ...origin.place,
      keyword: 'default-path',
      message: `couldn't set 'default-path' to origin '${origin.path}': Impossible to change to directory '${origin.path}': No such file or directory.`,
    });
  }
}

/** Reads every pattern file once; the ones that cannot be read are reported where they are named. */
async function loadPatternFiles(paths: ReadonlyMap<string, string>, files: ConfigFileReader | undefined): Promise<LoadedPatternFiles> {
  const texts: Record<string, string> = {};
  const errors = new Map<string, string>();
  // Kept under the name as written (rules and references name it so); read from `location`.
  for (const [path, location] of paths) {
    if (files === undefined) {
      errors.set(path, `failed to open pattern file <${path}> (no file access)`);
      continue;
    }
    try {
      texts[path] = await files.readTextFile(location);
    } catch {
      errors.set(path, `failed to open pattern file <${path}>`);
    }
  }
  return new LoadedPatternFiles(texts, errors);
}

/** Every proxy carries the pattern files, for the rules engine to compile its map converters. */
export function attachPatternFiles(model: ConfigModel, patternFiles: PatternFileTexts): ConfigModel {
  return {
    ...model,
    frontends: model.frontends.map((f) => ({ ...f, patternFiles })),
    backends: model.backends.map((b) => ({ ...b, patternFiles })),
  };
}

/** One haproxy.cfg text, for tests and embedders. */
export function parseConfigText(
  text: string,
  fileName = 'haproxy.cfg',
  options: ParseConfigOptions = {},
): Promise<ConfigModel> {
  return parseConfigSources([{ file: fileName, text }], options);
}

function joinPath(directory: string, name: string): string {
  return directory.endsWith('/') ? `${directory}${name}` : `${directory}/${name}`;
}

/** Expands directories into their `*.cfg` files, as `haproxy -f DIR` does. */
async function listConfigFiles(paths: readonly string[], files: ConfigFileReader, diagnostics: DiagnosticList): Promise<string[]> {
  const result: string[] = [];
  for (const path of paths) {
    let isDirectory: boolean;
    try {
      isDirectory = await files.isDirectory(path);
    } catch {
      isDirectory = false;
    }
    if (!isDirectory) {
      result.push(path);
      continue;
    }
    let names: string[];
    try {
      names = await files.readDir(path);
    } catch (err) {
      diagnostics.error({ file: path, line: 0, column: 0, keyword: '', message: `Could not read configuration directory ${path} : ${describe(err)}` });
      continue;
    }
    const selected = names
      .filter((name) => name.endsWith('.cfg') && !name.startsWith('.'))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const name of selected) {
      const full = joinPath(path, name);
      if (await files.isDirectory(full).catch(() => false)) continue;
      result.push(full);
    }
  }
  return result;
}

/** Reads, parses and checks a haproxy.cfg configuration made of files and directories. */
export async function loadConfig(paths: readonly string[], runtime: ConfigLoaderRuntime, options: Pick<ParseConfigOptions, 'checkModel'> = {}): Promise<ConfigModel> {
  const diagnostics = new DiagnosticList();
  if (paths.length === 0) {
    diagnostics.error({ file: '', line: 0, column: 0, keyword: '', message: 'no configuration file given.' });
  }
  const files = await listConfigFiles(paths, runtime, diagnostics);
  const sources: ConfigSource[] = [];
  for (const file of files) {
    try {
      sources.push({ file, text: await runtime.readTextFile(file) });
    } catch (err) {
      diagnostics.error({ file, line: 0, column: 0, keyword: '', message: `Could not open configuration file ${file} : ${describe(err)}` });
    }
  }
  if (paths.length > 0 && files.length === 0 && !diagnostics.failed) {
    diagnostics.error({
      file: paths.join(', '),
      line: 0,
      column: 0,
      keyword: '',
      message: 'no configuration file found (a directory contributes only its *.cfg files).',
    });
  }
  diagnostics.throwIfFailed();
  const env: EnvLookup = runtime.env === undefined ? () => undefined : (name) => runtime.env?.(name);
  const tlsLimits =
    runtime.name !== undefined && runtime.tlsUnsupported !== undefined ? { runtime: runtime.name, unsupported: runtime.tlsUnsupported } : undefined;
  const socketLimits =
    runtime.name !== undefined && runtime.socketUnsupported !== undefined ? { runtime: runtime.name, unsupported: runtime.socketUnsupported } : undefined;
  return parseConfigSources(sources, { env, files: runtime, tlsLimits, socketLimits, tlsLibrary: runtime.tlsLibrary, checkModel: options.checkModel });
}

export { ConfigError };
