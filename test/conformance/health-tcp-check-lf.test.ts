/**
 * Black-box conformance of the log-format `tcp-check` rules (HAProxy 2.6 tcpcheck.c): a fake
 * line server on loopback answers "PONG\r\n" to each "PING", and each backend's
 * `option log-health-checks` line reaches a UDP syslog receiver and must be HAProxy's:
 * `set-var-fmt(check.*)` feeding `send-lf`, `send-binary-lf`, `expect string-lf` / `binary-lf`
 * (their failures, an empty pattern, bad built hex digits), `on-success` / `on-error` formats
 * reading the response (`res.payload`) and `status-code`.
 *   CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/health-tcp-check-lf.test.js
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { healthCheckLine, udpSyslogReceiver, type UdpSyslogReceiver } from '../support/syslog-receiver.ts';
import { TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';

const HOST = '127.0.0.1';

/** Answers PONG to every PING; keeps its sockets to close them at the end. */
function pingServer(port: number): Promise<{ server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let seen = '';
    socket.on('data', (data: Buffer) => {
      seen += data.toString('latin1');
      if (!seen.includes('PING')) return;
      seen = '';
      socket.write('PONG\r\n');
    });
  });
  return new Promise((resolve) => server.listen(port, HOST, () => resolve({ server, sockets })));
}

/** HAProxy's lines, check durations blanked. */
const EXPECTED: Readonly<Record<string, string>> = {
  be_t1: 'Health check for server be_t1/s succeeded, reason: Layer7 check passed, code: 7, info: "got PONG", check duration: Nms, status: 1/1 UP.',
  be_t2: 'Health check for server be_t2/s succeeded, reason: Layer7 check passed, code: 0, info: "(tcp-check)", check duration: Nms, status: 1/1 UP.',
  be_t3: 'Health check for server be_t3/s failed, reason: Layer7 invalid response, info: "TCPCHK did not match content (log-format string) at step 2 comment: c3", check duration: Nms, status: 0/1 DOWN.',
  be_t4: 'Health check for server be_t4/s failed, reason: Layer7 invalid response, info: "bad PONG s", check duration: Nms, status: 0/1 DOWN.',
  be_t5: 'Health check for server be_t5/s failed, reason: Layer7 invalid response, info: "log-format string evaluated to an empty string", check duration: Nms, status: 0/1 DOWN.',
  be_t6: 'Health check for server be_t6/s failed, reason: Layer7 invalid response, info: "tcp-check send : failed to build log-format string at step 1", check duration: Nms, status: 0/1 DOWN.',
  be_t7: 'Health check for server be_t7/s failed, reason: Layer7 invalid response, info: "Failed to parse hexastring resulting of eval of a log-format string comment: c7", check duration: Nms, status: 0/1 DOWN.',
};

for (const target of TARGETS) {
  describe(`tcp-check log-format rules on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let syslog: UdpSyslogReceiver;
    let app: { server: Server; sockets: Set<Socket> } | undefined;

    before(async () => {
      const [fe, port] = (await freePorts(2)) as [number, number];
      app = await pingServer(port);
      syslog = await udpSyslogReceiver();
      proxy = await startProxy(
        target,
        `
defaults
    mode tcp
    log ${HOST}:${syslog.port} local0
    option log-health-checks
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout check 2s
    default-server check inter 300ms rise 1 fall 1

frontend fe
    bind ${HOST}:${fe}
    default_backend be_t1

backend be_t1
    option tcp-check
    tcp-check set-var-fmt(check.h) "%[str(PING)]"
    tcp-check send-lf "%[var(check.h)]\\r\\n"
    tcp-check expect on-success "got %[res.payload(0,4)]" status-code "int(7)" string-lf "%[str(PONG)]"
    server s ${HOST}:${port}

backend be_t2
    option tcp-check
    tcp-check send-binary-lf "%[str(50494e470d0a)]"
    tcp-check expect binary-lf "%[str(504f4e47)]" comment c2
    server s ${HOST}:${port}

backend be_t3
    option tcp-check
    tcp-check send "PING\\r\\n"
    tcp-check expect min-recv 4 string-lf "%[str(NOPE)]" comment c3
    server s ${HOST}:${port}

backend be_t4
    option tcp-check
    tcp-check send "PING\\r\\n"
    tcp-check expect min-recv 4 on-error "bad %[res.payload(0,4)] %[srv_name]" status-code "res.len" string NOPE
    server s ${HOST}:${port}

backend be_t5
    option tcp-check
    tcp-check send "PING\\r\\n"
    tcp-check expect string-lf "%[var(check.none)]" on-error x
    server s ${HOST}:${port}

backend be_t6
    option tcp-check
    tcp-check send-binary-lf "%[str(zz)]"
    tcp-check expect string PONG
    server s ${HOST}:${port}

backend be_t7
    option tcp-check
    tcp-check send "PING\\r\\n"
    tcp-check expect binary-lf "%[str(zz)]" comment c7
    server s ${HOST}:${port}
`,
      );
    });

    after(async () => {
      // Servers going DOWN are warnings in HAProxy too: only Switchyard's exit code is checked.
      if (target === 'haproxy') await proxy?.stop();
      else await stopProxy(target, proxy);
      for (const socket of app?.sockets ?? []) socket.destroy();
      await new Promise((resolve) => app?.server.close(resolve));
      syslog.socket.close();
    });

    const lineFor = (backend: string): string | undefined => healthCheckLine(syslog.lines, backend);

    for (const [backend, line] of Object.entries(EXPECTED)) {
      it(`${backend}: ${line.replace(/^Health check for server \S+ /, '').slice(0, 70)}...`, async () => {
        assert.ok(await eventually(() => lineFor(backend) !== undefined, 10000, 50), syslog.lines.join(''));
        assert.equal(lineFor(backend), line);
      });
    }
  });
}
