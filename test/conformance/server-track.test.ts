/**
 * `server ... track [<proxy>/]<server>` through the real proxy (HAProxy 2.6's srv->track): a
 * tracker follows the tracked server into and out of maintenance and DOWN/UP (its own address
 * alive or not), with HAProxy's "via B/S" log lines; a tracked server cannot be deleted, a
 * tracker can once in maintenance; `add server ... track` links a dynamic server, with
 * HAProxy's refusals (unchecked or dynamic tracked servers). Reg-tests server/cli_add_track_server
 * and server/cli_delete_server exercise the same.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/server-track.test.js
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy } from '../support/http-suite.ts';
import { cli } from '../support/cli-client.ts';

/** A syslog receiver on loopback: the messages it got (after "]: "), without the newline. */
async function receiver(): Promise<{ socket: UdpSocket; port: number; lines: string[] }> {
  const socket = createSocket('udp4');
  const lines: string[] = [];
  socket.on('message', (m) => {
    const line = m.toString('latin1');
    lines.push(line.slice(line.indexOf(']: ') + 3).replace(/\n$/, ''));
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, port: socket.address().port, lines };
}

for (const target of TARGETS) {
  describe(`server tracking on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let checked: HttpTestBackend | undefined;
    let other: HttpTestBackend;
    let web: number;
    let cliPort: number;
    let checkedPort: number;
    let otherPort: number;
    let syslog: Awaited<ReturnType<typeof receiver>>;

    before(async () => {
      const ports = (await freePorts(4)) as [number, number, number, number];
      [web, checkedPort, otherPort, cliPort] = ports;
      checked = await appBackend(checkedPort, 'checked');
      other = await appBackend(otherPort, 'other');
      syslog = await receiver();
      proxy = await startProxy(
        target,
        `
global
    stats socket 127.0.0.1:${cliPort} level admin
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${web}
    default_backend tracking

backend base
    server s1 127.0.0.1:${checkedPort} check inter 100ms rise 1 fall 1
    server plain 127.0.0.1:${checkedPort}

backend tracking
    log 127.0.0.1:${syslog.port} daemon
    balance roundrobin
    server t1 127.0.0.1:${otherPort} track base/s1
`,
      );
    });

    after(async () => {
      destroyAllClients();
      await proxy?.stop();
      await checked?.close();
      await other.close();
      syslog.socket.close();
    });

    async function status(): Promise<number> {
      const conn = await HttpConnection.open(web);
      try {
        return (await conn.request('GET', '/')).status;
      } finally {
        conn.destroy();
      }
    }

    const send = (command: string): Promise<string> => cli(cliPort, `${command}\n`);

    it("a tracker inherits the tracked server's maintenance, with HAProxy's log lines", async () => {
      assert.equal(await status(), 200);
      await send('disable server base/s1');
      assert.ok(await eventually(() => syslog.lines.some((l) => l.includes('tracking/t1 is going DOWN')), 2000), syslog.lines.join('\n'));
      assert.equal(await status(), 503);
      assert.equal(
        syslog.lines.find((l) => l.includes('tracking/t1')),
        'Server tracking/t1 is going DOWN for maintenance via base/s1. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
      );
      // Enabling the tracker itself does not take it out of the inherited maintenance.
      await send('disable server tracking/t1');
      await send('enable server tracking/t1');
      assert.equal(await status(), 503);
      await send('enable server base/s1');
      assert.ok(await eventually(() => syslog.lines.some((l) => l.includes('leaving maintenance')), 2000), syslog.lines.join('\n'));
      assert.ok(syslog.lines.includes('Server tracking/t1 is UP/READY (leaving maintenance).'), syslog.lines.join('\n'));
      assert.equal(await status(), 200);
    });

    it('a tracked or use-server server cannot be deleted; an unchecked server cannot be tracked, nor a dynamic one', async () => {
      assert.equal(await send('del server base/s1'), 'This server cannot be removed at runtime due to other configuration elements pointing to it.\n');
      assert.match(await send('add server tracking/d1 127.0.0.1:1 track base/plain'), /unable to use base\/plain for tracking as it does not have any check nor agent enabled\./);
      assert.match(await send('add server tracking/d1 127.0.0.1:1 track base/nope'), /unable to find required server 'nope' for tracking\./);
      assert.match(await send(`add server tracking/d1 127.0.0.1:${otherPort} track base/s1`), /New server registered\./);
      assert.match(await send('add server tracking/d2 127.0.0.1:1 track tracking/d1'), /unable to use tracking\/d1 for tracking as it is a dynamic server\./);
      assert.equal(await send('enable server tracking/d1'), '\n');
      assert.equal(await send('disable server tracking/d1'), '\n');
      assert.equal(await send('del server tracking/d1'), 'Server deleted.\n');
    });

    it('a tracker goes DOWN and UP with the tracked server\'s checks, its own server alive', async () => {
      await checked?.close();
      checked = undefined;
      assert.ok(await eventually(() => syslog.lines.some((l) => l.startsWith('Server tracking/t1 is DOWN via base/s1.')), 3000), syslog.lines.join('\n'));
      assert.equal(await status(), 503);
      checked = await appBackend(checkedPort, 'checked');
      assert.ok(await eventually(() => syslog.lines.some((l) => l.startsWith('Server tracking/t1 is UP via base/s1.')), 3000), syslog.lines.join('\n'));
      assert.equal(await status(), 200);
    });
  });
}
