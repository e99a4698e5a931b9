/**
 * The body fetches (HAProxy's http_fetch.c): `req.body`, `req.body_len`, `req.body_size`,
 * `req.body_param([NAME])`, `res.body`, `res.body_len`, `res.body_size`. They read the part of
 * the payload the stream holds when the rule runs: the whole body once `option
 * http-buffer-request` or `wait-for-body` waited for it, else whatever came with the head.
 */
import { latin1String } from '../http/codec/chars.ts';
import type { MiscFetch } from './fetches-misc.ts';
import type { MessageBody } from './message-body.ts';
import type { Args } from './sample-args.ts';
import type { Sample } from './sample.ts';
import type { SampleContext } from './sample-context.ts';
import type { FetchBody } from './sample-fetch.ts';

type Side = (ctx: SampleContext) => MessageBody | undefined;
type Read = (body: MessageBody, out: Sample) => boolean;

const request: Side = (ctx) => ctx.requestBody;
const response: Side = (ctx) => ctx.responseBody;
const NONE = { min: 0, types: [] } as const;

function simple(side: Side, type: FetchBody['type'], read: Read): MiscFetch {
  const compiled: FetchBody = {
    scope: side === request ? 'request' : 'response',
    type,
    sample(ctx, out) {
      const body = side(ctx);
      return body === undefined ? false : read(body, out);
    },
  };
  return { args: NONE, compile: () => compiled };
}

const readBody: Read = (body, out) => {
  const payload = body.payload();
  return out.setBin(latin1String(payload, 0, payload.byteLength));
};
const readLength: Read = (body, out) => out.setInt(body.payloadBytes);
const readSize: Read = (body, out) => out.setInt(body.announcedBytes);

/**
 * `req.body_param([NAME])`: the value of each `NAME=value` of a form-encoded body (any name
 * when NAME is absent or empty), the first one as the sample; ACLs try every one.
 */
const bodyParam: MiscFetch = {
  args: { min: 0, types: ['str'] },
  compile(args: Args): FetchBody {
    const a = args[0];
    const name = a?.type === 'str' ? a.value : '';
    return {
      scope: 'request',
      type: 'bin',
      sample(ctx, out) {
        let found = false;
        forEachParam(ctx.requestBody, name, (value) => {
          found = out.setBin(value);
          return true;
        });
        return found;
      },
      each(ctx, out, match) {
        let matched = false;
        forEachParam(ctx.requestBody, name, (value) => (matched = match((out.setBin(value), out))));
        return matched;
      },
    };
  },
};

/** Calls `visit` with each matching parameter's value until it returns true. */
function forEachParam(body: MessageBody | undefined, name: string, visit: (value: string) => boolean): void {
  if (body === undefined) return;
  const payload = body.payload();
  const text = latin1String(payload, 0, payload.byteLength);
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('&', start);
    if (end < 0) end = text.length;
    if (name === '') {
      const eq = text.indexOf('=', start);
      if (eq >= 0 && eq < end && visit(text.slice(eq + 1, end))) return;
    } else if (end - start > name.length && text.charCodeAt(start + name.length) === 0x3d && text.startsWith(name, start)) {
      if (visit(text.slice(start + name.length + 1, end))) return;
    }
    start = end + 1;
  }
}

export const BODY_FETCHES: ReadonlyMap<string, MiscFetch> = new Map<string, MiscFetch>([
  ['req.body', simple(request, 'bin', readBody)],
  ['req.body_len', simple(request, 'int', readLength)],
  ['req.body_size', simple(request, 'int', readSize)],
  ['req.body_param', bodyParam],
  ['res.body', simple(response, 'bin', readBody)],
  ['res.body_len', simple(response, 'int', readLength)],
  ['res.body_size', simple(response, 'int', readSize)],
]);
