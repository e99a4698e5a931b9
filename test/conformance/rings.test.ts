/**
 * Rings (HAProxy 2.6's `ring` sections, `log ring@NAME`, `log tcp@ADDRESS`, `show events`):
 * a ring's servers receive its lines over TCP, framed as their `log-proto` says (a line feed
 * after each, or RFC 6587's octet counting `LEN ` before each); an implicit ring forwards a
 * `tcp@` target's lines with a line feed; `show events` lists the sinks and dumps a ring; a
 * TCP log server that is not there neither slows nor breaks traffic, and gets the lines once it
 * listens.
 */
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { cli } from '../support/cli-client.ts';
import { eventually, HTTP_DEFAULTS, stopProxy } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import { ProxyProcess } from '../support/proxy-process.ts';
import { TARGETS } from '../support/runtimes.ts';

/** A TCP syslog receiver on loopback: every byte it got, across connections. */
interface Receiver {
  readonly server: Server;
  readonly sockets: Set<Socket>;
  bytes: string;
}

async function listen(port: number): Promise<Receiver> {
  const receiver: Receiver = { server: createServer(), sockets: new Set(), bytes: '' };
  receiver.server.on('connection', (socket) => {
    receiver.sockets.add(socket);
    socket.setEncoding('latin1');
    socket.on('data', (text: string) => (receiver.bytes += text));
    socket.on('error', () => {});
    socket.on('close', () => receiver.sockets.delete(socket));
  });
  await new Promise<void>((resolve) => receiver.server.listen(port, '127.0.0.1', resolve));
  return receiver;
}

async function close(receiver: Receiver): Promise<void> {
  for (const socket of receiver.sockets) socket.destroy();
  await new Promise<void>((resolve) => receiver.server.close(() => resolve()));
}

async function get(port: number, path: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(10_000) });
  await response.text();
  return response.status;
}

function config(ports: { web: number; cli: number; legacy: number; counted: number; tcp: number }): string {
  return `
global
    stats socket 127.0.0.1:${ports.cli} level admin
    log ring@events local0 info
    log tcp@127.0.0.1:${ports.tcp} local1 info
${HTTP_DEFAULTS}
ring events
    description "ring-for-tests"
    format rfc3164
    maxlen 200
    size 32768
    timeout connect 5s
    timeout server 10s
    server counted 127.0.0.1:${ports.counted} log-proto octet-count
    server legacy 127.0.0.1:${ports.legacy}
frontend fe
    bind 127.0.0.1:${ports.web}
    log global
    option dontlognull
    log-format "ring-test %HU"
    http-request return status 200 content-type text/plain string ok
`;
}

for (const target of TARGETS) {
  describe(`rings on ${target}`, () => {
    it('forwards a ring to its servers (octet counting and line feeds), an implicit tcp@ ring with line feeds; show events lists and dumps them', async () => {
      const [web, cliPort, legacy, counted, tcp] = (await freePorts(5)) as [number, number, number, number, number];
      const receivers = await Promise.all([listen(legacy), listen(counted), listen(tcp)]);
      const [legacyRx, countedRx, tcpRx] = receivers as [Receiver, Receiver, Receiver];
      const proxy = await ProxyProcess.start(target, config({ web, cli: cliPort, legacy, counted, tcp }));
      try {
        assert.equal(await get(web, '/first'), 200);
        assert.equal(await get(web, '/second'), 200);
        const tag = target === 'haproxy' ? 'haproxy' : 'switchyard';
        // rfc3164 header (the ring's format), local0.info = 134, the host name `localhost`.
        const header = new RegExp(`^<134>[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d localhost ${tag}\\[\\d+\\]: $`);
        await eventually(() => legacyRx.bytes.split('\n').length >= 3 && countedRx.bytes.includes('/second') && tcpRx.bytes.split('\n').length >= 3, 15_000);

        const lines = legacyRx.bytes.split('\n');
        assert.equal(lines.length, 3, JSON.stringify(legacyRx.bytes));
        assert.equal(lines[2], '');
        for (const [i, path] of ['/first', '/second'].entries()) {
          const line = lines[i] as string;
          assert.ok(line.endsWith(`ring-test ${path}`), line);
          assert.match(line.slice(0, -`ring-test ${path}`.length), header);
        }

        // Octet counting: `LEN ` then LEN bytes, no line feed.
        let rest = countedRx.bytes;
        const framed: string[] = [];
        while (rest.length > 0) {
          const m = /^(\d+) /.exec(rest);
          assert.ok(m !== null, JSON.stringify(rest));
          const len = Number(m[1]);
          framed.push(rest.slice(m[0].length, m[0].length + len));
          rest = rest.slice(m[0].length + len);
        }
        assert.deepEqual(framed, lines.slice(0, 2));

        // tcp@ without format: the local header (no host name), local1.info = 142, a line feed.
        const tcpLines = tcpRx.bytes.split('\n');
        assert.equal(tcpLines.length, 3, JSON.stringify(tcpRx.bytes));
        assert.match(tcpLines[0] as string, new RegExp(`^<142>[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d ${tag}\\[\\d+\\]: ring-test /first$`));

        const list = (await cli(cliPort, 'show events\n')).split('\n');
        assert.deepEqual(list.slice(0, 5), [
          'Supported events sinks are listed below. Add -w(wait), -n(new). Any key to stop',
          '    stdout     : type=fd, 0 dropped, standard output (fd#1)',
          '    stderr     : type=fd, 0 dropped, standard output (fd#2)',
          '    buf0       : type=buffer, 0 dropped, in-memory ring buffer',
          '    events     : type=buffer, 0 dropped, ring-for-tests',
        ]);
        // The configuration's path is the test's temporary file.
        assert.match(list[5] as string, /^    ring#1     : type=buffer, 0 dropped, created from logserver declared into '[^']+' at line 5$/);
        assert.deepEqual(list.slice(6), ['', '']);
        assert.equal(await cli(cliPort, 'show events events\n'), `${lines[0]}\n${lines[1]}\n\n`);
        assert.equal(await cli(cliPort, 'show events events -n\n'), '\n');
        assert.equal(await cli(cliPort, 'show events nosuch\n'), 'No such event sink\n');
        assert.equal(await cli(cliPort, 'show events stdout\n'), 'Nothing to report for this sink\n');
        assert.equal(await cli(cliPort, 'show events events -x\n'), 'unknown option\n');

        // -w: the lines there, then each new one, until our side closes (then the empty line).
        const follower = connect({ host: '127.0.0.1', port: cliPort });
        let followed = '';
        const closed = new Promise<void>((resolve) => follower.on('close', () => resolve()));
        try {
          follower.setEncoding('latin1');
          follower.on('data', (chunk: string) => (followed += chunk));
          follower.on('error', () => {});
          follower.write('show events events -w\n');
          await eventually(() => followed.includes('/second\n'), 10_000);
          assert.equal(await get(web, '/third'), 200);
          await eventually(() => followed.includes('/third\n'), 10_000);
          follower.end();
          await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 10_000))]);
          const third = followed.split('\n')[2] as string;
          assert.ok(third.endsWith('ring-test /third'), third);
          assert.equal(followed, `${lines[0]}\n${lines[1]}\n${third}\n\n`);
        } finally {
          follower.destroy();
        }
      } finally {
        await stopProxy(target, proxy);
        await Promise.all(receivers.map(close));
      }
    });

    it('a tcp@ log server that is not there neither slows nor breaks traffic; it gets the lines once it listens', async () => {
      const [web, cliPort, legacy, counted, tcp] = (await freePorts(5)) as [number, number, number, number, number];
      const proxy = await ProxyProcess.start(target, config({ web, cli: cliPort, legacy, counted, tcp }));
      let receiver: Receiver | undefined;
      try {
        for (let i = 0; i < 20; i++) assert.equal(await get(web, `/dead-${i}`), 200);
        receiver = await listen(tcp);
        await eventually(() => (receiver as Receiver).bytes.includes('/dead-19'), 20_000);
        assert.ok(receiver.bytes.includes('ring-test /dead-0\n'), receiver.bytes);
      } finally {
        await stopProxy(target, proxy);
        if (receiver !== undefined) await close(receiver);
      }
    });
  });
}
