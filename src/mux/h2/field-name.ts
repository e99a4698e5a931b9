import { latin1LowerString } from '../../http/codec/chars.ts';
import type { HttpHead } from '../../http/codec/index.ts';
import { staticNameOfBytes } from '../../http/h2/index.ts';

/**
 * Field i of an HTTP/1 head, named as HTTP/2 spells it (lowercase). The names in HPACK's static
 * table (most of what servers and browsers send) come back as the table's own strings, so
 * translating a head to HEADERS builds no string per field name.
 */
export function h2FieldName(head: HttpHead, i: number): string {
  const start = head.offsets[4 * i]!;
  const end = head.offsets[4 * i + 1]!;
  return staticNameOfBytes(head.raw, start, end) ?? latin1LowerString(head.raw, start, end);
}
