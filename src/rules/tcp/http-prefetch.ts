/**
 * HTTP fetches in tcp mode (HAProxy's smp_prefetch_htx on a TCP stream): `url`, `path`,
 * `req.hdr`... in `tcp-request content` rules read the inspected bytes as an HTTP/1 request
 * head. A head not complete yet is "missing data" (the rule waits, within `inspect-delay`); bytes
 * that are not a valid request head give no sample, as HAProxy.
 */
import { RequestHeadParser } from '../../http/codec/head-parser.ts';
import type { RequestHead } from '../../http/codec/head.ts';
import type { Payload } from '../payload.ts';

export function prefetchRequestHead(payload: Payload): RequestHead | undefined {
  const bytes = payload.bytes;
  if (bytes.length === 0) {
    payload.missing();
    return undefined;
  }
  const parser = new RequestHeadParser();
  try {
    parser.feed(bytes);
  } catch {
    return undefined;
  }
  if (parser.head === undefined) payload.missing();
  return parser.head;
}
