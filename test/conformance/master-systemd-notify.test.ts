/**
 * `-Ws` under systemd (Debian's haproxy.service: Type=notify): the master sends sd_notify(3)
 * datagrams to $NOTIFY_SOCKET, HAProxy 2.6's words: `READY=1\nMAINPID=PID` once it serves,
 * `RELOADING=1` when a reload begins and `READY=1...` again once it is over (the new
 * configuration taken or refused), `STOPPING=1` at the stop signal. HAProxy also says
 * RELOADING=1 as its master re-executes itself after forking a worker (at the start too): the
 * assertions are about what a service manager acts on, the last word after each step.
 * `@NAME` is an abstract socket, as sd_notify reads it. The system Node (20 here) has no UNIX
 * datagram sockets: it serves and warns that systemd is not notified.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/master-systemd-notify.test.js
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, answersSoon, eventually, statusOf } from '../support/http-suite.ts';
import { unixDatagramReceiver } from '../support/unix-datagram-receiver.ts';

function configFor(port: number, status: number): string {
  return `${HTTP_DEFAULTS}\nfrontend fe\n    bind 127.0.0.1:${port}\n    http-request return status ${status}\n`;
}


/** Starts `-Ws` with $NOTIFY_SOCKET set (spawn copies the environment as it starts). */
async function startNotifying(target: (typeof TARGETS)[number], cfg: string, port: number, socket: string): Promise<ProxyProcess> {
  const saved = process.env['NOTIFY_SOCKET'];
  process.env['NOTIFY_SOCKET'] = socket;
  try {
    return await ProxyProcess.start(target, 'global\n', ['-f', cfg, '-Ws'], 20_000, port);
  } finally {
    if (saved === undefined) delete process.env['NOTIFY_SOCKET'];
    else process.env['NOTIFY_SOCKET'] = saved;
  }
}

for (const target of TARGETS) {
  const notifies = target !== 'node-system';
  describe(`-Ws notifies systemd on ${target}`, () => {
    const dirs: string[] = [];
    after(() => {
      destroyAllClients();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });

    it('READY once serving, RELOADING then READY around each reload (also a refused one), STOPPING at the stop', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'switchyard-sdnotify-'));
      dirs.push(dir);
      const receiver = await unixDatagramReceiver(dir, 'notify');
      const [port] = (await freePorts(1)) as [number];
      const cfg = join(dir, 'main.cfg');
      writeFileSync(cfg, configFor(port, 200));
      const proxy = await startNotifying(target, cfg, port, receiver.path);
      const ready = `READY=1\nMAINPID=${proxy.pid}`;
      const last = () => receiver.lines.at(-1);
      try {
        if (!notifies) {
          assert.equal(await statusOf(port), 200);
          assert.ok(await eventually(() => /systemd is not notified/.test(proxy.stderr), 5_000, 25), proxy.stderr);
          assert.deepEqual(receiver.lines, []);
          return;
        }
        assert.ok(await eventually(() => last() === ready, 10_000, 25), JSON.stringify(receiver.lines));
        assert.equal(await statusOf(port), 200);

        for (const [status, valid] of [
          [201, true],
          [202, false],
        ] as const) {
          const seen = receiver.lines.length;
          writeFileSync(cfg, valid ? configFor(port, status) : `${configFor(port, status)}    bogus-keyword here\n`);
          proxy.child.kill('SIGUSR2');
          assert.ok(
            await eventually(() => receiver.lines.slice(seen).includes('RELOADING=1') && last() === ready, 15_000, 25),
            `${valid ? 'valid' : 'broken'} reload: ${JSON.stringify(receiver.lines.slice(seen))}`,
          );
          // READY after a taken reload means the new configuration serves (a connection
          // queued on the old worker's closing socket may be reset: answersSoon).
          if (valid) assert.ok(await answersSoon(port, status), `not serving ${status}`);
          else assert.equal(await statusOf(port), 201);
        }

        proxy.child.kill('SIGTERM');
        assert.ok(await eventually(() => last() === 'STOPPING=1', 10_000, 25), JSON.stringify(receiver.lines));
        assert.deepEqual(
          receiver.lines.filter((l) => l !== 'RELOADING=1' && l !== ready && l !== 'STOPPING=1'),
          [],
        );
      } finally {
        await proxy.stop();
        await receiver.close();
      }
    });

    if (notifies) {
      it('an @NAME socket is in the abstract namespace', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'switchyard-sdnotify-'));
        dirs.push(dir);
        const name = `switchyard-notify-${process.pid}-${target}`;
        const receiver = await unixDatagramReceiver(dir, name, { abstract: true });
        const [port] = (await freePorts(1)) as [number];
        const cfg = join(dir, 'main.cfg');
        writeFileSync(cfg, configFor(port, 200));
        const proxy = await startNotifying(target, cfg, port, `@${name}`);
        try {
          assert.ok(await eventually(() => receiver.lines.at(-1) === `READY=1\nMAINPID=${proxy.pid}`, 10_000, 25), JSON.stringify(receiver.lines));
        } finally {
          await proxy.stop();
          await receiver.close();
        }
      });
    }
  });
}
