/**
 * The whole header block of a message (HAProxy's http_fetch.c smp_fetch_hdrs and
 * smp_fetch_hdrs_bin): `req.hdrs` / `res.hdrs`, each field as `name: value\r\n` with the name in
 * lower case (HAProxy's HTX keeps names so) then the empty line; `req.hdrs_bin` /
 * `res.hdrs_bin`, each name and value prefixed with its length as a varint, ended by two zero
 * lengths. Both read the head as the rules edited it so far. Registered into the fetch table by
 * sample-fetch.ts.
 */
import { latin1String } from '../http/codec/chars.ts';
import type { HttpHead } from '../http/codec/head.ts';
import type { FieldValue, HeadEditor } from '../http/codec/serialize.ts';
import type { MiscFetch } from './fetches-misc.ts';
import type { SampleContext } from './sample-context.ts';
import type { FetchBody } from './sample-fetch.ts';

const encoder = new TextEncoder();

/** Rule-written values are UTF-8 text: their bytes, one character each. */
function valueBytes(value: FieldValue): string {
  if (typeof value !== 'string') return latin1String(value, 0, value.length);
  if (!/[^\x00-\x7f]/.test(value)) return value;
  const bytes = encoder.encode(value);
  return latin1String(bytes, 0, bytes.length);
}

/** HAProxy's encode_varint: < 240 in one byte, else 4 bits then 7-bit groups. */
function varint(n: number): string {
  if (n < 240) return String.fromCharCode(n);
  let out = String.fromCharCode((n & 0xff) | 240);
  n = (n - 240) >>> 4;
  while (n >= 128) {
    out += String.fromCharCode((n & 0xff) | 128);
    n = (n - 128) >>> 7;
  }
  return out + String.fromCharCode(n);
}

/** Calls `each(lowerName, value)` for every field of the edited head, in the order it would be written. */
function eachField(head: HttpHead, edits: HeadEditor | undefined, each: (name: string, value: string) => void): void {
  for (let i = 0; i < head.headerCount; i++) {
    const value = edits === undefined ? head.valueBytes(i) : edits.editedValue(i);
    if (value === undefined) continue;
    each(head.nameAt(i).toLowerCase(), valueBytes(value));
  }
  if (edits === undefined) return;
  for (let j = 0; j < edits.appendedCount; j++) {
    const name = edits.appendedName(j).lower;
    each(latin1String(name, 0, name.length), valueBytes(edits.appendedValue(j)));
  }
}

/** HAProxy's struct htx_sl without its text: flags, method or status, three lengths. */
const HTX_START_LINE = 20;
/** The end-of-headers block. */
const HTX_EOH = 1;

/**
 * The size of a message head in HAProxy's HTX (htx->data): what `req.len` / `res.len` report in
 * HTTP mode ("not accurate but kept for backward compatibility", payload.c). The start line's
 * parts, each field's name and value as edited so far, and the fixed sizes of the start-line
 * and end-of-headers blocks; body bytes already buffered would count too (not seen here).
 */
export function htxHeadLength(ctx: SampleContext, response: boolean): number | undefined {
  const { head, edits } = response ? RESPONSE(ctx) : REQUEST(ctx);
  if (head === undefined) return undefined;
  let n = HTX_START_LINE + HTX_EOH + 'HTTP/1.1'.length;
  const res = ctx.response;
  if (response && res !== undefined) n += 3 + res.reason.length;
  else if (!response && ctx.lbHead !== undefined) n += ctx.lbHead.method.length + ctx.lbHead.target.length;
  eachField(head, edits, (name, value) => {
    n += name.length + value.length;
  });
  return n;
}

type Side = (ctx: SampleContext) => { head: HttpHead | undefined; edits: HeadEditor | undefined };

const REQUEST: Side = (ctx) => ({ head: ctx.lbHead, edits: ctx.requestEdits });
const RESPONSE: Side = (ctx) => ({ head: ctx.response, edits: ctx.responseEdits });

function headerBlock(side: Side, scope: 'request' | 'response', binary: boolean): MiscFetch {
  const body: FetchBody = {
    scope,
    type: 'bin',
    declared: 'bin',
    sample(ctx, out) {
      const { head, edits } = side(ctx);
      if (head === undefined) return false;
      let block = '';
      if (binary) {
        eachField(head, edits, (name, value) => {
          block += varint(name.length) + name + varint(value.length) + value;
        });
        return out.setBin(`${block}\0\0`);
      }
      eachField(head, edits, (name, value) => {
        block += `${name}: ${value}\r\n`;
      });
      // HAProxy returns a string sample though it declares binary.
      return out.setStr(`${block}\r\n`);
    },
  };
  return { args: { min: 0, types: [] }, compile: () => body };
}

export const HEADER_BLOCK_FETCHES: ReadonlyMap<string, MiscFetch> = new Map<string, MiscFetch>([
  ['req.hdrs', headerBlock(REQUEST, 'request', false)],
  ['req.hdrs_bin', headerBlock(REQUEST, 'request', true)],
  ['res.hdrs', headerBlock(RESPONSE, 'response', false)],
  ['res.hdrs_bin', headerBlock(RESPONSE, 'response', true)],
]);
