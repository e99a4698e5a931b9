/**
 * The main thread's side of `nbthread N`: it starts N-1 more threads, each running the same
 * configuration generation on listeners of its own on the same ports (SO_REUSEPORT: the kernel
 * spreads the connections), and keeps them in step: the connection counts are shared memory
 * (ProcessLimits), server states go from the main thread to the others (server-state-sync.ts),
 * a freed connection slot wakes the threads holding connections back, and a stop or kill
 * reaches every thread. Only the main thread runs health checks, resolvers, peers and the
 * runtime API, and listens on UNIX sockets.
 */
import type { ConfigModel } from '../config/model.ts';
import type { Proxy } from '../proxy/proxy.ts';
import type { ServerStates } from '../proxy/server-state-file.ts';
import type { Runtime, ThreadHandle } from '../runtime.ts';
import { applyServerState, serverStateMessage, watchServerStates } from './server-state-sync.ts';
import { syncStickTables, type StickTableSync } from './stick-table-sync.ts';
import { applyObservation } from './observe-forwarding.ts';
import type { FromThread, ToThread, ToThreadStartOptions } from './thread-messages.ts';
import { GATHER_TIMEOUT_MS, ownStatRows } from './other-threads.ts';
import { PendingAnswers } from './pending-answers.ts';
import type { StatRow } from '../stats/stat-rows.ts';

export interface ThreadGroupStart {
  readonly config: ConfigModel;
  readonly serverStates: ServerStates;
  readonly options: ToThreadStartOptions;
  /** The buffer behind the main generation's ProcessLimits counts. */
  readonly connectionCounts: SharedArrayBuffer;
  /** The buffer behind its servers' process-wide session counts (server-counts.ts). */
  readonly serverCounts: SharedArrayBuffer;
}

interface Member {
  readonly handle: ThreadHandle;
  readonly index: number;
  /** Sent once the thread says hello. */
  readonly start: ToThread;
  ready: (outcome: FromThread) => void;
  stopped: () => void;
}

export class ThreadGroup {
  readonly #runtime: Runtime;
  readonly #members: Member[] = [];
  #proxy: Proxy | undefined;
  /** Stats rows awaited from threads. */
  readonly #gathers: PendingAnswers<StatRow[] | undefined>;
  /** `show sess` lines and `shutdown session` outcomes awaited from threads. */
  readonly #sessionLines: PendingAnswers<string>;
  readonly #sessionShut: PendingAnswers<boolean>;
  readonly #replayed: PendingAnswers<boolean>;
  /** The main thread's tables, followed by the other threads' copies (stick-table-sync.ts). */
  #tables: ReadonlyMap<string, StickTableSync> = new Map();

  private constructor(runtime: Runtime) {
    this.#runtime = runtime;
    this.#gathers = new PendingAnswers(runtime, GATHER_TIMEOUT_MS);
    this.#sessionLines = new PendingAnswers(runtime, GATHER_TIMEOUT_MS);
    this.#sessionShut = new PendingAnswers(runtime, GATHER_TIMEOUT_MS);
    this.#replayed = new PendingAnswers(runtime, GATHER_TIMEOUT_MS);
  }

  /**
   * Starts threads 1..count-1 and resolves once each listens; rejects with the first failure
   * (the threads started are killed then).
   */
  static async start(runtime: Runtime, proxy: Proxy, count: number, start: ThreadGroupStart): Promise<ThreadGroup> {
    const startThread = runtime.startThread;
    if (startThread === undefined) throw new Error(`${runtime.name} ${runtime.version} cannot run threads here`);
    const group = new ThreadGroup(runtime);
    group.#proxy = proxy;
    // A thread gets every entry when it starts (#received 'hello'), then every change.
    group.#tables = syncStickTables(proxy.stickTables, runtime, (m) => group.#broadcast(m));
    // Likewise server states: a change while the others start reaches those already serving
    // (a thread still starting drops it, and gets every server's state once it is ready).
    watchServerStates(proxy.backends, () => runtime.now(), (m) => group.#broadcast(m), () => false);
    proxy.limits.shareWith(() => group.#broadcast({ type: 'released' }));
    if (proxy.serverCounts !== undefined) proxy.serverCounts.wakeThread = (thread, queue) => group.#dequeueIn(thread, queue);
    const outcomes: Promise<FromThread>[] = [];
    for (let index = 1; index < count; index++) {
      const handle = startThread.call(runtime);
      let ready: (outcome: FromThread) => void = () => {};
      const outcome = new Promise<FromThread>((resolve) => {
        ready = resolve;
      });
      const message: ToThread = { type: 'start', index, count, config: start.config, serverStates: start.serverStates, options: start.options, connectionCounts: start.connectionCounts, serverCounts: start.serverCounts };
      const member: Member = { handle, index, start: message, ready, stopped: () => {} };
      group.#members.push(member);
      handle.onMessage((m) => group.#received(member, m as FromThread));
      // A thread that dies before it answers fails the start.
      void handle.exited.then(() => member.ready({ type: 'failed', message: `thread ${index} ended` }));
      outcomes.push(outcome);
    }
    const results = await Promise.all(outcomes);
    const failed = results.find((r) => r.type === 'failed');
    if (failed !== undefined && failed.type === 'failed') {
      await group.kill();
      throw new Error(failed.message);
    }
    proxy.otherThreads = {
      statRows: () => group.#statRowsOf(group.#members),
      replay: (args, payload) => group.#replay(args, payload),
      sessionLines: () => group.#sessionLinesOfAll(),
      shutdownSession: (address) => group.#shutdownSession(address),
    };
    return group;
  }

  /** Tells thread `thread` a slot of queue `queue`'s server is free (ServerCounts.wake). */
  #dequeueIn(thread: number, queue: number): void {
    if (thread === 0) this.#proxy?.serverCounts?.woken(queue);
    else this.#members[thread - 1]?.handle.post({ type: 'dequeue', queue } satisfies ToThread);
  }

  #broadcast(message: ToThread, except?: Member): void {
    for (const m of this.#members) if (m !== except) m.handle.post(message);
  }

  #received(member: Member, message: FromThread): void {
    switch (message.type) {
      case 'hello': {
        // Pending changes are sent first (a thread not started yet drops them): the snapshot holds them.
        for (const sync of this.#tables.values()) sync.flush();
        member.handle.post(member.start);
        const now = this.#runtime.now();
        for (const sync of this.#tables.values()) {
          const snapshot = sync.snapshot(now);
          if (snapshot !== undefined) member.handle.post(snapshot);
        }
        break;
      }
      case 'ready':
        // What changed while it started (the checks began before it): every server's state.
        if (this.#proxy !== undefined) {
          const now = this.#runtime.now();
          for (const backend of this.#proxy.backends.values()) for (const server of backend.servers) member.handle.post(serverStateMessage(backend, server, now));
        }
        member.ready(message);
        break;
      case 'failed':
        member.ready(message);
        break;
      case 'stopped':
        member.stopped();
        break;
      case 'released':
        this.#proxy?.limits.releasedElsewhere();
        this.#broadcast({ type: 'released' }, member);
        break;
      case 'dequeue':
        this.#dequeueIn(message.thread, message.queue);
        break;
      case 'server':
        // A change made in that thread: applied here, which passes it on to every thread.
        if (this.#proxy !== undefined) applyServerState(this.#proxy.backends, message, this.#runtime.now());
        break;
      case 'gathered':
        this.#gathers.answered(message.id, message.data);
        break;
      case 'sessions':
        this.#sessionLines.answered(message.id, message.text);
        break;
      case 'session-shut':
        this.#sessionShut.answered(message.id, message.found);
        break;
      case 'cli-done':
        this.#replayed.answered(message.id, true);
        break;
      case 'observe':
        if (this.#proxy !== undefined) applyObservation(this.#proxy.backends, message);
        break;
      case 'error-capture':
        this.#proxy?.limits.errorCaptures.record(message.capture);
        break;
      case 'gather':
        // That thread renders stats: the rows of the main thread and of every other thread.
        void this.#statRowsOf(this.#members.filter((m) => m !== member)).then((rows) => {
          if (this.#proxy !== undefined) rows.push(ownStatRows(this.#proxy.target));
          member.handle.post({ type: 'gathered', id: message.id, data: rows } satisfies ToThread);
        });
        break;
      case 'stick':
        // Applied here (the runtime API and the peers see it), then passed on to the other threads.
        this.#tables.get(message.table)?.apply(message, this.#runtime.now());
        this.#broadcast(message, member);
        break;
      default:
        break;
    }
  }

  /** Every thread runs the command, in the order the main thread ran its commands (one channel each). */
  async #replay(args: readonly string[], payload: string | undefined): Promise<void> {
    await Promise.all(this.#members.map((m) => this.#replayed.ask((id) => m.handle.post({ type: 'cli', id, args, payload } satisfies ToThread), false)));
  }

  #sessionLinesOfAll(): Promise<string[]> {
    return Promise.all(this.#members.map((m) => this.#sessionLines.ask((id) => m.handle.post({ type: 'show-sess', id } satisfies ToThread), '')));
  }

  /** Asks every thread (addresses are unique in the process: at most one holds it). */
  async #shutdownSession(address: number): Promise<boolean> {
    const asked = this.#members.map((m) => this.#sessionShut.ask((id) => m.handle.post({ type: 'shutdown-session', id, address } satisfies ToThread), false));
    return (await Promise.all(asked)).some((found) => found);
  }

  /** The stats rows of these threads; one that does not answer in time is left out. */
  #statRowsOf(members: readonly Member[]): Promise<StatRow[][]> {
    const asked = members.map((m) => this.#gathers.ask((id) => m.handle.post({ type: 'gather', id } satisfies ToThread), undefined));
    return Promise.all(asked).then((all) => all.filter((rows): rows is StatRow[] => rows !== undefined));
  }

  /** Soft stop of every thread (each as Proxy.stop): resolves when all are done. */
  stop(graceMs: number, softStop = false): Promise<void> {
    return this.#end({ type: 'stop', graceMs, softStop });
  }

  /** Ends every thread's sessions at once. */
  kill(): Promise<void> {
    return this.#end({ type: 'kill' });
  }

  async #end(message: ToThread): Promise<void> {
    await Promise.all(
      this.#members.map(
        (m) =>
          new Promise<void>((resolve) => {
            m.stopped = resolve;
            void m.handle.exited.then(resolve);
            m.handle.post(message);
          }),
      ),
    );
    for (const m of this.#members) m.handle.close();
  }
}
