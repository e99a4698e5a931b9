import type { Timeouts, TuneModel } from '../config/model.ts';
import type { Backend } from '../proxy/backend.ts';
import { sessionOpened } from '../proxy/counters.ts';
import { clientSessionEnded, type ProxySession, type SessionHost } from '../proxy/session.ts';
import type { Runtime, Socket, SocketError, SocketHandler, TimerHandle } from '../runtime.ts';
import { HttpParseError, type ResponseHead } from '../http/codec/index.ts';
import {
  DEFAULT_MAX_FRAME_SIZE,
  DEFAULT_WINDOW,
  ErrorCode,
  Flag,
  FrameReader,
  FrameType,
  H2Error,
  HeaderList,
  HpackDecoder,
  HpackEncoder,
  HpackError,
  MAX_WINDOW,
  PREFACE,
  SETTINGS_ACK,
  Setting,
  dataFrameHeader,
  goawayFrame,
  headersFrames,
  pingAckFrame,
  readUint32,
  rstStreamFrame,
  settingsFrame,
  staticStatusIndex,
  windowUpdateFrame,
  type Frame,
} from '../http/h2/index.ts';
import { ConnectionInfo } from '../proxy/connection-info.ts';
import { h2FieldName } from './h2/field-name.ts';
import { H2Stream } from './h2/stream-side.ts';
import { requestHeadFromFields, type RequestFacts } from './h2/request-head.ts';
import { isConnectionSpecific } from './h2/response-translator.ts';
import { goawayAnswersError, type H2Counters } from './h2/h2-counters.ts';
import { localSettings, type H2Options } from './h2/local-settings.ts';
import { beginWriteBatch, endWriteBatch, enlistWriter, writeBatchOpen, writeFrames, type BatchedWriter } from './write-batch.ts';
import { addToListener } from '../proxy/listener-stats.ts';
import type { SoftStopClosing } from '../proxy/soft-stop-closing.ts';
export type { H2Options } from './h2/local-settings.ts';

/** Largest header block (HEADERS + CONTINUATION) gathered before the connection is refused. */
const MAX_HEADER_BLOCK = 65536;
/** Fields of a request once it is an HTTP/1 head (Host, the joined cookies and framing included). */
const MAX_REQUEST_FIELDS = 100;
/** Largest decoded header list kept (RFC 9113's measure); beyond, the stream is refused. */
const MAX_HEADER_LIST = 65536;
/** Misbehaviour tolerated before ENHANCE_YOUR_CALM (see #glitch). */
const GLITCH_LIMIT = 100;
/** Control answers (SETTINGS/PING ACKs) queued while the client does not read, before ENHANCE_YOUR_CALM. */
const CONTROL_FLOOD_LIMIT = 1000;
/** How many reset stream ids are remembered (see #recentlyReset). */
const RECENT_RESETS = 32;
/** The highest stream id (RFC 9113 §5.1.1): what a stopping proxy's GOAWAY announces. */
const MAX_STREAM_ID = 0x7fffffff;

type State = 'preface' | 'open' | 'closing' | 'closed';

/** The mux's options from the generation's `tune.h2.*` (src/config/keywords/h2-tune.ts). */
export function h2OptionsOf(tune: TuneModel | undefined): H2Options {
  return {
    maxConcurrentStreams: tune?.h2MaxConcurrentStreams,
    headerTableSize: tune?.h2HeaderTableSize,
    initialWindowSize: tune?.h2InitialWindowSize,
    maxFrameSize: tune?.h2MaxFrameSize,
    noExtendedConnect: tune?.h2NoExtendedConnect,
  };
}

/**
 * The client side of an HTTP/2 connection (HAProxy's mux_h2, frontend side): the preface and
 * SETTINGS, HPACK state, stream states and concurrency, flow control both ways, PING, GOAWAY,
 * and limits against abuse. Each stream is an H2Stream driving its own HttpStream through
 * the HttpClientSide seam, so rules, balancing, the server side and logs are the HTTP/1 ones.
 * Errors follow RFC 9113 §5.4: a connection error sends GOAWAY and closes, a stream error
 * sends RST_STREAM and the connection goes on.
 */
export class H2ClientConnection implements ProxySession, SocketHandler, BatchedWriter {
  readonly client: Socket;
  readonly connection: ConnectionInfo;
  readonly host: SessionHost;
  readonly runtime: Runtime;
  readonly defaultBackend: Backend | undefined;
  now: number;
  /** Streams opened on this connection (each is a transaction). */
  streamsOpened = 0;

  readonly #maxStreams: number;
  /** A new stream's receive window (`tune.h2.initial-window-size`). */
  readonly #streamWindow: number;
  readonly #timeouts: { request: number | undefined; keepAlive: number | undefined; client: number | undefined; shut: number | undefined };
  readonly #reader = new FrameReader();
  readonly #decoder: HpackDecoder;
  /** The frontend's h2 stats module counters. */
  readonly #h2: H2Counters;
  readonly #encoder = new HpackEncoder();
  readonly #fields = new HeaderList();
  readonly #facts: RequestFacts = { contentLength: -1, chunked: false };
  readonly #streams = new Map<number, H2Stream>();
  /** Streams whose response waits for flow-control credit or the socket. */
  readonly #blocked = new Set<H2Stream>();
  /**
   * The last streams we reset: frames the client sent before it saw our RST_STREAM are ignored
   * for them (RFC 9113 §5.4.2), not treated as frames on a long-closed stream.
   */
  readonly #recentlyReset = new Int32Array(RECENT_RESETS);
  #recentAt = 0;
  /** Streams that received DATA during the current read (their credit goes out at its end). */
  readonly #owing: H2Stream[] = [];
  #state: State = 'preface';
  #prefaceSeen = 0;
  #settingsSeen = false;
  /** The client acknowledged our SETTINGS: a smaller initial window than the default binds it only from then on. */
  #settingsAcked = false;
  #lastStreamId = 0;
  /**
   * The last stream id our GOAWAY announced (HAProxy's last_sid), -1 before one: streams above
   * it are not served, and the connection ends once it has none and reached it.
   */
  #lastSid = -1;
  #goawaySent = false;
  /** When our first GOAWAY went: an idle connection after it lasts `timeout client-fin` from then on. */
  #goawayAt = 0;
  #clientGoaway = false;
  /** Set by a soft stop: how this connection is to end (src/proxy/soft-stop-closing.ts). */
  #stop: SoftStopClosing | undefined = undefined;
  /** When a spread soft stop closes this connection while it has no stream. */
  #drainDeadline = Infinity;
  #clientEnded = false;
  #clientClosed = false;
  /** The peer's settings. */
  #peerInitialWindow = DEFAULT_WINDOW;
  #peerMaxFrame = DEFAULT_MAX_FRAME_SIZE;
  /** Connection send window (what we may still send) and receive window (what the client may). */
  #sendWindow = DEFAULT_WINDOW;
  #recvWindow = DEFAULT_WINDOW;
  #connCredit = 0;
  /** A header block in progress: its stream, flags and fragments. */
  #blockStream = 0;
  #blockFlags = 0;
  #blockParts: Uint8Array[] = [];
  #blockBytes = 0;
  #glitches = 0;
  #completed = 0;
  #controlWhileBlocked = 0;
  #socketBlocked = false;
  #clientLast: number;
  idleSince: number;
  #timer: TimerHandle | undefined;
  #timerDue = Infinity;
  #corks = 0;
  readonly #out: Uint8Array[] = [];
  /** Batches of held frames written so far (see H2Stream.queuedHeaders). */
  #batches = 0;
  #outBytes = 0;
  readonly #onFrame = (f: Frame): void => this.#frame(f);

  /** `upgraded`: the session was opened (and counted) by the H1 side that saw the preface. */
  constructor(
    host: SessionHost,
    client: Socket,
    defaultBackend: Backend | undefined,
    connection: ConnectionInfo = new ConnectionInfo(client),
    opts: H2Options = {},
    upgraded = false,
  ) {
    this.host = host;
    this.runtime = host.runtime;
    this.client = client;
    this.connection = connection;
    this.defaultBackend = defaultBackend;
    this.now = this.runtime.now();
    this.#clientLast = this.now;
    this.idleSince = this.now;
    const local = localSettings(opts, false);
    const maxStreams = local.maxConcurrentStreams;
    this.#maxStreams = maxStreams === 0 ? Infinity : maxStreams;
    this.#streamWindow = local.initialWindowSize;
    this.#decoder = new HpackDecoder({ maxTableSize: local.headerTableSize, maxListSize: MAX_HEADER_LIST });
    this.#reader.maxFrameSize = local.maxFrameSize;
    const t: Timeouts = host.timeouts;
    this.#timeouts = {
      request: t.httpRequest ?? t.client,
      keepAlive: t.httpKeepAlive ?? t.httpRequest ?? t.client,
      client: t.client,
      shut: t.clientFin ?? t.client,
    };
    if (!upgraded) sessionOpened(host.counters);
    this.#h2 = host.counters.h2;
    this.#h2.openConns++;
    this.#h2.totalConns++;
    client.setHandler(this);
    this.#send(settingsFrame(local.pairs));
    this.#schedule();
  }

  get closed(): boolean {
    return this.#state === 'closed';
  }

  // ---- ProxySession ------------------------------------------------------------------------

  drain(closing: SoftStopClosing): void {
    this.now = this.runtime.now();
    if (this.#state === 'closed') return;
    this.#stop = closing;
    if (closing.mode === 'at-once') {
      this.#stopGoaway();
    } else if (closing.mode === 'spread' && this.#streams.size === 0) {
      this.#armStopDeadline();
    }
  }

  /**
   * A spread soft stop: a connection that has served streams and has none now closes (GOAWAY)
   * at a random moment of the window left, as h2c_update_timeout's idle keep-alive connections;
   * one that has not served any yet keeps its `timeout http-request`.
   */
  #armStopDeadline(): void {
    if (this.#stop?.mode !== 'spread' || this.#state !== 'open' || this.streamsOpened === 0) return;
    this.#drainDeadline = this.#stop.spreadDeadline(this.now, this.#idleDeadline() ?? Infinity);
    this.#schedule();
  }

  /** h2_process's draw on each event of a stopping connection: the GOAWAY may go now. */
  #stopDraws(): void {
    const stop = this.#stop;
    if (stop === undefined || this.#goawaySent || this.#state !== 'open' || !stop.closesActive(this.now)) return;
    this.#stopGoaway();
  }

  /**
   * A stopping proxy's GOAWAY (h2_process): NO_ERROR with the highest stream id, so that the
   * client opens no more streams while those already on their way, even unseen, are served.
   * The connection then ends when the client closes it or stays idle for `timeout client-fin`.
   */
  #stopGoaway(): void {
    if (this.#goawaySent) return;
    if (this.#lastSid < 0) this.#lastSid = MAX_STREAM_ID;
    this.#goaway(ErrorCode.NO_ERROR);
  }

  /** Ends the connection with a reset and nothing sent (`silent-drop` on any of its streams). */
  drop(): void {
    if (this.#state === 'closed') return;
    if (!this.#clientClosed) {
      this.#clientClosed = true;
      this.client.reset();
    }
    this.destroy();
  }

  kill(cause: 'K' | 'D' | 'U' = 'K'): void {
    if (this.#state === 'closed') return;
    this.now = this.runtime.now();
    for (const s of this.#streams.values()) {
      if (s.txnDone) continue;
      s.stream.setTermination(cause, 'D');
      s.stream.log();
    }
    this.destroy();
  }

  // ---- input -------------------------------------------------------------------------------

  onData(_socket: Socket, chunk: Uint8Array): void {
    this.now = this.runtime.now();
    this.#clientLast = this.now;
    this.host.counters.bin += chunk.byteLength;
    addToListener(this.connection.listenerCounters, 'bin', chunk.byteLength);
    if (this.#state === 'closing' || this.#state === 'closed') return;
    this.cork();
    beginWriteBatch();
    try {
      let off = 0;
      if (this.#state === 'preface') {
        off = this.#preface(chunk);
        if (off < 0) return;
      }
      if (off < chunk.byteLength) this.#reader.feed(chunk, off, this.#onFrame);
      this.#sendCredits();
      this.#stopDraws();
    } catch (error) {
      this.#connectionError(error);
    } finally {
      this.uncork();
      endWriteBatch();
    }
    // Streams arm the timer for their own deadlines (scheduleStream); the connection's own
    // deadlines (preface, idle) matter only without streams.
    if (this.#streams.size === 0) this.#schedule();
  }

  /** Checks the client preface; returns the bytes of chunk it used, or -1 (more needed, or failed). */
  #preface(chunk: Uint8Array): number {
    let i = 0;
    while (i < chunk.byteLength && this.#prefaceSeen < PREFACE.length) {
      if (chunk[i] !== PREFACE[this.#prefaceSeen]) throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'invalid connection preface');
      i++;
      this.#prefaceSeen++;
    }
    if (this.#prefaceSeen < PREFACE.length) return -1;
    this.#state = 'open';
    return i;
  }

  #frame(f: Frame): void {
    if (this.#blockStream !== 0 && f.type !== FrameType.CONTINUATION) {
      throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'a header block was interrupted');
    }
    if (!this.#settingsSeen) {
      if (f.type !== FrameType.SETTINGS || (f.flags & Flag.ACK) !== 0) throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'the preface must be followed by SETTINGS');
      this.#settingsSeen = true;
      // HAProxy counts the SETTINGS after the preface twice (h2_process_demux: once when the
      // preface's frame is checked, once when it is processed): so do we, for the same figures.
      this.#h2.settingsRcvd++;
    }
    switch (f.type) {
      case FrameType.DATA:
        this.#h2.dataRcvd++;
        return this.#data(f);
      case FrameType.HEADERS:
        this.#h2.headersRcvd++;
        return this.#headers(f);
      case FrameType.PRIORITY:
        return this.#priority(f);
      case FrameType.RST_STREAM:
        this.#h2.rstStreamRcvd++;
        return this.#rstStream(f);
      case FrameType.SETTINGS:
        this.#h2.settingsRcvd++;
        return this.#settings(f);
      case FrameType.PING:
        if ((f.flags & Flag.ACK) === 0) this.#control(pingAckFrame(f.buf, f.start));
        return;
      case FrameType.GOAWAY:
        this.#h2.goawayRcvd++;
        this.#clientGoaway = true;
        return this.#closeIfIdle();
      case FrameType.WINDOW_UPDATE:
        return this.#windowUpdate(f);
      case FrameType.CONTINUATION:
        return this.#continuation(f);
      default:
        return; // unknown frame types are ignored (RFC 9113 §4.1)
    }
  }

  #data(f: Frame): void {
    const id = f.streamId;
    const len = f.length;
    this.#recvWindow -= len;
    if (this.#recvWindow < 0) throw new H2Error(ErrorCode.FLOW_CONTROL_ERROR, 'connection window exceeded');
    this.#connCredit += len;
    const s = this.#streams.get(id);
    if (s === undefined || s.reset) {
      if (id > this.#lastStreamId) throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'DATA on an idle stream');
      if (this.#wasReset(id)) return;
      this.#glitch();
      this.#sendRst(id, ErrorCode.STREAM_CLOSED);
      return;
    }
    if (s.remoteEnded) return this.#streamError(s, ErrorCode.STREAM_CLOSED);
    s.recvWindow -= len;
    if (s.recvWindow < 0) return this.#streamError(s, ErrorCode.FLOW_CONTROL_ERROR);
    if (s.creditOwed === 0) this.#owing.push(s);
    s.creditOwed += len;
    const endStream = (f.flags & Flag.END_STREAM) !== 0;
    const n = f.end - f.start;
    if (n === 0 && !endStream) this.#glitch();
    s.received += n;
    if (s.contentLength >= 0 && (s.received > s.contentLength || (endStream && s.received !== s.contentLength))) {
      return this.#streamError(s, ErrorCode.PROTOCOL_ERROR);
    }
    s.requestData(f.buf, f.start, f.end, endStream);
    this.#maybeRemove(s);
  }

  #headers(f: Frame): void {
    const id = f.streamId;
    // A stream depending on itself (RFC 9113 §5.3.1) is refused once its block is decoded.
    this.#blockRefused = (f.flags & Flag.PRIORITY) !== 0 && (readUint32(f.buf, f.start - 5) & 0x7fffffff) === id;
    const s = this.#streams.get(id);
    if (s === undefined) {
      if ((id & 1) === 0) throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'even stream id from a client');
      if (id <= this.#lastStreamId && !this.#wasReset(id)) throw new H2Error(ErrorCode.STREAM_CLOSED, 'HEADERS on a closed stream');
    } else if (s.remoteEnded) {
      throw new H2Error(ErrorCode.STREAM_CLOSED, 'HEADERS on a half-closed stream');
    }
    this.#gather(f);
  }

  /** Collects a header block; decodes it once END_HEADERS arrives. */
  #gather(f: Frame): void {
    const n = f.end - f.start;
    if (f.type === FrameType.HEADERS) {
      this.#blockFlags = f.flags;
      this.#blockParts.length = 0;
      this.#blockBytes = 0;
    } else if (n === 0 && (f.flags & Flag.END_HEADERS) === 0) {
      this.#glitch();
    }
    this.#blockBytes += n;
    if (this.#blockBytes > MAX_HEADER_BLOCK) throw new H2Error(ErrorCode.ENHANCE_YOUR_CALM, 'header block too large');
    if ((f.flags & Flag.END_HEADERS) === 0) {
      this.#blockStream = f.streamId;
      this.#blockParts.push(f.buf.slice(f.start, f.end));
      return;
    }
    this.#blockStream = 0;
    let block = f.buf;
    let start = f.start;
    let end = f.end;
    if (this.#blockParts.length > 0) {
      this.#blockParts.push(f.buf.subarray(f.start, f.end));
      block = new Uint8Array(this.#blockBytes);
      let at = 0;
      for (const part of this.#blockParts) {
        block.set(part, at);
        at += part.byteLength;
      }
      this.#blockParts.length = 0;
      start = 0;
      end = block.byteLength;
    }
    const id = f.type === FrameType.HEADERS ? f.streamId : this.#gatheredStream;
    this.#headerBlock(id, block, start, end);
  }

  /** The stream of the HEADERS a CONTINUATION belongs to (set by #continuation). */
  #gatheredStream = 0;
  /** The header block being gathered opens a stream that is refused (it is decoded all the same). */
  #blockRefused = false;

  #continuation(f: Frame): void {
    if (this.#blockStream === 0 || f.streamId !== this.#blockStream) throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'CONTINUATION without a header block');
    this.#gatheredStream = this.#blockStream;
    this.#gather(f);
  }

  #headerBlock(id: number, block: Uint8Array, start: number, end: number): void {
    const fields = this.#fields;
    try {
      this.#decoder.decode(block, start, end, fields);
    } catch (error) {
      if (error instanceof HpackError) throw new H2Error(ErrorCode.COMPRESSION_ERROR, error.message);
      throw error;
    }
    const endStream = (this.#blockFlags & Flag.END_STREAM) !== 0;
    const existing = this.#streams.get(id);
    if (existing !== undefined) return this.#trailers(existing, endStream);
    // Trailers of a stream we reset: decoded (HPACK stays in step) and ignored.
    if (id <= this.#lastStreamId) return;
    this.#lastStreamId = id;
    if (this.#blockRefused) {
      this.#glitch();
      this.#sendRst(id, ErrorCode.PROTOCOL_ERROR);
      return;
    }
    // None is served above the id our GOAWAY announced, nor after the client's (the block was
    // decoded to keep HPACK in step).
    if ((this.#goawaySent && id > this.#lastSid) || this.#clientGoaway) return;
    if (this.#activeStreams() >= this.#maxStreams) {
      this.#glitch();
      this.#sendRst(id, ErrorCode.REFUSED_STREAM);
      return;
    }
    if (fields.tooLarge) {
      this.#glitch();
      this.#sendRst(id, ErrorCode.PROTOCOL_ERROR);
      return;
    }
    const facts = this.#facts;
    let head;
    try {
      head = requestHeadFromFields(fields, endStream, facts, MAX_REQUEST_FIELDS);
    } catch (error) {
      // A request HAProxy builds with a parsing error: the stream answers it 400.
      if (error instanceof HttpParseError) return this.#badRequest(id, error, end - start, endStream);
      // Malformed (RFC 9113 §8.1.1): a stream error.
      this.#glitch();
      this.#sendRst(id, ErrorCode.PROTOCOL_ERROR);
      return;
    }
    if (endStream && facts.contentLength > 0) {
      this.#sendRst(id, ErrorCode.PROTOCOL_ERROR);
      return;
    }
    this.streamsOpened++;
    this.connection.notFirstTransaction = true;
    const window = this.#settingsAcked ? this.#streamWindow : Math.max(this.#streamWindow, DEFAULT_WINDOW);
    const s = new H2Stream(this, id, this.#peerInitialWindow, window);
    s.contentLength = facts.contentLength;
    s.chunked = facts.chunked;
    s.extConnect = facts.protocol !== undefined;
    s.websocketKey = facts.websocketKey;
    this.#streams.set(id, s);
    this.#streamOpened();
    s.begin(head, end - start, endStream);
    this.scheduleStream(s);
  }

  /** A stream whose request the HTTP layer refuses (HAProxy's HTX parsing error): a 400 on it. */
  #badRequest(id: number, error: HttpParseError, headBytes: number, endStream: boolean): void {
    this.streamsOpened++;
    this.connection.notFirstTransaction = true;
    const s = new H2Stream(this, id, this.#peerInitialWindow, this.#settingsAcked ? this.#streamWindow : Math.max(this.#streamWindow, DEFAULT_WINDOW));
    this.#streams.set(id, s);
    this.#streamOpened();
    s.refuse(error, headBytes, endStream);
    this.#maybeRemove(s);
  }

  /** A second header block on a stream: trailers, which must end it. */
  #trailers(s: H2Stream, endStream: boolean): void {
    if (!endStream) return this.#streamError(s, ErrorCode.PROTOCOL_ERROR);
    const fields = this.#fields;
    let lines = '';
    for (let i = 0; i < fields.count; i++) {
      const name = fields.names[i]!;
      if (name.charCodeAt(0) === 0x3a) return this.#streamError(s, ErrorCode.PROTOCOL_ERROR);
      if (name === 'content-length' || name === 'transfer-encoding' || name === 'host' || isConnectionSpecific(name)) continue;
      lines += `${name}: ${fields.values[i]!}\r\n`;
    }
    if (s.contentLength >= 0 && s.received !== s.contentLength) return this.#streamError(s, ErrorCode.PROTOCOL_ERROR);
    s.requestEnd(lines === '' ? undefined : lines);
    this.#maybeRemove(s);
  }

  #priority(f: Frame): void {
    if (f.length !== 5) {
      this.#sendRst(f.streamId, ErrorCode.FRAME_SIZE_ERROR);
      const s = this.#streams.get(f.streamId);
      if (s !== undefined) this.resetStream(s, ErrorCode.FRAME_SIZE_ERROR, false);
      return;
    }
    if ((readUint32(f.buf, f.start) & 0x7fffffff) === f.streamId) {
      const s = this.#streams.get(f.streamId);
      if (s !== undefined) return this.#streamError(s, ErrorCode.PROTOCOL_ERROR);
      this.#sendRst(f.streamId, ErrorCode.PROTOCOL_ERROR);
    }
    // Otherwise accepted and ignored: responses are sent as they come.
  }

  #rstStream(f: Frame): void {
    const id = f.streamId;
    if (id > this.#lastStreamId) throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'RST_STREAM on an idle stream');
    const s = this.#streams.get(id);
    if (s === undefined || s.reset) return;
    // A client cancelling streams it just opened is the rapid-reset pattern (CVE-2023-44487).
    if (!s.localEnded) this.#glitch();
    if (!s.txnDone) s.stream.clientAborted(true);
    this.resetStream(s, ErrorCode.CANCEL, false);
  }

  #settings(f: Frame): void {
    if ((f.flags & Flag.ACK) !== 0) {
      this.#settingsAcked = true;
      return;
    }
    const buf = f.buf;
    for (let at = f.start; at < f.end; at += 6) {
      const id = (buf[at]! << 8) | buf[at + 1]!;
      const value = readUint32(buf, at + 2);
      switch (id) {
        case Setting.HEADER_TABLE_SIZE:
          this.#encoder.setMaxTableSize(value);
          break;
        case Setting.ENABLE_PUSH:
          if (value > 1) throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'ENABLE_PUSH other than 0 or 1');
          break;
        case Setting.INITIAL_WINDOW_SIZE: {
          if (value > MAX_WINDOW) throw new H2Error(ErrorCode.FLOW_CONTROL_ERROR, 'INITIAL_WINDOW_SIZE above 2^31-1');
          const delta = value - this.#peerInitialWindow;
          this.#peerInitialWindow = value;
          for (const s of this.#streams.values()) {
            s.sendWindow += delta;
            if (s.sendWindow > MAX_WINDOW) throw new H2Error(ErrorCode.FLOW_CONTROL_ERROR, 'a stream window above 2^31-1');
          }
          break;
        }
        case Setting.MAX_FRAME_SIZE:
          if (value < DEFAULT_MAX_FRAME_SIZE || value > 0xffffff) throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'MAX_FRAME_SIZE out of range');
          this.#peerMaxFrame = value;
          break;
        default:
          break; // MAX_CONCURRENT_STREAMS (we push nothing), MAX_HEADER_LIST_SIZE (advisory), unknown ones
      }
    }
    this.#control(SETTINGS_ACK);
    this.#flushBlocked();
  }

  #windowUpdate(f: Frame): void {
    const id = f.streamId;
    const inc = readUint32(f.buf, f.start) & 0x7fffffff;
    if (id === 0) {
      if (inc === 0) throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'WINDOW_UPDATE of 0');
      this.#sendWindow += inc;
      if (this.#sendWindow > MAX_WINDOW) throw new H2Error(ErrorCode.FLOW_CONTROL_ERROR, 'connection window above 2^31-1');
      this.#flushBlocked();
      return;
    }
    if (id > this.#lastStreamId) throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'WINDOW_UPDATE on an idle stream');
    const s = this.#streams.get(id);
    if (s === undefined || s.reset) return;
    if (inc === 0) return this.#streamError(s, ErrorCode.PROTOCOL_ERROR);
    s.sendWindow += inc;
    if (s.sendWindow > MAX_WINDOW) return this.#streamError(s, ErrorCode.FLOW_CONTROL_ERROR);
    this.flushStream(s);
  }

  #wasReset(id: number): boolean {
    return this.#recentlyReset.includes(id);
  }

  /** Counts misbehaviour that costs us work for nothing; past the limit (and outweighing the good streams) the connection is refused. */
  #glitch(): void {
    if (++this.#glitches > GLITCH_LIMIT && this.#glitches > this.#completed) {
      throw new H2Error(ErrorCode.ENHANCE_YOUR_CALM, 'too many protocol glitches');
    }
  }

  /** A SETTINGS or PING answer; a client that keeps asking without reading is stopped. */
  #control(frame: Uint8Array): void {
    if (this.#socketBlocked && ++this.#controlWhileBlocked > CONTROL_FLOOD_LIMIT) {
      throw new H2Error(ErrorCode.ENHANCE_YOUR_CALM, 'control frames flood');
    }
    this.#send(frame);
  }

  #streamError(s: H2Stream, code: number): void {
    this.#h2.strmProtoErr++;
    this.#glitch();
    if (!s.txnDone) {
      s.stream.setTermination('C', 'D');
      s.stream.log();
    }
    this.resetStream(s, code);
  }

  #connectionError(error: unknown): void {
    const code = error instanceof H2Error ? error.code : ErrorCode.INTERNAL_ERROR;
    if (error instanceof H2Error) this.#h2.connProtoErr++;
    this.#reader.stop();
    this.#goaway(code);
    for (const s of this.#streams.values()) {
      if (s.txnDone) continue;
      s.stream.setTermination('C', 'D');
      s.stream.log();
    }
    this.#close();
  }

  // ---- what the streams ask ----------------------------------------------------------------

  clientDeadline(): number | undefined {
    const t = this.#timeouts.client;
    return t === undefined ? undefined : this.#clientLast + t;
  }

  cork(): void {
    if (this.#corks === 0) this.#joinWriteBatch();
    this.#corks++;
  }

  /** Held until the read being processed (or the loop's round of I/O) ends: see write-batch.ts. */
  #joinWriteBatch(): void {
    if (!writeBatchOpen(this.runtime)) return;
    this.#corks++;
    enlistWriter(this, this.runtime);
  }

  uncork(): void {
    if (--this.#corks > 0) return;
    this.#corks = 0;
    this.#flushOut();
  }

  endWriteBatch(): void {
    this.uncork();
  }

  schedule(): void {
    this.#schedule();
  }

  /**
   * A stream's deadlines changed: the timer is brought forward if this stream's comes first.
   * Deadlines that moved later are found when the timer fires (it rescans every stream and
   * re-arms), so an event costs one stream's deadline, not a scan of them all.
   */
  scheduleStream(s: H2Stream): void {
    if (this.#state !== 'open') return this.#schedule();
    if (this.#streams.get(s.id) !== s) {
      // A stream already gone has no deadline left; the others armed theirs, and the
      // connection's own (idle) matter once none remains. Rescanning them all here made every
      // finished response cost a pass over up to max-concurrent-streams streams.
      if (this.#streams.size === 0) this.#schedule();
      return;
    }
    this.#arm(s.txnDone ? this.clientDeadline() : s.stream.deadline());
  }

  /**
   * Gives the stream's consumed request bytes back to the client (it is reading again). As
   * HAProxy's h2 mux, the last DATA of a stream is credited too (reg-test h2_to_h1 waits for it).
   */
  creditStream(s: H2Stream): void {
    if (s.reset || s.creditOwed === 0) return;
    this.#send(windowUpdateFrame(s.id, s.creditOwed));
    s.recvWindow += s.creditOwed;
    s.creditOwed = 0;
  }

  /** `drop`: a (lowercase) field name left out. */
  sendHeaders(s: H2Stream, status: number, head: ResponseHead, endStream: boolean, drop?: string): void {
    if (s.reset) return;
    const enc = this.#encoder;
    enc.begin();
    const index = staticStatusIndex(status);
    if (index > 0) enc.addIndexed(index);
    else enc.add(':status', String(status));
    for (let i = 0; i < head.headerCount; i++) {
      const name = h2FieldName(head, i);
      if (isConnectionSpecific(name) || name === drop) continue;
      enc.addBytes(name, head.raw, head.offsets[4 * i + 2]!, head.offsets[4 * i + 3]!);
    }
    this.host.counters.bout += enc.length;
    addToListener(this.connection.listenerCounters, 'bout', enc.length);
    const frame = headersFrames(s.id, enc.bytes, endStream, this.#peerMaxFrame);
    this.#send(frame);
    if (endStream) {
      s.localEnded = true;
      this.#maybeRemove(s);
    } else if (this.#corks > 0 && status >= 200 && s.endsOnHeaders) {
      s.queuedHeaders = frame;
      s.queuedHeadersBatch = this.#batches;
    }
  }

  /**
   * Ends the stream's response on its HEADERS frame (END_STREAM set there) when that frame has
   * not been written yet and nothing followed it: a response whose end came with its head
   * (a gRPC server's trailers-only answer, an empty chunked body in the same read) is one
   * HEADERS frame, as HAProxy's h2 mux sends it when the message ends right after its headers.
   * gRPC clients read the status of a trailers-only answer only from such a frame.
   */
  #endOnQueuedHeaders(s: H2Stream): boolean {
    const frame = s.queuedHeaders;
    s.queuedHeaders = undefined;
    if (frame === undefined || s.queuedHeadersBatch !== this.#batches || this.#corks === 0) return false;
    frame[4] = frame[4]! | Flag.END_STREAM;
    return true;
  }

  /** A chunked response's trailers, as the HEADERS frame that ends the stream. */
  #sendTrailers(s: H2Stream, fields: readonly (readonly [string, string])[]): void {
    const enc = this.#encoder;
    enc.begin();
    for (const [name, value] of fields) enc.add(name, value);
    this.host.counters.bout += enc.length;
    addToListener(this.connection.listenerCounters, 'bout', enc.length);
    this.#send(headersFrames(s.id, enc.bytes, true, this.#peerMaxFrame));
  }

  /** Sends what the stream's windows, the connection's and the socket allow; tells the stream when it must wait. */
  flushStream(s: H2Stream): void {
    if (s.reset) return;
    const pending = s.pending;
    while (pending.length > 0 && !this.#socketBlocked) {
      const room = Math.min(this.#sendWindow, s.sendWindow, this.#peerMaxFrame);
      if (room <= 0) break;
      const piece = pending[0]!;
      const n = Math.min(piece.byteLength, room);
      const last = n === piece.byteLength && pending.length === 1 && s.pendingEnd && s.trailers === undefined;
      s.queuedHeaders = undefined;
      this.#send(dataFrameHeader(s.id, n, last));
      this.#send(n === piece.byteLength ? piece : piece.subarray(0, n));
      this.host.counters.bout += n;
      addToListener(this.connection.listenerCounters, 'bout', n);
      this.#sendWindow -= n;
      s.sendWindow -= n;
      s.pendingBytes -= n;
      if (n === piece.byteLength) pending.shift();
      else pending[0] = piece.subarray(n);
      if (last) s.localEnded = true;
    }
    if (pending.length === 0 && s.pendingEnd && !s.localEnded) {
      if (s.trailers !== undefined) this.#sendTrailers(s, s.trailers);
      else if (!this.#endOnQueuedHeaders(s)) this.#send(dataFrameHeader(s.id, 0, true));
      s.localEnded = true;
    }
    if (pending.length > 0) {
      if (!s.blocked) {
        s.blocked = true;
        this.#blocked.add(s);
        if (!s.txnDone) s.stream.clientBlocked();
      }
    } else if (s.blocked) {
      s.blocked = false;
      this.#blocked.delete(s);
      if (!s.txnDone) s.stream.clientDrained();
    }
    if (s.localEnded) this.#maybeRemove(s);
  }

  /** The HttpStream finished its transaction: the stream ends once its response is out. */
  transactionEnded(s: H2Stream, headSent: boolean): void {
    this.#completed++;
    if (s.reset) return this.#maybeRemove(s);
    if (!headSent) {
      // Nothing was answered (an empty errorfile, a server gone without a word): REFUSED_STREAM
      // tells the client it may send the request again (RFC 9113 §8.7), as HAProxy's h2_do_shutw.
      this.resetStream(s, ErrorCode.REFUSED_STREAM);
      return;
    }
    if (!s.localEnded) {
      s.pendingEnd = true;
      this.flushStream(s);
    }
    this.#maybeRemove(s);
    this.scheduleStream(s);
  }

  /** Closes a stream with RST_STREAM (unless `send` is false: the client reset it). */
  resetStream(s: H2Stream, code: number, send = true): void {
    if (s.reset) return;
    s.reset = true;
    if (send) {
      this.#recentlyReset[this.#recentAt] = s.id;
      this.#recentAt = (this.#recentAt + 1) % RECENT_RESETS;
    }
    if (send && !this.#clientClosed && this.#state !== 'closed') this.#sendRst(s.id, code);
    s.pending.length = 0;
    s.pendingBytes = 0;
    if (s.blocked) {
      s.blocked = false;
      this.#blocked.delete(s);
    }
    s.abort();
    this.#remove(s);
  }

  // ---- stream bookkeeping ------------------------------------------------------------------

  #activeStreams(): number {
    return this.#streams.size;
  }

  /** A stream is over once both sides ended and the transaction is done. */
  #maybeRemove(s: H2Stream): void {
    if (s.reset) return this.#remove(s);
    if (!s.txnDone || !s.localEnded) return;
    if (!s.remoteEnded) {
      // The response is complete while the client still sends: it may stop (RFC 9113 §8.1).
      this.resetStream(s, ErrorCode.NO_ERROR);
      return;
    }
    this.#remove(s);
  }

  #streamOpened(): void {
    this.#h2.openStreams++;
    this.#h2.totalStreams++;
  }

  #remove(s: H2Stream): void {
    if (this.#streams.get(s.id) !== s) return;
    this.#streams.delete(s.id);
    this.#h2.openStreams--;
    if (this.#streams.size === 0) {
      this.idleSince = this.now;
      this.#closeIfIdle();
      this.#drainDeadline = Infinity;
      this.#armStopDeadline();
      this.#schedule();
    }
  }

  #closeIfIdle(): void {
    if (this.#streams.size > 0 || this.#state === 'closed' || this.#state === 'closing') return;
    if ((this.#goawaySent && this.#lastStreamId >= this.#lastSid) || this.#clientGoaway || this.#clientEnded) {
      this.#goaway(ErrorCode.NO_ERROR);
      this.#close();
    }
  }

  /** GOAWAY with the id announced before, else the last stream seen; `again`: even after one (h2_timeout_task's). */
  #goaway(code: number, again = false): void {
    if (this.#goawaySent && code === ErrorCode.NO_ERROR && !again) return;
    if (!this.#goawaySent) this.#goawayAt = this.now;
    this.#goawaySent = true;
    if (this.#lastSid < 0) this.#lastSid = this.#lastStreamId;
    if (this.#clientClosed) return;
    this.#send(goawayFrame(this.#lastSid, code));
    if (goawayAnswersError(code)) this.#h2.goawayResp++;
  }

  // ---- output ------------------------------------------------------------------------------

  /** RST_STREAM out (HAProxy counts every one as h2_rst_stream_resp). */
  #sendRst(id: number, code: number): void {
    this.#h2.rstStreamResp++;
    this.#send(rstStreamFrame(id, code));
  }

  #send(bytes: Uint8Array): void {
    if (this.#state === 'closed') return;
    if (this.#corks === 0) this.#joinWriteBatch();
    if (this.#corks > 0) {
      this.#out.push(bytes);
      this.#outBytes += bytes.byteLength;
      return;
    }
    this.#write(bytes);
  }

  #write(bytes: Uint8Array): void {
    if (!this.client.write(bytes)) this.#socketBlocked = true;
  }

  #flushOut(): void {
    const out = this.#out;
    if (out.length === 0) return;
    // The frames held so far go: none of them may be changed any more (#endOnQueuedHeaders).
    this.#batches++;
    if (!writeFrames(this.client, out, this.#outBytes)) this.#socketBlocked = true;
    out.length = 0;
    this.#outBytes = 0;
  }

  /** Connection-level WINDOW_UPDATE for what this read consumed, and stream credits where reading goes on. */
  #sendCredits(): void {
    if (this.#state !== 'open') return;
    if (this.#connCredit > 0) {
      this.#send(windowUpdateFrame(0, this.#connCredit));
      this.#recvWindow += this.#connCredit;
      this.#connCredit = 0;
    }
    const owing = this.#owing;
    for (let i = 0; i < owing.length; i++) {
      const s = owing[i]!;
      // A held stream is credited by releaseRequest() instead.
      if (!s.held) this.creditStream(s);
    }
    owing.length = 0;
  }

  #flushBlocked(): void {
    if (this.#blocked.size === 0) return;
    for (const s of [...this.#blocked]) {
      if (this.#socketBlocked) break;
      this.flushStream(s);
    }
  }

  // ---- socket events -----------------------------------------------------------------------

  onDrain(_socket: Socket): void {
    this.now = this.runtime.now();
    this.#clientLast = this.now;
    this.#socketBlocked = false;
    this.#controlWhileBlocked = 0;
    this.cork();
    this.#flushBlocked();
    this.uncork();
  }

  onEnd(_socket: Socket): void {
    this.now = this.runtime.now();
    this.#clientEnded = true;
    for (const s of [...this.#streams.values()]) {
      if (!s.remoteEnded && !s.txnDone) s.stream.clientEnded();
    }
    this.#closeIfIdle();
  }

  onClose(_socket: Socket, _error: SocketError | undefined): void {
    this.now = this.runtime.now();
    this.#clientClosed = true;
    if (this.#state === 'closed') return;
    for (const s of this.#streams.values()) if (!s.txnDone) s.stream.clientAborted();
    this.destroy();
  }

  // ---- timeouts ----------------------------------------------------------------------------

  #schedule(): void {
    this.#arm(this.#nextDeadline());
  }

  #arm(due: number | undefined): void {
    if (due === undefined || due >= this.#timerDue) return;
    if (this.#timer !== undefined) this.runtime.clearTimer(this.#timer);
    this.#timerDue = due;
    this.#timer = this.runtime.setTimer(this.#onTimer, Math.max(0, due - this.now));
  }

  #nextDeadline(): number | undefined {
    switch (this.#state) {
      case 'preface': {
        const t = this.#timeouts.request;
        return t === undefined ? undefined : this.idleSince + t;
      }
      case 'open': {
        if (this.#streams.size === 0) {
          const due = Math.min(this.#idleDeadline() ?? Infinity, this.#drainDeadline);
          return due === Infinity ? undefined : due;
        }
        let due: number | undefined;
        for (const s of this.#streams.values()) {
          const d = s.txnDone ? this.clientDeadline() : s.stream.deadline();
          if (d !== undefined && (due === undefined || d < due)) due = d;
        }
        return due;
      }
      case 'closing':
        return this.clientDeadline() ?? this.now + 5000;
      case 'closed':
        return undefined;
    }
  }

  /** Without streams: `timeout http-request` before the first, `http-keep-alive` after. */
  #idleDeadline(): number | undefined {
    if (this.#goawaySent) {
      // h2c_update_timeout: once GOAWAY is sent, an idle connection has `timeout client-fin`.
      const shut = this.#timeouts.shut;
      return shut === undefined ? undefined : Math.max(this.idleSince, this.#clientLast, this.#goawayAt) + shut;
    }
    const t = this.streamsOpened === 0 ? this.#timeouts.request : this.#timeouts.keepAlive;
    return t === undefined ? undefined : this.idleSince + t;
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#timerDue = Infinity;
    if (this.#state === 'closed') return;
    const now = (this.now = this.runtime.now());
    this.cork();
    try {
      this.#expire(now);
    } finally {
      this.uncork();
    }
    this.#schedule();
  };

  #expire(now: number): void {
    switch (this.#state) {
      case 'preface':
        return this.destroy();
      case 'open': {
        if (this.#streams.size === 0) {
          const due = this.#nextDeadline();
          if (due !== undefined && now >= due) {
            // h2_timeout_task: a last GOAWAY naming the last stream seen, even after another.
            this.#lastSid = this.#lastStreamId;
            this.#goaway(ErrorCode.NO_ERROR, true);
            this.#close();
          }
          return;
        }
        for (const s of [...this.#streams.values()]) {
          if (s.txnDone) {
            // The response waits for a client that does not read (`timeout client`).
            const d = this.clientDeadline();
            if (d !== undefined && now >= d) this.resetStream(s, ErrorCode.CANCEL);
            continue;
          }
          const d = s.stream.deadline();
          if (d !== undefined && now >= d) s.stream.expire(now);
        }
        return;
      }
      case 'closing':
        return this.destroy();
      case 'closed':
        return;
    }
  }

  // ---- teardown ----------------------------------------------------------------------------

  /** Sends what is queued, then our FIN; the connection ends when the client closes or the timer fires. */
  #close(): void {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    for (const s of [...this.#streams.values()]) {
      s.reset = true;
      s.abort();
    }
    this.#h2.openStreams -= this.#streams.size;
    this.#streams.clear();
    this.#blocked.clear();
    this.connection.privateServerConns?.closeAll();
    this.#flushOut();
    this.#state = 'closing';
    if (!this.#clientClosed) this.client.end();
    this.#timerDue = Infinity;
    if (this.#timer !== undefined) this.runtime.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#schedule();
  }

  destroy(): void {
    if (this.#state === 'closed') return;
    this.#out.length = 0;
    this.#outBytes = 0;
    for (const s of this.#streams.values()) {
      s.reset = true;
      s.abort();
    }
    this.#h2.openStreams -= this.#streams.size;
    this.#streams.clear();
    this.#blocked.clear();
    this.#state = 'closed';
    this.#h2.openConns--;
    this.#reader.stop();
    if (this.#timer !== undefined) {
      this.runtime.clearTimer(this.#timer);
      this.#timer = undefined;
    }
    this.#timerDue = Infinity;
    if (!this.#clientClosed) {
      this.#clientClosed = true;
      this.client.destroy();
    }
    this.connection.privateServerConns?.closeAll();
    clientSessionEnded(this.host, this, this.connection, this.now);
  }
}
