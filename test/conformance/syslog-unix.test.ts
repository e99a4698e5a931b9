/**
 * Black-box conformance of the syslog targets production configurations write beside UDP:
 * UNIX datagram sockets (`log /dev/log`-style absolute paths, `unix@PATH` and `abns@NAME`), one datagram per
 * line ending in a newline, and the header formats `priority`, `timed` and `iso` — against
 * HAProxy 2.6, whose datagrams differ only in the program name of the tag. node:dgram has no UNIX
 * datagram sockets: Node 26.1+ sends them through node:ffi; on an older Node (node-system) such a
 * target is refused at its line.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/syslog-unix.test.js
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { runCli, writeTempConfig } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { cli } from '../support/cli-client.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { unixDatagramReceiver, type UnixDatagramReceiver } from '../support/unix-datagram-receiver.ts';
import { udpSyslogReceiver, type UdpSyslogReceiver } from '../support/syslog-receiver.ts';

interface Places {
  readonly fe: number;
  readonly timed: number;
  readonly iso: number;
  /** Undefined: no UNIX targets (Node). */
  readonly dir: string | undefined;
  /** The `abns@` target's name. */
  readonly abns: string;
}

function configFor(p: Places): string {
  return `
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${p.fe}
${p.dir === undefined ? '' : `    log ${p.dir}/a.sock local1
    log unix@${p.dir}/b.sock format priority local0
    log abns@${p.abns} format short local3
`}    log 127.0.0.1:${p.timed} format timed local2
    log 127.0.0.1:${p.iso} format iso local2
    log-format "line %HP %ST"
    http-request return status 200
`;
}

const ISO = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}[+-]\\d\\d:\\d\\d';

for (const target of TARGETS) {
  // The system Node (20 here) has no node:ffi.
  const unix = target !== 'node-system';
  describe(`syslog to UNIX sockets and the priority/timed/iso formats on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let dir: string;
    let fe: number;
    let timed: UdpSyslogReceiver;
    let iso: UdpSyslogReceiver;
    let a: UnixDatagramReceiver | undefined;
    let b: UnixDatagramReceiver | undefined;
    let c: UnixDatagramReceiver | undefined;
    const abns = `sy-log-${process.pid}-${target}`;

    before(async () => {
      [fe] = (await freePorts(1)) as [number];
      dir = mkdtempSync(join(tmpdir(), 'sy-log-'));
      timed = await udpSyslogReceiver();
      iso = await udpSyslogReceiver();
      if (unix) {
        a = await unixDatagramReceiver(dir, 'a.sock');
        b = await unixDatagramReceiver(dir, 'b.sock');
        c = await unixDatagramReceiver(dir, abns, { abstract: 'abns' });
      }
      proxy = await startProxy(target, configFor({ fe, timed: timed.port, iso: iso.port, dir: unix ? dir : undefined, abns }));
    });

    after(async () => {
      destroyAllClients();
      try {
        await stopProxy(target, proxy);
      } finally {
        timed.socket.close();
        iso.socket.close();
        await a?.close();
        await b?.close();
        await c?.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('sends one datagram per line in each target framing', async () => {
      const conn = await HttpConnection.open(fe);
      assert.equal((await conn.request('GET', '/one')).status, 200);
      assert.equal((await conn.request('GET', '/two')).status, 200);
      conn.destroy();
      // The harness's probe of the port before the test is a connection without a request (<BADREQ>).
      const traffic = (lines: string[]): string[] => lines.filter((l) => !l.includes('<BADREQ>'));
      await eventually(() => traffic(timed.lines).length >= 2 && traffic(iso.lines).length >= 2, 5000);
      // local2 (18): `timed` carries the level alone, as `short` does; `iso` no priority at all.
      assert.deepEqual(
        traffic(timed.lines).map((l) => l.replace(new RegExp(`^<6>${ISO} `), '<6>TIME ')),
        ['<6>TIME line /one 200\n', '<6>TIME line /two 200\n'],
      );
      assert.deepEqual(
        traffic(iso.lines).map((l) => l.replace(new RegExp(`^${ISO} `), 'TIME ')),
        ['TIME line /one 200\n', 'TIME line /two 200\n'],
      );
      if (a === undefined || b === undefined || c === undefined) return;
      const ra = a;
      const rb = b;
      const rc = c;
      await eventually(() => traffic(ra.lines).length >= 2 && traffic(rb.lines).length >= 2 && traffic(rc.lines).length >= 2, 5000);
      const tag = target === 'haproxy' ? 'haproxy' : 'switchyard';
      // local1 (17) * 8 + info (6) = 142, in the default (local) framing.
      const framing = new RegExp(`^<142>[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d ${tag}\\[\\d+\\]: `);
      assert.deepEqual(
        traffic(ra.lines).map((l) => l.replace(framing, 'HEADER ')),
        ['HEADER line /one 200\n', 'HEADER line /two 200\n'],
      );
      // `priority`: local0 (16) * 8 + info (6) = 134, then the message.
      assert.deepEqual(traffic(rb.lines), ['<134>line /one 200\n', '<134>line /two 200\n']);
      // `abns@NAME`: the abstract name padded to the whole sun_path; `short`: the level alone.
      assert.deepEqual(traffic(rc.lines), ['<6>line /one 200\n', '<6>line /two 200\n']);
    });
  });

  if (unix) {
    describe(`a UNIX syslog socket whose queue is full on ${target}`, () => {
      it("drops lines without waiting and counts them in show info's DroppedLogs", async () => {
        const dir = mkdtempSync(join(tmpdir(), 'sy-log-'));
        const [port, cliPort] = (await freePorts(2)) as [number, number];
        const deaf = await unixDatagramReceiver(dir, 'deaf.sock', { reading: false });
        let proxy: ProxyProcess | undefined;
        try {
          proxy = await startProxy(target, `global
    stats socket 127.0.0.1:${cliPort} level admin
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${port}
    log ${dir}/deaf.sock local0
    log-format "line %HP"
    http-request return status 200
`);
          const conn = await HttpConnection.open(port);
          // Linux queues net.unix.max_dgram_qlen (10 by default) datagrams on a socket nobody
          // reads; Deno's sends wait in a queue of 256 lines of its own first (docs/runtimes.md).
          const lines = 300;
          for (let i = 0; i < lines; i++) assert.equal((await conn.request('GET', `/${i}`)).status, 200);
          conn.destroy();
          const info = await cli(cliPort, 'show info\n');
          const dropped = Number(/^DroppedLogs: (\d+)$/m.exec(info)?.[1]);
          const queued = target === 'deno' ? 256 + 20 : 20;
          assert.ok(dropped >= lines - queued && dropped <= lines, info);
        } finally {
          destroyAllClients();
          await stopProxy(target, proxy);
          await deaf.close();
          rmSync(dir, { recursive: true, force: true });
        }
      });
    });
  }

  if (!unix) {
    describe(`syslog to a UNIX socket on ${target}`, () => {
      it('is refused at its line: node:dgram has no UNIX datagram sockets, and this Node no node:ffi', async () => {
        const cfg = writeTempConfig(`${HTTP_DEFAULTS}\nfrontend fe\n    bind 127.0.0.1:1\n    log /dev/log local0\n    http-request return status 200\n`);
        try {
          const result = await runCli(target, ['-c', '-f', cfg.path]);
          assert.equal(result.code, 1, result.stderr);
          assert.match(result.stderr, /\[ALERT\].*:\d+\] : 'log \/dev\/log' is not supported on Node \(it has no UNIX datagram sockets/);
        } finally {
          cfg.cleanup();
        }
      });
    });
  }
}
