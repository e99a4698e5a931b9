/**
 * HAProxy's buffer geometry: `tune.bufsize` (default 16384) is the size of a channel's buffer,
 * `tune.maxrewrite` (default 1024, at most half the buffer) the part kept free for rules to add
 * to a message. A message head, or the head and body bytes the analysers hold, may fill
 * `room` = size - reserve: beyond it a head is too large (400/502) and a held body is "full".
 */
export interface BufferSizes {
  readonly size: number;
  readonly reserve: number;
  readonly room: number;
}

export const DEFAULT_BUFSIZE = 16384;
export const DEFAULT_MAXREWRITE = 1024;

/** The effective sizes (haproxy.c caps maxrewrite at half the buffer). */
export function bufferSizes(tune: { readonly bufsize?: number | undefined; readonly maxrewrite?: number | undefined } | undefined): BufferSizes {
  const size = tune?.bufsize ?? DEFAULT_BUFSIZE;
  let reserve = tune?.maxrewrite ?? DEFAULT_MAXREWRITE;
  if (reserve >= size / 2) reserve = Math.floor(size / 2);
  return { size, reserve, room: size - reserve };
}

export const DEFAULT_BUFFER_SIZES: BufferSizes = bufferSizes(undefined);
