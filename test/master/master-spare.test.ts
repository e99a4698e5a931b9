/**
 * The master's spare (src/master/master.ts, src/master/standby.ts): started once the current
 * worker registered, handed the next reload instead of a new process, replaced only once that
 * reload is over, never a worker until then; a spare that is not ready or died leaves the
 * reload to a new process. A fake runtime records the processes the master starts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Master, type ConfigCheck } from '../../src/master/master.ts';
import { STANDBY_ENV } from '../../src/master/standby.ts';
import type { ChildProcessHandle, Runtime, Socket } from '../../src/runtime.ts';

interface FakeChild {
  readonly handle: ChildProcessHandle;
  readonly env: Readonly<Record<string, string>>;
  readonly signals: string[];
  end(status: number): void;
}

class FakeRuntime {
  readonly children: FakeChild[] = [];
  readonly environment = new Map<string, string>();
  exitCode: number | undefined;
  #nextPid = 1000;
  readonly pid = 1;
  listenerHandover = 'reuse-port' as const;
  env(name: string): string | undefined {
    return this.environment.get(name);
  }
  wallClock(): number {
    return 0;
  }
  listen(): Promise<{ port: number; close(): Promise<void> }> {
    return Promise.resolve({ port: 4000, close: () => Promise.resolve() });
  }
  /** Timers fire at the next turn of the event loop (settle()), whatever their delay. */
  setTimer(callback: () => void): NodeJS.Immediate {
    return setImmediate(callback);
  }
  clearTimer(handle: NodeJS.Immediate): void {
    clearImmediate(handle);
  }
  exit(code: number): void {
    this.exitCode = code;
  }
  spawnSelf = (_args: readonly string[], env: Readonly<Record<string, string>>): ChildProcessHandle => {
    let end: (status: number) => void = () => undefined;
    const status = new Promise<number>((resolve) => (end = resolve));
    const signals: string[] = [];
    const handle: ChildProcessHandle = {
      pid: this.#nextPid++,
      kill: (signal) => {
        signals.push(signal);
      },
      exited: status.then((s) => (s >= 128 ? null : s)),
      status,
    };
    this.children.push({ handle, env, signals, end });
    return handle;
  };
  get spares(): FakeChild[] {
    return this.children.filter((c) => c.env[STANDBY_ENV] !== undefined);
  }
}

/** The standby connection of a spare: what the master writes to it. */
function standbySocket(): Socket & { written: string; destroyed: boolean } {
  const socket = {
    written: '',
    destroyed: false,
    write(chunk: Uint8Array): boolean {
      socket.written += String.fromCharCode(...chunk);
      return true;
    },
    destroy(): void {
      socket.destroyed = true;
    },
  };
  return socket as unknown as Socket & { written: string; destroyed: boolean };
}

const valid: ConfigCheck = () => Promise.resolve({ programs: [], exclusiveBinds: false, inheritedFds: [] });
const quiet = { alert: () => undefined, warning: () => undefined, notice: () => undefined };
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function startedMaster(runtime: FakeRuntime, check: ConfigCheck = valid): Promise<Master> {
  const master = new Master(runtime as unknown as Runtime, ['-f', 'x.cfg'], quiet, check);
  await master.start();
  master.registered(runtime.children[0]?.handle.pid as number, 5000);
  await settle();
  return master;
}

describe('master: the spare worker', () => {
  it('starts once the first worker registered, with the standby variable; it is no worker', async () => {
    const runtime = new FakeRuntime();
    const master = new Master(runtime as unknown as Runtime, ['-f', 'x.cfg'], quiet, valid);
    await master.start();
    assert.equal(runtime.children.length, 1, 'only the worker before it registered');
    master.registered(1000, 5000);
    assert.equal(runtime.spares.length, 0, 'not at once: the worker has the CPU for a moment');
    await settle();
    assert.equal(runtime.spares.length, 1);
    assert.deepEqual(runtime.spares[0]?.env.SWITCHYARD_MASTER_LINK, `4000:${master.token}`);
    assert.deepEqual(
      master.workers.map((w) => w.handle.pid),
      [1000],
    );
    assert.equal(master.sparePid, undefined, 'not ready before it announced itself');
    master.spareReady(1001, standbySocket());
    assert.equal(master.sparePid, 1001);
  });

  it('with descriptors to inherit (fd@N binds), no spare: the reload starts a process that inherits them', async () => {
    const runtime = new FakeRuntime();
    const withFd: ConfigCheck = () => Promise.resolve({ programs: [], exclusiveBinds: false, inheritedFds: [3] });
    const master = new Master(runtime as unknown as Runtime, ['-f', 'x.cfg'], quiet, withFd, [], [3]);
    await master.start();
    master.registered(1000, 5000);
    await settle();
    assert.equal(runtime.spares.length, 0, 'no spare while fd@ binds are in use');
    const outcome = master.reload();
    await settle();
    assert.equal(runtime.children.length, 2, 'a new process for the reload');
    assert.equal(runtime.spares.length, 0);
    master.registered(1001, 5001);
    assert.deepEqual(await outcome, { ok: true });
    await settle();
    assert.equal(runtime.spares.length, 0);
  });

  it('a ready spare is not used when the reloaded configuration inherits descriptors: it is cancelled and a process started', async () => {
    const runtime = new FakeRuntime();
    let fds: number[] = [];
    const check: ConfigCheck = () => Promise.resolve({ programs: [], exclusiveBinds: false, inheritedFds: fds });
    const master = await startedMaster(runtime, check);
    master.spareReady(1001, standbySocket());
    fds = [3];
    const outcome = master.reload();
    await settle();
    assert.deepEqual(runtime.spares[0]?.signals, ['SIGTERM'], 'the spare, started before the fd@ bind appeared, is stopped');
    const fresh = runtime.children.at(-1)!;
    assert.equal(fresh.env[STANDBY_ENV], undefined, 'a fresh worker process');
    master.registered(fresh.handle.pid, 5002);
    assert.deepEqual(await outcome, { ok: true });
  });

  it('a reload hands the ready spare the go instead of starting a process; the next spare comes once it registered', async () => {
    const runtime = new FakeRuntime();
    const master = await startedMaster(runtime);
    const socket = standbySocket();
    master.spareReady(1001, socket);
    const outcome = master.reload();
    await settle();
    assert.equal(socket.written, 'go\n');
    assert.equal(runtime.children.length, 2, 'no new process for the reload');
    assert.deepEqual(
      master.workers.map((w) => w.handle.pid),
      [1001, 1000],
    );
    assert.equal(master.sparePid, undefined);
    master.registered(1001, 5001);
    assert.deepEqual(await outcome, { ok: true });
    assert.deepEqual(runtime.children[0]?.signals, ['SIGUSR1'], 'the old worker retired once the spare listens');
    await settle();
    assert.equal(runtime.spares.length, 2, 'the next spare, after the reload');
    assert.equal(runtime.children.length, 3);
  });

  it('a spare still loading takes the reload once it announces itself', async () => {
    const runtime = new FakeRuntime();
    const master = await startedMaster(runtime);
    const outcome = master.reload();
    await settle();
    assert.equal(runtime.children.length, 2, 'no new process: the spare is on its way');
    assert.deepEqual(
      master.workers.map((w) => w.handle.pid),
      [1001, 1000],
    );
    const socket = standbySocket();
    master.spareReady(1001, socket);
    assert.equal(socket.written, 'go\n');
    master.registered(1001, 5001);
    assert.deepEqual(await outcome, { ok: true });
  });

  it('with no spare (it ended, or its connection closed), a reload starts a process', async () => {
    const runtime = new FakeRuntime();
    const master = await startedMaster(runtime);
    runtime.spares[0]?.end(137);
    await settle();
    const outcome = master.reload();
    await settle();
    assert.equal(runtime.children.length, 3);
    assert.equal(runtime.children[2]?.env[STANDBY_ENV], undefined);
    master.registered(1002, 5002);
    assert.deepEqual(await outcome, { ok: true });

    const second = new FakeRuntime();
    const other = await startedMaster(second);
    const socket = standbySocket();
    other.spareReady(1001, socket);
    other.spareLost(socket);
    assert.deepEqual(second.spares[0]?.signals, ['SIGTERM']);
    void other.reload();
    await settle();
    assert.equal(socket.written, '');
    assert.equal(second.children.length, 3);
  });

  it('a spare killed as it got the go: the reload starts a process and still succeeds', async () => {
    const runtime = new FakeRuntime();
    const master = await startedMaster(runtime);
    master.spareReady(1001, standbySocket());
    const outcome = master.reload();
    await settle();
    runtime.children[1]?.end(137);
    await settle();
    assert.equal(runtime.children.length, 3, 'a new process took the reload over');
    assert.deepEqual(
      master.workers.map((w) => w.handle.pid),
      [1002, 1000],
    );
    master.registered(1002, 5002);
    assert.deepEqual(await outcome, { ok: true });
    assert.equal(master.failedReloads, 0);
  });

  it('a spare that fails on the configuration fails the reload; the workers serve on', async () => {
    const runtime = new FakeRuntime();
    const master = await startedMaster(runtime);
    master.spareReady(1001, standbySocket());
    const outcome = master.reload();
    await settle();
    runtime.children[1]?.end(1);
    const result = await outcome;
    assert.equal(result.ok, false);
    assert.equal(master.failedReloads, 1);
    assert.deepEqual(
      master.workers.map((w) => w.handle.pid),
      [1000],
    );
    assert.equal(runtime.spares.length, 2, 'a new spare for the next reload');
  });

  it('the ready spare gets the go at the signal, beside the check; it replaces nobody before the verdict', async () => {
    const runtime = new FakeRuntime();
    let verdict: (result: Awaited<ReturnType<ConfigCheck>>) => void = () => undefined;
    const check: ConfigCheck = () => new Promise((resolve) => (verdict = resolve));
    const master = await startedMaster(runtime, check);
    const socket = standbySocket();
    master.spareReady(1001, socket);
    const outcome = master.reload();
    assert.equal(socket.written, 'go\n', 'the go before the check ended');
    master.registered(1001, 5001);
    await settle();
    assert.deepEqual(runtime.children[0]?.signals, [], 'the old worker serves on until the verdict');
    assert.equal(runtime.spares.length, 1, 'no next spare before the verdict');
    verdict({ programs: [], exclusiveBinds: false, inheritedFds: [] });
    assert.deepEqual(await outcome, { ok: true });
    assert.deepEqual(runtime.children[0]?.signals, ['SIGUSR1']);
    await settle();
    assert.equal(runtime.spares.length, 2);
    assert.equal(master.reloads, 1);
    assert.deepEqual(
      master.workers.map((w) => [w.handle.pid, w.reloads]),
      [
        [1001, 0],
        [1000, 1],
      ],
    );
  });

  it("the check gets the verdict line of the spare that got the go at the signal (none when its connection closes first)", async () => {
    const runtime = new FakeRuntime();
    const given: (Promise<string | undefined> | undefined)[] = [];
    const check: ConfigCheck = (spareVerdict) => {
      given.push(spareVerdict);
      return Promise.resolve({ programs: [], exclusiveBinds: false, inheritedFds: [] });
    };
    const master = await startedMaster(runtime, check);
    const socket = standbySocket();
    master.spareReady(1001, socket);
    const outcome = master.reload();
    master.spareReported(socket, 'verdict {"x":1}');
    assert.equal(given.length, 1);
    assert.equal(await given[0], 'verdict {"x":1}');
    master.registered(1001, 5001);
    assert.deepEqual(await outcome, { ok: true });
    await settle();

    const next = runtime.spares[1]!;
    const nextSocket = standbySocket();
    master.spareReady(next.handle.pid, nextSocket);
    const second = master.reload();
    master.spareLost(nextSocket);
    assert.equal(await given[1], undefined, 'the spare ended without a verdict: the check reads the files itself');
    master.registered(next.handle.pid, 5002);
    assert.deepEqual(await second, { ok: true });
    await settle();

    // Without a ready spare the check is the master's alone.
    await settle();
    const third = master.reload();
    await settle();
    assert.equal(given[2], undefined);
    master.registered(runtime.children.at(-1)!.handle.pid, 5003);
    assert.deepEqual(await third, { ok: true });
  });

  it('a reload with an invalid configuration stops the spare it started; the workers serve on, a new spare follows', async () => {
    const runtime = new FakeRuntime();
    const master = await startedMaster(runtime, () => Promise.resolve({ problem: 'bad', report: ['bad line'] }));
    const socket = standbySocket();
    master.spareReady(1001, socket);
    const result = await master.reload();
    assert.deepEqual(result, { ok: false, report: ['bad line', 'Reload failed, the workers keep serving the previous configuration: bad'] });
    assert.deepEqual(runtime.spares[0]?.signals, ['SIGTERM']);
    runtime.spares[0]?.end(1);
    await settle();
    assert.equal(master.failedReloads, 1, 'counted once');
    assert.deepEqual(
      master.workers.map((w) => w.handle.pid),
      [1000],
    );
    assert.deepEqual(runtime.children[0]?.signals, []);
    assert.equal(runtime.spares.length, 2);
  });

  it('a spare that ends (killed) before the verdict: the reload starts a process once the check passed', async () => {
    const runtime = new FakeRuntime();
    let verdict: (result: Awaited<ReturnType<ConfigCheck>>) => void = () => undefined;
    const master = await startedMaster(runtime, () => new Promise((resolve) => (verdict = resolve)));
    master.spareReady(1001, standbySocket());
    const outcome = master.reload();
    runtime.spares[0]?.end(143);
    await settle();
    verdict({ programs: [], exclusiveBinds: false, inheritedFds: [] });
    await settle();
    assert.equal(runtime.children.length, 3);
    master.registered(1002, 5002);
    assert.deepEqual(await outcome, { ok: true });
    assert.equal(master.failedReloads, 0);
  });

  it('a master stopped before its first spare started starts none', async () => {
    const runtime = new FakeRuntime();
    const master = new Master(runtime as unknown as Runtime, ['-f', 'x.cfg'], quiet, valid);
    await master.start();
    master.registered(1000, 5000);
    master.stop('SIGTERM');
    await settle();
    assert.equal(runtime.spares.length, 0);
  });

  it('stopping the master ends the spare at once', async () => {
    const runtime = new FakeRuntime();
    const master = await startedMaster(runtime);
    master.spareReady(1001, standbySocket());
    master.stop('SIGUSR1');
    assert.deepEqual(runtime.spares[0]?.signals, ['SIGTERM']);
    assert.deepEqual(runtime.children[0]?.signals, ['SIGUSR1']);
  });

  it('SWITCHYARD_STANDBY_WORKER=0: no spare', async () => {
    const runtime = new FakeRuntime();
    runtime.environment.set('SWITCHYARD_STANDBY_WORKER', '0');
    await startedMaster(runtime);
    assert.equal(runtime.children.length, 1);
  });
});
