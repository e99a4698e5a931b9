/**
 * Master-worker mode (`-W`, `-Ws`; HAProxy's mworker.c): this process keeps no proxy; it starts
 * a worker (this program again, through the runtime seam's spawnSelf) that serves the
 * configuration, relays the stop signals to it, reloads on SIGUSR2 / SIGHUP / the master CLI's
 * `reload` by starting a new worker after telling the current one to stop softly, and exits
 * when its workers are gone, with the current worker's status when that one died on its own
 * (HAProxy's exit-on-failure).
 *
 * Reload order, as HAProxy's: the new worker starts while the old ones serve on; once it
 * listens (its link registered) the old ones are told to stop softly (SIGUSR1): they stop
 * accepting and finish their connections. HAProxy's new worker takes the old one's listening
 * sockets over (fd passing); the seam cannot pass descriptors, so the workers' listeners are
 * opened with `reusePort` and the runtime's listenerHandover says how they coexist. Where they
 * cannot, the old worker has to stop listening first, and new connections are refused until
 * the new one listens.
 *
 * A runtime's process start is most of a reload's time (HAProxy forks), so once a worker
 * registered the master starts a spare (standby.ts) that loads the program and waits; a reload
 * hands it the go at the signal, and it replaces the old workers only once the configuration's
 * check passed. That check is the spare's own reading of the files, which it reports back
 * (spare-verdict.ts): the master does not parse them a second time beside it. Without a ready
 * spare a process is started, after the master's own check.
 */
import type { ProgramModel } from '../config/model.ts';
import type { ChildProcessHandle, Listener, Runtime, Socket, SocketHandler, TimerHandle } from '../runtime.ts';
import { VERSION } from '../version.ts';
import { type ProgramProcess, Programs } from './programs.ts';
import { WORKER_ENV } from './worker-link.ts';
import { reloadTrace } from './reload-trace.ts';
import type { ServiceNotifier } from './service-notify.ts';
import { GO_LINE, STANDBY_ENV, STANDBY_SWITCH_ENV } from './standby.ts';

export interface WorkerProcess {
  readonly handle: ChildProcessHandle;
  /** Wall-clock ms when it was started. */
  readonly startedWall: number;
  /** Reloads it went through (HAProxy's child->reloads). */
  reloads: number;
  /** Told to stop at once for going through more than `mworker-max-reloads` reloads. */
  overReloaded?: boolean;
  /** The loopback port of its CLI link, once it registered. */
  linkPort: number | undefined;
  /** Told to stop (reload or stop): it is an old worker. */
  leaving: boolean;
  /** The workers a reload started it to replace: told to stop once it listens. */
  readonly replaces: readonly WorkerProcess[];
  /** It was the spare until the reload that made it a worker. */
  readonly fromSpare?: boolean;
  /**
   * Started before the master's check of the configuration ended (a spare gets the go at the
   * signal): until that verdict it replaces nobody, even once it listens.
   */
  held?: boolean;
  /** Its reload failed the check: it is told to stop, and its end is no event. */
  cancelled?: boolean;
  /** How it ended while held. */
  endedHeld?: number;
}

/**
 * The pre-started process a reload hands its configuration to (src/master/standby.ts). It is
 * no worker (not in `workers`, `show proc` does not list it) until that reload.
 */
interface Spare {
  readonly handle: ChildProcessHandle;
  /** Its standby connection, once it announced itself ready. */
  socket: Socket | undefined;
  /** The worker it became at a reload. */
  worker: WorkerProcess | undefined;
  /** Its verdict line once it got the go (undefined if its connection closed first). */
  verdict?: Promise<string | undefined>;
}

export interface MasterLog {
  alert(text: string): void;
  warning(text: string): void;
  notice(text: string): void;
}

/**
 * How long after a worker registered the next spare starts: the new worker's first requests run
 * code the runtime has not compiled yet, and the spare's start (module loading, rehearsals)
 * takes a core for a few hundred milliseconds, on machines that may have two.
 */
const SPARE_DELAY_MS = 300;

/** strsignal()'s words for the signals that end workers (HAProxy prints them). */
const SIGNAL_WORDS: Readonly<Record<number, string>> = {
  1: 'Hangup', 2: 'Interrupt', 3: 'Quit', 4: 'Illegal instruction', 6: 'Aborted', 7: 'Bus error', 8: 'Floating point exception',
  9: 'Killed', 10: 'User defined signal 1', 11: 'Segmentation fault', 12: 'User defined signal 2', 13: 'Broken pipe', 14: 'Alarm clock', 15: 'Terminated',
};

function signalWords(status: number): string {
  return SIGNAL_WORDS[status - 128] ?? `Unknown signal ${status - 128}`;
}

/**
 * Loads the configuration again: its programs and whether it binds names only one process may
 * hold (handover.ts) when it is valid, else why not (a reload then keeps the workers and
 * programs): `problem` in one line for the log, `report` the lines logged (the reload's answer).
 * `spareVerdict`: the line of the spare that got the go at the signal (src/master/spare-verdict.ts),
 * which read the same files, or undefined if it ended without one: the check then reads them itself.
 */
export type ConfigCheck = (spareVerdict?: Promise<string | undefined>) => Promise<
  | { readonly problem: string; readonly report: readonly string[] }
  | {
      readonly programs: readonly ProgramModel[];
      readonly exclusiveBinds: boolean;
      readonly inheritedFds: readonly number[];
      /** The new configuration's `mworker-max-reloads`. */
      readonly maxReloads?: number | undefined;
    }
>;

/**
 * How a reload ended, once the new worker serves or did not come up: the master CLI's answer
 * (HAProxy 2.7's synchronous reload: `Success=1`, or `Success=0` then `--` and the start-up
 * log; 2.6's master answers nothing, as it executes itself again).
 */
export type ReloadOutcome = { readonly ok: true } | { readonly ok: false; readonly report: readonly string[] };

/** A random token the worker's link requires (only the master's environment carries it). */
function newToken(): string {
  let token = '';
  for (const byte of crypto.getRandomValues(new Uint8Array(16))) token += byte.toString(16).padStart(2, '0');
  return token;
}

/**
 * Reads a registration connection: a worker's line `PID PORT` (its link listens), or a spare's
 * `PID standby` (it waits for a reload on this connection), then, after the go, its verdict line.
 */
class RegistrationReader implements SocketHandler {
  #buffer = '';
  #standby = false;
  readonly #master: Master;
  constructor(master: Master) {
    this.#master = master;
  }
  onData(socket: Socket, chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i++) this.#buffer += String.fromCharCode(chunk[i] as number);
    for (let end = this.#buffer.indexOf('\n'); end >= 0; end = this.#buffer.indexOf('\n')) {
      const line = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 1);
      if (this.#standby) {
        this.#master.spareReported(socket, line);
        continue;
      }
      const [pid, port] = line.split(' ');
      if (port === 'standby') {
        this.#standby = true;
        this.#master.spareReady(Number(pid), socket);
      } else this.#master.registered(Number(pid), Number(port));
    }
  }
  onEnd(socket: Socket): void {
    socket.end();
  }
  onDrain(): void {}
  onClose(socket: Socket): void {
    this.#master.spareLost(socket);
  }
}

export class Master {
  readonly runtime: Runtime;
  readonly token = newToken();
  readonly startedWall: number;
  /** Current worker first, then old ones still running. */
  readonly workers: WorkerProcess[] = [];
  reloads = 0;
  failedReloads = 0;
  readonly #workerArgs: readonly string[];
  readonly #log: MasterLog;
  #registration: Listener | undefined;
  #stopping = false;
  /** The signal that first told the master to stop. */
  #stopSignal: 'SIGTERM' | 'SIGINT' | 'SIGUSR1' | undefined;
  /** The status the master leaves with once its workers are gone (HAProxy's exitcode). */
  #exitCode = 0;
  readonly #registeredWaiters: (() => void)[] = [];
  /** Reloads waiting for their new worker to listen or to fail (the outcome's report, or none). */
  readonly #startWaiters = new Map<WorkerProcess, (failure: string | undefined) => void>();

  readonly #check: ConfigCheck;
  /** The `fd@N` listeners of the configuration in force, handed to each worker started. */
  #inheritedFds: readonly number[];
  /** The `program` sections' processes (src/master/programs.ts). */
  readonly programs: Programs;
  readonly #initialPrograms: readonly ProgramModel[];
  /** Whether a spare is kept ready for the next reload (SWITCHYARD_STANDBY_WORKER, not `0`). */
  readonly #keepsSpare: boolean;
  #spare: Spare | undefined;
  /** `mworker-max-reloads`: an old worker still running after more reloads than this gets SIGTERM. */
  #maxReloads: number | undefined;
  /** The next spare's start, once a worker registered. */
  #spareTimer: TimerHandle | undefined;
  /** The spares that got the go, until they tell their verdict (or their connection closes). */
  readonly #verdicts = new Map<Socket, (line: string | undefined) => void>();
  /** `-Ws`: systemd, told when the master serves, reloads and stops (set before start()). */
  notifier: ServiceNotifier | undefined;
  /** Whether the service manager heard the first READY (the first worker listens). */
  #announced = false;

  constructor(
    runtime: Runtime,
    workerArgs: readonly string[],
    log: MasterLog,
    check: ConfigCheck,
    programs: readonly ProgramModel[] = [],
    inheritedFds: readonly number[] = [],
    maxReloads?: number,
  ) {
    this.runtime = runtime;
    this.#maxReloads = maxReloads;
    this.#inheritedFds = inheritedFds;
    this.#workerArgs = workerArgs;
    this.#log = log;
    this.#check = check;
    this.#initialPrograms = programs;
    this.startedWall = runtime.wallClock();
    this.#keepsSpare = runtime.env(STANDBY_SWITCH_ENV) !== '0';
    this.programs = new Programs(runtime, {
      started: (p) => log.notice(`New program '${p.model.name}' (${p.handle.pid}) forked`),
      exited: (p, status) => this.#programExited(p, status),
    });
  }

  get version(): string {
    return VERSION;
  }

  /** Opens the registration listener and starts the first worker. */
  async start(): Promise<void> {
    this.#registration = await this.runtime.listen({ host: '127.0.0.1', port: 0 }, (socket) => socket.setHandler(new RegistrationReader(this)));
    // HAProxy starts the programs before the worker (mworker_ext_launch_all, then the fork).
    this.programs.start(this.#initialPrograms);
    this.#spawn();
  }

  registered(pid: number, port: number): void {
    reloadTrace(this.runtime, `m-registered-${pid}`);
    const worker = this.workers.find((w) => w.handle.pid === pid);
    if (worker !== undefined && worker.held === true) {
      // It listens before its configuration's check ended: the check decides (#settle).
      worker.linkPort = port;
    } else if (worker !== undefined) {
      worker.linkPort = port;
      this.#startWaiters.get(worker)?.(undefined);
      // It listens: the workers it replaces stop accepting and finish what they have.
      for (const old of worker.replaces) this.#retire(old);
      this.#stopOverReloaded(worker);
      // The start (or reload) is over: the next reload's spare comes once the new worker's
      // first requests had the CPU (a runtime's start takes a core for a few hundred ms).
      this.#startSpareSoon();
      if (!this.#announced) {
        this.#announced = true;
        this.notifier?.ready();
      }
    }
    for (const waiter of this.#registeredWaiters.splice(0)) waiter();
  }

  /** A spare announced itself ready on `socket` (its standby connection). */
  spareReady(pid: number, socket: Socket): void {
    const spare = this.#spare;
    if (spare === undefined || spare.handle.pid !== pid || spare.socket !== undefined) {
      socket.destroy();
      return;
    }
    spare.socket = socket;
    // A reload took it while it was still loading: it goes now.
    reloadTrace(this.runtime, `m-spare-ready-${pid}`);
    if (spare.worker !== undefined) this.#go(spare, socket);
  }

  /** A line of a spare after its go: its verdict on the configuration. */
  spareReported(socket: Socket, line: string): void {
    const waiter = this.#verdicts.get(socket);
    this.#verdicts.delete(socket);
    waiter?.(line);
  }

  /** A registration connection closed: when it was the waiting spare's, that one is not ready any more. */
  spareLost(socket: Socket): void {
    const waiter = this.#verdicts.get(socket);
    this.#verdicts.delete(socket);
    waiter?.(undefined);
    const spare = this.#spare;
    if (spare !== undefined && spare.socket === socket && spare.worker === undefined) {
      this.#spare = undefined;
      spare.handle.kill('SIGTERM');
    }
  }

  /** The spare's PID while one waits ready for the next reload. */
  get sparePid(): number | undefined {
    return this.#spare?.socket === undefined || this.#spare.worker !== undefined ? undefined : this.#spare.handle.pid;
  }

  #startSpareSoon(): void {
    if (this.#spareTimer !== undefined) return;
    this.#spareTimer = this.runtime.setTimer(() => {
      this.#spareTimer = undefined;
      this.#startSpare();
    }, SPARE_DELAY_MS);
  }

  /** Starts the next reload's spare, unless one exists, a worker is still starting, or the master stops. */
  #startSpare(): void {
    // With `fd@N` binds a reload starts a process that inherits them (#startWorker): no spare.
    if (!this.#keepsSpare || this.#stopping || this.#spare !== undefined || this.#inheritedFds.length > 0) return;
    if (this.workers.some((w) => !w.leaving && w.linkPort === undefined)) return;
    const spawnSelf = this.runtime.spawnSelf as NonNullable<Runtime['spawnSelf']>;
    const handle = spawnSelf(this.#workerArgs, { [WORKER_ENV]: `${this.#registration?.port ?? 0}:${this.token}`, [STANDBY_ENV]: '1' });
    const spare: Spare = { handle, socket: undefined, worker: undefined };
    this.#spare = spare;
    void Promise.all([handle.exited, handle.status]).then(([code, status]) => {
      if (this.#spare === spare) this.#spare = undefined;
      if (spare.worker !== undefined) this.#exited(spare.worker, code, status);
    });
  }

  /**
   * The spare made the reload's worker; undefined when there is none. One still loading gets
   * the go once ready: it is further on than a process started now would be.
   */
  #promoteSpare(replaces: readonly WorkerProcess[]): WorkerProcess | undefined {
    const spare = this.#spare;
    if (spare === undefined || spare.worker !== undefined) return undefined;
    const worker: WorkerProcess = { handle: spare.handle, startedWall: this.runtime.wallClock(), reloads: 0, linkPort: undefined, leaving: false, replaces, fromSpare: true };
    spare.worker = worker;
    this.workers.unshift(worker);
    if (spare.socket !== undefined) this.#go(spare, spare.socket);
    return worker;
  }

  #go(spare: Spare, socket: Socket): void {
    if (this.#spare === spare) this.#spare = undefined;
    spare.verdict = new Promise((resolve) => this.#verdicts.set(socket, resolve));
    socket.write(Uint8Array.from(GO_LINE, (c) => c.charCodeAt(0)));
    reloadTrace(this.runtime, 'm-go-sent');
  }

  /** The current worker (`@1`), or the one of that PID (`@!PID`). */
  worker(relative: number | undefined, pid: number | undefined): WorkerProcess | undefined {
    if (pid !== undefined) return this.workers.find((w) => w.handle.pid === pid);
    const current = this.workers.filter((w) => !w.leaving);
    return relative === undefined ? undefined : current[relative - 1];
  }

  /** The spare made the reload's worker when it is ready (announced itself); else undefined. */
  #promoteReadySpare(replaces: readonly WorkerProcess[]): WorkerProcess | undefined {
    return this.#spare?.socket === undefined ? undefined : this.#promoteSpare(replaces);
  }

  /** A worker for a reload: the spare when one is ready, else a new process. */
  #startWorker(replaces: readonly WorkerProcess[] = []): WorkerProcess {
    // A spare started before the descriptors to inherit (`fd@N` binds) were known may lack them.
    return (this.#inheritedFds.length === 0 ? this.#promoteSpare(replaces) : undefined) ?? this.#spawn(replaces);
  }

  #spawn(replaces: readonly WorkerProcess[] = []): WorkerProcess {
    const spawnSelf = this.runtime.spawnSelf as NonNullable<Runtime['spawnSelf']>;
    const port = this.#registration?.port ?? 0;
    const handle = spawnSelf(this.#workerArgs, { [WORKER_ENV]: `${port}:${this.token}` }, { inheritFds: this.#inheritedFds });
    const worker: WorkerProcess = { handle, startedWall: this.runtime.wallClock(), reloads: 0, linkPort: undefined, leaving: false, replaces };
    this.workers.unshift(worker);
    void Promise.all([handle.exited, handle.status]).then(([code, status]) => this.#exited(worker, code, status));
    return worker;
  }

  #exited(worker: WorkerProcess, code: number | null, exitStatus: number | undefined): void {
    const at = this.workers.indexOf(worker);
    if (at >= 0) this.workers.splice(at, 1);
    const status = exitStatus ?? code ?? 143;
    if (worker.cancelled === true) {
      if (this.#stopping) this.#finishOnceAlone(this.#exitCode);
      return;
    }
    if (worker.held === true) {
      // Its reload's verdict is still to come: it decides what this end means (#settle).
      worker.endedHeld = status;
      return;
    }
    if (worker.fromSpare === true && worker.linkPort === undefined && status >= 128 && !worker.leaving && !this.#stopping) {
      // The spare died (killed) before or as it got the go, not of the configuration: the
      // reload starts a new process instead, as without a spare.
      const waiter = this.#startWaiters.get(worker);
      this.#startWaiters.delete(worker);
      const fresh = this.#spawn(worker.replaces);
      if (waiter !== undefined) this.#startWaiters.set(fresh, waiter);
      return;
    }
    if (worker.linkPort === undefined) this.#startWaiters.get(worker)?.(`New worker (${worker.handle.pid}) exited with code ${status} before starting`);
    if (!worker.leaving && !this.#stopping && worker.linkPort === undefined && this.workers.length > 0) {
      // A worker started by a reload that never came up: the reload failed, the others serve on.
      this.failedReloads++;
      this.#log.alert(`New worker (${worker.handle.pid}) exited with code ${status} before starting: reload failed.`);
      this.#startSpare();
      return;
    }
    if (!worker.leaving && !this.#stopping) {
      // The current worker ended on its own (mworker_catch_sigchld): a failure stops everything
      // (exit-on-failure). `master-worker no-exit-on-failure` changes nothing: HAProxy 2.6's
      // master re-executes itself in wait mode once its worker runs, without reading the
      // configuration again, and forgets the option (2.6.12 does so).
      if (status < 128) this.#log.warning(`Current worker (${worker.handle.pid}) exited with code ${status} (Exit)`);
      else this.#log.alert(`Current worker (${worker.handle.pid}) exited with code ${status} (${signalWords(status)})`);
      if (status !== 0 && status !== 143) this.#exitCode = status;
      if (status !== 0 && status !== 130 && status !== 143) {
        this.#log.alert('exit-on-failure: killing every processes with SIGTERM');
        this.#stopping = true;
        for (const w of this.workers) w.handle.kill('SIGTERM');
        this.programs.signal('SIGTERM');
      }
      return this.#finishOnceAlone(this.#exitCode);
    }
    if (worker.leaving && !this.#stopping) this.#log.notice(`Former worker (${worker.handle.pid}) exited with code ${status} (${code === null ? 'Terminated' : 'Exit'})`);
    if (!worker.leaving && this.#stopSignal === 'SIGINT' && this.#exitCode === 0) {
      // HAProxy's workers die of the SIGINT the master relays (status 130) and its master
      // leaves with that status (mworker_catch_sigchld: "we should report SIGINT"); Switchyard's
      // worker stops gracefully and exits 0, so the master reports the signal itself.
      this.#exitCode = 130;
    }
    this.#finishOnceAlone(this.#stopping ? this.#exitCode : status);
  }

  /** The master leaves once no worker and no program runs any more (HAProxy: waitpid's ECHILD). */
  #finishOnceAlone(code: number): void {
    if (this.workers.length === 0 && this.programs.running === 0) this.#finish(code);
  }

  #programExited(program: ProgramProcess, status: number): void {
    const how = status >= 128 ? 'Terminated' : 'Exit';
    if (program.leaving) {
      if (!this.#stopping) this.#log.notice(`Former program '${program.model.name}' (${program.handle.pid}) exited with code ${status} (${how})`);
    } else {
      this.#log.alert(`Current program '${program.model.name}' (${program.handle.pid}) exited with code ${status} (${how})`);
      if (!this.#stopping && status !== 0 && status !== 130 && status !== 143) {
        this.#log.alert('exit-on-failure: killing every processes with SIGTERM');
        this.#stopping = true;
        this.#exitCode = status;
        for (const w of this.workers) w.handle.kill('SIGTERM');
        this.programs.signal('SIGTERM');
      }
    }
    // With no worker left (they all stopped before it), the last program's end is the master's.
    this.#finishOnceAlone(this.#stopping ? this.#exitCode : status);
  }

  #finish(code: number): void {
    this.#stopSpare();
    this.notifier?.close();
    void this.#registration?.close();
    this.#log.warning(`All workers exited. Exiting... (${code})`);
    this.runtime.exit(code);
  }

  /** SIGTERM / SIGINT (hard) and SIGUSR1 (soft): relayed to every worker; the master leaves after them. */
  stop(signal: 'SIGTERM' | 'SIGINT' | 'SIGUSR1'): void {
    if (!this.#stopping) this.notifier?.stopping();
    this.#stopping = true;
    this.#stopSignal ??= signal;
    this.#stopSpare();
    if (this.workers.length === 0 && this.programs.running === 0) return this.#finish(0);
    for (const w of this.workers) w.handle.kill(signal);
    this.programs.signal(signal);
  }

  /**
   * SIGUSR2, SIGHUP, `reload`: the configuration is loaded again first; when valid, the
   * current workers stop softly and a new one starts; otherwise they serve on.
   */
  async reload(): Promise<ReloadOutcome> {
    if (this.#stopping) return this.#reload();
    // HAProxy's master says RELOADING=1 as it re-executes itself, and READY=1 once its loop
    // runs again, whether the new configuration was taken or not.
    this.notifier?.reloading();
    const outcome = await this.#reload();
    if (!this.#stopping) this.notifier?.ready();
    return outcome;
  }

  async #reload(): Promise<ReloadOutcome> {
    const stopping: ReloadOutcome = { ok: false, report: ['The master is stopping: no reload.'] };
    if (this.#stopping) return stopping;
    const current = this.workers.filter((w) => !w.leaving);
    // A ready spare starts on the configuration now and its reading of the files is the check
    // (the runtimes' parse is tens of ms for 1,000 servers): the verdict comes before it
    // replaces anybody. Where it could not listen beside the old workers, it waits for the verdict.
    const spare = this.#spare;
    const early = this.runtime.listenerHandover === undefined || this.#inheritedFds.length > 0 ? undefined : this.#promoteReadySpare(current);
    if (early !== undefined) early.held = true;
    // The spare reads the files anyway: its verdict is the check's, unless it ends without one.
    const checked = await this.#check(early === undefined ? undefined : spare?.verdict);
    if (early !== undefined) early.held = false;
    if (!('problem' in checked)) {
      this.#inheritedFds = checked.inheritedFds;
      this.#maxReloads = checked.maxReloads;
    }
    if (early !== undefined && ('problem' in checked || this.#stopping || this.#inheritedFds.length > 0)) this.#cancel(early);
    const started = early !== undefined && !early.cancelled ? early : undefined;
    if ('problem' in checked) {
      this.failedReloads++;
      const line = `Reload failed, the workers keep serving the previous configuration: ${checked.problem}`;
      this.#log.alert(line);
      return { ok: false, report: [...checked.report, line] };
    }
    if (this.#stopping) return stopping;
    this.reloads++;
    for (const w of this.workers) if (w !== started) w.reloads++;
    this.#log.notice('Reloading HAProxy');
    this.programs.reload(checked.programs);
    if (started !== undefined) {
      // An abstract socket is held by one process: the old ones release it (the spare retries).
      if (checked.exclusiveBinds) for (const w of current) this.#retire(w);
      return this.#settle(started);
    }
    if (this.runtime.listenerHandover !== undefined && !checked.exclusiveBinds) return this.#started(this.#startWorker(current));
    // No way to listen beside them (or an abstract socket to take over): they close their
    // listeners first (the new worker retries its binds meanwhile, src/cli.ts).
    for (const w of current) this.#retire(w);
    return this.#started(this.#startWorker());
  }

  /** A worker started before the check's verdict, once that verdict is good. */
  #settle(worker: WorkerProcess): Promise<ReloadOutcome> {
    if (worker.endedHeld !== undefined) {
      // It ended meanwhile: as if it had ended now (a killed spare makes way for a process).
      const outcome = this.#started(worker);
      this.#exited(worker, worker.endedHeld, worker.endedHeld);
      return outcome;
    }
    if (worker.linkPort !== undefined) {
      this.registered(worker.handle.pid, worker.linkPort);
      return Promise.resolve({ ok: true });
    }
    return this.#started(worker);
  }

  /** A worker whose reload failed its check: told to stop, its end reported nowhere. */
  #cancel(worker: WorkerProcess): void {
    worker.cancelled = true;
    const at = this.workers.indexOf(worker);
    if (at >= 0) this.workers.splice(at, 1);
    worker.handle.kill('SIGTERM');
    this.#startSpare();
  }

  /** Resolves once `worker` listens (registered its link) or ended before. */
  #started(worker: WorkerProcess): Promise<ReloadOutcome> {
    return new Promise((resolve) => {
      this.#startWaiters.set(worker, (failure) => {
        this.#startWaiters.delete(worker);
        resolve(failure === undefined ? { ok: true } : { ok: false, report: [failure, 'Reload failed, the workers keep serving the previous configuration.'] });
      });
    });
  }

  /** A spare never serves once the master stops: it ends at once (it holds nothing). */
  #stopSpare(): void {
    if (this.#spareTimer !== undefined) this.runtime.clearTimer(this.#spareTimer);
    this.#spareTimer = undefined;
    const spare = this.#spare;
    this.#spare = undefined;
    spare?.handle.kill('SIGTERM');
  }

  /**
   * HAProxy's mworker_kill_max_reloads: once a reload's worker serves, the old ones that went
   * through more reloads than `mworker-max-reloads` are stopped at once (SIGTERM). HAProxy does
   * it as its new master starts, holding the listeners itself; here each worker holds its own,
   * so not before the new one listens.
   */
  #stopOverReloaded(current: WorkerProcess): void {
    const max = this.#maxReloads;
    if (max === undefined) return;
    for (const w of this.workers) {
      if (w === current || w.reloads <= max || w.overReloaded === true) continue;
      w.overReloaded = true;
      w.handle.kill('SIGTERM');
    }
  }

  /** Soft stop of an old worker (HAProxy's SIGUSR1 to the previous workers). */
  #retire(worker: WorkerProcess): void {
    if (worker.leaving) return;
    worker.leaving = true;
    worker.handle.kill('SIGUSR1');
    reloadTrace(this.runtime, `m-retired-${worker.handle.pid}`);
  }

  /** Resolves once the current worker registered its link (or after `timeoutMs`). */
  whenRegistered(timeoutMs: number): Promise<void> {
    const current = this.worker(1, undefined);
    if (current === undefined || current.linkPort !== undefined) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = this.runtime.setTimer(resolve, timeoutMs);
      this.#registeredWaiters.push(() => {
        this.runtime.clearTimer(timer);
        resolve();
      });
    });
  }
}
