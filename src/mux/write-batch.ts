/**
 * Frames written while one socket's input is processed go out together when that processing
 * ends. A read from an HTTP/2 server can carry thirty responses bound for ten client
 * connections, and a read from an HTTP/2 client a hundred requests bound for one server
 * connection: without this, each frame is its own write system call; with it, each connection
 * touched writes once per read, as HAProxy's muxes send once per wakeup.
 *
 * Only the HTTP/2 connections enlist: an HTTP/1 socket carries one message at a time, so there
 * is nothing to join. The state is per thread (one event loop each), and a batch never outlives
 * the synchronous handling of one read, so nothing waits for a later turn of the loop.
 */

import type { Socket } from '../runtime.ts';

/** Held frames up to this size are joined into one write; past it, copying costs more than a call. */
const JOIN_LIMIT = 16 * 1024;

/**
 * Writes `frames` (`bytes` in all) to `socket`: one write when they are small enough to join.
 * Returns false when the socket's queue is full, as Socket.write.
 */
export function writeFrames(socket: Socket, frames: readonly Uint8Array[], bytes: number): boolean {
  const n = frames.length;
  if (n === 1) return socket.write(frames[0]!);
  if (bytes <= JOIN_LIMIT) {
    const joined = new Uint8Array(bytes);
    let at = 0;
    for (let i = 0; i < n; i++) {
      joined.set(frames[i]!, at);
      at += frames[i]!.byteLength;
    }
    return socket.write(joined);
  }
  let room = true;
  for (let i = 0; i < n; i++) room = socket.write(frames[i]!) && room;
  return room;
}

/** A connection holding frames until the batch ends. */
export interface BatchedWriter {
  /** Sends what it held during the batch. */
  endWriteBatch(): void;
}

let depth = 0;
const enlisted: BatchedWriter[] = [];

/** Whether writes made now would join a batch (a connection enlists with `enlistWriter` first). */
export function writeBatchOpen(): boolean {
  return depth > 0;
}

/** `writer` holds its frames until the batch ends; each writer enlists once per batch. */
export function enlistWriter(writer: BatchedWriter): void {
  enlisted.push(writer);
}

/** Starts (or nests into) a batch: pair it with `endWriteBatch` in a `finally`. */
export function beginWriteBatch(): void {
  depth++;
}

/** Ends a batch; the outermost end flushes every enlisted writer, once each. */
export function endWriteBatch(): void {
  if (--depth > 0) return;
  // Writes made while flushing go straight out (depth is 0): a flush never enlists again. One
  // writer's failure must not leave the others holding their frames.
  let failure: unknown;
  for (let i = 0; i < enlisted.length; i++) {
    try {
      enlisted[i]!.endWriteBatch();
    } catch (error) {
      failure ??= error;
    }
  }
  enlisted.length = 0;
  if (failure !== undefined) throw failure;
}
