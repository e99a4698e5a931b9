/**
 * Black-box conformance of `http-check disable-on-404` (HAProxy 2.6 tcpcheck.c / server.c): fake
 * HTTP servers on loopback answer the checks with a status the test sets, and
 * - a 404 from a running server passes conditionally (L7OKC) and sets it stopping: the
 *   "is stopping" state line, stats status "NOLB", `show servers state` op state 3 and check
 *   result 4; no new traffic reaches it, but a request with its persistence cookie does;
 * - a 2xx brings it back UP; a failure from NOLB takes it DOWN with a notice, not an alert;
 * - a 404 from a DOWN server is an ordinary failure (L7STS "Not Found"): it stays DOWN.
 * The state lines reach a UDP syslog receiver; the expected lines are HAProxy's:
 *   CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/health-disable-on-404.test.js
 */
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { cli, cliReady, statRows } from '../support/cli-client.ts';
import { udpSyslogReceiver, type UdpSyslogReceiver } from '../support/syslog-receiver.ts';
import { TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';

const HOST = '127.0.0.1';

/** An HTTP server answering every request with its name and the status `code()` says. */
function fakeServer(port: number, name: string, code: () => number): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(code(), { 'content-type': 'text/plain', connection: 'close' });
    res.end(name);
  });
  server.keepAliveTimeout = 100;
  return new Promise((resolve) => server.listen(port, HOST, () => resolve(server)));
}

/** The body of a GET through the proxy (the answering server's name), with an optional cookie. */
function get(port: number, cookie?: string, path = '/'): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: HOST, port, path, agent: false, headers: cookie === undefined ? {} : { cookie } }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.setTimeout(5000, () => req.destroy(new Error('no answer')));
    req.on('error', reject);
    req.end();
  });
}

for (const target of TARGETS) {
  describe(`http-check disable-on-404 on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let syslog: UdpSyslogReceiver;
    const servers: Server[] = [];
    const codes = { s1: 200, s2: 200 };
    let ports: { fe: number; cli: number; prom: number };

    before(async () => {
      const [fe, cliPort, p1, p2, prom] = (await freePorts(5)) as [number, number, number, number, number];
      ports = { fe, cli: cliPort, prom };
      servers.push(await fakeServer(p1, 's1', () => codes.s1), await fakeServer(p2, 's2', () => codes.s2));
      syslog = await udpSyslogReceiver();
      proxy = await startProxy(
        target,
        `
global
    stats socket ${HOST}:${cliPort} level admin

defaults
    mode http
    timeout connect 1s
    timeout check 2s
    timeout client 5s
    timeout server 5s

frontend fe
    bind ${HOST}:${fe}
    default_backend be

frontend prom
    bind ${HOST}:${prom}
    http-request use-service prometheus-exporter

backend be
    log ${HOST}:${syslog.port} local0
    cookie SRV insert indirect nocache
    option httpchk GET /health
    http-check disable-on-404
    server s1 ${HOST}:${p1} cookie a check inter 200ms rise 2 fall 2
    server s2 ${HOST}:${p2} cookie b check inter 200ms rise 2 fall 2

backend be2
    log ${HOST}:${syslog.port} local0
    # HAProxy refuses a tracker in a proxy that disagrees on disable-on-404.
    http-check disable-on-404
    server t1 ${HOST}:${p2} track be/s1
`,
      );
      await cliReady(cliPort);
    });

    after(async () => {
      if (target === 'haproxy') await proxy?.stop();
      else await stopProxy(target, proxy);
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
      syslog.socket.close();
    });

    /** The state lines of a server (syslog priority kept), durations blanked. */
    const stateLines = (server = 'be/s1'): string[] =>
      syslog.lines
        .filter((l) => l.includes(`Server ${server} is `))
        .map((l) => l.replace(/^(<\d+>).*?\]: /, '$1').replace(/check duration: \d+ms/, 'check duration: Nms').trimEnd());

    async function waitForLine(line: string, server = 'be/s1'): Promise<void> {
      assert.ok(await eventually(() => stateLines(server).includes(line), 10000, 50), `${line}\nnot among:\n${stateLines(server).join('\n')}`);
    }

    async function row(server: string): Promise<Record<string, string>> {
      return (await statRows(ports.cli)).find((r) => r.pxname === 'be' && r.svname === server) ?? {};
    }

    async function serverState(server: string): Promise<string[]> {
      const answer = await cli(ports.cli, 'show servers state be\n');
      return answer.split('\n').find((l) => l.split(' ')[3] === server)?.split(' ') ?? [];
    }

    it('a 404 from a running server sets it stopping: NOLB, L7OKC, op state 3', async () => {
      // Both servers pass first: the proxy is ready.
      assert.ok(await eventually(() => servers.length === 2, 1000));
      codes.s1 = 404;
      await waitForLine(
        '<133>Server be/s1 is stopping, reason: Layer7 check conditionally passed, code: 404, check duration: Nms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.',
      );
      const s1 = await row('s1');
      assert.equal(s1.status, 'NOLB');
      assert.equal(s1.check_status, 'L7OKC');
      assert.equal(s1.check_code, '404');
      assert.equal(s1.last_chk, '');
      const state = await serverState('s1');
      assert.equal(state[5], '3', state.join(' ')); // srv_op_state: SRV_ST_STOPPING
      assert.equal(state[11], '4', state.join(' ')); // srv_check_result: CHK_RES_CONDPASS
      assert.equal(state[12], '3', state.join(' ')); // srv_check_health: rise + fall - 1
      const metrics = await get(ports.prom, undefined, '/metrics?scope=server');
      assert.match(metrics, /^haproxy_server_status\{proxy="be",server="s1",state="NOLB"\} 1$/m);
      assert.match(metrics, /^haproxy_server_status\{proxy="be",server="s1",state="UP"\} 0$/m);
      assert.match(metrics, /^haproxy_server_check_status\{proxy="be",server="s1",state="L7OKC"\} 1$/m);
      // Its tracker stops with it.
      await waitForLine('<133>Server be2/t1 is stopping via be/s1. 0 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.', 'be2/t1');
      assert.equal((await row('s1')).status, 'NOLB');
      assert.equal((await statRows(ports.cli)).find((r) => r.pxname === 'be2' && r.svname === 't1')?.status, 'NOLB');
    });

    it('a NOLB server gets no new traffic, but persistent requests still reach it', async () => {
      for (let i = 0; i < 4; i++) assert.equal(await get(ports.fe), 's2', `request ${i}`);
      assert.equal(await get(ports.fe, 'SRV=a'), 's1');
    });

    it('a 2xx brings it back UP', async () => {
      codes.s1 = 200;
      await waitForLine(
        '<133>Server be/s1 is UP, reason: Layer7 check passed, code: 200, check duration: Nms. 2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.',
      );
      assert.equal((await row('s1')).status, 'UP');
    });

    it('failing from NOLB takes it DOWN with a notice; a 404 then is a plain failure', async () => {
      codes.s1 = 404;
      assert.ok(await eventually(() => stateLines().filter((l) => l.includes(' is stopping')).length === 2, 10000, 50), stateLines().join('\n'));
      codes.s1 = 500;
      await waitForLine(
        '<133>Server be/s1 is DOWN, reason: Layer7 wrong status, code: 500, info: "Internal Server Error", check duration: Nms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
      );
      codes.s1 = 404;
      let last: Record<string, string> = {};
      const seen404 = async (): Promise<boolean> => {
        last = await row('s1');
        return last.check_code === '404';
      };
      const deadline = performance.now() + 10000;
      while (!(await seen404()) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.equal(last.check_code, '404', JSON.stringify(last));
      assert.equal(last.check_status, 'L7STS');
      assert.equal(last.last_chk, 'Not Found');
      assert.equal(last.status, 'DOWN');
      assert.equal((await serverState('s1'))[5], '0');
      assert.equal(stateLines().filter((l) => l.includes(' is stopping')).length, 2, stateLines().join('\n'));
    });

    it('set server health stopping sets a server NOLB from the runtime API, until its next passing check', async () => {
      assert.equal(await cli(ports.cli, 'set server be/s2 health stopping\n'), '\n');
      await waitForLine('<133>Server be/s2 is stopping, changed from CLI. 0 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.', 'be/s2');
      await waitForLine('<133>Server be/s2 is UP, reason: Layer7 check passed, code: 200, check duration: Nms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.', 'be/s2');
    });
  });
}
