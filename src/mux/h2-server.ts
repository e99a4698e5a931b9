import { MuxedServerSocket } from './muxed-server-socket.ts';
import type { Runtime, Socket, SocketError, SocketHandler } from '../runtime.ts';
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
  MAX_WINDOW,
  PREFACE,
  SETTINGS_ACK,
  Setting,
  goawayFrame,
  pingAckFrame,
  readUint32,
  rstStreamFrame,
  settingsFrame,
  windowUpdateFrame,
  type Frame,
} from '../http/h2/index.ts';
import { localSettings, type H2Options } from './h2/local-settings.ts';
import { beginWriteBatch, endWriteBatch, enlistWriter, writeBatchOpen, writeFrames, type BatchedWriter } from './write-batch.ts';
import { goawayAnswersError, newH2Counters, type H2Counters } from './h2/h2-counters.ts';
import { H2ServerStream, h2Failure } from './h2/server-stream.ts';
import type { ConnectionParking, PooledConnection } from '../http/server-pool.ts';
import type { Server } from '../proxy/server.ts';

/** Largest header block (HEADERS + CONTINUATION) gathered before the connection is given up. */
const MAX_HEADER_BLOCK = 65536;
/** Largest decoded response header list. */
const MAX_HEADER_LIST = 65536;
/** Highest stream id a client may open (RFC 9113 §5.1.1). */
const MAX_STREAM_ID = 0x7fffffff;

/** Where a connection with free stream slots is offered to other streams (HAProxy's avail_conns). */
export interface AvailList {
  addAvail(conn: PooledConnection): void;
  removeAvail(conn: PooledConnection): void;
}

/**
 * The server side of an HTTP/2 connection (HAProxy's mux_h2, backend side): the socket, the
 * frames, HPACK both ways, the connection's windows, SETTINGS, PING and GOAWAY, and the streams
 * riding it. Each request is one `H2ServerStream` (src/mux/h2/server-stream.ts), which the
 * stream sees as the socket of an HTTP/1 server: `H1ServerExchange`, the response rules,
 * retries and logs are the HTTP/1 ones.
 *
 * Several streams share the connection, up to the server's SETTINGS_MAX_CONCURRENT_STREAMS
 * (capped by our tune.h2.max-concurrent-streams, HAProxy's streams_limit) and, over its life,
 * `max-reuse` + 1 (h2_avail_streams). A stream opened beyond the limit waits for a slot before
 * its HEADERS go out. Request DATA shares the connection window in turns of one frame per
 * waiting stream; response DATA is credited to the connection at once (at most one stream
 * window per stream is ever held) and to its stream as its user takes it, so a paused stream
 * (its client is slow) holds only its own window.
 *
 * A stream error ends only that stream. A connection error (a bad frame, HPACK) ends every
 * stream: each user sees a closed server. The server's GOAWAY fails the streams above its
 * last-stream-id as unanswered (the stream retries them once), lets the others finish, and
 * opens no new stream. While no stream rides it the connection is idle: it is then the socket
 * the pool (or a session's private store) holds and watches, its `onEnd`/`onClose` going to
 * whoever set itself as handler.
 */
export class H2ServerConnection extends MuxedServerSocket implements Socket, SocketHandler, BatchedWriter {
  readonly #socket: Socket;
  /** Who holds the connection while no stream rides it (the pool, a session's store). */
  #idleHandler: SocketHandler | undefined;
  readonly #reader = new FrameReader();
  /** The backend's `h2` stats module counters; `#uncounted`: this connection left open_conns. */
  readonly #h2: H2Counters;
  #uncounted = false;
  readonly #decoder: HpackDecoder;
  readonly encoder = new HpackEncoder();
  readonly #fields = new HeaderList();
  readonly #onFrame = (f: Frame): void => this.#frame(f);
  readonly runtime: Runtime | undefined;

  /** This connection as a pool entry (undefined when not pooled: a health check's). */
  readonly record: PooledConnection | undefined;
  /** Where it is offered to other streams while it has free slots (`http-reuse aggressive|always`). */
  #avail: AvailList | undefined = undefined;
  #inAvail = false;
  /**
   * It may be offered now: at once under `always`; under `aggressive` once reused from the idle
   * pool or once a stream left it while others ride it (HAProxy's conn_backend_get, h2_detach).
   */
  #availAllowed = false;
  /** The stream being given a slot (it goes before the others waiting). */
  #granting: H2ServerStream | undefined = undefined;

  // The server's settings.
  #peerInitialWindow = DEFAULT_WINDOW;
  peerMaxFrame = DEFAULT_MAX_FRAME_SIZE;
  connSendWindow = DEFAULT_WINDOW;
  /** The server's first SETTINGS came, and whether it offered extended CONNECT (RFC 8441). */
  settingsSeen = false;
  rfc8441 = false;
  /** Concurrent streams the server takes (ours until it says), and ours (tune.h2.max-concurrent-streams). */
  #streamsLimit: number;
  readonly #localMaxStreams: number;

  /** Streams open on the wire, by id. */
  readonly #streams = new Map<number, H2ServerStream>();
  /** Streams given to a user that have no id yet. */
  readonly #unopened = new Set<H2ServerStream>();
  /** Streams waiting for a slot (the server's limit reached). */
  readonly #waitingSlot: H2ServerStream[] = [];
  /** Streams waiting for connection-window credit, served in turns. */
  readonly #waitingCredit: H2ServerStream[] = [];
  /** Streams with response credit owed after the current read. */
  readonly #creditDue: H2ServerStream[] = [];
  /** Response DATA bytes read and not yet credited to the connection. */
  #connOwed = 0;
  #nextId = 1;
  /** Streams given to users over the connection's life, and still with one. */
  #opened = 0;
  #attached = 0;
  readonly #maxStreams: number;
  /** A stream said the connection must not carry another request. */
  #noReuse = false;
  /** Where its last exchange would park it (the backend's pool, a session's store). */
  #home: ConnectionParking | undefined = undefined;

  /** The server's socket queue is above its high-water mark. */
  socketFull = false;
  /** Frames held during a write batch (write-batch.ts), and their size. */
  #held: Uint8Array[] | undefined;
  #heldBytes = 0;

  /** A header block in progress. */
  #blockFlags = 0;
  #blockParts: Uint8Array[] = [];
  #blockBytes = 0;
  #blockStream = 0;

  /** The server's GOAWAY: the last stream it processes (-1: none received). */
  #goawayLast = -1;
  #ended = false;
  closed = false;

  /**
   * `maxStreams`: the streams this connection may carry in all (`max-reuse` + 1; HAProxy's
   * h2_avail_streams); `opts`: the generation's `tune.h2.*`, announced as HAProxy does;
   * `server` and `key` make it a pool entry.
   */
  /**
   * The server whose used connections (`used_conn_cur`) count this one while a stream uses it:
   * a shareable connection of a stream (not a check's, not a session's private one).
   */
  readonly #countsOn: Server | undefined;

  constructor(socket: Socket, runtime?: Runtime, maxStreams = Infinity, opts: H2Options = {}, server?: Server, key = '', counters?: H2Counters, shareable = false) {
    super(socket);
    this.#countsOn = shareable ? server : undefined;
    this.#socket = socket;
    // The backend's h2 stats module (a health check's connection counts nowhere).
    this.#h2 = counters ?? newH2Counters();
    this.#h2.openConns++;
    this.#h2.totalConns++;
    this.runtime = runtime;
    this.#maxStreams = maxStreams;
    const local = localSettings(opts, true);
    this.#streamsLimit = local.maxConcurrentStreams === 0 ? Infinity : local.maxConcurrentStreams;
    this.#decoder = new HpackDecoder({ maxTableSize: local.headerTableSize, maxListSize: MAX_HEADER_LIST });
    this.#reader.maxFrameSize = local.maxFrameSize;
    this.record = server === undefined ? undefined : { socket: this, server, uses: 0, idleSince: 0, key };
    this.#localMaxStreams = this.#streamsLimit;
    socket.setHandler(this);
    // The preface and our SETTINGS in one write (HAProxy's h2c_send_settings): no server push,
    // extended CONNECT offered, the tuned window, table, stream count and frame size.
    const settings = settingsFrame(local.pairs);
    const out = new Uint8Array(PREFACE.byteLength + settings.byteLength);
    out.set(PREFACE);
    out.set(settings, PREFACE.byteLength);
    socket.write(out);
  }

  /** Whether another request may ride this connection at some point: open, no GOAWAY, `max-reuse` not reached. */
  get acceptsNewStream(): boolean {
    return !this.closed && !this.#ended && !this.#noReuse && this.#goawayLast < 0 && this.#opened < this.#maxStreams && this.#nextId <= MAX_STREAM_ID;
  }

  /** Streams another request may open now (HAProxy's h2_avail_streams). */
  get availStreams(): number {
    if (!this.acceptsNewStream) return 0;
    return Math.max(0, Math.min(this.#streamsLimit - this.#streams.size - this.#unopened.size, this.#maxStreams - this.#opened));
  }

  /** Streams with a user. */
  get attachedStreams(): number {
    return this.#attached;
  }

  /** A new stream for `handler` (its user): its HEADERS go out with its first write. */
  openStream(handler: SocketHandler | undefined): H2ServerStream {
    const stream = new H2ServerStream(this, this.#socket, handler);
    if (this.#attached === 0 && this.#opened > 0) this.#availAllowed = true;
    if (this.#attached === 0 && this.#countsOn !== undefined) this.#countsOn.usedConnections++;
    this.#opened++;
    this.#attached++;
    this.#unopened.add(stream);
    this.#idleHandler = undefined;
    this.#updateAvail();
    return stream;
  }

  /**
   * Offers the connection to other streams while it has free slots (HAProxy's avail list):
   * `now` for a new connection under `http-reuse always`, else only once it is reused.
   */
  shareIn(avail: AvailList, now: boolean): void {
    if (avail !== this.#avail && this.#inAvail && this.record !== undefined) {
      // Another session's list (safe: the connection follows the session riding it).
      this.#avail?.removeAvail(this.record);
      this.#inAvail = false;
    }
    this.#avail = avail;
    if (now) {
      this.#availAllowed = true;
      this.#updateAvail();
    }
  }

  #updateAvail(): void {
    const avail = this.#avail;
    if (avail === undefined || this.record === undefined) return;
    const want = this.#availAllowed && this.#attached > 0 && this.availStreams > 0;
    if (want === this.#inAvail) return;
    this.#inAvail = want;
    if (want) avail.addAvail(this.record);
    else avail.removeAvail(this.record);
  }

  // ---- what its streams ask ---------------------------------------------------------------------

  /** Writes to the server's socket, noting when its queue is full (streams are told to wait). */
  out(bytes: Uint8Array): void {
    if (this.#held === undefined && writeBatchOpen(this.runtime)) {
      // Held until the read being processed (or the loop's round of I/O) ends: see write-batch.ts.
      this.#held = [];
      this.#heldBytes = 0;
      enlistWriter(this, this.runtime);
    }
    if (this.#held !== undefined) {
      this.#held.push(bytes);
      this.#heldBytes += bytes.byteLength;
      return;
    }
    if (!this.#socket.write(bytes)) this.socketFull = true;
  }

  endWriteBatch(): void {
    const held = this.#held;
    if (held === undefined) return;
    this.#held = undefined;
    if (held.length > 0 && !writeFrames(this.#socket, held, this.#heldBytes)) this.socketFull = true;
  }

  get socketBuffered(): number {
    return this.#socket.bufferedAmount;
  }

  /** Whether `stream` may open now; if not it waits for a slot (slotGranted follows). */
  slotFor(stream: H2ServerStream): boolean {
    if (this.#streams.size < this.#streamsLimit && (this.#waitingSlot.length === 0 || this.#granting === stream)) return true;
    if (!this.#waitingSlot.includes(stream)) this.#waitingSlot.push(stream);
    return false;
  }

  /** `stream` sends its HEADERS: it takes the next id. */
  open(stream: H2ServerStream): void {
    this.#unopened.delete(stream);
    stream.id = this.#nextId;
    this.#nextId += 2;
    stream.sendWindow = this.#peerInitialWindow;
    this.#streams.set(stream.id, stream);
    this.#h2.openStreams++;
    this.#h2.totalStreams++;
  }

  /**
   * RST_STREAM for one stream (HAProxy counts every one as h2_rst_stream_resp); `detected`: it
   * answers an error found in the server's response (h2_detected_strm_protocol_errors).
   */
  resetStream(id: number, code: number, detected: boolean): void {
    if (detected) this.#h2.strmProtoErr++;
    if (this.closed) return;
    this.#h2.rstStreamResp++;
    this.out(rstStreamFrame(id, code));
  }

  /** Forgets every open stream (the connection ends). */
  #dropStreams(): void {
    this.#h2.openStreams -= this.#streams.size;
    this.#streams.clear();
  }

  /** `stream` is over on the wire (or never opened): its slot is free. */
  streamClosed(stream: H2ServerStream): void {
    if (!this.#unopened.delete(stream)) {
      if (stream.id === 0 || this.#streams.get(stream.id) !== stream) return;
      this.#streams.delete(stream.id);
      this.#h2.openStreams--;
    }
    const w = this.#waitingSlot.indexOf(stream);
    if (w >= 0) this.#waitingSlot.splice(w, 1);
    this.#grantSlots();
    this.#updateAvail();
    if (this.#attached === 0) this.#maybeIdleEnd();
  }

  #grantSlots(): void {
    const waiting = this.#waitingSlot;
    // Each waiting stream once: one that cannot open yet (a partial head) waits again.
    for (let n = waiting.length; n > 0 && waiting.length > 0 && this.#streams.size < this.#streamsLimit && !this.closed; n--) {
      const stream = waiting.shift() as H2ServerStream;
      this.#granting = stream;
      stream.slotGranted();
      this.#granting = undefined;
    }
  }

  /**
   * A stream's user let it go. After an exchange (`finished`), `reusable` says whether the
   * connection may carry another request; a stream given up (a reset sent, a failed stream)
   * says nothing of the connection. The last one leaving parks the connection in the pool of
   * the last exchange (HAProxy's h2_detach: srv_add_to_idle_list, or the session's list) when
   * it may carry another request, else closes it.
   */
  streamLeft(pool: ConnectionParking | undefined, reusable: boolean, finished: boolean): void {
    this.#attached--;
    if (this.#attached === 0 && this.#countsOn !== undefined) this.#countsOn.usedConnections--;
    if (finished) {
      if (!reusable || pool === undefined) this.#noReuse = true;
      else {
        this.#home = pool;
        if (this.record !== undefined) this.record.uses++;
      }
    }
    if (this.#attached > 0) {
      if (this.#avail !== undefined) this.#availAllowed = true;
      return this.#updateAvail();
    }
    this.#updateAvail();
    if (this.closed) return;
    const home = this.#home;
    if (home !== undefined && this.acceptsNewStream && this.record !== undefined) {
      // HAProxy parks an HTTP/2 connection as a safe one whatever it carried (h2_detach).
      if (this.record.uses < 2) this.record.uses = 2;
      home.park(this.record);
      return;
    }
    this.#shut(false);
  }

  /** `stream` waits for connection-window credit. */
  waitCredit(stream: H2ServerStream): void {
    if (stream.waitingCredit) return;
    stream.waitingCredit = true;
    this.#waitingCredit.push(stream);
  }

  /** Credit came to the connection: the waiting streams send one frame each in turn. */
  #serveCredit(): void {
    const waiting = this.#waitingCredit;
    while (waiting.length > 0 && this.connSendWindow > 0 && !this.closed) {
      const stream = waiting.shift() as H2ServerStream;
      stream.waitingCredit = false;
      stream.flush(this.peerMaxFrame);
    }
  }

  /** `n` DATA bytes read for `stream`: its credit goes back after the read, when its user takes them. */
  owe(stream: H2ServerStream, n: number): void {
    if (n === 0) return;
    if (stream.owed === 0) this.#creditDue.push(stream);
    stream.owed += n;
  }

  /** Gives `stream` its owed credit back when its user takes data (after a read, or on resume). */
  credit(stream: H2ServerStream): void {
    if (this.closed || stream.owed === 0 || !stream.takesData) return;
    const n = stream.owed;
    stream.owed = 0;
    if (this.#streams.get(stream.id) === stream) this.out(windowUpdateFrame(stream.id, n));
  }

  /** Another stream failed the connection (its request could not be encoded). */
  fail(code: number, error: unknown): void {
    this.#connectionError(code, error);
  }

  // ---- Socket: the connection while idle (the pool holds it) ------------------------------------

  setHandler(handler: SocketHandler): void {
    this.#idleHandler = handler;
  }

  /** Nothing is written to an idle connection: its streams write. */
  write(): boolean {
    return false;
  }

  end(): void {
    this.#shut(false);
  }

  destroy(): void {
    this.#shut(false);
  }

  reset(): void {
    this.#shut(true);
  }

  pause(): void {}
  resume(): void {}

  get bufferedAmount(): number {
    return this.#socket.bufferedAmount;
  }

  // ---- SocketHandler: the real connection -----------------------------------------------------

  onData(_socket: Socket, chunk: Uint8Array): void {
    if (this.closed) return;
    beginWriteBatch();
    try {
      try {
        this.#reader.feed(chunk, 0, this.#onFrame);
      } catch (error) {
        const code = error instanceof H2Error ? error.code : ErrorCode.PROTOCOL_ERROR;
        return this.#connectionError(code, error);
      }
      this.#afterRead();
    } finally {
      endWriteBatch();
    }
  }

  onDrain(): void {
    if (this.closed) return;
    this.socketFull = false;
    this.#serveCredit();
    for (const stream of this.#streams.values()) stream.drained();
  }

  onEnd(): void {
    // The server closed its side: nothing more will come on any stream.
    if (this.closed) {
      this.#held = undefined;
      return this.#socket.destroy();
    }
    this.#ended = true;
    this.#updateAvail();
    // Each user hears the end its stream makes of it (unanswered, a cut or complete response).
    for (const stream of [...this.#streams.values(), ...this.#unopened]) stream.serverClosed();
    if (this.#attached === 0) this.#idleHandler?.onEnd(this);
    if (!this.closed) this.#shut(false, false);
  }

  onClose(_socket: Socket, error: SocketError | undefined): void {
    if (!this.#uncounted) {
      this.#uncounted = true;
      this.#h2.openConns--;
    }
    const wasClosed = this.closed;
    this.closed = true;
    this.#held = undefined;
    this.#reader.stop();
    this.#updateAvail();
    const users = this.#users();
    this.#dropStreams();
    this.#unopened.clear();
    if (wasClosed && error === undefined) return;
    // A connection we ended ourselves was given up by its users: they hear nothing more.
    for (const stream of users) stream.connectionFailed(error ?? h2Failure('the server closed the connection'));
    if (this.#attached === 0) this.#idleHandler?.onClose(this, error);
  }

  /** The streams that still have a user. */
  #users(): H2ServerStream[] {
    const users: H2ServerStream[] = [];
    for (const stream of this.#streams.values()) if (!stream.detached) users.push(stream);
    for (const stream of this.#unopened) if (!stream.detached) users.push(stream);
    return users;
  }

  // ---- frames -----------------------------------------------------------------------------------

  #frame(f: Frame): void {
    if (this.closed) return;
    if (this.#blockStream !== 0 && f.type !== FrameType.CONTINUATION) {
      throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'a header block was interrupted');
    }
    switch (f.type) {
      case FrameType.SETTINGS:
        // HAProxy counts the server's first SETTINGS twice (checked in H2_CS_SETTINGS1, then
        // processed): so do we, for the same figures.
        this.#h2.settingsRcvd += this.settingsSeen ? 1 : 2;
        return this.#settings(f);
      case FrameType.PING:
        if ((f.flags & Flag.ACK) === 0) this.out(pingAckFrame(f.buf, f.start));
        return;
      case FrameType.GOAWAY:
        this.#h2.goawayRcvd++;
        return this.#goaway(f);
      case FrameType.WINDOW_UPDATE:
        return this.#windowUpdate(f);
      case FrameType.HEADERS:
        this.#h2.headersRcvd++;
        return this.#headerFragment(f);
      case FrameType.CONTINUATION:
        return this.#headerFragment(f);
      case FrameType.DATA:
        this.#h2.dataRcvd++;
        return this.#data(f);
      case FrameType.RST_STREAM:
        this.#h2.rstStreamRcvd++;
        return this.#streams.get(f.streamId)?.serverReset(readUint32(f.buf, f.start));
      default:
        return; // PRIORITY, unknown types
    }
  }

  #settings(f: Frame): void {
    if (f.flags & Flag.ACK) return;
    for (let at = f.start; at < f.end; at += 6) {
      const id = (f.buf[at]! << 8) | f.buf[at + 1]!;
      const value = readUint32(f.buf, at + 2);
      if (id === Setting.INITIAL_WINDOW_SIZE) {
        if (value > MAX_WINDOW) throw new H2Error(ErrorCode.FLOW_CONTROL_ERROR, 'initial window too large');
        const delta = value - this.#peerInitialWindow;
        this.#peerInitialWindow = value;
        for (const stream of this.#streams.values()) stream.sendWindow += delta;
      } else if (id === Setting.MAX_FRAME_SIZE) {
        if (value < DEFAULT_MAX_FRAME_SIZE || value > 0xffffff) throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'invalid max frame size');
        this.peerMaxFrame = value;
      } else if (id === Setting.ENABLE_PUSH) {
        if (value > 1) throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'invalid enable push');
      } else if (id === Setting.ENABLE_CONNECT_PROTOCOL) {
        this.rfc8441 = value === 1;
      } else if (id === Setting.MAX_CONCURRENT_STREAMS) {
        // The server's limit, never above ours (h2c_handle_settings on the backend side).
        this.#streamsLimit = Math.min(value, this.#localMaxStreams);
      }
    }
    this.settingsSeen = true;
    this.out(SETTINGS_ACK);
    for (const stream of [...this.#unopened]) stream.settingsArrived();
    for (const stream of this.#streams.values()) if (stream.hasPending && stream.sendWindow > 0) stream.flush(Infinity);
    this.#grantSlots();
    this.#updateAvail();
  }

  #goaway(f: Frame): void {
    const last = readUint32(f.buf, f.start) & 0x7fffffff;
    this.#goawayLast = last;
    this.#updateAvail();
    // Not processed: for their users, a server that closed without answering (retried once).
    const unprocessed: H2ServerStream[] = [];
    for (const stream of this.#streams.values()) if (stream.id > last) unprocessed.push(stream);
    for (const stream of this.#unopened) unprocessed.push(stream);
    for (const stream of unprocessed) {
      if (stream.detached) this.streamClosed(stream);
      else stream.unanswered();
    }
    this.#maybeIdleEnd();
  }

  /** No stream with a user and none may start: whoever holds the connection (the pool) lets it go. */
  #maybeIdleEnd(): void {
    if (this.#attached > 0 || this.closed || this.#ended || this.#goawayLast < 0) return;
    if (this.#streams.size > 0) return; // streams the server still processes finish first
    this.#ended = true;
    this.#idleHandler?.onEnd(this);
    if (!this.closed) this.#shut(false);
  }

  #windowUpdate(f: Frame): void {
    const increment = readUint32(f.buf, f.start) & 0x7fffffff;
    if (f.streamId === 0) {
      if (increment === 0) throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'WINDOW_UPDATE of 0');
      this.connSendWindow += increment;
      if (this.connSendWindow > MAX_WINDOW) throw new H2Error(ErrorCode.FLOW_CONTROL_ERROR, 'connection window overflow');
      this.#serveCredit();
      return;
    }
    this.#streams.get(f.streamId)?.windowUpdate(increment);
  }

  #headerFragment(f: Frame): void {
    if (f.type === FrameType.HEADERS) {
      if (f.streamId > this.#nextId - 2 || (f.streamId & 1) === 0) throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'HEADERS on a stream we did not open');
      this.#blockStream = f.streamId;
      this.#blockFlags = f.flags;
      this.#blockParts.length = 0;
      this.#blockBytes = 0;
    } else if (this.#blockStream === 0 || f.streamId !== this.#blockStream) {
      throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'CONTINUATION without a header block');
    }
    this.#blockBytes += f.end - f.start;
    if (this.#blockBytes > MAX_HEADER_BLOCK) throw new H2Error(ErrorCode.ENHANCE_YOUR_CALM, 'header block too large');
    if ((f.flags & Flag.END_HEADERS) === 0) {
      // The frame's buffer is the reader's only while it is read: a fragment waiting for its CONTINUATION is copied.
      this.#blockParts.push(f.buf.slice(f.start, f.end));
      return;
    }
    const parts = this.#blockParts;
    const sid = this.#blockStream;
    this.#blockStream = 0;
    // The usual block, in one HEADERS frame: decoded where it lies.
    let block = f.buf;
    let start = f.start;
    let end = f.end;
    if (parts.length > 0) {
      parts.push(f.buf.subarray(f.start, f.end));
      block = new Uint8Array(this.#blockBytes);
      let at = 0;
      for (const part of parts) {
        block.set(part, at);
        at += part.byteLength;
      }
      parts.length = 0;
      start = 0;
      end = block.byteLength;
    }
    // Decoded whatever the stream: the HPACK state is the connection's (a COMPRESSION_ERROR is the connection's).
    try {
      this.#decoder.decode(block, start, end, this.#fields);
    } catch (error) {
      throw new H2Error(ErrorCode.COMPRESSION_ERROR, error instanceof Error ? error.message : 'HPACK');
    }
    this.#streams.get(sid)?.headers(this.#fields, (this.#blockFlags & Flag.END_STREAM) !== 0);
  }

  #data(f: Frame): void {
    // Flow control counts every DATA frame, whichever stream it is on: the connection's credit
    // goes back after this read whatever the stream does with it.
    this.#connOwed += f.length;
    const stream = this.#streams.get(f.streamId);
    if (stream === undefined) {
      if (f.streamId >= this.#nextId) throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'DATA on an idle stream');
      return;
    }
    stream.data(f);
  }

  /** After a read: the connection's credit, and each stream's whose user took its data. */
  #afterRead(): void {
    if (this.closed) return;
    if (this.#connOwed > 0) {
      const n = this.#connOwed;
      this.#connOwed = 0;
      this.out(windowUpdateFrame(0, n));
    }
    const due = this.#creditDue;
    if (due.length > 0) {
      for (let i = 0; i < due.length; i++) this.credit(due[i] as H2ServerStream);
      due.length = 0;
    }
  }

  // ---- errors and the end ----------------------------------------------------------------------

  #connectionError(code: number, error: unknown): void {
    if (this.closed) return;
    if (error instanceof H2Error) this.#h2.connProtoErr++;
    this.out(goawayFrame(0, code));
    if (goawayAnswersError(code)) this.#h2.goawayResp++;
    const users = this.#users();
    this.closed = true;
    this.#reader.stop();
    this.#updateAvail();
    this.#dropStreams();
    this.#unopened.clear();
    this.endWriteBatch();
    this.#socket.end();
    const failure = h2Failure(error instanceof Error ? error.message : 'HTTP/2 connection error');
    for (const stream of users) stream.connectionFailed(failure);
    if (this.#attached === 0) this.#idleHandler?.onClose(this, failure);
  }

  /** The connection is given up: GOAWAY (RST_STREAM for streams in flight comes with it), then close. */
  #shut(abort: boolean, notify = true): void {
    if (this.closed) return;
    this.closed = true;
    this.#reader.stop();
    this.#updateAvail();
    const users = this.#users();
    this.#dropStreams();
    this.#unopened.clear();
    if (abort) {
      this.#held = undefined;
      this.#socket.reset();
    }
    else {
      this.out(goawayFrame(0, ErrorCode.NO_ERROR));
      this.endWriteBatch();
      this.#socket.end();
    }
    // Streams still riding it (a shut by its holder) see a closed server.
    if (notify) for (const stream of users) stream.connectionFailed(h2Failure('the HTTP/2 connection was closed'));
  }
}

/**
 * The stream a request rides on a pooled connection: an HTTP/1 connection is the socket itself,
 * an HTTP/2 one opens a new stream for it (its user `handler`). `conn` stays the pool's entry.
 */
export function rideConnection(conn: PooledConnection, handler: SocketHandler): PooledConnection {
  const socket = conn.socket;
  if (!(socket instanceof H2ServerConnection)) {
    socket.setHandler(handler);
    return conn;
  }
  return { socket: socket.openStream(handler), server: conn.server, uses: conn.uses, idleSince: conn.idleSince, key: conn.key };
}

/**
 * Where a server connection a stream rides is offered to other streams (connect_server,
 * conn_backend_get, h2_detach), once the stream is on it (`fresh`: a new connection): an
 * HTTP/2 connection goes to the backend's avail list (`pool`) at once under `always`, under
 * `aggressive` once reused or shared; under `safe` and `never` it serves only the streams of
 * its client connection (`session`). An HTTP/1 connection carries one stream: nothing to offer.
 */
/** The socket is a stream of an HTTP/2 server connection (others carry one stream: nothing to share). */
export function isHttp2ServerStream(socket: Socket): boolean {
  return socket instanceof H2ServerStream;
}

export function shareServerConnection(socket: Socket, reuse: 'never' | 'safe' | 'aggressive' | 'always', pool: AvailList | undefined, session: () => AvailList, fresh: boolean): void {
  if (!(socket instanceof H2ServerStream)) return;
  const conn = socket.connection;
  if (pool !== undefined && (reuse === 'always' || reuse === 'aggressive')) conn.shareIn(pool, reuse === 'always' || !fresh);
  else conn.shareIn(session(), true);
}

export { H2ServerStream };
