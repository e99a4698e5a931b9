/**
 * How much a message's rules may add to it before HAProxy's buffer is full (HAProxy fails the
 * rewrite then: a 500, or nothing with `strict-mode off`). The head lives in the buffer in its
 * HTX form (a 48-byte header, then per field an 8-byte block with its name and value), with the
 * body bytes that arrived with it; the muxes fill a buffer only up to `tune.maxrewrite` from
 * its end, so a message whose body did not fit leaves the reserve free, and a smaller one more.
 * Applies to the header actions (SetHeader and friends measure their growth in HeadEditor).
 */
import type { BufferSizes } from '../http/buffer-sizes.ts';
import type { HttpHead } from '../http/codec/head.ts';

/** sizeof(struct htx) in HAProxy 2.6 on a 64-bit build. */
const HTX_HEADER = 48;
const HTX_BLOCK = 8;
/** struct htx_sl without its text. */
const HTX_START_LINE = 20;

/** The head's HTX size as received: the start line's parts, each field, the end of headers. */
function htxHeadSize(head: HttpHead): number {
  // The start line's three parts are its bytes less the two spaces and the CRLF.
  let size = HTX_BLOCK + HTX_START_LINE + head.startLineEnd - 4 + HTX_BLOCK + 1;
  const o = head.offsets;
  for (let i = 0; i < head.headerCount; i++) size += HTX_BLOCK + (o[4 * i + 1] as number) - (o[4 * i] as number) + (o[4 * i + 3] as number) - (o[4 * i + 2] as number);
  return size;
}

/** The free bytes of the buffer holding `head` and `bodyBytes` of its body when the rules begin. */
export function rewriteRoom(buffers: BufferSizes, head: HttpHead, bodyBytes: number): number {
  const capacity = buffers.size - HTX_HEADER;
  const used = htxHeadSize(head) + (bodyBytes > 0 ? HTX_BLOCK + bodyBytes : 0);
  return capacity - Math.min(used, capacity - buffers.reserve);
}
