/**
 * FIX (Financial Information eXchange) converters, HAProxy 2.6's fix.c and sample.c:
 * `fix_is_valid` checks that the bytes hold a whole, valid FIX message (BeginString with a
 * known version, BodyLength matching, MsgType, CheckSum last and right); `fix_tag_value(TAG)`
 * gives a tag's value (TAG a number or one of the names HAProxy knows). On a buffer that may
 * still grow (tcp-request/response content rules within their inspect delay) both say "more
 * data needed" instead of deciding, so the rule waits.
 */
import { inspectedPayload } from '../payload.ts';
import { type ConverterDefinition, spec, strArg } from './definition.ts';

const DELIMITER = 0x01;
const EQUALS = 0x3d;
const TAG_BEGIN_STRING = 8;
const TAG_BODY_LENGTH = 9;
const TAG_CHECKSUM = 10;
const TAG_MSG_TYPE = 35;
/** FIX_MSG_MINSIZE. */
const MIN_SIZE = 26;

const VALID = 1;
const NEED_MORE = 0;
const INVALID = -1;

/** FIX versions and the highest tag id each defines (FIXT.1.1: the whole 5.0 family). */
const VERSIONS: ReadonlyMap<string, number> = new Map([
  ['FIX.4.0', 140],
  ['FIX.4.1', 211],
  ['FIX.4.2', 446],
  ['FIX.4.3', 659],
  ['FIX.4.4', 956],
  ['FIXT.1.1', 1621],
]);

const TAG_NAMES: ReadonlyMap<string, number> = new Map([
  ['msgtype', TAG_MSG_TYPE],
  ['checksum', TAG_CHECKSUM],
  ['bodylength', TAG_BODY_LENGTH],
  ['targetcompid', 56],
  ['beginstring', TAG_BEGIN_STRING],
  ['sendercompid', 49],
]);

/** read_uint over text[start, end): the value and where it stopped (digits only, 32-bit wrap as C). */
function readUint(text: string, start: number, end: number): { value: number; stop: number } {
  let value = 0;
  let i = start;
  for (; i < end; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) break;
    value = (value * 10 + d) >>> 0;
  }
  return { value, stop: i };
}

/** fix_check_id: the tag id in text[start, end), 0 when not a positive number or out of the version's range. */
function checkId(text: string, start: number, end: number, version: string | undefined): number {
  const { value, stop } = readUint(text, start, end);
  if (stop !== end || value === 0) return 0;
  if (version === undefined) return value;
  if (value >= 10000 && value <= 19999) return value;
  return value <= (VERSIONS.get(version) ?? 0) ? value : 0;
}

/**
 * Where the value of the field starting at `at` ends (its delimiter), and where '=' is; `eq` -1
 * when the field is incomplete. HAProxy's iststop(istfind(parser, '='), DELIMITER).
 */
function field(text: string, at: number): { eq: number; end: number } {
  const eq = text.indexOf('=', at);
  if (eq < 0) return { eq: -1, end: text.length };
  const del = text.indexOf('\x01', eq);
  return { eq, end: del < 0 ? text.length : del };
}

/** fix_validate_message. */
export function validateFix(msg: string): number {
  if (msg.length < MIN_SIZE) return NEED_MORE;
  let version: string | undefined;
  let checksum = 0;
  let tagnum = 0;
  let bodylen = 0;
  let body = -1;
  let p = 0;
  while (p < msg.length) {
    const { eq, end } = field(msg, p);
    // The value's delimiter is not there yet (or no '=' at all).
    if (eq < 0 || end === msg.length) return NEED_MORE;
    // An empty tag (HAProxy's "empty value" test sees the '=' and never fires).
    if (eq === p) return INVALID;
    const tagid = checkId(msg, p, eq, version);
    if (tagid === 0) return INVALID;
    tagnum++;
    if (tagnum === 1) {
      if (tagid !== TAG_BEGIN_STRING) return INVALID;
      version = msg.slice(eq + 1, end);
      if (!VERSIONS.has(version)) return INVALID;
    } else if (tagnum === 2) {
      if (tagid !== TAG_BODY_LENGTH) return INVALID;
      const { value, stop } = readUint(msg, eq + 1, end);
      if (stop !== end || value === 0) return INVALID;
      bodylen = value;
      body = end + 1;
    } else if (tagnum === 3) {
      if (tagid !== TAG_MSG_TYPE) return INVALID;
    } else if (tagid === TAG_CHECKSUM) {
      if (bodylen !== p - body) return INVALID;
      if (end - eq - 1 !== 3) return INVALID;
      // strl2ui of the three characters (digits expected).
      const { value } = readUint(msg, eq + 1, end);
      return (checksum & 0xff) === value ? VALID : INVALID;
    }
    for (let i = p; i < end; i++) checksum += msg.charCodeAt(i);
    checksum += DELIMITER;
    p = end + 1;
  }
  return body >= 0 ? NEED_MORE : INVALID;
}

/** fix_tag_value: the value, '' when more data may hold it, undefined when absent or invalid. */
export function fixTagValue(msg: string, tagid: number): string | undefined {
  let p = 0;
  while (p < msg.length) {
    const { eq, end } = field(msg, p);
    if (eq < 0 || end === msg.length) return '';
    if (eq === p) return undefined;
    const id = checkId(msg, p, eq, undefined);
    if (id === 0) return undefined;
    if (id === tagid) return msg.slice(eq + 1, end);
    if (id === TAG_CHECKSUM) return undefined;
    p = end + 1;
  }
  return '';
}

export const FIX_CONVERTERS: readonly ConverterDefinition[] = [
  {
    name: 'fix_is_valid',
    args: spec(0),
    input: 'bin',
    output: 'bool',
    compile: () => (s, ctx) => {
      const payload = inspectedPayload(ctx);
      if (payload !== undefined) payload.mayChange = false;
      const result = validateFix(s.str);
      if (result === NEED_MORE) return payload === undefined ? false : payload.missing();
      return s.setBool(result === VALID);
    },
  },
  {
    name: 'fix_tag_value',
    args: spec(1, 'str'),
    input: 'bin',
    output: 'bin',
    compile(args) {
      const name = strArg(args, 0) ?? '';
      const numeric = checkId(name, 0, name.length, undefined);
      const tag = numeric !== 0 ? numeric : (TAG_NAMES.get(name.toLowerCase()) ?? 0);
      if (tag === 0) return `Unknown FIX tag name '${name}'`;
      return (s, ctx) => {
        const payload = inspectedPayload(ctx);
        if (payload !== undefined) payload.mayChange = false;
        const value = fixTagValue(s.str, tag);
        if (value === undefined) return false;
        if (value === '') return payload === undefined ? false : payload.missing();
        return s.setBin(value);
      };
    },
  },
];
