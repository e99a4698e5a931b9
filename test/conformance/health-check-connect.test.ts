/**
 * Black-box conformance of HTTP checks made of several requests (`http-check connect`), of the
 * log-format request values (`uri-lf`, `body-lf`, `hdr` values), of set-var lines before a send,
 * and of HTTP/2 checks (`check-proto h2`, the server's `proto h2`, `http-check connect proto
 * h2`): the proxy runs under Node, Bun and Deno in turn against HTTP/1 and h2c servers on
 * loopback; the requests the servers received are recorded, the check results are read from
 * `option log-health-checks` lines on a UDP syslog receiver, HAProxy 2.6's byte for byte apart
 * from durations:
 *   CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/health-check-connect.test.js
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createH2Server, type Http2Server } from 'node:http2';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { TARGETS, eventually, startProxy } from '../support/http-suite.ts';

const HOST = '127.0.0.1';

interface Seen {
  readonly line: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

function configFor(p: { fe: number; app: number; other: number; h2: number; closed: number }, syslog: number): string {
  const common = `
    option httpchk
    option log-health-checks
    log ${HOST}:${syslog} local0`;
  return `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s

frontend fe
    bind ${HOST}:${p.fe}
    default_backend be_steps

backend be_steps${common}
    http-check connect
    http-check set-var(check.path) str(/steps/1)
    http-check send meth GET uri-lf "%[var(check.path)]" ver HTTP/1.1 hdr host check hdr x-srv "%[be_name]/%[srv_name]" hdr x-empty "%[var(check.none)]"
    http-check expect status 200
    http-check connect port ${p.other}
    http-check set-var(check.path) str(/steps/2)
    http-check send meth POST uri-lf "%[var(check.path)]" body-lf "from %[srv_name]"
    http-check expect status 200
    http-check connect addr ${HOST}:${p.app}
    http-check unset-var(check.path)
    http-check send uri-lf "%[var(check.path)]"
    server s ${HOST}:${p.app} check inter 300ms rise 1 fall 1

backend be_second_fails${common}
    http-check connect
    http-check send uri /second-ok
    http-check expect status 200
    http-check connect
    http-check send uri /second-503
    http-check expect status 200
    server s ${HOST}:${p.app} check inter 300ms rise 1 fall 1

backend be_refused${common}
    http-check connect
    http-check send uri /refused-first
    http-check expect status 200
    http-check connect port ${p.closed}
    http-check send uri /never
    server s ${HOST}:${p.app} check inter 300ms rise 1 fall 1

backend be_check_proto${common}
    http-check send hdr host check
    server s ${HOST}:${p.h2} check check-proto h2 inter 300ms rise 1 fall 1

backend be_server_proto${common}
    http-check send uri /server-proto hdr host check
    server s ${HOST}:${p.h2} proto h2 check inter 300ms rise 1 fall 1

backend be_connect_proto${common}
    http-check connect proto h2
    http-check send meth GET uri /connect-proto hdr host check
    server s ${HOST}:${p.h2} check inter 300ms rise 1 fall 1

backend be_h1_to_h2${common}
    server s ${HOST}:${p.h2} check inter 300ms rise 1 fall 1
`;
}

for (const target of TARGETS) {
  describe(`http-check connect, -lf request values and HTTP/2 checks on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let app: Server | undefined;
    let other: Server | undefined;
    let h2: Http2Server | undefined;
    let syslog: UdpSocket;
    const lines: string[] = [];
    const seen: Seen[] = [];
    const seenH2: string[] = [];

    function record(req: IncomingMessage, done: (status: number) => void): void {
      let body = '';
      req.setEncoding('latin1');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        seen.push({ line: `${req.method} ${req.url} HTTP/${req.httpVersion}`, headers: req.headers, body });
        done(req.url === '/second-503' ? 503 : 200);
      });
    }

    before(async () => {
      const [fe, appPort, otherPort, h2Port, closed] = (await freePorts(5)) as [number, number, number, number, number];
      const handler = (req: IncomingMessage, res: import('node:http').ServerResponse): void =>
        record(req, (status) => {
          res.writeHead(status);
          res.end();
        });
      app = createServer(handler);
      other = createServer(handler);
      h2 = createH2Server((req, res) => {
        seenH2.push(`${req.method} ${req.url}`);
        res.writeHead(200);
        res.end();
      });
      await new Promise<void>((resolve) => app?.listen(appPort, HOST, resolve));
      await new Promise<void>((resolve) => other?.listen(otherPort, HOST, resolve));
      await new Promise<void>((resolve) => h2?.listen(h2Port, HOST, resolve));
      syslog = createSocket('udp4');
      syslog.on('message', (m) => lines.push(m.toString('latin1')));
      await new Promise<void>((resolve) => syslog.bind(0, HOST, resolve));
      proxy = await startProxy(target, configFor({ fe, app: appPort, other: otherPort, h2: h2Port, closed }, syslog.address().port));
    });

    after(async () => {
      await proxy?.stop();
      app?.closeAllConnections();
      other?.closeAllConnections();
      await new Promise((r) => app?.close(r));
      await new Promise((r) => other?.close(r));
      await new Promise((r) => h2?.close(r));
      syslog.close();
    });

    function lineFor(backend: string): string | undefined {
      const found = lines.find((l) => l.includes(`Health check for server ${backend}/s `));
      return found?.replace(/^<\d+>.*?\]: /, '').replace(/check duration: \d+ms/, 'check duration: Nms');
    }

    it('runs each request on its own connection, in order, with values built from the check', async () => {
      assert.ok(await eventually(() => lineFor('be_steps') !== undefined, 5000), lines.join(''));
      assert.equal(lineFor('be_steps'), 'Health check for server be_steps/s succeeded, reason: Layer7 check passed, code: 200, check duration: Nms, status: 1/1 UP.\n');
      const first = seen.find((s) => s.line === 'GET /steps/1 HTTP/1.1');
      assert.ok(first, JSON.stringify(seen));
      assert.equal(first.headers['x-srv'], 'be_steps/s');
      // A value built empty drops the header.
      assert.equal(first.headers['x-empty'], undefined);
      const second = seen.find((s) => s.line === 'POST /steps/2 HTTP/1.0');
      assert.ok(second, JSON.stringify(seen));
      assert.equal(second.body, 'from s');
      assert.equal(second.headers['content-length'], '6');
      // The unset variable builds an empty URI: HAProxy sends "/".
      assert.ok(seen.some((s) => s.line === 'OPTIONS / HTTP/1.0'), JSON.stringify(seen));
    });

    it('a later request failing fails the check with its own status', async () => {
      assert.ok(await eventually(() => lineFor('be_second_fails') !== undefined, 5000), lines.join(''));
      assert.equal(
        lineFor('be_second_fails'),
        'Health check for server be_second_fails/s failed, reason: Layer7 wrong status, code: 503, info: "Service Unavailable", check duration: Nms, status: 0/1 DOWN.\n',
      );
      assert.ok(seen.some((s) => s.line === 'OPTIONS /second-ok HTTP/1.0'));
    });

    it('a later connect refused fails the check as a connection error', async () => {
      assert.ok(await eventually(() => lineFor('be_refused') !== undefined, 5000), lines.join(''));
      assert.equal(lineFor('be_refused'), 'Health check for server be_refused/s failed, reason: Layer4 connection problem, info: "Connection refused", check duration: Nms, status: 0/1 DOWN.\n');
    });

    it('check-proto h2, the server\'s proto h2 and http-check connect proto h2 check over HTTP/2', async () => {
      for (const backend of ['be_check_proto', 'be_server_proto', 'be_connect_proto']) {
        assert.ok(await eventually(() => lineFor(backend) !== undefined, 5000), lines.join(''));
        assert.equal(lineFor(backend), `Health check for server ${backend}/s succeeded, reason: Layer7 check passed, code: 200, check duration: Nms, status: 1/1 UP.\n`);
      }
      assert.ok(seenH2.includes('OPTIONS /'), seenH2.join());
      assert.ok(seenH2.includes('OPTIONS /server-proto'), seenH2.join());
      assert.ok(seenH2.includes('GET /connect-proto'), seenH2.join());
    });

    it('an HTTP/1 check of an HTTP/2-only server fails', async () => {
      assert.ok(await eventually(() => lineFor('be_h1_to_h2') !== undefined, 5000), lines.join(''));
      assert.match(lineFor('be_h1_to_h2') ?? '', /^Health check for server be_h1_to_h2\/s failed, /);
    });
  });
}
