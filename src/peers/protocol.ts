/**
 * The framing of HAProxy's peers protocol v2.1 (src/peers.c):
 *
 * - the handshake is text: the connecting side sends `HAProxyS 2.1\n<remote peer name>\n<local
 *   peer name> <pid> <relative pid>\n`; the accepting side answers a status line (`200` success,
 *   `300` try again later, `501` protocol error, `502` bad version, `503` the name we were
 *   called by is not ours, `504` the caller is not one of our peers);
 * - then binary messages: a class byte and a type byte; types from 128 up (the stick-table
 *   messages) are followed by a varint length and that many bytes.
 */
import { ByteReader, ByteWriter, Truncated, varintBytes } from './wire.ts';

export const PROTOCOL_NAME = 'HAProxyS';
export const VERSION = '2.1';

export const MsgClass = {
  control: 0,
  error: 1,
  stickTable: 10,
  reserved: 255,
} as const;
export type MsgClass = (typeof MsgClass)[keyof typeof MsgClass];

export const ControlMsg = {
  resyncRequest: 0,
  resyncFinished: 1,
  resyncPartial: 2,
  resyncConfirm: 3,
  heartbeat: 4,
} as const;
export type ControlMsg = (typeof ControlMsg)[keyof typeof ControlMsg];

export const ErrorMsg = {
  protocol: 0,
  sizeLimit: 1,
} as const;
export type ErrorMsg = (typeof ErrorMsg)[keyof typeof ErrorMsg];

export const TableMsg = {
  update: 0x80,
  incrementalUpdate: 0x81,
  define: 0x82,
  switchTable: 0x83,
  ack: 0x84,
  updateTimed: 0x85,
  incrementalUpdateTimed: 0x86,
} as const;
export type TableMsg = (typeof TableMsg)[keyof typeof TableMsg];

export const Status = {
  success: 200,
  tryAgain: 300,
  protocolError: 501,
  badVersion: 502,
  badHost: 503,
  unknownPeer: 504,
} as const;
export type Status = (typeof Status)[keyof typeof Status];

/** The largest message body accepted (HAProxy's trash buffer, tune.bufsize). */
export const MAX_MESSAGE = 16384;

/** What the connecting side sends first. */
export function helloMessage(remote: string, local: string, pid: number): string {
  return `${PROTOCOL_NAME} ${VERSION}\n${remote}\n${local} ${pid} 1\n`;
}

/** Checks a hello's first line: the status to answer when it is not acceptable, else undefined. */
export function checkVersionLine(line: string): Status | undefined {
  if (!line.startsWith(`${PROTOCOL_NAME} `)) return Status.protocolError;
  const m = /^(\d+)\.(\d+)$/.exec(line.slice(PROTOCOL_NAME.length + 1));
  if (m === null || m[1] !== '2' || Number(m[2]) > 1) return Status.badVersion;
  return undefined;
}

/** One framed message found in a buffer. */
export interface Frame {
  readonly cls: number;
  readonly type: number;
  /** The body (empty for messages without one). */
  readonly body: ByteReader;
  /** Where the next message starts. */
  readonly next: number;
}

/** The message at `pos`, 'incomplete' when more bytes are needed, 'oversized' past MAX_MESSAGE. */
export function readFrame(bytes: Uint8Array, pos: number, end: number): Frame | 'incomplete' | 'oversized' {
  if (end - pos < 2) return 'incomplete';
  const cls = bytes[pos] as number;
  const type = bytes[pos + 1] as number;
  if (type < 0x80) return { cls, type, body: new ByteReader(bytes, pos + 2, pos + 2), next: pos + 2 };
  const header = new ByteReader(bytes, pos + 2, end);
  let length: number;
  try {
    length = header.varint();
  } catch (error) {
    if (error instanceof Truncated) return 'incomplete';
    throw error;
  }
  if (length > MAX_MESSAGE) return 'oversized';
  if (header.pos + length > end) return 'incomplete';
  return { cls, type, body: new ByteReader(bytes, header.pos, header.pos + length), next: header.pos + length };
}

/** A message without a body (control and error classes). */
export function shortMessage(cls: number, type: number): Uint8Array {
  return Uint8Array.of(cls, type);
}

/** Frames a stick-table message whose body `write` produces. */
export function tableMessage(type: number, write: (w: ByteWriter) => void): Uint8Array {
  const body = new ByteWriter();
  write(body);
  const length = varintBytes(body.length);
  const out = new Uint8Array(2 + length.length + body.length);
  out[0] = MsgClass.stickTable;
  out[1] = type;
  out.set(length, 2);
  out.set(body.view(), 2 + length.length);
  return out;
}
