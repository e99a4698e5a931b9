/**
 * examples/systemd/switchyard.service run as systemd runs a `Type=notify` unit, with its own
 * command lines: ExecStartPre (the configuration check) must succeed; ExecStart starts the
 * master with $NOTIFY_SOCKET, and the service is started once READY=1 names MAINPID;
 * `systemctl reload` runs each ExecReload (the check, then `kill -USR2 $MAINPID`) and waits
 * for RELOADING=1 then READY=1; `systemctl stop` sends SIGTERM to the main process
 * (KillMode=mixed) and expects an exit status the unit counts as success. `switchyard` in the
 * unit is replaced by the target's command (HAProxy's binary for the haproxy target, which
 * shows the unit drives both alike); $CONFIG and $PIDFILE point into a temporary directory.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/systemd-unit.test.js
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePorts } from '../support/ports.ts';
import { destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, answersSoon, eventually, statusOf } from '../support/http-suite.ts';
import { proxyCommand, repoRoot } from '../support/runtimes.ts';
import { unixDatagramReceiver } from '../support/unix-datagram-receiver.ts';

interface Unit {
  readonly service: Map<string, string[]>;
  readonly environment: Map<string, string>;
}

/** The [Service] section's settings (a key may repeat), and its Environment= assignments. */
function readUnit(path: string): Unit {
  const service = new Map<string, string[]>();
  let section = '';
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('[')) {
      section = line;
      continue;
    }
    if (section !== '[Service]') continue;
    const eq = line.indexOf('=');
    const key = line.slice(0, eq);
    service.set(key, [...(service.get(key) ?? []), line.slice(eq + 1)]);
  }
  const environment = new Map<string, string>();
  for (const value of service.get('Environment') ?? []) {
    for (const m of value.matchAll(/"([^"=]+)=([^"]*)"/g)) environment.set(m[1] as string, m[2] as string);
  }
  return { service, environment };
}

/** An Exec line's words, with `$VAR` words split as systemd splits them and `${VAR}` kept whole. */
function expand(line: string, env: ReadonlyMap<string, string>): string[] {
  const words: string[] = [];
  for (const word of line.trim().split(/\s+/)) {
    const alone = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(word);
    if (alone !== null) {
      words.push(...(env.get(alone[1] as string) ?? '').split(/\s+/).filter((w) => w !== ''));
      continue;
    }
    words.push(word.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name: string) => env.get(name) ?? ''));
  }
  return words;
}

/** The unit's program replaced by the target's command. */
function commandOf(target: (typeof TARGETS)[number], words: readonly string[]): { command: string; args: string[] } {
  const [program, ...args] = words as [string, ...string[]];
  if (program !== '/usr/local/bin/switchyard') return { command: program, args };
  return proxyCommand(target, args);
}



function config(port: number, code: number): string {
  return `${HTTP_DEFAULTS}\nfrontend fe\n    bind 127.0.0.1:${port}\n    http-request return status ${code}\n`;
}

const unit = readUnit(join(repoRoot, 'examples/systemd/switchyard.service'));

// The system Node (20 here) has no UNIX datagram sockets: the unit says to use Type=exec there.
for (const target of TARGETS.filter((t) => t !== 'node-system')) {
  describe(`examples/systemd/switchyard.service on ${target}`, () => {
    let dir = '';
    let master: ChildProcess | undefined;
    after(async () => {
      destroyAllClients();
      if (master !== undefined && master.exitCode === null && master.signalCode === null) master.kill('SIGKILL');
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    });

    it('starts (Type=notify), reloads by its ExecReload lines and stops as systemd drives it', async () => {
      assert.deepEqual(unit.service.get('Type'), ['notify']);
      dir = mkdtempSync(join(tmpdir(), 'switchyard-unit-'));
      const [port] = (await freePorts(1)) as [number];
      const env = new Map(unit.environment);
      env.set('CONFIG', join(dir, 'haproxy.cfg'));
      env.set('PIDFILE', join(dir, 'switchyard.pid'));
      writeFileSync(env.get('CONFIG') as string, config(port, 200));
      const notify = await unixDatagramReceiver(dir, 'notify');
      const last = () => notify.lines.at(-1);
      try {
        for (const line of unit.service.get('ExecStartPre') ?? []) {
          const { command, args } = commandOf(target, expand(line, env));
          const run = spawnSync(command, args, { cwd: repoRoot, encoding: 'utf8' });
          assert.equal(run.status, 0, `ExecStartPre ${line}: ${run.stderr}`);
        }
        const [start] = unit.service.get('ExecStart') ?? [];
        const { command, args } = commandOf(target, expand(start as string, env));
        let stderr = '';
        master = spawn(command, args, { cwd: repoRoot, env: { ...process.env, NOTIFY_SOCKET: notify.path }, stdio: ['ignore', 'ignore', 'pipe'] });
        master.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
        const pid = master.pid as number;
        env.set('MAINPID', String(pid));
        const ready = `READY=1\nMAINPID=${pid}`;
        assert.ok(await eventually(() => last() === ready, 20_000, 25), `not started: ${JSON.stringify(notify.lines)}\n${stderr}`);
        assert.equal(await statusOf(port), 200);
        assert.equal(readFileSync(env.get('PIDFILE') as string, 'latin1'), `${pid}\n`);

        // systemctl reload: every ExecReload line in order, then the wait for READY again.
        writeFileSync(env.get('CONFIG') as string, config(port, 201));
        const seen = notify.lines.length;
        for (const line of unit.service.get('ExecReload') ?? []) {
          const reload = commandOf(target, expand(line, env));
          const run = spawnSync(reload.command, reload.args, { cwd: repoRoot, encoding: 'utf8' });
          assert.equal(run.status, 0, `ExecReload ${line}: ${run.stderr}`);
        }
        assert.ok(
          await eventually(() => notify.lines.slice(seen).includes('RELOADING=1') && last() === ready, 20_000, 25),
          `not reloaded: ${JSON.stringify(notify.lines.slice(seen))}\n${stderr}`,
        );
        assert.ok(await answersSoon(port, 201), 'the new configuration does not serve');

        // A broken configuration: the check line fails, so systemd never signals the master.
        writeFileSync(env.get('CONFIG') as string, `${config(port, 202)}    no-such-keyword\n`);
        const [check] = unit.service.get('ExecReload') ?? [];
        const broken = commandOf(target, expand(check as string, env));
        assert.notEqual(spawnSync(broken.command, broken.args, { cwd: repoRoot }).status, 0);
        assert.equal(await statusOf(port), 201);

        // systemctl stop: SIGTERM to the main process; its status must count as success.
        const exited = new Promise<number | null>((resolve) => master?.once('exit', (code) => resolve(code)));
        master.kill('SIGTERM');
        const code = await exited;
        const success = [0, ...(unit.service.get('SuccessExitStatus') ?? []).flatMap((v) => v.split(/\s+/)).map(Number)];
        assert.ok(success.includes(code as number), `exit status ${code}\n${stderr}`);
        assert.equal(last(), 'STOPPING=1');
      } finally {
        await notify.close();
      }
    });
  });
}
