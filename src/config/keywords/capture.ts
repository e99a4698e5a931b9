/**
 * Capture declarations of a frontend (HAProxy 2.6's cfgparse-listen.c `capture` and proxy.c
 * `declare`):
 *
 * - `capture cookie NAME len N`: the first request cookie and the first response cookie whose
 *   `name=value` starts with NAME (%CC, %CS);
 * - `capture request header NAME len N`, `capture response header NAME len N`: the last value of
 *   that header, in the next request or response slot (%hr, %hs, `capture.req.hdr(ID)`);
 * - `declare capture request|response len N`: a slot only `capture` rules fill.
 *
 * Slots are numbered in declaration order per direction (`http-request capture ... len N` takes
 * the next request slot too, see http-actions/capture.ts). In a backend HAProxy accepts
 * `capture` with a warning and never uses it; `declare` is an error there.
 */
import type { KeywordContext, KeywordList, SectionKeyword } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { atol } from './args.ts';


/** HAProxy's alertif_too_many_args_idx(4, 1): at most 5 words after `capture`. */
function tooMany(ctx: KeywordContext, args: readonly Token[]): boolean {
  const extra = args[6];
  if (extra === undefined) return false;
  ctx.error(`'capture ${args[1]?.text ?? ''}' cannot handle unexpected argument '${extra.text}'.`, extra);
  return true;
}

function parseCapture(ctx: KeywordContext, args: readonly Token[]): void {
  const proxy = ctx.proxy;
  if (proxy === undefined) return;
  const ignored = ctx.ignoredWithoutCapability('frontend');
  const kind = args[1]?.text;
  const what = args[2]?.text;
  if (kind === 'cookie' || (what === 'header' && (kind === 'request' || kind === 'response'))) {
    if (proxy.kind === 'defaults') {
      ctx.error(`'capture ${kind}' not allowed in 'defaults' section.`);
      return;
    }
    if (tooMany(ctx, args)) return;
  }
  if (kind === 'cookie') {
    if (args[4] === undefined || args[4].text === '') {
      ctx.error("'capture' expects 'cookie' <cookie_name> 'len' <len>.");
      return;
    }
    if (!ignored) proxy.captures.cookie = { name: args[2]?.text ?? '', len: Math.max(0, atol(args[4].text)) };
    return;
  }
  if ((kind === 'request' || kind === 'response') && what === 'header') {
    const name = args[3];
    const len = args[5];
    if (name === undefined || name.text === '' || args[4]?.text !== 'len' || len === undefined || len.text === '') {
      ctx.error(`'capture ${kind}' expects 'header' <header_name> 'len' <len>.`);
      return;
    }
    if (!ignored) proxy.captures[kind].push({ header: name.text, len: Math.max(0, atol(len.text)) });
    return;
  }
  ctx.error("'capture' expects 'cookie' or 'request header' or 'response header'.");
}

function parseDeclare(ctx: KeywordContext, args: readonly Token[]): void {
  const proxy = ctx.proxy;
  if (proxy === undefined) return;
  if (proxy.kind === 'defaults') {
    ctx.error("'declare' not available in default section");
    return;
  }
  if (proxy.kind === 'backend') {
    ctx.error("'declare' only available in frontend or listen section");
    return;
  }
  if (args[1] === undefined || args[1].text === '') {
    ctx.error("'declare' needs a second keyword that specify the type of declaration ('capture')");
    return;
  }
  if (args[1].text !== 'capture') {
    ctx.error(`unknown declaration type '${args[1].text}' (supports 'capture')`, args[1]);
    return;
  }
  const direction = args[2]?.text;
  if (direction !== 'request' && direction !== 'response') {
    ctx.error("'declare capture' requires a direction ('request' or 'response')", args[2]);
    return;
  }
  if (args[3]?.text !== 'len') {
    ctx.error("'declare capture' requires a capture length ('len')", args[3]);
    return;
  }
  const value = args[4];
  if (value === undefined || value.text === '') {
    ctx.error("'declare capture': 'len' requires a numeric value that represents the capture length");
    return;
  }
  // strtol with the whole word required; HAProxy's message names args[3] ('len').
  if (!/^\s*[+-]?\d*$/.test(value.text)) {
    ctx.error("'declare capture': cannot parse the length 'len'.", value);
    return;
  }
  const len = atol(value.text);
  if (len <= 0) {
    ctx.error('length must be > 0', value);
    return;
  }
  proxy.captures[direction].push({ header: undefined, len });
}

const keywords: SectionKeyword[] = [
  { name: 'capture', sections: ['defaults', 'frontend', 'backend', 'listen'], parse: parseCapture },
  { name: 'declare', sections: ['defaults', 'frontend', 'backend', 'listen'], parse: parseDeclare },
];

export const captureKeywords: KeywordList = { keywords };
