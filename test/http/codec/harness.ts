/**
 * Drives the codec over a byte stream cut into arbitrary pieces, the way a connection would:
 * head parser -> body framer -> next (pipelined) message, and summarises everything observable
 * (head fields, bytes consumed per message, payload, error code/status) so results for different
 * split points can be compared with deepEqual.
 */
import {
  BodyFramer,
  HttpParseError,
  type HeadParserOptions,
  RequestHead,
  RequestHeadParser,
  ResponseHead,
  ResponseHeadParser,
  latin1Bytes,
  latin1String,
} from '../../../src/http/codec/index.ts';

export type Kind = 'request' | 'response';

export interface MessageSummary {
  head: Record<string, unknown>;
  headBytes: number;
  bodyMode: string;
  bodyBytes: number;
  payload: string;
}

export interface StreamSummary {
  messages: MessageSummary[];
  error?: { code: string; status: number; phase: 'head' | 'body'; offset: number };
  /** Bytes after a 101 / CONNECT 2xx response (tunnelled, not parsed). */
  tunnel?: string;
  /** The stream ended inside a message (more bytes were expected). */
  pending: boolean;
}

export function requestSummary(h: RequestHead): Record<string, unknown> {
  return {
    method: h.method,
    target: h.target,
    versionMinor: h.versionMinor,
    oddVersion: h.oddVersion,
    headers: h.entries(),
    contentLength: h.contentLength,
    chunked: h.chunked,
    keepAlive: h.keepAlive,
    mustClose: h.mustClose,
    smuggleSuspect: h.smuggleSuspect,
    upgrade: h.upgrade,
    expectContinue: h.expectContinue,
    spacedRequestLine: h.spacedRequestLine,
    host: h.host,
    hostFromTarget: h.hostFromTarget,
    raw: latin1String(h.raw, 0, h.raw.length),
  };
}

export function responseSummary(h: ResponseHead): Record<string, unknown> {
  return {
    status: h.status,
    reason: h.reason,
    versionMinor: h.versionMinor,
    oddVersion: h.oddVersion,
    headers: h.entries(),
    contentLength: h.contentLength,
    chunked: h.chunked,
    closeDelimited: h.closeDelimited,
    keepAlive: h.keepAlive,
    mustClose: h.mustClose,
    smuggleSuspect: h.smuggleSuspect,
    upgrade: h.upgrade,
    raw: latin1String(h.raw, 0, h.raw.length),
  };
}

export interface RunOptions extends HeadParserOptions {
  /** For responses: the method of the request each response answers (default GET). */
  methods?: readonly string[];
  /** Call eof() on the framer at the end of input (connection closed). Default true. */
  eof?: boolean;
}

/** Feeds `pieces` in order through one parser + framer pair, like one connection. */
export function runStream(kind: Kind, pieces: readonly Uint8Array[], opts: RunOptions = {}): StreamSummary {
  const parser = kind === 'request' ? new RequestHeadParser(opts) : new ResponseHeadParser(opts);
  const framer = new BodyFramer({ maxHeadSize: opts.maxHeadSize, maxHeaders: opts.maxHeaders });
  let payload = '';
  framer.onData = (c, s, e) => {
    payload += latin1String(c, s, e);
  };
  const out: StreamSummary = { messages: [], pending: false };
  let phase: 'head' | 'body' | 'tunnel' = 'head';
  let cur: MessageSummary | undefined;
  let tunnel = '';
  let index = 0;

  const finishBody = (): void => {
    cur!.bodyBytes = framer.bytesConsumed;
    cur!.payload = payload;
    out.messages.push(cur!);
    cur = undefined;
  };

  for (const piece of pieces) {
    let off = 0;
    while (off < piece.length) {
      if (phase === 'tunnel') {
        tunnel += latin1String(piece, off, piece.length);
        off = piece.length;
        break;
      }
      if (phase === 'head') {
        try {
          off += parser.feed(piece, off);
        } catch (err) {
          return withError(out, err, 'head');
        }
        if (!parser.done) continue;
        const head = parser.head!;
        payload = '';
        let tunnelAfter = false;
        if (head instanceof RequestHead) {
          cur = { head: requestSummary(head), headBytes: parser.bytesReceived, bodyMode: '', bodyBytes: 0, payload: '' };
          framer.startRequest(head);
        } else {
          const method = opts.methods?.[index] ?? 'GET';
          const res = head as ResponseHead;
          cur = { head: responseSummary(res), headBytes: parser.bytesReceived, bodyMode: '', bodyBytes: 0, payload: '' };
          framer.startResponse(res, method);
          tunnelAfter = res.status === 101 || (method === 'CONNECT' && res.status >= 200 && res.status < 300);
          if (!res.interim) index++;
        }
        if (head instanceof RequestHead) index++;
        cur.bodyMode = framer.mode;
        parser.reset();
        if (framer.done) {
          finishBody();
          phase = tunnelAfter ? 'tunnel' : 'head';
        } else {
          phase = 'body';
        }
      } else {
        try {
          off += framer.feed(piece, off);
        } catch (err) {
          return withError(out, err, 'body');
        }
        if (framer.done) {
          finishBody();
          phase = 'head';
        }
      }
    }
  }
  if (phase === 'body') {
    if (opts.eof === false) {
      out.pending = true;
    } else {
      try {
        framer.eof();
        finishBody();
      } catch (err) {
        out.pending = true;
        return withError(out, err, 'body');
      }
    }
  } else if (phase === 'head' && parser.inProgress) {
    out.pending = true;
  }
  if (phase === 'tunnel' || tunnel.length > 0) out.tunnel = tunnel;
  return out;
}

function withError(out: StreamSummary, err: unknown, phase: 'head' | 'body'): StreamSummary {
  if (!(err instanceof HttpParseError)) throw err;
  out.error = { code: err.code, status: err.status, phase, offset: err.offset };
  return out;
}

/** Splits bytes at the given ascending cut points (views, no copies). */
export function cut(bytes: Uint8Array, points: readonly number[]): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    pieces.push(bytes.subarray(prev, p));
    prev = p;
  }
  pieces.push(bytes.subarray(prev));
  return pieces;
}

/** Small deterministic PRNG (mulberry32) so failures reproduce. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random ascending cut points in (0, len). */
export function randomCuts(len: number, rand: () => number, count: number): number[] {
  const set = new Set<number>();
  for (let i = 0; i < count && len > 1; i++) set.add(1 + Math.floor(rand() * (len - 1)));
  return [...set].sort((a, b) => a - b);
}

/**
 * Every way of cutting `bytes` that the split tests use: each single cut point, byte-at-a-time,
 * and several random multi-cuts. Yields [label, pieces].
 */
export function* splits(bytes: Uint8Array, seed = 1): Generator<[string, Uint8Array[]]> {
  for (let i = 1; i < bytes.length; i++) yield [`split at ${i}`, cut(bytes, [i])];
  if (bytes.length > 1) yield ['byte by byte', cut(bytes, Array.from({ length: bytes.length - 1 }, (_, i) => i + 1))];
  const rand = prng(seed);
  for (let k = 0; k < 8; k++) {
    const points = randomCuts(bytes.length, rand, 2 + Math.floor(rand() * 6));
    yield [`cuts ${points.join(',')}`, cut(bytes, points)];
  }
}

export const bytes = latin1Bytes;
