/**
 * Reads a head's headers as HAProxy's http_find_header does for the cache: the head as the
 * rules edited it so far, each comma-separated element one value (`split`) or whole lines.
 */
import type { HttpHead } from '../http/codec/head.ts';
import type { HeadEditor } from '../http/codec/serialize.ts';
import { collectHeaderValues } from '../rules/header-view.ts';

const encoder = new TextEncoder();
const names = new Map<string, Uint8Array>();

function lowerBytes(name: string): Uint8Array {
  let bytes = names.get(name);
  if (bytes === undefined) names.set(name, (bytes = encoder.encode(name)));
  return bytes;
}

export class HeaderReader {
  head: HttpHead | undefined = undefined;
  edits: HeadEditor | undefined = undefined;
  readonly #scratch: string[] = [];

  reset(head: HttpHead, edits: HeadEditor | undefined): this {
    this.head = head;
    this.edits = edits;
    return this;
  }

  /** The values of `name` (lowercase); the array is reused by the next call. */
  values(name: string, split: boolean): readonly string[] {
    const out = this.#scratch;
    out.length = 0;
    if (this.head !== undefined) collectHeaderValues(this.head, this.edits, lowerBytes(name), split, out);
    return out;
  }

  /** The first whole value of `name`. */
  first(name: string): string | undefined {
    return this.values(name, false)[0];
  }
}
