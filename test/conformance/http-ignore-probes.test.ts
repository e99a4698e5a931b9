/**
 * Black-box conformance of `option http-ignore-probes` (HAProxy 2.6's mux_h1.c PR_O_IGNORE_PRB):
 * a connection that sends nothing and reaches `timeout http-request`, or closes its side, gets
 * no 408/400 and no log line (as between keep-alive requests); without the option it gets the
 * error page and a `cR`/`CR` line. A partial request still gets its 400.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-ignore-probes.test.js
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';

function configFor(ready: number, probes: number, plain: number): string {
  // The first bind is the one the harness probes for readiness.
  return `
global
    log stdout format raw local0

defaults
    mode http
    log global
    option httplog
    timeout client 10s
    timeout server 10s
    timeout connect 1s
    timeout http-request 1s

frontend ready
    bind 127.0.0.1:${ready}
    http-request return status 200

frontend probes
    bind 127.0.0.1:${probes}
    option http-ignore-probes
    http-request return status 200

frontend plain
    bind 127.0.0.1:${plain}
    http-request return status 200
`;
}

/** Connects, sends `send` (and half-closes when `end`), and resolves with what came back before the proxy closed. */
function exchange(port: number, send: string, end: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let got = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within 10 s (got ${JSON.stringify(got)})`));
    }, 10_000);
    socket.on('connect', () => {
      if (send !== '') socket.write(send);
      if (end) socket.end();
    });
    socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
    socket.on('error', () => {});
    socket.on('end', () => socket.end());
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
  });
}

for (const target of TARGETS) {
  describe(`option http-ignore-probes on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let probes = 0;
    let plain = 0;
    const logLines = (frontend: string): string[] => (proxy?.stdout ?? '').split('\n').filter((l) => l.includes(` ${frontend} ${frontend}/`));

    before(async () => {
      let ready = 0;
      [ready, probes, plain] = (await freePorts(3)) as [number, number, number];
      proxy = await startProxy(target, configFor(ready, probes, plain));
    });

    after(async () => {
      await stopProxy(target, proxy);
    });

    it('a silent connection reaching timeout http-request is closed without a 408 and without a log', async () => {
      assert.equal(await exchange(probes, '', false), '');
      assert.match(await exchange(plain, '', false), /^HTTP\/1\.1 408 Request Time-out\r\n/);
      assert.ok(await eventually(() => logLines('plain').some((l) => / 408 .* cR-- /.test(l)), 5000), proxy?.stdout);
      assert.deepEqual(logLines('probes'), []);
    });

    it('a connection closed without a byte gets no 400 and no log; a partial request still gets its 400', async () => {
      assert.equal(await exchange(probes, '', true), '');
      assert.match(await exchange(plain, '', true), /^HTTP\/1\.1 400 Bad request\r\n/);
      assert.match(await exchange(probes, 'GET / HT', true), /^HTTP\/1\.1 400 Bad request\r\n/);
      assert.ok(await eventually(() => logLines('probes').length === 1, 5000), proxy?.stdout);
      assert.match(logLines('probes')[0] ?? '', / 400 .* CR-- /);
    });
  });
}
