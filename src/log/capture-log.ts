/**
 * How HAProxy 2.6 logs captured headers (src/log.c, LOG_FMT_HDRREQUEST and friends): `%hr`
 * / `%hs` as `{v1|v2|...}` (one field per slot, empty when nothing was captured), `%hrl` /
 * `%hsl` as the values separated by spaces ('-' for nothing, `""` when quoted). Values are
 * encoded with hdr_encode_map: controls, DEL and above, and `"#{|}` become `#XX`. A frontend
 * without slots writes nothing at all.
 */
import { encodeText, LogOpt, type CharMap } from './log-encode.ts';

const HDR_ENCODE: CharMap = (() => {
  const map = new Uint8Array(256);
  for (let c = 0; c < 256; c++) map[c] = c < 32 || c >= 127 || c === 0x22 || c === 0x23 || c === 0x7b || c === 0x7c || c === 0x7d ? 1 : 0;
  return map;
})();

function encoded(value: string, options: number): string {
  return encodeText(value, '#', HDR_ENCODE, options);
}

/** `%hr`, `%hs`. */
export function captureBlock(values: readonly (string | undefined)[] | undefined, options: number): string | undefined {
  if (values === undefined || values.length === 0) return undefined;
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += '|';
    const value = values[i];
    if (value !== undefined) out += encoded(value, options);
  }
  out += '}';
  return (options & LogOpt.quote) !== 0 ? `"${out}"` : out;
}

/** `%hrl`, `%hsl`. */
export function captureList(values: readonly (string | undefined)[] | undefined, options: number): string | undefined {
  if (values === undefined || values.length === 0) return undefined;
  const quote = (options & LogOpt.quote) !== 0;
  let out = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ' ';
    const value = values[i];
    const text = value !== undefined ? encoded(value, options) : quote ? '' : '-';
    out += quote ? `"${text}"` : text;
  }
  return out;
}
