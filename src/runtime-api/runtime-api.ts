/**
 * The runtime API (HAProxy's stats socket): one listener per `stats socket` line, UNIX or TCP,
 * serving CliSessions over the running generation (target.ts). `stats maxconn` bounds the
 * sessions of all sockets together, as HAProxy's GLOBAL frontend does: beyond it, connections
 * wait unread until a session ends.
 */
import type { StatsModel, StatsSocketModel } from '../config/model.ts';
import type { Listener, Runtime, Socket } from '../runtime.ts';
import type { CommandTable } from './command-table.ts';
import { createCommandTable } from './commands/index.ts';
import { CliSession, type SessionOwner } from './session.ts';
import type { RuntimeTarget } from './target.ts';
import { socketFileOptions } from '../proxy/socket-owners.ts';
import { socketPathText } from '../config/address.ts';
import { listenOnInherited } from '../proxy/inherited-listener.ts';

export class RuntimeApi implements SessionOwner {
  readonly listeners: Listener[] = [];
  readonly #runtime: Runtime;
  readonly #stats: StatsModel;
  readonly #target: RuntimeTarget;
  readonly #commands: CommandTable = createCommandTable();
  readonly #sessions = new Set<CliSession>();
  /** Connections accepted, the master's link included (the GLOBAL frontend's cum_conn). */
  #accepted = 0;
  /** The `stats socket` lines' listeners (not the master's link); those paused by SIGTTOU are absent. */
  readonly #socketListeners = new Map<StatsSocketModel, Listener>();
  #paused: StatsSocketModel[] = [];
  readonly #waiting: { socket: Socket; model: StatsSocketModel }[] = [];
  #closed = false;

  /**
   * A TCP socket is opened with SO_REUSEPORT, as HAProxy's listeners are unless `noreuseport`:
   * a master-worker reload's new worker binds it while the old one still answers on it.
   */
  readonly #reusePort: boolean;

  constructor(runtime: Runtime, stats: StatsModel, target: RuntimeTarget, reusePort = true) {
    this.#runtime = runtime;
    this.#stats = stats;
    this.#target = target;
    this.#reusePort = reusePort;
  }

  /** Opens every socket; on failure the ones opened are closed and the error names the line. */
  async start(): Promise<void> {
    try {
      for (const model of this.#stats.sockets) {
        const listener = await this.#listen(model);
        this.listeners.push(listener);
        this.#socketListeners.set(model, listener);
      }
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  #listen(model: StatsSocketModel): Promise<Listener> {
    const accept = (socket: Socket): void => this.#accept(socket, model);
    const address = model.address;
    const where = `${model.source.file}:${model.source.line}`;
    const opened =
      address.kind === 'unix'
        ? this.#runtime.listenUnix({ path: address.path, ...socketFileOptions(model.mode, model.owner) }, accept)
        : address.kind === 'fd'
          ? listenOnInherited(this.#runtime, { fd: address.fd }, accept)
          : this.#runtime.listen({ host: address.host, port: address.port, reusePort: this.#reusePort }, accept);
    return opened.catch((error: unknown) => {
      const target = address.kind === 'unix' ? socketPathText(address.path) : address.kind === 'fd' ? `fd@${address.fd}` : `${address.host}:${address.port}`;
      throw new Error(`stats socket '${target}' (${where}): ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  /** The GLOBAL frontend's figures HAProxy's SIGHUP dump shows: sessions open, connections accepted. */
  get connectionFigures(): { readonly current: number; readonly total: number } {
    return { current: this.#sessions.size, total: this.#accepted };
  }

  #accept(socket: Socket, model: StatsSocketModel): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    this.#accepted++;
    if (this.#sessions.size >= this.#stats.maxconn) {
      socket.pause();
      this.#waiting.push({ socket, model });
      return;
    }
    this.#open(socket, model);
  }

  /**
   * Serves a connection accepted elsewhere (the master-worker link: runtime-api/master-link.ts)
   * as a session of `model`, with the bytes already read from it.
   */
  adopt(socket: Socket, model: StatsSocketModel, initial: Uint8Array): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    this.#accepted++;
    const session = new CliSession(socket, model, this.#target, this.#commands, this.#stats.timeout, this);
    this.#sessions.add(session);
    session.start();
    if (initial.length > 0) session.onData(socket, initial);
  }

  #open(socket: Socket, model: StatsSocketModel): void {
    const session = new CliSession(socket, model, this.#target, this.#commands, this.#stats.timeout, this);
    this.#sessions.add(session);
    session.start();
  }

  sessionClosed(session: CliSession): void {
    this.#sessions.delete(session);
    const next = this.#waiting.shift();
    if (next !== undefined && !this.#closed) {
      next.socket.resume();
      this.#open(next.socket, next.model);
    }
  }

  /** Stops accepting and ends every session. */
  /**
   * SIGTTOU: HAProxy pauses every listener, the CLI's too. An inherited one (`fd@`) stays open:
   * closing it would lose it.
   */
  async pause(): Promise<void> {
    if (this.#closed) return;
    for (const [model, listener] of this.#socketListeners) {
      if (model.address.kind === 'fd') continue;
      this.#socketListeners.delete(model);
      this.#paused.push(model);
      this.listeners.splice(this.listeners.indexOf(listener), 1);
      await listener.close();
    }
  }

  /** SIGTTIN: the paused sockets open again; false when one could not (kept for a next SIGTTIN). */
  async resume(): Promise<boolean> {
    const paused = this.#paused;
    this.#paused = [];
    let ok = true;
    for (const model of paused) {
      if (this.#closed) return ok;
      try {
        const listener = await this.#listen(model);
        this.listeners.push(listener);
        this.#socketListeners.set(model, listener);
      } catch {
        this.#paused.push(model);
        ok = false;
      }
    }
    return ok;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const listeners = this.listeners.splice(0);
    await Promise.all(listeners.map((l) => l.close()));
    for (const w of this.#waiting.splice(0)) w.socket.destroy();
    for (const s of [...this.#sessions]) s.kill();
  }
}
