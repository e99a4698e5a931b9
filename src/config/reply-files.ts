/**
 * Reads the files replies come from, once the configuration is parsed and before it is
 * resolved (HAProxy reads them while parsing; nothing is read at request time):
 *
 * - an errorfile (`errorfile`, `http-errors` sections, the `errorfile` reply argument) is read
 *   once per name (from where the first line naming it reads it, under `default-path`), cut to the buffer size with HAProxy's warning, and must be an HTTP response
 *   HAProxy would load (src/http/error-message.ts);
 * - a `file` / `lf-file` payload must fit in the buffer; a `file` payload's length decides
 *   HAProxy's checks (no payload on 204/304, a content type for a non-empty payload), an
 *   `lf-file` must be a valid log-format.
 *
 * Failures are reported at the word naming the file, in HAProxy's words.
 */
import type { ConfigFileReader } from './certificates.ts';
import { REPLY_BUFFER_SIZE, type ReplyFileReference } from './error-drafts.ts';
import type { DiagnosticList } from './errors.ts';
import { parseErrorMessage } from '../http/error-message.ts';
import { compileLogFormat } from '../rules/log-format.ts';

/** File contents by replyFileKey(): latin1 (one character per byte), UTF-8 text for `lf-file`. */
export type LoadedReplyFiles = ReadonlyMap<string, string>;

export function replyFileKey(use: ReplyFileReference['use'], path: string): string {
  return `${use} ${path}`;
}

function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.byteLength; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
}

type Outcome = { readonly ok: true; readonly content: string } | { readonly ok: false; readonly message: string };

export async function loadReplyFiles(
  references: readonly ReplyFileReference[],
  files: ConfigFileReader,
  diagnostics: DiagnosticList,
): Promise<LoadedReplyFiles> {
  const reads = new Map<string, Promise<Uint8Array | undefined>>();
  const read = (path: string) => {
    let pending = reads.get(path);
    if (pending === undefined) {
      pending = files.readFile(path).then(
        (bytes) => bytes,
        () => undefined,
      );
      reads.set(path, pending);
    }
    return pending;
  };
  const contents = await Promise.all(references.map((reference) => read(reference.location ?? reference.path)));
  // Reported in reference (file) order, whatever order the reads finished in.
  return checkReplyFiles(references, contents, diagnostics);
}

/**
 * Checks files already read (`contents[i]` is the file of `references[i]`, undefined when it
 * could not be read), as loadReplyFiles does; defineConfig() gives the contents itself.
 */
export function checkReplyFiles(
  references: readonly ReplyFileReference[],
  contents: readonly (Uint8Array | undefined)[],
  diagnostics: DiagnosticList,
): LoadedReplyFiles {
  const loaded = new Map<string, string>();
  references.forEach((reference, index) => {
    const key = replyFileKey(reference.use, reference.path);
    if (loaded.has(key)) return;
    const bytes = contents[index];
    const outcome = bytes === undefined ? notOpened(reference) : check(reference, bytes, diagnostics);
    if (outcome.ok) loaded.set(key, outcome.content);
    else diagnostics.error({ ...reference.place, keyword: reference.keyword, message: `${reference.prefix}${outcome.message}${reference.suffix}` });
  });
  return loaded;
}

function notOpened(reference: ReplyFileReference): Outcome {
  // HAProxy words it with a final dot for errorfiles only.
  return { ok: false, message: `error opening file '${reference.path}'${reference.use === 'errorfile' ? '.' : ''}` };
}

function check(reference: ReplyFileReference, bytes: Uint8Array, diagnostics: DiagnosticList): Outcome {
  const { path, status, contentType } = reference;
  if (reference.use === 'errorfile') {
    if (bytes.byteLength > REPLY_BUFFER_SIZE) {
      diagnostics.warning({
        ...reference.place,
        keyword: reference.keyword,
        message: `custom error message file '${path}' larger than ${REPLY_BUFFER_SIZE} bytes. Truncating.`,
      });
      bytes = bytes.subarray(0, REPLY_BUFFER_SIZE);
    }
    const parsed = parseErrorMessage(bytes);
    if (!parsed.ok) return { ok: false, message: `'${path}': ${parsed.error}` };
    return { ok: true, content: latin1(bytes) };
  }
  if (bytes.byteLength > REPLY_BUFFER_SIZE) {
    return { ok: false, message: `file '${path}' exceeds the buffer size (${bytes.byteLength} > ${REPLY_BUFFER_SIZE})` };
  }
  if (reference.use === 'lf-file') {
    const format = new TextDecoder().decode(bytes);
    const compiled = compileLogFormat(format, reference.direction);
    if (!compiled.ok) return { ok: false, message: compiled.message };
    return { ok: true, content: format };
  }
  const length = bytes.byteLength;
  if ((status === 204 || status === 304) && length > 0) return { ok: false, message: `No body expected for ${status} responses` };
  if (contentType === undefined && length > 0) return { ok: false, message: 'a content type must be defined when non-empty payload is configured' };
  if (contentType !== undefined && length === 0) {
    diagnostics.warning({
      ...reference.place,
      keyword: reference.keyword,
      message: `content-type '${contentType}' ignored by the http reply when used with an empty payload.`,
    });
  }
  return { ok: true, content: latin1(bytes) };
}
