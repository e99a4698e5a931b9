/**
 * `option spop-check`: HAProxy's SPOE health check (tcpcheck.c proxy_parse_spop_check_opt with
 * flt_spoe.c spoe_prepare_healthcheck_request / spoe_handle_healthcheck_response). The check
 * sends a HAPROXY-HELLO frame carrying `healthcheck: true` and reads the agent's AGENT-HELLO:
 * a version HAProxy supports (2.0) and a max-frame-size it accepts make it pass ("SPOA server
 * is ok"); anything else fails L7RSP with SPOE's error reason ("invalid frame received",
 * "fragmentation not supported", "unsupported version", ...). An AGENT-DISCONNECT frame fails
 * with the reason its status-code names.
 *
 * Only the bytes of the HELLO exchange are spoken here: Switchyard has no SPOE filter.
 */
import type { CheckOutcome } from '../check-status.ts';
import { expectRule, type CustomVerdict, type ExpectInput, type ExpectRule, type TcpCheckRule } from './rules.ts';

/** HAProxy's MAX_FRAME_SIZE (tune.bufsize - 4) and MIN_FRAME_SIZE. */
const MAX_FRAME_SIZE = 16384 - 4;
const MIN_FRAME_SIZE = 256;

const FRAME_HAPROXY_HELLO = 1;
const FRAME_AGENT_HELLO = 101;
const FRAME_AGENT_DISCONNECT = 102;
const FLAG_FIN = 0x00000001;

const DATA_TYPE_MASK = 0x0f;
const DATA_BOOL = 1;
const DATA_INT32 = 2;
const DATA_UINT32 = 3;
const DATA_INT64 = 4;
const DATA_UINT64 = 5;
const DATA_IPV4 = 6;
const DATA_IPV6 = 7;
const DATA_STR = 8;
const DATA_BIN = 9;
const DATA_TRUE = 0x10;

/** spoe_frm_err_reasons, by SPOE_FRM_ERR_* code. */
const REASONS: readonly string[] = [
  'normal',
  'I/O error',
  'a timeout occurred',
  'frame is too big',
  'invalid frame received',
  'version value not found',
  'max-frame-size value not found',
  'capabilities value not found',
  'unsupported version',
  'max-frame-size too big or too small',
  'fragmentation not supported',
  'invalid interlaced frames',
  'frame-id not found',
  'resource allocation error',
];
const ERR_INVALID = 4;
const ERR_NO_VSN = 5;
const ERR_NO_FRAME_SIZE = 6;
const ERR_BAD_VSN = 8;
const ERR_BAD_FRAME_SIZE = 9;
const ERR_FRAG_NOT_SUPPORTED = 10;

/** Codes beyond the table are SPOE_FRM_ERR_UNKNOWN's text. */
function reason(code: number): string {
  return REASONS[code] ?? 'an unknown error occurred';
}

/** HAProxy's encode_varint (intops.h): 240+ values spill 4 bits, then 7 bits a byte. */
export function encodeVarint(value: number, out: number[]): void {
  if (value < 240) {
    out.push(value);
    return;
  }
  out.push((value & 0xff) | 240);
  let i = Math.floor((value - 240) / 16);
  while (i >= 128) {
    out.push((i & 0xff) | 128);
    i = Math.floor((i - 128) / 128);
  }
  out.push(i);
}

/** A cursor over a frame; reads past its end fail (HAProxy's `end` checks). */
class FrameReader {
  readonly #data: Uint8Array;
  readonly #end: number;
  at: number;

  constructor(data: Uint8Array, start: number, end: number) {
    this.#data = data;
    this.at = start;
    this.#end = end;
  }

  get more(): boolean {
    return this.at < this.#end;
  }

  /** A byte at the cursor; HAProxy reads the type byte without a bound check (0 beyond). */
  byte(): number {
    const b = this.at < this.#end ? (this.#data[this.at] as number) : 0;
    this.at++;
    return b;
  }

  /** decode_varint: undefined when the bytes end first. */
  varint(): number | undefined {
    if (this.at >= this.#end) return undefined;
    let value = this.#data[this.at++] as number;
    if (value < 240) return value;
    let shift = 4;
    let b: number;
    do {
      if (this.at >= this.#end) return undefined;
      b = this.#data[this.at] as number;
      value += b * 2 ** shift;
      shift += 7;
      this.at++;
    } while (b >= 128);
    return value;
  }

  /** spoe_decode_buffer: a length-prefixed string, undefined when it overruns the frame. */
  buffer(): string | undefined {
    const length = this.varint();
    if (length === undefined || this.at + length > this.#end) return undefined;
    let text = '';
    for (let i = this.at; i < this.at + length; i++) text += String.fromCharCode(this.#data[i] as number);
    this.at += length;
    return text;
  }

  /** spoe_skip_data: false when the value overruns the frame. */
  skip(): boolean {
    if (this.at >= this.#end) return false;
    switch (this.byte() & DATA_TYPE_MASK) {
      case DATA_INT32:
      case DATA_INT64:
      case DATA_UINT32:
      case DATA_UINT64:
        return this.varint() !== undefined;
      case DATA_IPV4:
        return this.#advance(4);
      case DATA_IPV6:
        return this.#advance(16);
      case DATA_STR:
      case DATA_BIN:
        return this.buffer() !== undefined;
      default:
        return true;
    }
  }

  #advance(n: number): boolean {
    if (this.at + n > this.#end) return false;
    this.at += n;
    return true;
  }
}

function isInteger(type: number): boolean {
  const t = type & DATA_TYPE_MASK;
  return t === DATA_INT32 || t === DATA_INT64 || t === DATA_UINT32 || t === DATA_UINT64;
}

/** spoe_str_to_vsn: "MAJOR.MINOR" as 1000 * MAJOR + MINOR, or -1. */
function versionNumber(text: string): number {
  const match = /^\s*(\d+)\.(\d+)\s*$/.exec(text);
  if (match === null) return -1;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  if (major === 0 || minor > 999) return -1;
  return major * 1000 + minor;
}

function putString(text: string, out: number[]): void {
  encodeVarint(text.length, out);
  for (let i = 0; i < text.length; i++) out.push(text.charCodeAt(i) & 0xff);
}

/** The HAPROXY-HELLO frame of a health check (spoe_prepare_healthcheck_request), length prefix included. */
export function spopHealthCheckRequest(): Uint8Array {
  const frame: number[] = [FRAME_HAPROXY_HELLO, 0, 0, 0, FLAG_FIN, 0, 0];
  putString('supported-versions', frame);
  frame.push(DATA_STR);
  putString('2.0', frame);
  putString('max-frame-size', frame);
  frame.push(DATA_UINT32);
  encodeVarint(MAX_FRAME_SIZE, frame);
  putString('capabilities', frame);
  frame.push(DATA_STR);
  putString('', frame);
  putString('healthcheck', frame);
  frame.push(DATA_BOOL | DATA_TRUE);
  const out = new Uint8Array(4 + frame.length);
  new DataView(out.buffer).setUint32(0, frame.length);
  out.set(frame, 4);
  return out;
}

/** spoe_handle_agenthello_frame: 0 when the agent's HELLO is acceptable, else the SPOE error code. */
function agentHelloError(frame: FrameReader, size: number): number {
  if (frame.byte() !== FRAME_AGENT_HELLO) return ERR_INVALID;
  if (size < 7) return ERR_INVALID;
  const flags = ((frame.byte() << 24) | (frame.byte() << 16) | (frame.byte() << 8) | frame.byte()) >>> 0;
  if ((flags & FLAG_FIN) === 0) return ERR_FRAG_NOT_SUPPORTED;
  if (frame.byte() !== 0 || frame.byte() !== 0) return ERR_INVALID;
  let version = 0;
  let maxFrameSize = 0;
  while (frame.more) {
    const key = frame.buffer();
    if (key === undefined || key === '') return ERR_INVALID;
    if (key.startsWith('version')) {
      if ((frame.byte() & DATA_TYPE_MASK) !== DATA_STR) return ERR_INVALID;
      const text = frame.buffer();
      if (text === undefined) return ERR_INVALID;
      version = versionNumber(text);
      // 2.0 is the only version HAProxy 2.6 speaks (1.0 had a bug in its frame flags).
      if (version !== 2000) return ERR_BAD_VSN;
    } else if (key.startsWith('max-frame-size')) {
      if (!isInteger(frame.byte())) return ERR_INVALID;
      const size = frame.varint();
      if (size === undefined) return ERR_INVALID;
      if (size < MIN_FRAME_SIZE || size > MAX_FRAME_SIZE) return ERR_BAD_FRAME_SIZE;
      maxFrameSize = size;
    } else if (key.startsWith('capabilities')) {
      // Read only to validate it: a check negotiates nothing.
      if ((frame.byte() & DATA_TYPE_MASK) !== DATA_STR) return ERR_INVALID;
      if (frame.buffer() === undefined) return ERR_INVALID;
    } else if (!frame.skip()) {
      return ERR_INVALID;
    }
  }
  if (version === 0) return ERR_NO_VSN;
  if (maxFrameSize === 0) return ERR_NO_FRAME_SIZE;
  return 0;
}

/** spoe_handle_agentdiscon_frame: the status-code the agent gave (or why the frame is unreadable). */
function agentDisconnectCode(frame: FrameReader, size: number): number {
  frame.byte();
  if (size < 7) return ERR_INVALID;
  const flags = ((frame.byte() << 24) | (frame.byte() << 16) | (frame.byte() << 8) | frame.byte()) >>> 0;
  if ((flags & FLAG_FIN) === 0) return ERR_FRAG_NOT_SUPPORTED;
  if (frame.byte() !== 0 || frame.byte() !== 0) return ERR_INVALID;
  let code = 0;
  while (frame.more) {
    const key = frame.buffer();
    if (key === undefined || key === '') return ERR_INVALID;
    if (key.startsWith('status-code')) {
      if (!isInteger(frame.byte())) return ERR_INVALID;
      const value = frame.varint();
      if (value === undefined) return ERR_INVALID;
      code = value;
    } else if (key.startsWith('message')) {
      if ((frame.byte() & DATA_TYPE_MASK) !== DATA_STR) return ERR_INVALID;
      if (frame.buffer() === undefined) return ERR_INVALID;
    } else if (!frame.skip()) {
      return ERR_INVALID;
    }
  }
  return code;
}

/** tcpcheck_spop_expect_agenthello: waits for the whole frame (unless nothing more will come), then judges it. */
function agentHello(input: ExpectInput, rule: ExpectRule): CustomVerdict {
  const { data, length } = input;
  // The rule's `min-recv 4`: the frame length first.
  if (!input.lastRead && length < 4) return { kind: 'wait' };
  const at = (i: number): number => (i < length ? (data[i] as number) : 0);
  const size = ((at(0) << 24) | (at(1) << 16) | (at(2) << 8) | at(3)) >>> 0;
  if (!input.lastRead && length < 4 + size) return { kind: 'wait' };
  const end = Math.min(length, 4 + size);
  const first = at(4);
  // A DISCONNECT always fails the check, with the reason its status-code names ("normal" for 0).
  const code = first === FRAME_AGENT_DISCONNECT ? agentDisconnectCode(new FrameReader(data, 4, end), size) : agentHelloError(new FrameReader(data, 4, end), size);
  if (first !== FRAME_AGENT_DISCONNECT && code === 0) {
    const outcome: CheckOutcome = { status: rule.okStatus ?? 'L7OK', code: 0, desc: 'SPOA server is ok' };
    return { kind: 'done', outcome };
  }
  return { kind: 'done', outcome: { status: rule.errorStatus ?? 'L7RSP', code: 0, desc: reason(code) } };
}

export function spopCheck(): TcpCheckRule[] {
  return [
    { action: 'send', step: 1, data: spopHealthCheckRequest(), comment: undefined },
    expectRule(2, { match: 'custom', custom: agentHello, minRecv: 4, pattern: '' }),
  ];
}
