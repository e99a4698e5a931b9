/**
 * Black-box conformance of `set-log-level` in every rule set that has it (http-request,
 * http-response, tcp-request content in mode tcp and mode http, tcp-response content; `silent`
 * logs nothing), read from the priority of the syslog lines, and of `set-nice`, which HAProxy's
 * scheduler reads and Switchyard accepts with a notice (the traffic is served the same).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/set-log-level.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { echoServer, type TestBackend } from '../support/tcp-backends.ts';
import { udpSyslogReceiver, type UdpSyslogReceiver } from '../support/syslog-receiver.ts';
import { dial } from '../support/tcp-client.ts';

const PORT_NAMES = ['tcpErr', 'tcpResp', 'tcpSilent', 'http', 'echo'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports, syslog: number): string {
  return `
global
    log 127.0.0.1:${syslog} local0

defaults
    log global
    timeout connect 500ms
    timeout client 2s
    timeout server 2s

listen tcp_err
    mode tcp
    bind 127.0.0.1:${p.tcpErr}
    log-format "tcp_err %ci:%cp"
    tcp-request inspect-delay 1s
    tcp-request content set-log-level err if { req.len gt 0 }
    tcp-request content set-nice 10
    tcp-request content accept if { req.len gt 0 }
    server echo 127.0.0.1:${p.echo}

listen tcp_resp
    mode tcp
    bind 127.0.0.1:${p.tcpResp}
    log-format "tcp_resp %ci:%cp %B"
    tcp-response inspect-delay 1s
    tcp-response content set-log-level notice if { res.len gt 0 }
    tcp-response content set-nice -10
    tcp-response content accept if { res.len gt 0 }
    server echo 127.0.0.1:${p.echo}

listen tcp_silent
    mode tcp
    bind 127.0.0.1:${p.tcpSilent}
    log-format "tcp_silent %ci:%cp"
    tcp-request inspect-delay 1s
    tcp-request content set-log-level silent if { req.len gt 0 }
    tcp-request content accept if { req.len gt 0 }
    server echo 127.0.0.1:${p.echo}

frontend http_fe
    mode http
    bind 127.0.0.1:${p.http}
    log-format "http_fe %HP %ST"
    tcp-request content set-log-level warning if { path /warning }
    tcp-request content set-log-level silent if { path /silent }
    http-request set-log-level alert if { path /alert }
    http-request set-nice -5
    http-request set-var(txn.path) path
    http-response set-log-level crit if { var(txn.path) -m str /crit }
    http-request return status 200
`;
}

for (const target of TARGETS) {
  describe(`set-log-level and set-nice on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    let echo: TestBackend;
    let syslog: UdpSyslogReceiver;

    before(async () => {
      const list = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((n, i) => [n, list[i] as number])) as Ports;
      echo = await echoServer(ports.echo);
      syslog = await udpSyslogReceiver();
      proxy = await startProxy(target, configFor(ports, syslog.port));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await echo.close();
      syslog.socket.close();
    });

    /**
     * The priority of the line whose message starts with `message`. The formats here wait for
     * the response (%ST) or the end (%B): a format of request fields only is logged by HAProxy as
     * soon as the request is parsed, before the http-request rules, whose level it then ignores.
     */
    async function priorityOf(message: string): Promise<number> {
      let line: string | undefined;
      await eventually(() => (line = syslog.lines.find((l) => l.includes(`: ${message}`))) !== undefined, 3000);
      assert.ok(line, `no '${message}' line in:\n${syslog.lines.join('')}`);
      return Number(/^<(\d+)>/.exec(line ?? '')?.[1]);
    }

    async function tcpExchange(port: number): Promise<number> {
      const socket = await dial(port);
      const local = socket.localPort as number;
      socket.write('ping');
      await new Promise<void>((resolve) => socket.once('data', () => resolve()));
      socket.end();
      await new Promise<void>((resolve) => socket.once('close', () => resolve()));
      return local;
    }

    it('tcp-request content set-log-level in mode tcp: the session line at that level (local0 err = 131)', async () => {
      const port = await tcpExchange(ports.tcpErr);
      assert.equal(await priorityOf(`tcp_err 127.0.0.1:${port}\n`), 131);
    });

    it('tcp-response content set-log-level (notice = 133)', async () => {
      const port = await tcpExchange(ports.tcpResp);
      assert.equal(await priorityOf(`tcp_resp 127.0.0.1:${port} `), 133);
    });

    it('silent: no line at all', async () => {
      const silent = await tcpExchange(ports.tcpSilent);
      const port = await tcpExchange(ports.tcpErr);
      // The later session's line is there: the silent one would have come first.
      await priorityOf(`tcp_err 127.0.0.1:${port}\n`);
      assert.equal(syslog.lines.filter((l) => l.includes(`: tcp_silent 127.0.0.1:${silent}\n`)).length, 0, syslog.lines.join(''));
    });

    it('in mode http: tcp-request content and http-request set-log-level, per request', async () => {
      const conn = await HttpConnection.open(ports.http);
      for (const path of ['/warning', '/alert', '/crit', '/plain', '/silent', '/last']) assert.equal((await conn.request('GET', path)).status, 200);
      conn.destroy();
      assert.equal(await priorityOf('http_fe /warning 200'), 132);
      assert.equal(await priorityOf('http_fe /alert 200'), 129);
      // http-response rules do not run for a reply the proxy made itself (http-request return).
      assert.equal(await priorityOf('http_fe /crit 200'), 134);
      assert.equal(await priorityOf('http_fe /plain 200'), 134);
      assert.equal(await priorityOf('http_fe /last 200'), 134);
      assert.equal(syslog.lines.filter((l) => l.includes(': http_fe /silent ')).length, 0);
    });
  });
}
