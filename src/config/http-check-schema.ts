/**
 * The valibot entries of HttpCheckModel's parts beyond one plain request (`uri-lf`, `body-lf`,
 * the leading `http-check connect`, set-var lines before the send, further requests), kept
 * apart from schema.ts so the HTTP check model grows in one place. The expect and header-name
 * schemas are schema.ts's, passed in.
 */
import * as v from 'valibot';
import { tcpCheckConnectSchema } from './tcp-check-schema.ts';

const httpCheckConnectSchema = v.object({ ...tcpCheckConnectSchema.entries, proto: v.optional(v.picklist(['h1', 'h2'])) });

export function httpCheckSequenceEntries<E extends v.GenericSchema, H extends v.GenericSchema>(expect: E, headerName: H) {
  const segment = v.object({
    connect: httpCheckConnectSchema,
    before: v.array(expect),
    method: v.pipe(v.string(), v.minLength(1)),
    uri: v.pipe(v.string(), v.minLength(1)),
    uriFormat: v.boolean(),
    version: v.pipe(v.string(), v.minLength(1)),
    headers: v.array(v.tuple([headerName, v.string()])),
    body: v.undefinedable(v.string()),
    bodyFormat: v.boolean(),
    expect: v.array(expect),
  });
  return {
    uriFormat: v.optional(v.undefinedable(v.boolean())),
    bodyFormat: v.optional(v.undefinedable(v.boolean())),
    connect: v.optional(v.undefinedable(httpCheckConnectSchema)),
    before: v.optional(v.undefinedable(v.array(expect))),
    next: v.optional(v.undefinedable(v.array(segment))),
  };
}
