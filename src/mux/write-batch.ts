/**
 * Frames written while one socket's input is processed go out together when that processing
 * ends. A read from an HTTP/2 server can carry thirty responses bound for ten client
 * connections, and a read from an HTTP/2 client a hundred requests bound for one server
 * connection: without this, each frame is its own write system call; with it, each connection
 * touched writes once per read, as HAProxy's muxes send once per wakeup.
 *
 * Only the HTTP/2 connections enlist: an HTTP/1 socket carries one message at a time, so there
 * is nothing to join. The state is per thread (one event loop each). A batch lasts the handling
 * of one read, or, where the runtime can run a callback once the loop's round of I/O is over
 * (Runtime.afterIo), that whole round: never into a later round.
 */

import type { Socket } from '../runtime.ts';
import { allocFromSlab } from '../http/codec/chars.ts';

/**
 * Held frames are joined into writes of up to this many bytes. A DATA frame's 9-byte header is
 * its own small array: written apart from its payload it is a system call (and on loopback a
 * TCP segment) of its own, which cost 1 MiB HTTP/2 responses far more than copying each byte once.
 */
const JOIN_LIMIT = 64 * 1024;
/** Up to this size held frames are joined even where the runtime gathers: one copy of a few small frames is cheaper than a write() call per frame. */
const JOIN_ALWAYS = 16 * 1024;

/**
 * Writes `frames` (`bytes` in all) to `socket`: joined when small; else gathered by the runtime
 * where it can, or joined into writes of at most JOIN_LIMIT bytes (a larger frame goes alone, uncopied). Returns false when the socket's queue is full, as
 * Socket.write.
 */
export function writeFrames(socket: Socket, frames: readonly Uint8Array[], bytes: number): boolean {
  const n = frames.length;
  if (n === 1) return socket.write(frames[0]!);
  if (bytes <= JOIN_ALWAYS) return socket.write(joined(frames, 0, n, bytes));
  if (socket.writeGathered !== undefined) return socket.writeGathered(frames);
  if (bytes <= JOIN_LIMIT) return socket.write(joined(frames, 0, n, bytes));
  let room = true;
  let first = 0;
  let size = 0;
  for (let i = 0; i < n; i++) {
    const length = frames[i]!.byteLength;
    if (i > first && size + length > JOIN_LIMIT) {
      room = socket.write(joined(frames, first, i, size)) && room;
      first = i;
      size = 0;
    }
    size += length;
  }
  return socket.write(joined(frames, first, n, size)) && room;
}

/** frames[from..to) as one array (the frame itself when there is one). */
function joined(frames: readonly Uint8Array[], from: number, to: number, size: number): Uint8Array {
  if (to - from === 1) return frames[from]!;
  // A slab view where it fits (a fresh array is a backing store to allocate and collect).
  const out = allocFromSlab(size);
  let at = 0;
  for (let i = from; i < to; i++) {
    out.set(frames[i]!, at);
    at += frames[i]!.byteLength;
  }
  return out;
}

/** A connection holding frames until the batch ends. */
export interface BatchedWriter {
  /** Sends what it held during the batch. */
  endWriteBatch(): void;
}

let depth = 0;
const enlisted: BatchedWriter[] = [];
/** A flush waits for the end of the loop's round of I/O (see `enlistWriter`). */
let flushScheduled = false;
let flushing = false;

/** What a connection's runtime offers for holding its frames past the read being handled. */
export interface BatchRuntime {
  afterIo?(callback: () => void): void;
}

/**
 * Whether writes made now by a connection of `runtime` would join a batch (it enlists with
 * `enlistWriter` first): inside a read's batch, or at any time where the runtime can hold the
 * batch until the loop's round of I/O is over (never while that batch is being flushed).
 */
export function writeBatchOpen(runtime: BatchRuntime | undefined): boolean {
  return depth > 0 || (runtime?.afterIo !== undefined && !flushing);
}

/**
 * `writer` holds its frames until the batch ends; each writer enlists once per batch. Where the
 * runtime has `afterIo`, the batch ends when the event loop has handled every socket that was
 * ready, not when this read ends: an HTTP/1 server connection answers one request per read, so
 * an HTTP/2 client connection with a hundred streams on it would otherwise get a write per
 * response. This is HAProxy's way: its muxes send once the poller's events are all handled.
 */
export function enlistWriter(writer: BatchedWriter, runtime: BatchRuntime | undefined): void {
  enlisted.push(writer);
  if (!flushScheduled && runtime?.afterIo !== undefined) {
    flushScheduled = true;
    runtime.afterIo(flushEnlisted);
  }
}

/** Starts (or nests into) a batch: pair it with `endWriteBatch` in a `finally`. */
export function beginWriteBatch(): void {
  depth++;
}

/** Ends a batch; the outermost end flushes every enlisted writer, once each, unless a flush after the round of I/O is due. */
export function endWriteBatch(): void {
  if (--depth > 0 || flushScheduled) return;
  flushEnlisted();
}

function flushEnlisted(): void {
  flushScheduled = false;
  // Writes made while flushing go straight out: a flush never enlists again. One writer's
  // failure must not leave the others holding their frames.
  flushing = true;
  let failure: unknown;
  for (let i = 0; i < enlisted.length; i++) {
    try {
      enlisted[i]!.endWriteBatch();
    } catch (error) {
      failure ??= error;
    }
  }
  enlisted.length = 0;
  flushing = false;
  if (failure !== undefined) throw failure;
}
