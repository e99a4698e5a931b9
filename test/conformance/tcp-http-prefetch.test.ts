/**
 * Black-box conformance of HTTP fetches in tcp mode (HAProxy's smp_prefetch_htx on a TCP
 * stream), as the peers reg-tests use them: `tcp-request content track-sc0 url` reads the
 * inspected bytes as an HTTP/1 request; a head still incomplete makes the track rule wait (within
 * `tcp-request inspect-delay`) instead of tracking nothing; bytes that are not HTTP give no key.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/tcp-http-prefetch.test.js
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { cli } from '../support/cli-client.ts';
import { TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';

function configFor(fe: number, stats: number): string {
  return `
global
    stats socket ipv4@127.0.0.1:${stats} level admin

defaults
    mode tcp
    timeout connect 500ms
    timeout client 5s
    timeout server 5s

frontend fe
    bind 127.0.0.1:${fe}
    stick-table type string size 1k store gpc0
    tcp-request inspect-delay 2s
    tcp-request content track-sc0 url
    tcp-request content sc-inc-gpc0(0)
`;
}

/** Sends the pieces with a pause between them, then waits for the proxy to close. */
function send(port: number, pieces: readonly string[], pauseMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no close within 5 s'));
    }, 5000);
    socket.on('connect', async () => {
      for (const [i, piece] of pieces.entries()) {
        if (i > 0) await new Promise((r) => setTimeout(r, pauseMs));
        socket.write(piece);
      }
    });
    socket.on('data', () => {});
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

for (const target of TARGETS) {
  describe(`HTTP fetches in tcp-request content rules on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let fe = 0;
    let stats = 0;

    before(async () => {
      [fe, stats] = (await freePorts(2)) as [number, number];
      proxy = await startProxy(target, configFor(fe, stats));
    });

    after(async () => {
      await stopProxy(target, proxy);
    });

    it('tracks the URL of a request sent whole, and of one whose head arrives in two parts', async () => {
      await send(fe, ['GET /whole HTTP/1.1\r\nHost: x\r\n\r\n'], 0);
      await send(fe, ['GET /split HTTP/1.1\r\nHo', 'st: x\r\n\r\n'], 300);
      await send(fe, ['SSH-2.0-not-http\r\n\r\n'], 0);
      const table = await cli(stats, 'show table fe\n');
      assert.match(table, /# table: fe, type: string, size:1024, used:2\n/, table);
      assert.match(table, /key=\/whole use=0 exp=0 gpc0=1\n/, table);
      assert.match(table, /key=\/split use=0 exp=0 gpc0=1\n/, table);
    });
  });
}
