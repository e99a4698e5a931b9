/**
 * Black-box conformance of the `http-check expect` options and log-format sequences (HAProxy 2.6
 * parse_tcpcheck_expect, tcpcheck_expect_onerror_message / _onsuccess_message): a fake HTTP
 * server on loopback answers /code/N with status N (and `x-code: 207`), /slow never, anything
 * else 200 "hello <path>". Each backend's `option log-health-checks` line reaches a UDP syslog
 * receiver and must be HAProxy's:
 * - `comment` is appended to the info, `on-error` replaces it, `error-status` / `ok-status` /
 *   `tout-status` set the status, `status-code` the code;
 * - `ok-status L7OKC` passes conditionally: the server is set stopping (NOLB);
 * - `expect string-lf` builds its pattern for each check (an empty one fails with HAProxy's text);
 * - `http-check set-var-fmt(check.*)` feeds `send uri-lf` and `on-error`.
 *   CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/health-check-expect-options.test.js
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { healthCheckLine, udpSyslogReceiver, type UdpSyslogReceiver } from '../support/syslog-receiver.ts';
import { TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';

const HOST = '127.0.0.1';

function fakeServer(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    const url = req.url ?? '/';
    // Never answered: the check times out (the socket is closed with the server).
    if (url.startsWith('/slow')) return;
    const m = /^\/code\/(\d+)/.exec(url);
    res.writeHead(m === null ? 200 : Number(m[1]), { 'content-type': 'text/plain', 'x-code': '207', connection: 'close' });
    res.end(`hello ${url}\n`);
  });
  return new Promise((resolve) => server.listen(port, HOST, () => resolve(server)));
}

/** HAProxy's lines, check durations blanked. */
const EXPECTED: Readonly<Record<string, string>> = {
  be_a: 'Health check for server be_a/s failed, reason: Layer7 wrong status, code: 503, info: "Service Unavailable comment: c1", check duration: Nms, status: 0/1 DOWN.',
  be_b: 'Health check for server be_b/s failed, reason: Layer7 invalid response, info: "bad 503 on s", check duration: Nms, status: 0/1 DOWN.',
  be_c: 'Health check for server be_c/s conditionally succeeded, reason: Layer7 check conditionally passed, code: 207, info: "fine s", check duration: Nms, status: 1/1 UP.',
  be_d: 'Health check for server be_d/s failed, reason: Layer6 timeout, check duration: Nms, status: 0/1 DOWN.',
  be_e: 'Health check for server be_e/s succeeded, reason: Layer7 check passed, code: 200, check duration: Nms, status: 1/1 UP.',
  be_f: 'Health check for server be_f/s failed, reason: Layer7 wrong status, code: 404, info: "u=/code/404 comment: c6", check duration: Nms, status: 0/1 DOWN.',
  be_g: 'Health check for server be_g/s failed, reason: Layer7 wrong status, code: 200, info: "no 207", check duration: Nms, status: 0/1 DOWN.',
  be_h: 'Health check for server be_h/s failed, reason: Layer7 invalid response, info: "HTTP check matched unwanted content comment: c8", check duration: Nms, status: 0/1 DOWN.',
  be_i: 'Health check for server be_i/s failed, reason: Layer7 invalid response, info: "log-format string evaluated to an empty string comment: c9", check duration: Nms, status: 0/1 DOWN.',
};

for (const target of TARGETS) {
  describe(`http-check expect options and log-format sequences on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let syslog: UdpSyslogReceiver;
    let app: Server | undefined;

    before(async () => {
      const [fe, port] = (await freePorts(2)) as [number, number];
      app = await fakeServer(port);
      syslog = await udpSyslogReceiver();
      proxy = await startProxy(
        target,
        `
defaults
    mode http
    log ${HOST}:${syslog.port} local0
    option log-health-checks
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout check 500ms
    default-server check inter 300ms rise 1 fall 1

frontend fe
    bind ${HOST}:${fe}
    default_backend be_a

backend be_a
    option httpchk GET /code/503
    http-check expect status 200 comment c1
    server s ${HOST}:${port}

backend be_b
    option httpchk GET /code/503
    http-check expect error-status L7RSP on-error "bad %[status] on %[srv_name]" status-code "int(299)" status 200
    server s ${HOST}:${port}

backend be_c
    option httpchk GET /code/200
    http-check expect ok-status L7OKC on-success "fine %[srv_name]" status-code "res.hdr(x-code)" status 200
    server s ${HOST}:${port}

backend be_d
    option httpchk GET /slow
    http-check expect tout-status L6TOUT status 200
    server s ${HOST}:${port}

backend be_e
    option httpchk GET /e
    http-check expect string-lf "hello /%[str(e)]"
    server s ${HOST}:${port}

backend be_f
    option httpchk
    http-check set-var-fmt(check.u) "/code/%[str(404)]"
    http-check send meth GET uri-lf "%[var(check.u)]"
    http-check expect status 200 on-error "u=%[var(check.u)]" comment c6
    server s ${HOST}:${port}

backend be_g
    option httpchk GET /code/200
    http-check expect string nothere on-error "no %[res.hdr(x-code)]" error-status L7STS
    server s ${HOST}:${port}

backend be_h
    option httpchk GET /h
    http-check expect ! string-lf "%[str(hello)]" comment c8
    server s ${HOST}:${port}

backend be_i
    option httpchk GET /code/200
    http-check expect string-lf "%[var(check.none)]" comment c9 on-error "xx"
    server s ${HOST}:${port}
`,
      );
    });

    after(async () => {
      // Servers going DOWN are warnings in HAProxy too: only Switchyard's exit code is checked.
      if (target === 'haproxy') await proxy?.stop();
      else await stopProxy(target, proxy);
      app?.closeAllConnections();
      await new Promise((resolve) => app?.close(resolve));
      syslog.socket.close();
    });

    const lineFor = (backend: string): string | undefined => healthCheckLine(syslog.lines, backend);

    for (const [backend, line] of Object.entries(EXPECTED)) {
      it(`${backend}: ${line.replace(/^Health check for server \S+ /, '').slice(0, 60)}...`, async () => {
        assert.ok(await eventually(() => lineFor(backend) !== undefined, 10000, 50), syslog.lines.join(''));
        assert.equal(lineFor(backend), line);
      });
    }

    it('ok-status L7OKC sets the server stopping', async () => {
      const stopping = 'Server be_c/s is stopping. 0 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.';
      assert.ok(await eventually(() => syslog.lines.some((l) => l.includes(stopping)), 10000, 50), syslog.lines.join(''));
    });
  });
}
