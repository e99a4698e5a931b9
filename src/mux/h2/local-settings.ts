/**
 * The SETTINGS an HTTP/2 connection of ours announces, on either side (HAProxy 2.6's
 * h2c_send_settings): only what differs from the protocol's defaults, in HAProxy's order, from
 * the generation's `tune.h2.*` (src/config/keywords/h2-tune.ts). Toward a server (the backend
 * side) ENABLE_PUSH=0 comes first; both sides offer extended CONNECT (RFC 8441) unless
 * `h2-workaround-bogus-websocket-clients` is set (HAProxy's GTUNE_DISABLE_H2_WEBSOCKET, which
 * h2c_send_settings checks on both sides too) and announce MAX_CONCURRENT_STREAMS (100 unless
 * tuned; 0 means unlimited and is then not sent).
 */
import { DEFAULT_MAX_FRAME_SIZE, DEFAULT_WINDOW, Setting } from '../../http/h2/index.ts';

export interface H2Options {
  /** 0 = unlimited (then not announced). */
  maxConcurrentStreams?: number | undefined;
  headerTableSize?: number | undefined;
  initialWindowSize?: number | undefined;
  maxFrameSize?: number | undefined;
  /** `h2-workaround-bogus-websocket-clients`: SETTINGS_ENABLE_CONNECT_PROTOCOL is not sent (either side). */
  noExtendedConnect?: boolean | undefined;
}

/** HAProxy's default tune.h2.max-concurrent-streams. */
export const DEFAULT_MAX_CONCURRENT_STREAMS = 100;
/** HAProxy announces at most tune.bufsize as its frame size; the protocol's floor is 16384. */
const BUFSIZE = 16384;

/** What the options come to: the values this side enforces, and the SETTINGS pairs it sends. */
export interface LocalSettings {
  /** As configured (0: unlimited). */
  readonly maxConcurrentStreams: number;
  readonly headerTableSize: number;
  readonly initialWindowSize: number;
  /** The largest frame we accept (tune.h2.max-frame-size capped at the buffer size). */
  readonly maxFrameSize: number;
  readonly pairs: readonly (readonly [number, number])[];
}

export function localSettings(opts: H2Options, backSide: boolean): LocalSettings {
  const maxConcurrentStreams = opts.maxConcurrentStreams ?? DEFAULT_MAX_CONCURRENT_STREAMS;
  const headerTableSize = opts.headerTableSize ?? 4096;
  const initialWindowSize = opts.initialWindowSize ?? DEFAULT_WINDOW;
  const maxFrameSize = Math.min(opts.maxFrameSize || BUFSIZE, BUFSIZE);
  const pairs: [number, number][] = [];
  if (backSide) pairs.push([Setting.ENABLE_PUSH, 0]);
  if (opts.noExtendedConnect !== true) pairs.push([Setting.ENABLE_CONNECT_PROTOCOL, 1]);
  if (headerTableSize !== 4096) pairs.push([Setting.HEADER_TABLE_SIZE, headerTableSize]);
  if (initialWindowSize !== DEFAULT_WINDOW) pairs.push([Setting.INITIAL_WINDOW_SIZE, initialWindowSize]);
  if (maxConcurrentStreams !== 0) pairs.push([Setting.MAX_CONCURRENT_STREAMS, maxConcurrentStreams]);
  if (maxFrameSize !== DEFAULT_MAX_FRAME_SIZE) pairs.push([Setting.MAX_FRAME_SIZE, maxFrameSize]);
  return { maxConcurrentStreams, headerTableSize, initialWindowSize, maxFrameSize, pairs };
}
