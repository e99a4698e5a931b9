/**
 * An HTTP/1 message captured for `show errors` as HAProxy 2.6's mux_h1 takes it
 * (h1_capture_bad_message): the input buffer's bytes, the error position, and the H1 mux's
 * connection, stream and message flags of the moment, which Switchyard derives from what it
 * knows (it has no such flags) and from the bytes (h1-error-state.ts). Only on an error.
 */
import type { ErrorCapture } from '../proxy/error-captures.ts';
import { H1_MF, H1_MSG, h1StateAt } from '../http/h1-error-state.ts';

// mux_h1.c's flags
const H1C_F_IN_FULL = 0x20;
const H1C_F_ST_EMBRYONIC = 0x100;
const H1C_F_ST_ATTACHED = 0x200;
const H1C_F_ST_READY = 0x2000;
const H1C_F_IS_BACK = 0x80000000;
const H1S_F_WANT_KAL = 0x10;
const H1S_F_NOT_FIRST = 0x80;
const H1S_F_BODYLESS_RESP = 0x100;
const H1S_F_PARSING_ERROR = 0x800;
const H1S_F_HAVE_O_CONN = 0x4000;

/** HAProxy aligns an empty input buffer's data after room for an HTX header (sizeof(struct htx)). */
const HTX_HEADER_SIZE = 48;
/** What its H1 mux reads at most into the input buffer: the room of an HTX message's data (buf_room_for_htx_data). */
const htxRoom = (bufsize: number): number => bufsize - HTX_HEADER_SIZE - 2 * 8;

/** A head too large is captured as HAProxy's full buffer: as much as it reads, the error at its end. */
function filled<T extends CaptureCommon>(info: T): T {
  if (info.full !== true) return info;
  const bytes = clip(info.bytes, htxRoom(info.bufsize));
  return { ...info, bytes, errorAt: bytes.byteLength };
}

export interface NamedId {
  readonly name: string;
  readonly id: number;
}

export interface CaptureCommon {
  /** The input buffer: the message's bytes and what came after them in the same reads. */
  readonly bytes: Uint8Array;
  readonly errorAt: number;
  /** Refused (400/502), or let through by `option accept-invalid-http-*`. */
  readonly refused: boolean;
  readonly sourceAddress: string;
  readonly sourcePort: number;
  readonly when: number;
  /** tune.bufsize: HAProxy's buffer holds no more. */
  readonly bufsize: number;
  /**
   * The head the parser's state is derived from, and where: the end of the head for an error
   * found after it (an option let it through, or the body's), HAProxy capturing then. By default
   * `bytes` at `errorAt`.
   */
  readonly stateOf?: { readonly bytes: Uint8Array; readonly at: number } | undefined;
  /** Where the message starts in HAProxy's buffer: after the requests pipelined before it in the same read. */
  readonly bufferOffset?: number | undefined;
  /** A header's value refused once its line was read: HAProxy is then past the line (HDR_L2_LWS). */
  readonly valueError?: boolean | undefined;
  /** The head did not fit: HAProxy's buffer was full (H1C_F_IN_FULL), its parser stopped at its end. */
  readonly full?: boolean | undefined;
}

/** What the mux saw of an invalid message: the rest (names, addresses) the stream adds. */
export interface CapturedWire {
  readonly bytes: Uint8Array;
  readonly errorAt: number;
  readonly refused: boolean;
  /** The head, when the error was found after it (see CaptureCommon.stateOf). */
  readonly head?: Uint8Array | undefined;
  readonly bufferOffset?: number | undefined;
  readonly valueError?: boolean | undefined;
  readonly full?: boolean | undefined;
}

export interface RequestCaptureInfo extends CaptureCommon {
  readonly frontend: string;
  /** The stream's backend once one was chosen (a body error), else undefined. */
  readonly backend: string | undefined;
  readonly server: NamedId | undefined;
  /** Not the connection's first request. */
  readonly notFirst: boolean;
  /** The stream exists (the head was accepted before): a body error. */
  readonly attached: boolean;
}

export interface ResponseCaptureInfo extends CaptureCommon {
  readonly backend: string;
  readonly frontend: string;
  readonly server: NamedId | undefined;
  /** The request's method: a HEAD's or CONNECT's response is parsed knowing it. */
  readonly method: string;
}

/** A head and the bytes after it, in one copy (a capture's buffer). */
export function joinedBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a, 0);
  out.set(b, a.byteLength);
  return out;
}

function clip(bytes: Uint8Array, bufsize: number): Uint8Array {
  return bytes.byteLength > bufsize ? bytes.slice(0, bufsize) : bytes;
}

/** What a request's and a response's capture share; `connFlags`/`streamFlags` are the mux's. */
function captureOf(info: CaptureCommon & { readonly server: NamedId | undefined }, response: boolean, proxy: string, otherEnd: string | undefined, msg: ReturnType<typeof h1StateAt>, connFlags: number, streamFlags: number): ErrorCapture {
  return {
    response,
    proxy,
    otherEnd,
    server: info.server?.name,
    serverId: info.server?.id ?? -1,
    when: info.when,
    sourceAddress: info.sourceAddress,
    sourcePort: info.sourcePort,
    bytes: clip(info.bytes, info.bufsize),
    errorAt: info.errorAt,
    wrapsAt: info.bufsize - HTX_HEADER_SIZE - (info.bufferOffset ?? 0),
    h1: {
      connFlags,
      streamFlags,
      state: info.valueError === true ? H1_MSG.HDR_L2_LWS : msg.state,
      msgFlags: msg.flags,
      chunkLen: msg.chunkLen,
      bodyLen: msg.bodyLen,
    },
  };
}

export function requestCapture(given: RequestCaptureInfo): ErrorCapture {
  const info = filled(given);
  const msg = h1StateAt(info.stateOf?.bytes ?? info.bytes, info.stateOf?.at ?? info.errorAt, false, H1_MF.NO_PHDR | H1_MF.CLEAN_CONN_HDR);
  const connFlags = (info.attached ? H1C_F_ST_ATTACHED | H1C_F_ST_READY : H1C_F_ST_EMBRYONIC) | (info.full === true ? H1C_F_IN_FULL : 0);
  const streamFlags = H1S_F_WANT_KAL | (info.notFirst ? H1S_F_NOT_FIRST : 0) | (info.refused ? H1S_F_PARSING_ERROR : 0);
  return captureOf(info, false, info.frontend, info.backend, msg, connFlags, streamFlags);
}

export function responseCapture(given: ResponseCaptureInfo): ErrorCapture {
  const info = filled(given);
  const head = info.method === 'HEAD';
  const initial = H1_MF.NO_PHDR | H1_MF.CLEAN_CONN_HDR | H1_MF.RESP | (head ? H1_MF.METH_HEAD : 0) | (info.method === 'CONNECT' ? H1_MF.METH_CONNECT : 0);
  const msg = h1StateAt(info.stateOf?.bytes ?? info.bytes, info.stateOf?.at ?? info.errorAt, true, initial);
  // unsigned, as HAProxy's (bit 31 is the backend's)
  const connFlags = (H1C_F_IS_BACK | H1C_F_ST_ATTACHED | H1C_F_ST_READY | (info.full === true ? H1C_F_IN_FULL : 0)) >>> 0;
  // the request went out (its connection header was processed: HAVE_O_CONN)
  const streamFlags = H1S_F_HAVE_O_CONN | H1S_F_WANT_KAL | (head ? H1S_F_BODYLESS_RESP : 0) | (info.refused ? H1S_F_PARSING_ERROR : 0);
  return captureOf(info, true, info.backend, info.frontend, msg, connFlags, streamFlags);
}
