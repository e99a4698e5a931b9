/**
 * HAProxy 2.6's capture fetches (http_fetch.c):
 *
 * - `capture.req.hdr(ID)`, `capture.res.hdr(ID)`: what request (response) capture slot ID
 *   holds (see stream/captures.ts); absent when nothing was captured;
 * - `capture.req.method`, `capture.req.uri`, `capture.req.ver`: the request line as received
 *   (HAProxy's txn->uri, before any rewrite): its method, the path and query of its target
 *   (absent for `*` or an authority), `HTTP/1.0` or `HTTP/1.1` (from its flags: an HTTP/2
 *   request, or one that came as HTTP/1.2, is HTTP/1.1);
 * - `capture.res.ver`: the response's version, once a response head is known.
 *
 * The request ones are usable in request and response rules and log lines (HAProxy's
 * SMP_USE_HRQHP), `capture.res.hdr` in response rules and log lines.
 */
import { uriPathStart } from '../http/codec/request-target.ts';
import type { MiscFetch } from './fetches-misc.ts';
import type { Sample } from './sample.ts';
import type { SampleContext } from './sample-context.ts';
import type { FetchBody } from './sample-fetch.ts';

type Read = (ctx: SampleContext, out: Sample) => boolean;

/** Kept past the request head: readable by response rules and in log lines. */
function permanent(read: Read): FetchBody {
  return { scope: 'connection', type: 'str', source: 'HTTP request headers', sample: read };
}

function slotFetch(response: boolean): MiscFetch {
  return {
    args: { min: 1, types: ['sint'] },
    compile(args) {
      const id = args[0]?.type === 'sint' ? args[0].value : -1;
      const read: Read = (ctx, out) => {
        const captures = ctx.captures;
        const value = captures === undefined ? undefined : (response ? captures.response : captures.request)[id];
        return value === undefined ? false : out.setStr(value);
      };
      return response ? { scope: 'response', type: 'str', atLogEnd: true, sample: read } : permanent(read);
    },
  };
}

function noArgs(read: Read): MiscFetch {
  return { args: { min: 0, types: [] }, compile: () => permanent(read) };
}

const version = (minor: 0 | 1): string => (minor === 0 ? 'HTTP/1.0' : 'HTTP/1.1');

export const CAPTURE_FETCHES: readonly (readonly [string, MiscFetch])[] = [
  ['capture.req.hdr', slotFetch(false)],
  ['capture.res.hdr', slotFetch(true)],
  ['capture.req.method', noArgs((ctx, out) => (ctx.lbHead === undefined ? false : out.setStr(ctx.lbHead.receivedMethod)))],
  [
    'capture.req.uri',
    noArgs((ctx, out) => {
      const target = ctx.lbHead?.receivedTarget;
      if (target === undefined) return false;
      const start = uriPathStart(target);
      return start < 0 ? false : out.setStr(start === 0 ? target : target.slice(start));
    }),
  ],
  // From the message's flags, as HAProxy's: HTTP/1.1 for any version above 1.0, HTTP/2 included.
  ['capture.req.ver', noArgs((ctx, out) => (ctx.lbHead === undefined ? false : out.setStr(version(ctx.lbHead.versionMinor))))],
  ['capture.res.ver', noArgs((ctx, out) => (ctx.response === undefined ? false : out.setStr(version(ctx.response.versionMinor))))],
];
