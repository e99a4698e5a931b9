/**
 * The `program` sections of master-worker mode (HAProxy 2.6's mworker-prog.c): external
 * commands the master starts beside its workers, through the runtime seam's spawnProgram.
 * A reload starts each program again (the old one is told to stop with SIGUSR1, as HAProxy's
 * new worker does to every former child through `-sf`) unless its section says
 * `no option start-on-reload`: that one keeps running. Stop signals reach them as they reach
 * the workers; a current program that exits on its own with a failure status stops everything
 * (HAProxy's exit-on-failure), as a worker does.
 */
import type { ProgramModel } from '../config/model.ts';
import type { ChildProcessHandle, Runtime, SignalName } from '../runtime.ts';

export interface ProgramProcess {
  readonly model: ProgramModel;
  readonly handle: ChildProcessHandle;
  /** Wall-clock ms when it was started. */
  readonly startedWall: number;
  /** Reloads it went through (kept by `no option start-on-reload`). */
  reloads: number;
  /** Told to stop by a reload: an old program. */
  leaving: boolean;
}

/** What the master hears of its programs. */
export interface ProgramEvents {
  started(program: ProgramProcess): void;
  exited(program: ProgramProcess, status: number): void;
}

export class Programs {
  /** Current ones in configuration order, then old ones still running. */
  readonly list: ProgramProcess[] = [];
  readonly #runtime: Runtime;
  readonly #events: ProgramEvents;

  constructor(runtime: Runtime, events: ProgramEvents) {
    this.#runtime = runtime;
    this.#events = events;
  }

  get running(): number {
    return this.list.length;
  }

  /** The first start (mworker_ext_launch_all). */
  start(models: readonly ProgramModel[]): void {
    for (const model of models) this.#spawn(model, 0);
  }

  /**
   * A reload with the new configuration's programs: those kept by `no option start-on-reload`
   * (same name) go on, the others are told to stop and the new ones start.
   */
  reload(models: readonly ProgramModel[]): void {
    const current = this.list.filter((p) => !p.leaving);
    for (const p of this.list) p.reloads++;
    for (const model of models) {
      const kept = model.startOnReload ? undefined : current.find((p) => p.model.name === model.name);
      if (kept !== undefined) {
        current.splice(current.indexOf(kept), 1);
        continue;
      }
      this.#spawn(model, 0);
    }
    for (const old of current) {
      old.leaving = true;
      old.handle.kill('SIGUSR1');
    }
  }

  /** Relays a stop signal (mworker_kill). */
  signal(signal: SignalName): void {
    for (const p of this.list) p.handle.kill(signal);
  }

  #spawn(model: ProgramModel, reloads: number): void {
    const spawn = this.#runtime.spawnProgram;
    if (spawn === undefined) return;
    const handle = spawn(model.command, { user: model.user, group: model.group, environment: model.environment });
    const program: ProgramProcess = { model, handle, startedWall: this.#runtime.wallClock(), reloads, leaving: false };
    // New ones go after the current ones still kept, before the old ones (show proc's order).
    const firstOld = this.list.findIndex((p) => p.leaving);
    this.list.splice(firstOld < 0 ? this.list.length : firstOld, 0, program);
    this.#events.started(program);
    void handle.exited.then((code) => {
      const at = this.list.indexOf(program);
      if (at >= 0) this.list.splice(at, 1);
      // A signal's end reads as HAProxy's 128 + signal; the seam only says "a signal" (SIGTERM's 143).
      this.#events.exited(program, code ?? 143);
    });
  }
}
