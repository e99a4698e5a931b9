/**
 * Black-box conformance of `timeout client` in `mode tcp` while the session has no server yet:
 * HAProxy stops reading a client whose bytes wait in the request buffer (stconn.c
 * sc_update_rx: a non-empty channel disarms its read timeout), so a client that has spoken is
 * not timed out while it waits for a server; its bytes reach the server once connected, and the
 * client timeout runs again from then on (logged `cD`). A silent client still times out while
 * waiting (`cQ` in the queue). HAProxy's reg-test log/wrong_ip_port_logging relies on it
 * (`timeout client 1`).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/tcp-client-timeout.test.js
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { delay, dial, timeUntilClosed } from '../support/tcp-client.ts';
import { udpSyslogReceiver, type UdpSyslogReceiver } from '../support/syslog-receiver.ts';

function configFor(fe: number, app: number, syslog: number): string {
  return `
defaults
    mode tcp
    timeout connect 5s
    timeout client 300ms
    timeout server 5s

frontend fe
    bind 127.0.0.1:${fe}
    log 127.0.0.1:${syslog} local0
    log-format "ts=%ts up=%U"
    default_backend be

backend be
    server s1 127.0.0.1:${app} maxconn 1
`;
}

/** A server recording the bytes of each connection, in accept order. */
function recordingServer(port: number): Promise<{ server: Server; received: string[]; sockets: Set<Socket> }> {
  const received: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    const index = received.push('') - 1;
    sockets.add(socket);
    socket.on('data', (d: Buffer) => (received[index] += d.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve({ server, received, sockets })));
}

for (const target of TARGETS) {
  describe(`tcp timeout client before the server connection on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let fe: number;
    let app: Awaited<ReturnType<typeof recordingServer>>;
    let syslog: UdpSyslogReceiver;

    before(async () => {
      const [a, b] = await freePorts(2);
      fe = a as number;
      app = await recordingServer(b as number);
      syslog = await udpSyslogReceiver();
      proxy = await startProxy(target, configFor(fe, b as number, syslog.port));
      // A probe of the port by the harness (some targets) is a silent session holding the
      // server's only slot until its client timeout: let it end and log first.
      await delay(500);
      await eventually(() => app.sockets.size === 0, 3000);
    });

    after(async () => {
      await stopProxy(target, proxy);
      for (const s of app.sockets) s.destroy();
      await new Promise<void>((resolve) => app.server.close(() => resolve()));
      syslog.socket.close();
    });

    it('a queued client whose bytes wait is not timed out: they reach the server, then cD; a silent one is cQ', async () => {
      const seen = app.received.length;
      const logged = syslog.lines.length;
      // The holder keeps the server's only slot busy (talking every 100 ms, under the 300 ms
      // client timeout) for about a second.
      const holder = await dial(fe);
      holder.on('error', () => {});
      holder.resume();
      holder.write('holder\n');
      await eventually(() => app.received.length > seen, 3000);
      const waiting = await dial(fe);
      waiting.write('hello\n');
      const silent = await dial(fe);
      const waitingClosed = timeUntilClosed(waiting, 5000);
      const silentClosed = timeUntilClosed(silent, 5000);
      for (let i = 0; i < 9; i++) {
        await delay(100);
        holder.write('.');
      }
      holder.destroy();
      await silentClosed;
      await waitingClosed;
      assert.ok(await eventually(() => app.received.includes('hello\n'), 3000), `server got ${JSON.stringify(app.received.slice(seen))}`);
      assert.ok(await eventually(() => syslog.lines.length >= logged + 3, 3000), syslog.lines.join(''));
      const ends = syslog.lines.slice(logged).map((l) => l.slice(l.indexOf('ts=')).trim()).sort();
      assert.deepEqual(ends, ['ts=-- up=16', 'ts=cD up=6', 'ts=cQ up=0']);
    });
  });
}
