/**
 * defineConfig()'s `httpErrors`, the TypeScript form of `http-errors NAME` sections:
 *
 *   httpErrors: { site: { 503: { path: '503.http', content: readFileSync('503.http') } } }
 *
 * As errorFiles, the files' contents are given (defineConfig reads nothing), checked as a loaded
 * errorfile. The section header goes through haproxy.cfg's own `http-errors` section parser (its
 * name checks and messages); proxies use a section with `errorfilesFrom` or `httpError`.
 */
import * as v from 'valibot';
import type { GlobalDraft } from './draft.ts';
import type { DiagnosticList } from './errors.ts';
import { defaultKeywordRegistry } from './keywords/index.ts';
import type { HttpReplyModel } from './model.ts';
import type { KeywordContext } from './registry.ts';
import type { Token } from './tokenizer.ts';
import { ERROR_STATUSES } from '../http/codec/error-pages.ts';
import { parseErrorMessage } from '../http/error-message.ts';

/** An errorfile given by content: text (sent as UTF-8) or bytes. */
export const errorfileContentSchema = v.strictObject({ path: v.optional(v.string()), content: v.union([v.string(), v.instance(Uint8Array)]) });

const statusKeySchema = v.pipe(v.string(), v.regex(/^\d+$/, 'expected a status code'));

export const httpErrorsInputSchema = v.record(v.string(), v.record(statusKeySchema, errorfileContentSchema));

export type ErrorfileContent = v.InferOutput<typeof errorfileContentSchema>;

/** `errorfile CODE FILE` with FILE's content: the reply, or what is wrong (HAProxy's checks on a loaded file). */
export function errorfileFromContent(status: number, file: ErrorfileContent): { ok: true; reply: HttpReplyModel } | { ok: false; message: string } {
  if (!ERROR_STATUSES.includes(status)) return { ok: false, message: `status code '${status}' not handled.` };
  const bytes = typeof file.content === 'string' ? new TextEncoder().encode(file.content) : file.content;
  const parsed = parseErrorMessage(bytes);
  if (!parsed.ok) return { ok: false, message: `'${file.path ?? 'errorfile'}': ${parsed.error}` };
  let content = '';
  for (const byte of bytes) content += String.fromCharCode(byte);
  return { ok: true, reply: { status, contentType: undefined, body: { kind: 'errorfile', path: file.path ?? '', content }, headers: [] } };
}

/** Adds the sections to `global.httpErrors`, in input order. */
export function draftHttpErrors(input: v.InferOutput<typeof httpErrorsInputSchema>, global: GlobalDraft, file: string, diagnostics: DiagnosticList): void {
  const header = defaultKeywordRegistry().section('http-errors');
  for (const [name, files] of Object.entries(input)) {
    const path = `httpErrors.${name}`;
    const report = (kind: 'error' | 'warning' | 'notice', at: string, message: string): void =>
      diagnostics[kind]({ file, line: 0, column: 0, keyword: at, message: `${at}: ${message}` });
    const ctx: KeywordContext = {
      file,
      line: 0,
      section: 'http-errors',
      modifier: 'none',
      global,
      proxy: undefined,
      registry: defaultKeywordRegistry(),
      get errorCount() {
        return diagnostics.errors.length;
      },
      place: () => ({ file, line: 0, column: 0 }),
      error: (message) => report('error', path, message),
      warning: (message) => report('warning', path, message),
      notice: (message) => report('notice', path, message),
      ignoredWithoutCapability: () => false,
      setEnv: () => {},
      resetEnv: () => {},
      getEnv: () => undefined,
      resolvePath: (file) => file,
      pathDirectory: '',
      setDefaultPath: () => {},
    };
    const words: Token[] = [
      { text: 'http-errors', column: 0 },
      { text: name, column: 0 },
    ];
    header?.open(ctx, words);
    const section = global.httpErrors.at(-1);
    for (const [code, content] of Object.entries(files)) {
      const reply = errorfileFromContent(Number(code), content);
      if (reply.ok) section?.replies.set(Number(code), reply.reply);
      else report('error', `${path}.${code}`, reply.message);
    }
  }
}
