/**
 * Black-box conformance of `log-forward` sections (HAProxy 2.6's syslog relay): RFC 3164 and
 * RFC 5424 messages, with and without a PRI or a readable header, received over UDP
 * (`dgram-bind`) and TCP (`bind`, RFC 6587 octet counting and LF / CR LF ended lines), and
 * re-emitted to UDP targets in each target's format (or as received with none), with each
 * target's level filter and minimum level; `show info`'s CumRecvLogs counts them. The expected
 * bytes are HAProxy 2.6.12's.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/log-forward.test.js
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { cli } from '../support/cli-client.ts';
import { udpSyslogReceiver, type UdpSyslogReceiver } from '../support/syslog-receiver.ts';

const RFC3164 = '<134>Dec  6 10:11:12 myhost app[123]: hello 3164';
const RFC5424 = '<165>1 2026-12-06T10:11:12.123456+01:00 h2 prog 77 ID47 [a b="c"] hello 5424';
const NIL5424 = '<13>1 - - - - - - nil';
const NO_PRI = 'no prio at all';
const HOST_ONLY = '<14>Dec  6 10:11:12 hostonly msg';
const BAD_HEADER = '<14>garbage header';

/** The current time a header gets when the message brought none: it varies. */
function stable(line: string): string {
  return line
    .replace(/ \d{4}-\d\d-\d\dT(?!10:11:12)\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d /, ' NOW ')
    .replace(/^(<\d+>)[A-Z][a-z]{2} [ \d]\d (?!10:11:12)\d\d:\d\d:\d\d /, '$1NOW ');
}

/** An RFC 3164 date has no year: it becomes the current one, or the last before December. */
function decemberYear(): number {
  const now = new Date();
  return now.getMonth() < 11 ? now.getFullYear() - 1 : now.getFullYear();
}

function sendUdp(port: number, messages: readonly string[]): Promise<void> {
  const socket = createSocket('udp4');
  return new Promise<void>((resolve, reject) => {
    let left = messages.length;
    socket.on('error', reject);
    for (const m of messages) {
      socket.send(Buffer.from(m, 'latin1'), port, '127.0.0.1', (error) => {
        if (error) reject(error);
        else if (--left === 0) resolve();
      });
    }
  }).finally(() => socket.close());
}

/** Writes `bytes` on a new connection; the caller destroys it (HAProxy keeps it open after a FIN). */
function sendTcp(port: number, bytes: string): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.write(Buffer.from(bytes, 'latin1'), () => resolve(socket));
    });
    socket.on('error', reject);
    socket.on('data', () => undefined);
  });
}

for (const target of TARGETS) {
  describe(`log-forward on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: number[];
    const receivers: UdpSyslogReceiver[] = [];

    before(async () => {
      ports = await freePorts(3);
      for (let i = 0; i < 5; i++) receivers.push(await udpSyslogReceiver());
      const [asIs, rfc5424, rfc3164, priority, local] = receivers.map((r) => r.port);
      proxy = await startProxy(
        target,
        `
global
    stats socket ipv4@127.0.0.1:${ports[2]} level admin
log-forward relay
    bind 127.0.0.1:${ports[1]}
    dgram-bind 127.0.0.1:${ports[0]}
    maxconn 5
    timeout client 10s
    log 127.0.0.1:${asIs} local0
    log 127.0.0.1:${rfc5424} format rfc5424 local1
    log 127.0.0.1:${rfc3164} format rfc3164 local1
    log 127.0.0.1:${priority} format priority local1 err
    log 127.0.0.1:${local} format local local1 info notice
`,
      );
    });

    after(async () => {
      try {
        await stopProxy(target, proxy);
      } finally {
        for (const r of receivers) r.socket.close();
      }
    });

    it('relays UDP and TCP messages to each target in its format, keeping their facility and level', async (t: TestContext) => {
      await sendUdp(ports[0] as number, [RFC3164, RFC5424, NIL5424, NO_PRI, HOST_ONLY, BAD_HEADER]);
      const tcp = await sendTcp(ports[1] as number, `<134>Dec  6 10:11:12 tcphost t[1]: lf framed\n${RFC5424.length} ${RFC5424}<14>crlf\r\n`);
      t.after(() => {
        tcp.destroy();
      });
      const [asIs, rfc5424, rfc3164, priority, local] = receivers as [UdpSyslogReceiver, UdpSyslogReceiver, UdpSyslogReceiver, UdpSyslogReceiver, UdpSyslogReceiver];
      await eventually(() => asIs.lines.length >= 9 && rfc5424.lines.length >= 9 && rfc3164.lines.length >= 9 && local.lines.length >= 9 && priority.lines.length >= 1, 10_000);
      // Datagrams may be reordered: compare sorted lines.
      const got = (r: UdpSyslogReceiver): string[] => r.lines.map(stable).sort();
      const sorted = (lines: string[]): string[] => lines.map((l) => `${l}\n`).sort();
      assert.deepEqual(got(asIs), sorted([RFC3164, RFC5424, '<13>nil', NO_PRI, HOST_ONLY, BAD_HEADER, '<134>Dec  6 10:11:12 tcphost t[1]: lf framed', RFC5424, '<14>crlf']));
      assert.deepEqual(
        got(rfc5424),
        sorted([
          '<134>1 2026-12-06T10:11:12-00:00 myhost app 123 - - hello 3164',
          RFC5424,
          NIL5424,
          '<136>1 NOW - - - - - no prio at all',
          '<14>1 2026-12-06T10:11:12-00:00 hostonly - - - - msg',
          '<14>1 NOW - - - - - garbage header',
          '<134>1 2026-12-06T10:11:12-00:00 tcphost t 1 - - lf framed',
          RFC5424,
          '<14>1 NOW - - - - - crlf',
        ]).map((l) => l.replace('2026-12-06T10:11:12-00:00', `${decemberYear()}-12-06T10:11:12-00:00`)),
      );
      assert.deepEqual(
        got(rfc3164),
        sorted([
          RFC3164,
          '<165>Dec  6 10:11:12 h2 prog[77]: hello 5424',
          '<13>NOW localhost nil',
          '<136>NOW localhost no prio at all',
          HOST_ONLY,
          '<14>NOW localhost garbage header',
          '<134>Dec  6 10:11:12 tcphost t[1]: lf framed',
          '<165>Dec  6 10:11:12 h2 prog[77]: hello 5424',
          '<14>NOW localhost crlf',
        ]),
      );
      // `err`: only what is at least as severe; a message without PRI is at the minimum level (emerg).
      assert.deepEqual(got(priority), ['<136>no prio at all\n']);
      assert.deepEqual(
        got(local),
        sorted([
          '<134>Dec  6 10:11:12 app[123]: hello 3164',
          '<165>Dec  6 10:11:12 prog[77]: hello 5424',
          '<13>NOW nil',
          '<141>NOW no prio at all',
          '<14>Dec  6 10:11:12 msg',
          '<14>NOW garbage header',
          '<134>Dec  6 10:11:12 t[1]: lf framed',
          '<165>Dec  6 10:11:12 prog[77]: hello 5424',
          '<14>NOW crlf',
        ]),
      );
      const info = await cli({ port: ports[2] as number }, 'show info\n');
      assert.match(info, /^CumRecvLogs: 9$/m);
    });
  });
}
