/**
 * One connection of HAProxy's peers protocol (src/peers.c's peer applet), either side: the
 * handshake (PEER_SESS_ST_GETVERSION...GETPEER on an accepted connection, CONNECT/GETSTATUS on
 * one we opened), then the message loop:
 *
 * - received table definitions select which local table the following updates apply to
 *   (matched by name, key type and key size, as HAProxy); updates create or refresh entries;
 *   the last update id received per table is acknowledged after each read;
 * - a resync request from the peer is answered with every entry then "resync finished"; a
 *   "resync finished/partial" from it is confirmed;
 * - the lesson of a reload: the stopping process connects to the local peer's address (the new
 *   process listens there now) under the local peer's own name, teaches every entry with its
 *   remaining life, then "resync finished"; the new process confirms, and the old one may go;
 * - a heartbeat goes out every 3 s, and a session that received nothing for 5 s is closed
 *   (HAProxy's PEER_HEARTBEAT_TIMEOUT and PEER_RECONNECT_TIMEOUT).
 *
 * Local changes are pushed by the section (peers-sync.ts) through `push`: a definition message
 * each time the table changes (HAProxy's "switch"), then one update per entry, each with its id.
 */
import type { Runtime, Socket, SocketError, SocketHandler, TimerHandle } from '../runtime.ts';
import type { StickEntry, StickTable } from '../stick/stick-table.ts';
import {
  checkVersionLine,
  ControlMsg,
  helloMessage,
  MsgClass,
  readFrame,
  shortMessage,
  Status,
  TableMsg,
  tableMessage,
} from './protocol.ts';
import { applyUpdate, definitionMatches, readDefinition, writeDefinition, writeUpdate, type ServerKeyCache, type TableDefinition } from './table-codec.ts';
import { ByteWriter, latin1Text, Truncated, type ByteReader } from './wire.ts';

export const HEARTBEAT_MS = 3000;
export const SILENCE_MS = 5000;

/** A local table shared with the peers. */
export interface SharedTable {
  /** Our id for it on the wire (1-based). */
  readonly id: number;
  /** Its name on the wire (HAProxy's nid: the proxy's name, or `/TABLE` for a peers section's). */
  readonly wireName: string;
  readonly table: StickTable;
  /** HAProxy data type numbers sent in its updates. */
  readonly types: readonly number[];
  /** The id of the last update given out. */
  updateId: number;
  /** Local changes to the table, and those plus the updates received (HAProxy's localupdate, update). */
  localUpdates: number;
  updates: number;
}

/**
 * What a peer's sessions count, kept across them by the section (HAProxy's struct peer fields
 * `show peers` prints).
 */
export interface PeerCounters {
  /** The last status of a handshake (100 connecting, 110 connected, 200, or a refusal). */
  statusCode: number;
  /** When the last connection attempt, status or handshake success was (runtime clock), undefined before. */
  lastHandshake: number | undefined;
  /** Resyncs received (finished or partial), heartbeats sent and received, sessions ended by silence. */
  confirm: number;
  txHeartbeats: number;
  rxHeartbeats: number;
  noHeartbeat: number;
  /** Outgoing connections opened, protocol errors, and simultaneous connections (collisions). */
  newConnections: number;
  protocolErrors: number;
  collisions: number;
}

export function newPeerCounters(): PeerCounters {
  return { statusCode: 0, lastHandshake: undefined, confirm: 0, txHeartbeats: 0, rxHeartbeats: 0, noHeartbeat: 0, newConnections: 0, protocolErrors: 0, collisions: 0 };
}

/** Per shared table, what this session exchanged about it (HAProxy's struct shared_table). */
export interface SessionTableState {
  /** The peer's id for the table and the data types it sends (a bit per type), from its definition. */
  readonly remoteId: number;
  readonly remoteData: bigint;
  /** The last update id received, and the last one we acknowledged. */
  readonly lastGet: number;
  readonly lastAcked: number;
  readonly lastPushed: number;
  /** The last update id the peer acknowledged (HAProxy's st->update). */
  readonly peerAcked: number;
}

/** What a session needs from its section. */
export interface SessionOwner {
  readonly runtime: Runtime;
  readonly localName: string;
  readonly tables: readonly SharedTable[];
  /** An accepted session names its peer: false when it is not one of ours (504). */
  knows(peer: string): boolean;
  /** The handshake succeeded with `peer`: the session becomes that peer's. */
  established(session: PeerSession, peer: string): void;
  /** The new process confirmed the lesson this (old, stopping) process gave it. */
  taught(session: PeerSession): void;
  /** The session ended; `wasReady`: after a successful handshake. */
  closed(session: PeerSession, wasReady: boolean): void;
}

interface RemoteTable {
  readonly def: TableDefinition;
  readonly shared: SharedTable | undefined;
  /** The last update id received, and whether it still has to be acknowledged. */
  lastGet: number;
  unacked: boolean;
  /** The last update id acknowledged to the peer (HAProxy's last_acked). */
  lastAcked: number;
}

type State = 'hello' | 'status' | 'ready' | 'closed';

export class PeerSession implements SocketHandler {
  readonly #owner: SessionOwner;
  readonly #socket: Socket;
  /** The peer's name: given for a connection we opened, read from the hello for an accepted one. */
  peer: string | undefined;
  #state: State;
  #inbound = new Uint8Array(4096);
  #inboundLength = 0;
  /** Hello lines read so far (accepted side). */
  #lines: string[] = [];
  readonly #remoteTables = new Map<number, RemoteTable>();
  #current: RemoteTable | undefined;
  readonly #serverKeys: ServerKeyCache = new Map();
  /** The table our last update messages were about (a definition precedes a change). */
  #lastSent: SharedTable | undefined;
  #timer: TimerHandle | undefined;
  #lastReceived: number;
  /** We opened the connection (else the peer did). */
  readonly #outbound: boolean;
  /** The peer's counters (the section gives an accepted session its peer's once it is named). */
  counters: PeerCounters = newPeerCounters();
  /** Events handled (HAProxy's appctx task calls). */
  calls = 0;
  /** When the next heartbeat is due (runtime clock). */
  #heartbeatAt = 0;
  /** The TCP (or TLS) connection is up: always for an accepted one. */
  #connected: boolean;
  readonly #lastPushed = new Map<SharedTable, number>();
  readonly #peerAcked = new Map<number, number>();

  /** `peer` undefined: an accepted connection; otherwise we connect to it. */
  constructor(owner: SessionOwner, socket: Socket, peer: string | undefined) {
    this.#owner = owner;
    this.#socket = socket;
    this.peer = peer;
    this.#outbound = peer !== undefined;
    this.#state = peer === undefined ? 'hello' : 'status';
    this.#connected = peer === undefined;
    this.#lastReceived = owner.runtime.now();
    socket.setHandler(this);
    this.#arm();
  }

  get ready(): boolean {
    return this.#state === 'ready';
  }

  get outbound(): boolean {
    return this.#outbound;
  }

  get connected(): boolean {
    return this.#connected && this.#state !== 'closed';
  }

  get socket(): Socket {
    return this.#socket;
  }

  /** HAProxy's applet state number (st0): PEER_SESS_ST_GETVERSION..GETPEER, GETSTATUS, WAITMSG, END. */
  get stage(): number {
    if (this.#state === 'hello') return 1 + Math.min(this.#lines.length, 2);
    if (this.#state === 'status') return this.#connected ? 6 : 5;
    return this.#state === 'ready' ? 7 : 11;
  }

  /** When the session is closed for silence, and when the next heartbeat goes (runtime clock). */
  get silenceDeadline(): number {
    return this.#lastReceived + SILENCE_MS;
  }

  get heartbeatAt(): number | undefined {
    return this.#state === 'ready' ? this.#heartbeatAt : undefined;
  }

  /** The table the peer's updates apply to now, and the one our last updates were about. */
  get receivingTable(): { readonly shared: SharedTable; readonly remoteId: number } | undefined {
    const current = this.#current;
    return current?.shared !== undefined ? { shared: current.shared, remoteId: current.def.id } : undefined;
  }

  get lastSentTable(): SharedTable | undefined {
    return this.#lastSent;
  }

  /** The server keys received, by dictionary id (HAProxy's RX dictionary cache). */
  get receivedServerKeys(): ReadonlyMap<number, string> {
    return this.#serverKeys;
  }

  /** What this session exchanged about `shared`. */
  tableState(shared: SharedTable): SessionTableState {
    let remote: RemoteTable | undefined;
    for (const r of this.#remoteTables.values()) if (r.shared === shared) remote = r;
    return {
      remoteId: remote?.def.id ?? 0,
      remoteData: remote?.def.data ?? 0n,
      lastGet: remote?.lastGet ?? 0,
      lastAcked: remote?.lastAcked ?? 0,
      lastPushed: this.#lastPushed.get(shared) ?? 0,
      peerAcked: this.#peerAcked.get(shared.id) ?? 0,
    };
  }

  onConnect(): void {
    this.calls++;
    this.#connected = true;
    this.counters.statusCode = 110;
    if (this.peer !== undefined) this.#write(helloMessage(this.peer, this.#owner.localName, this.#owner.runtime.pid));
  }

  onData(_socket: Socket, chunk: Uint8Array): void {
    if (this.#state === 'closed') return;
    this.calls++;
    this.#lastReceived = this.#owner.runtime.now();
    this.#append(chunk);
    try {
      this.#consume();
    } catch (error) {
      if (!(error instanceof Truncated)) throw error;
      this.#protocolError();
    }
  }

  onEnd(): void {
    this.close();
  }

  onDrain(): void {}

  onClose(_socket: Socket, _error: SocketError | undefined): void {
    this.#closed();
  }

  /** Ends the session (its socket closes; the owner is told). */
  close(): void {
    if (this.#state === 'closed') return;
    this.#socket.destroy();
    this.#closed();
  }

  /** Sends updates of `entries` of `shared` (a definition first when the table changes). */
  push(shared: SharedTable, entries: Iterable<StickEntry>): void {
    if (this.#state !== 'ready') return;
    const out = new ByteWriter();
    this.#pushInto(out, shared, entries);
    if (out.length > 0) this.#socket.write(out.view().slice());
  }

  /**
   * Every live entry of every table (a new session, or the peer's resync request), each with
   * what remains of its life (HAProxy's teach stages send timed updates).
   */
  teach(): void {
    const out = new ByteWriter();
    const now = this.#owner.runtime.now();
    for (const shared of this.#owner.tables) this.#pushInto(out, shared, shared.table.list(now), true);
    if (out.length > 0) this.#socket.write(out.view().slice());
  }

  /**
   * The session is the lesson of a reload: this stopping process connected to the local peer's
   * address, where the new process listens, under the local peer's own name.
   */
  get isLesson(): boolean {
    return this.#outbound && this.peer === this.#owner.localName;
  }

  #pushInto(out: ByteWriter, shared: SharedTable, entries: Iterable<StickEntry>, timed = false): void {
    const now = this.#owner.runtime.now();
    for (const entry of entries) {
      if (!entry.inTable) continue;
      if (this.#lastSent !== shared) {
        out.bytes(tableMessage(TableMsg.define, (w) => writeDefinition(w, shared.id, shared.wireName, shared.table, shared.types)));
        this.#lastSent = shared;
      }
      const id = (shared.updateId = (shared.updateId + 1) >>> 0);
      this.#lastPushed.set(shared, id);
      out.bytes(tableMessage(timed ? TableMsg.updateTimed : TableMsg.update, (w) => writeUpdate(w, shared.table, shared.types, entry, id, now, timed)));
    }
  }

  #write(text: string): void {
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
    this.#socket.write(bytes);
  }

  #append(chunk: Uint8Array): void {
    if (this.#inboundLength + chunk.length > this.#inbound.length) {
      let size = this.#inbound.length * 2;
      while (size < this.#inboundLength + chunk.length) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.#inbound.subarray(0, this.#inboundLength));
      this.#inbound = grown;
    }
    this.#inbound.set(chunk, this.#inboundLength);
    this.#inboundLength += chunk.length;
  }

  #consume(): void {
    let pos = 0;
    while (this.#state === 'hello' || this.#state === 'status') {
      const nl = this.#inbound.subarray(pos, this.#inboundLength).indexOf(0x0a);
      if (nl < 0) break;
      let line = latin1Text(this.#inbound.subarray(pos, pos + nl));
      if (line.endsWith('\r')) line = line.slice(0, -1);
      pos += nl + 1;
      if (this.#state === 'hello') this.#helloLine(line);
      else this.#statusLine(line);
    }
    if (this.#state === 'ready') {
      while (true) {
        const frame = readFrame(this.#inbound, pos, this.#inboundLength);
        if (frame === 'incomplete') break;
        if (frame === 'oversized') {
          this.#socket.write(shortMessage(MsgClass.error, 1));
          this.close();
          return;
        }
        pos = frame.next;
        this.#message(frame.cls, frame.type, frame.body);
        if (this.#state !== 'ready') return;
      }
      this.#sendAcks();
    }
    if (pos > 0) {
      this.#inbound.copyWithin(0, pos, this.#inboundLength);
      this.#inboundLength -= pos;
    }
  }

  #helloLine(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length === 1) {
      const status = checkVersionLine(line);
      if (status !== undefined) this.#refuse(status);
    } else if (this.#lines.length === 2) {
      if (line !== this.#owner.localName) this.#refuse(Status.badHost);
    } else {
      const space = line.indexOf(' ');
      if (space < 0) return this.#refuse(Status.protocolError);
      const name = line.slice(0, space);
      if (!this.#owner.knows(name)) return this.#refuse(Status.unknownPeer);
      this.peer = name;
      this.#write(`${Status.success}\n`);
      this.#established();
    }
  }

  #statusLine(line: string): void {
    const code = Number(line);
    this.counters.statusCode = Number.isInteger(code) ? code : 0;
    this.counters.lastHandshake = this.#owner.runtime.now();
    if (code !== Status.success) {
      this.close();
      return;
    }
    this.#established();
  }

  #established(): void {
    this.#state = 'ready';
    this.#owner.established(this, this.peer as string);
    this.counters.statusCode = Status.success;
    this.counters.lastHandshake = this.#owner.runtime.now();
    // The old process teaching us at a reload learns nothing back: it is about to leave.
    if (!this.#outbound && this.peer === this.#owner.localName) return;
    this.teach();
    if (this.isLesson) this.#socket.write(shortMessage(MsgClass.control, ControlMsg.resyncFinished));
  }

  #refuse(status: Status): void {
    this.counters.statusCode = status;
    this.#write(`${status}\n`);
    this.#socket.end();
    this.#closed();
  }

  #protocolError(): void {
    this.counters.protocolErrors++;
    this.#socket.write(shortMessage(MsgClass.error, 0));
    this.close();
  }

  #message(cls: number, type: number, body: ByteReader): void {
    if (cls === MsgClass.control) {
      if (type === ControlMsg.resyncRequest) {
        this.teach();
        this.#socket.write(shortMessage(MsgClass.control, ControlMsg.resyncFinished));
      } else if (type === ControlMsg.resyncFinished || type === ControlMsg.resyncPartial) {
        this.counters.confirm++;
        this.#socket.write(shortMessage(MsgClass.control, ControlMsg.resyncConfirm));
      } else if (type === ControlMsg.resyncConfirm) {
        if (this.isLesson) this.#owner.taught(this);
      } else if (type === ControlMsg.heartbeat) {
        this.counters.rxHeartbeats++;
      }
      return;
    }
    if (cls === MsgClass.error || cls === MsgClass.reserved) {
      this.close();
      return;
    }
    if (cls !== MsgClass.stickTable) return;
    switch (type) {
      case TableMsg.define: {
        const def = readDefinition(body);
        const shared = this.#owner.tables.find((s) => s.wireName === def.name && definitionMatches(def, s.table));
        for (const [id, remote] of this.#remoteTables) if (id === def.id && remote.shared !== shared) this.#remoteTables.delete(id);
        const previous = this.#remoteTables.get(def.id);
        const remote: RemoteTable = { def, shared, lastGet: previous?.lastGet ?? 0, unacked: false, lastAcked: previous?.lastAcked ?? 0 };
        this.#remoteTables.set(def.id, remote);
        this.#current = remote;
        return;
      }
      case TableMsg.switchTable:
        this.#current = this.#remoteTables.get(body.varint());
        return;
      case TableMsg.update:
      case TableMsg.incrementalUpdate:
      case TableMsg.updateTimed:
      case TableMsg.incrementalUpdateTimed: {
        const remote = this.#current;
        if (remote?.shared === undefined) return;
        const withId = type === TableMsg.update || type === TableMsg.updateTimed;
        const timed = type === TableMsg.updateTimed || type === TableMsg.incrementalUpdateTimed;
        const id = applyUpdate(body, remote.shared.table, remote.def, this.#serverKeys, withId, timed, this.#owner.runtime.now());
        remote.shared.updates++;
        remote.lastGet = id ?? (remote.lastGet + 1) >>> 0;
        remote.unacked = true;
        return;
      }
      case TableMsg.ack: {
        // We keep no history to trim: the acknowledged id is only shown (`show peers`).
        const id = body.varint();
        this.#peerAcked.set(id, body.uint32());
        return;
      }
      default:
        // Unknown types: their body is skipped.
        return;
    }
  }

  #sendAcks(): void {
    for (const remote of this.#remoteTables.values()) {
      if (!remote.unacked) continue;
      remote.unacked = false;
      remote.lastAcked = remote.lastGet;
      this.#socket.write(
        tableMessage(TableMsg.ack, (w) => {
          w.varint(remote.def.id);
          w.uint32(remote.lastGet);
        }),
      );
    }
  }

  #arm(): void {
    this.#heartbeatAt = this.#owner.runtime.now() + HEARTBEAT_MS;
    this.#timer = this.#owner.runtime.setTimer(() => this.#tick(), HEARTBEAT_MS);
  }

  #tick(): void {
    this.#timer = undefined;
    if (this.#state === 'closed') return;
    this.calls++;
    if (this.#owner.runtime.now() - this.#lastReceived > SILENCE_MS) {
      if (this.#state === 'ready') this.counters.noHeartbeat++;
      this.close();
      return;
    }
    if (this.#state === 'ready') {
      this.counters.txHeartbeats++;
      this.#socket.write(shortMessage(MsgClass.control, ControlMsg.heartbeat));
    }
    this.#arm();
  }

  #closed(): void {
    if (this.#state === 'closed') return;
    const wasReady = this.#state === 'ready';
    this.#state = 'closed';
    if (this.#timer !== undefined) this.#owner.runtime.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#owner.closed(this, wasReady);
  }
}
