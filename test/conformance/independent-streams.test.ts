/**
 * `option independent-streams` through the real proxy (tcp mode): HAProxy refreshes a side's
 * read timeout when it sends that side data (stconn.c sc_notify / sc_chk_snd), unless the
 * side has independent streams (SC_FL_INDEP_STR: the frontend's option for the client, the
 * backend's for the server). A silent client fed by a chatty server then meets `timeout client`
 * while the server still talks; a silent server fed by a chatty client meets `timeout server`.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/independent-streams.test.js
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { tcpServer } from '../support/tcp-backends.ts';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';

const PORT_NAMES = ['pushPlain', 'pushIndep', 'talkPlain', 'talkIndep', 'pusher', 'sink'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

/** Bytes sent one by one, TICK_MS apart: far more often than the 1 s timeouts, for 3 s in all. */
const TICKS = 30;
const TICK_MS = 100;

function configFor(p: Ports): string {
  return `
defaults
    mode tcp
    timeout connect 2s

listen push_plain
    bind 127.0.0.1:${p.pushPlain}
    timeout client 1s
    timeout server 20s
    server s 127.0.0.1:${p.pusher}

listen push_indep
    bind 127.0.0.1:${p.pushIndep}
    timeout client 1s
    timeout server 20s
    option independent-streams
    server s 127.0.0.1:${p.pusher}

listen talk_plain
    bind 127.0.0.1:${p.talkPlain}
    timeout client 20s
    timeout server 1s
    server s 127.0.0.1:${p.sink}

listen talk_indep
    bind 127.0.0.1:${p.talkIndep}
    timeout client 20s
    timeout server 1s
    option independent-streams
    server s 127.0.0.1:${p.sink}
`;
}

/**
 * A server that calls `onConnection` for each connection and closes them all at the end. Its
 * sockets (as the clients') close on the proxy's FIN: HAProxy's read timeout shuts one direction
 * only (the FIN goes on to the other peer), Switchyard closes the session; with peers that close
 * on a FIN both end the same way.
 */

/** A client connection that closes on the proxy's FIN. */
function dial(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Sends one byte every TICK_MS, TICKS times, while the socket is open; resolves with how many went out. */
function tick(socket: Socket, byte: string): Promise<number> {
  return new Promise((resolve) => {
    let sent = 0;
    const timer = setInterval(() => {
      if (socket.destroyed || socket.writableEnded || sent === TICKS) {
        clearInterval(timer);
        resolve(sent);
        return;
      }
      socket.write(byte);
      sent++;
    }, TICK_MS);
    socket.once('close', () => {
      clearInterval(timer);
      resolve(sent);
    });
  });
}

/** Reads until the proxy closes (or `limitMs`): the bytes received. */
function bytesUntilClosed(socket: Socket, limitMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let got = 0;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`still open after ${limitMs} ms (${got} bytes)`));
    }, limitMs);
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(got);
    };
    socket.on('data', (d: Buffer) => (got += d.length));
    socket.on('error', () => {});
    socket.once('end', done);
    socket.once('close', done);
  });
}

for (const target of TARGETS) {
  describe(`option independent-streams on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let p: Ports;
    const servers: { close(): Promise<void> }[] = [];

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      servers.push(await tcpServer(p.pusher, (s) => void tick(s, 'x'), { allowHalfOpen: false }));
      servers.push(await tcpServer(p.sink, (s) => void s.resume(), { allowHalfOpen: false }));
      proxy = await startProxy(target, configFor(p));
    });

    after(async () => {
      await stopProxy(target, proxy);
      await Promise.all(servers.map((s) => s.close()));
    });

    it("bytes sent to a silent client refresh its timeout unless the frontend's streams are independent", async () => {
      const [plain, indep] = await Promise.all([
        dial(p.pushPlain).then((s) => bytesUntilClosed(s, 15_000)),
        dial(p.pushIndep).then((s) => bytesUntilClosed(s, 15_000)),
      ]);
      assert.equal(plain, TICKS, 'kept open while the server talks: every byte arrives');
      assert.ok(indep < TICKS, `timeout client ended it while the server still talked (${indep} of ${TICKS} bytes)`);
    });

    it("bytes sent to a silent server refresh its timeout unless the backend's streams are independent", async () => {
      const talk = async (port: number): Promise<number> => {
        const socket = await dial(port);
        socket.on('error', () => {});
        socket.resume();
        const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
        const sent = await tick(socket, 'y');
        socket.end();
        await closed;
        return sent;
      };
      const [plain, indep] = await Promise.all([talk(p.talkPlain), talk(p.talkIndep)]);
      assert.equal(plain, TICKS, 'kept open while the client talks');
      assert.ok(indep < TICKS, `timeout server ended it while the client still talked (${indep} of ${TICKS} bytes)`);
    });
  });
}
