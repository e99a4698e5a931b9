/**
 * The spare worker of master-worker mode (src/master/standby.ts): once the worker serves, the
 * master keeps one more process of its own ready, which `show proc` does not list (HAProxy has
 * no such process). A reload hands it the configuration as the file is then; killed, the next
 * reload starts a process as without it; stopping the master leaves no process behind.
 *
 * On HAProxy, the same reloads serve the edited file and the master has no child beyond its
 * workers. The processes are found through /proc (Linux): the master's children.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { bodyOrUndefined, destroyAllClients, untilBody } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually } from '../support/http-suite.ts';
import { cli } from '../support/cli-client.ts';

/** Every PID `show proc` lists (master, workers old and current). */
function listed(showProc: string): Set<number> {
  const pids = new Set<number>();
  for (const line of showProc.split('\n')) if (/^\d+ /.test(line)) pids.add(Number(line.split(' ')[0]));
  return pids;
}

/** A live (not zombie) process's parent PID, or undefined. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? undefined : Number(fields[1]);
  } catch {
    return undefined;
  }
}

function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((child) => parentOf(child) === pid);
}

function alive(pid: number): boolean {
  return parentOf(pid) !== undefined;
}

/** The socket inodes a process holds open. */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m !== null) inodes.add(m[1] as string);
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    // gone
  }
  return inodes;
}

/**
 * Whether `spare` announced itself ready: it holds a connection established to a port the
 * master listens on (its registration listener, loopback IPv4: /proc/net/tcp).
 */
function spareConnected(master: number, spare: number): boolean {
  const rows = readFileSync('/proc/net/tcp', 'latin1').split('\n').slice(1).map((l) => l.trim().split(/\s+/));
  const masterInodes = socketInodes(master);
  const spareInodes = socketInodes(spare);
  const masterPorts = new Set(rows.filter((r) => r[3] === '0A' && masterInodes.has(r[9] as string)).map((r) => r[1]?.split(':')[1]));
  return rows.some((r) => r[3] === '01' && spareInodes.has(r[9] as string) && masterPorts.has(r[2]?.split(':')[1]));
}

for (const target of TARGETS) {
  describe(`master-worker spare on ${target}`, () => {
    const hasSpare = target !== 'haproxy';
    let proxy: ProxyProcess | undefined;
    let dir: string;
    let master: string;
    let web: number;
    let cfg: string;
    /** Every process seen under the master. */
    const seen = new Set<number>();
    const config = (answer: string): string => `
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${web}
    http-request return status 200 content-type text/plain string "${answer}"
`;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'switchyard-standby-'));
      master = join(dir, 'master.sock');
      const [port] = await freePorts(1);
      web = port as number;
      cfg = join(dir, 'main.cfg');
      writeFileSync(cfg, config('generation 0'));
      proxy = await ProxyProcess.start(target, 'global\n', ['-f', cfg, '-W', '-S', master], 20_000, web);
      let up = false;
      for (let i = 0; i < 100 && !up; i++) {
        up = await cli(master, 'show proc\n').then((p) => listed(p).size === 2, () => false);
        if (!up) await new Promise((r) => setTimeout(r, 100));
      }
    });

    after(async () => {
      destroyAllClients();
      await proxy?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    const served = (): Promise<string | undefined> => bodyOrUndefined(web);

    /** The master's children that `show proc` does not list, once its answer and /proc agree. */
    async function unlisted(): Promise<number[]> {
      const proc = listed(await cli(master, 'show proc\n'));
      const children = childrenOf(proxy?.pid as number);
      for (const child of children) seen.add(child);
      return children.filter((child) => !proc.has(child));
    }

    /** Waits for the one spare (Switchyard) and returns it; on HAProxy, checks there is none. */
    async function spare(): Promise<number | undefined> {
      let found: number[] = [];
      if (!hasSpare) {
        found = await unlisted();
        assert.deepEqual(found, [], 'HAProxy has no process beside its workers');
        return undefined;
      }
      let pending = false;
      const ok = await eventually(() => {
        if (!pending) {
          pending = true;
          void unlisted().then((f) => ((found = f), (pending = false)), () => (pending = false));
        }
        return found.length === 1;
      }, 20_000, 50);
      assert.ok(ok, `one unlisted child expected, got [${found.join(', ')}]\n${proxy?.stderr}`);
      return found[0];
    }

    async function reloadTo(answer: string): Promise<void> {
      writeFileSync(cfg, config(answer));
      await cli(master, 'reload\n');
      const text = await untilBody(web, answer, 20_000);
      assert.equal(text, answer, `${answer} expected, served ${text}\n${proxy?.stderr}`);
    }

    it('a spare stands by beside the worker; show proc does not list it', async () => {
      assert.equal(await served(), 'generation 0');
      await spare();
    });

    it('a reload serves the configuration as edited; the spare became the worker, a new spare follows', async () => {
      const waiting = await spare();
      await reloadTo('generation 1');
      const current = [...listed(await cli(master, 'show proc\n'))];
      if (waiting !== undefined) assert.ok(current.includes(waiting), `the spare ${waiting} is a worker now: ${current.join(', ')}`);
      const next = await spare();
      if (hasSpare) assert.notEqual(next, waiting);
    });

    it('a broken configuration: the reload fails once, the workers serve on, the master alone logs its errors', async () => {
      const waiting = await spare();
      // Ready, so that it gets the go at the signal (one still loading is left waiting).
      if (waiting !== undefined) assert.ok(await eventually(() => spareConnected(proxy?.pid as number, waiting), 30_000, 50), 'the spare announced itself');
      const before = [...listed(await cli(master, 'show proc\n'))];
      writeFileSync(cfg, `${config('generation 1')}\n    no-such-keyword-here\n`);
      await cli(master, 'reload\n');
      let proc = '';
      let pending = false;
      const failed = await eventually(() => {
        if (!pending) {
          pending = true;
          void cli(master, 'show proc\n').then((p) => ((proc = p), (pending = false)), () => (pending = false));
        }
        return /\[failed: 1\]/.test(proc);
      }, 20_000, 50);
      assert.ok(failed, proc);
      assert.equal(await served(), 'generation 1');
      if (waiting !== undefined) {
        // The spare started on the broken file and was stopped (without writing the errors).
        assert.ok(await eventually(() => !alive(waiting), 15_000, 20), 'the spare given the broken file ended');
        const reporters = new Set((proxy?.stderr ?? '').split('\n').filter((l) => l.includes('no-such-keyword-here')).map((l) => /\((\d+)\)/.exec(l)?.[1]));
        assert.deepEqual([...reporters], [String(proxy?.pid)], proxy?.stderr);
        assert.deepEqual([...listed(await cli(master, 'show proc\n'))], before);
        assert.notEqual(await spare(), waiting);
      }
      writeFileSync(cfg, config('generation 1'));
    });

    it('a killed spare: the next reload starts a process and serves the edited configuration', { skip: hasSpare ? false : 'HAProxy has no spare' }, async () => {
      const killed = (await spare()) as number;
      process.kill(killed, 'SIGKILL');
      assert.ok(await eventually(() => !alive(killed), 10_000, 20), 'the spare ended');
      await reloadTo('generation 2');
      assert.ok(!listed(await cli(master, 'show proc\n')).has(killed));
      await reloadTo('generation 3');
      assert.notEqual(await spare(), killed);
    });

    it('stopping the master leaves no process behind, the spare included', async () => {
      await spare();
      await unlisted();
      const code = await proxy?.stop();
      if (hasSpare) assert.equal(code, 0, `master exit code\n${proxy?.stderr}`);
      proxy = undefined;
      const left = () => [...seen].filter(alive);
      assert.ok(await eventually(() => left().length === 0, 15_000, 50), `still running: ${left().join(', ')}`);
    });
  });
}
