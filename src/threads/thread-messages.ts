/**
 * What the main thread and the other threads of a process (`nbthread`) tell each other. All of
 * it is structured-cloned (src/runtime.ts ThreadChannel), the connection counts excepted: their
 * SharedArrayBuffer is shared.
 */
import type { ConfigModel } from '../config/model.ts';
import type { ProxyOptions } from '../proxy/proxy.ts';
import type { ServerStates } from '../proxy/server-state-file.ts';
import type { ServerStatus } from '../proxy/server.ts';
import type { ErrorCapture } from '../proxy/error-captures.ts';
import type { StatRow } from '../stats/stat-rows.ts';
import type { StickUpdateMessage } from './stick-table-sync.ts';
import type { ObservationMessage } from './observe-forwarding.ts';

/** A server's operational state, as the main thread decides it and every thread applies it. */
export interface ServerStateMessage {
  readonly type: 'server';
  readonly backend: string;
  readonly server: string;
  readonly status: ServerStatus;
  /** The address it is dialed at (resolvers change it in the main thread). */
  readonly host: string;
  readonly port: number;
  readonly weight: number;
  readonly userWeight: number;
  readonly maxconn: number;
  /** Ms since the last status change (threads have clocks of their own origins). */
  readonly sinceChange: number;
  readonly downTime: number;
  readonly check?: CheckStateSnapshot | undefined;
}

export interface CheckStateSnapshot {
  readonly health: number;
  readonly status: string;
  readonly code: number | undefined;
  readonly duration: number;
  readonly desc: string;
  readonly failedChecks: number;
  readonly downTransitions: number;
}

/** The command line's options, as the main thread's Proxy got them (`-L` among them). */
export type ToThreadStartOptions = Omit<ProxyOptions, 'thread'>;

/** Main -> thread. */
export type ToThread =
  | {
      readonly type: 'start';
      readonly index: number;
      readonly count: number;
      readonly config: ConfigModel;
      readonly serverStates: ServerStates;
      readonly options: ToThreadStartOptions;
      readonly connectionCounts: SharedArrayBuffer;
      readonly serverCounts: SharedArrayBuffer;
    }
  | { readonly type: 'stop'; readonly graceMs: number; readonly softStop: boolean }
  | { readonly type: 'kill' }
  | { readonly type: 'released' }
  /** A slot of the server whose queue is `queue` came free: the thread's first waiter may take it (server-counts.ts). */
  | { readonly type: 'dequeue'; readonly queue: number }
  | ServerStateMessage
  | StickUpdateMessage
  /** Asks for the thread's stats rows (answered with 'gathered'). */
  | { readonly type: 'gather'; readonly id: number }
  /** A runtime API command the main thread ran, for this one to run too (its answer is dropped; 'cli-done' once it ran). */
  | { readonly type: 'cli'; readonly id: number; readonly args: readonly string[]; readonly payload: string | undefined }
  /** The answer to a thread's 'gather': the rows of every other thread. */
  | { readonly type: 'gathered'; readonly id: number; readonly data: StatRow[][] }
  /** Asks for the thread's `show sess` lines (answered with 'sessions'). */
  | { readonly type: 'show-sess'; readonly id: number }
  /** `shutdown session`: kill the stream at `address` if the thread holds it (answered with 'session-shut'). */
  | { readonly type: 'shutdown-session'; readonly id: number; readonly address: number };

/** Thread -> main. */
export type FromThread =
  /** The thread listens for messages (Web Workers drop what is posted before): it may be started. */
  | { readonly type: 'hello' }
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'stopped' }
  | { readonly type: 'released' }
  /** For thread `thread` (the main thread passes it on): see ToThread's. */
  | { readonly type: 'dequeue'; readonly thread: number; readonly queue: number }
  | ServerStateMessage
  | StickUpdateMessage
  /** The thread's answer to a 'gather'. */
  | { readonly type: 'gathered'; readonly id: number; readonly data: StatRow[] }
  /** The thread renders stats: it asks for the rows of every other thread (answered with 'gathered'). */
  | { readonly type: 'gather'; readonly id: number }
  | { readonly type: 'sessions'; readonly id: number; readonly text: string }
  | ObservationMessage
  /** The thread ran the runtime API command of that 'cli' (or had nothing to run it on yet). */
  | { readonly type: 'cli-done'; readonly id: number }
  | { readonly type: 'session-shut'; readonly id: number; readonly found: boolean }
  /** An invalid message the thread captured, for the main thread to keep (`show errors`). */
  | { readonly type: 'error-capture'; readonly capture: ErrorCapture };

