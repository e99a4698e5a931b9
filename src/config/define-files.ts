/**
 * defineConfig()'s `files`: the contents of the files a configuration names — reply payloads
 * (`file`, `lf-file`, `errorfile` arguments, `errorfile` lines), ACL pattern files
 * (`acl ... -f FILE`) and map files (`map(FILE)`) — by the path the configuration names them
 * with. defineConfig() reads nothing: the module reads them (readFileSync) and hands them over,
 * and they go through the same checks as the files loadConfig() reads.
 *
 *   files: { '/etc/haproxy/hosts.map': readFileSync('/etc/haproxy/hosts.map', 'utf8') }
 */
import * as v from 'valibot';
import type { ReplyFileReference } from './error-drafts.ts';
import type { DiagnosticList } from './errors.ts';
import { checkReplyFiles, type LoadedReplyFiles } from './reply-files.ts';
import type { PatternFileSource, PatternFileTexts } from '../rules/pattern-files.ts';

export const filesInputSchema = v.record(v.pipe(v.string(), v.minLength(1)), v.union([v.string(), v.instance(Uint8Array)]));

export type FilesInput = v.InferOutput<typeof filesInputSchema>;

/** Why a named file cannot be used, for the message at the entry naming it. */
export function missingFileMessage(path: string): string {
  return `'${path}' is not among defineConfig()'s 'files' (defineConfig() reads no file: give its content as files: { '${path}': readFileSync(...) })`;
}

/** The given files, as pattern files and reply files. */
export class GivenFiles implements PatternFileSource {
  readonly parsed = new Map<string, unknown>();
  readonly #files: FilesInput;
  /** The pattern files read so far (what a model built with them carries). */
  readonly #patternTexts: Record<string, string> = {};

  constructor(files: FilesInput | undefined) {
    this.#files = files ?? {};
  }

  has(path: string): boolean {
    return Object.hasOwn(this.#files, path);
  }

  read(path: string): string | { readonly error: string } {
    const content = this.has(path) ? this.#files[path] : undefined;
    if (content === undefined) return { error: missingFileMessage(path) };
    const text = typeof content === 'string' ? content : new TextDecoder().decode(content);
    this.#patternTexts[path] = text;
    return text;
  }

  /** The pattern files the configuration used, or undefined when it used none (as loadConfig). */
  get patternTexts(): PatternFileTexts | undefined {
    return Object.keys(this.#patternTexts).length === 0 ? undefined : this.#patternTexts;
  }

  /** The reply files, checked as loadConfig checks the ones it reads. */
  replyFiles(references: readonly ReplyFileReference[], diagnostics: DiagnosticList): LoadedReplyFiles {
    const contents = references.map((reference) => {
      const content = this.has(reference.path) ? this.#files[reference.path] : undefined;
      return typeof content === 'string' ? new TextEncoder().encode(content) : content;
    });
    return checkReplyFiles(references, contents, diagnostics);
  }
}
