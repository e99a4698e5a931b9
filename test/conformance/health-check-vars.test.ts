/**
 * Black-box conformance of `http-check set-var(check.*)` / `unset-var` and the `name-lf` /
 * `value-lf` header patterns of `http-check expect`: the proxy runs under Node, Bun and Deno in
 * turn against an HTTP server on loopback; the check results are read from
 * `option log-health-checks` lines on a UDP syslog receiver, HAProxy 2.6's byte for byte apart
 * from durations:
 *   CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/health-check-vars.test.js
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { TARGETS, eventually, startProxy } from '../support/http-suite.ts';

const HOST = '127.0.0.1';

function configFor(fe: number, app: number, syslog: number): string {
  const common = `
    option httpchk
    option log-health-checks
    log ${HOST}:${syslog} local0`;
  const server = `server s ${HOST}:${app} check inter 300ms rise 1 fall 1`;
  return `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s

frontend fe
    bind ${HOST}:${fe}
    default_backend be_name

backend be_name${common}
    http-check expect status 202
    http-check set-var(check.hdr) res.fhdr(x-hdr-name)
    http-check expect hdr name-lf -m str "%[var(check.hdr)]"
    ${server}

# Before the first expect the response is not read yet: the variable stays absent.
backend be_early${common}
    http-check set-var(check.hdr) res.fhdr(x-hdr-name)
    http-check expect hdr name-lf -m str "%[var(check.hdr)]"
    ${server}

backend be_value${common}
    http-check set-var(check.v) str(next)
    http-check expect hdr name x-test1 value-lf -m str "%[var(check.v)] value"
    ${server}

backend be_unset${common}
    http-check set-var(check.hdr) str(x-test1)
    http-check unset-var(check.hdr)
    http-check expect hdr name-lf -m str "%[var(check.hdr)]"
    ${server}

backend be_wrong${common}
    http-check set-var(check.v) str(other)
    http-check expect fhdr name x-test1 value-lf -m beg "%[var(check.v)]"
    ${server}
`;
}

for (const target of TARGETS) {
  describe(`http-check set-var and -lf patterns on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let app: Server | undefined;
    let syslog: UdpSocket;
    const lines: string[] = [];

    before(async () => {
      const [fe, appPort] = (await freePorts(2)) as [number, number];
      app = createServer((_req, res) => {
        res.writeHead(202, 'Accepted', { 'x-test1': 'true, next value', 'x-hdr-name': 'x-test1' });
        res.end();
      });
      await new Promise<void>((resolve) => app?.listen(appPort, HOST, resolve));
      syslog = createSocket('udp4');
      syslog.on('message', (m) => lines.push(m.toString('latin1')));
      await new Promise<void>((resolve) => syslog.bind(0, HOST, resolve));
      proxy = await startProxy(target, configFor(fe, appPort, syslog.address().port));
    });

    after(async () => {
      await proxy?.stop();
      app?.closeAllConnections();
      await new Promise((r) => app?.close(r));
      syslog.close();
    });

    function lineFor(backend: string): string | undefined {
      const found = lines.find((l) => l.includes(`Health check for server ${backend}/s `));
      return found?.replace(/^<\d+>.*?\]: /, '').replace(/check duration: \d+ms/, 'check duration: Nms');
    }

    it('a variable set before the first expect sees no response: the pattern is empty, HAProxy\'s L7RSP', async () => {
      assert.ok(await eventually(() => lineFor('be_early') !== undefined, 5000), lines.join(''));
      assert.equal(lineFor('be_early'), 'Health check for server be_early/s failed, reason: Layer7 invalid response, info: "log-format string evaluated to an empty string", check duration: Nms, status: 0/1 DOWN.\n');
    });

    it('name-lf reads a check variable set from the response', async () => {
      assert.ok(await eventually(() => lineFor('be_name') !== undefined, 5000), lines.join(''));
      assert.equal(lineFor('be_name'), 'Health check for server be_name/s succeeded, reason: Layer7 check passed, code: 202, check duration: Nms, status: 1/1 UP.\n');
    });

    it('value-lf builds the value to match (hdr: one comma-separated value)', async () => {
      assert.ok(await eventually(() => lineFor('be_value') !== undefined, 5000), lines.join(''));
      assert.equal(lineFor('be_value'), 'Health check for server be_value/s succeeded, reason: Layer7 check passed, code: 202, check duration: Nms, status: 1/1 UP.\n');
    });

    it('unset-var removes the variable: the header name is built empty', async () => {
      assert.ok(await eventually(() => lineFor('be_unset') !== undefined, 5000), lines.join(''));
      assert.equal(lineFor('be_unset'), 'Health check for server be_unset/s failed, reason: Layer7 invalid response, info: "log-format string evaluated to an empty string", check duration: Nms, status: 0/1 DOWN.\n');
    });

    it('a value-lf that does not match fails as a wrong status', async () => {
      assert.ok(await eventually(() => lineFor('be_wrong') !== undefined, 5000), lines.join(''));
      assert.equal(lineFor('be_wrong'), 'Health check for server be_wrong/s failed, reason: Layer7 wrong status, code: 202, info: "Accepted", check duration: Nms, status: 0/1 DOWN.\n');
    });
  });
}
