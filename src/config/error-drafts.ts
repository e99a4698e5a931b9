/**
 * What the error-page keywords (keywords/errorfiles.ts) and the file payloads of `deny` /
 * `return` leave in the draft until the loader has read the files (reply-files.ts) and the
 * resolver has built each proxy's replies (resolve-errors.ts).
 */
import type { Place } from './draft.ts';
import type { HttpReplyModel } from './model.ts';
import type { SampleDirection } from '../rules/sample-fetch.ts';

/** HAProxy's tune.bufsize default: the largest errorfile or reply file it loads. */
export const REPLY_BUFFER_SIZE = 16384;

/** A file a reply is read from, with what HAProxy checks about it once read. */
export interface ReplyFileReference {
  /**
   * The name: as written for an errorfile (HAProxy keeps one content per errorfile name, the
   * first read), joined to the `default-path` directory for a `file` / `lf-file` payload.
   */
  readonly path: string;
  /** Where the file is read from when not `path` (an errorfile's under `default-path`). */
  readonly location?: string;
  readonly place: Place;
  /** The keyword that named it (diagnostics carry it). */
  readonly keyword: string;
  /**
   * `errorfile`: an HTTP response (truncated to the buffer size with a warning, then refused
   * unless valid); `file` / `lf-file`: a payload no larger than the buffer.
   */
  readonly use: 'errorfile' | 'file' | 'lf-file';
  /** Messages about the file read `${prefix}${detail}${suffix}` (HAProxy's wording at that keyword). */
  readonly prefix: string;
  readonly suffix: string;
  /** The reply's status and content type (`file` checks depend on the payload's length). */
  readonly status: number;
  readonly contentType: string | undefined;
  /** Where an `lf-file` format is evaluated. */
  readonly direction: SampleDirection;
}

/** One error-page line of a proxy, in order (HAProxy's conf.errors list, defaults' first). */
export type ProxyErrorDraft =
  /** `errorfile`, `errorloc*`, `http-error` (an `errorpage` body: back to the built-in page). */
  | { readonly kind: 'reply'; readonly status: number; readonly reply: HttpReplyModel; readonly place: Place; readonly keyword: string }
  /**
   * `errorfiles NAME [CODE...]` or `http-error status CODE errorfiles NAME`: the section's
   * replies for `statuses`; `explicit` ones it lacks draw a warning.
   */
  | {
      readonly kind: 'section';
      readonly name: string;
      readonly statuses: readonly number[];
      readonly explicit: boolean;
      readonly place: Place;
      readonly keyword: string;
    };

/** An `http-errors NAME` section: `errorfile CODE FILE` lines, the last one per status wins. */
export interface HttpErrorsDraft {
  readonly name: string;
  readonly place: Place;
  readonly replies: Map<number, HttpReplyModel>;
}
