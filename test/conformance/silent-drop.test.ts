/**
 * Black-box conformance of `silent-drop` (HAProxy 2.6's tcp_exec_action_silent_drop) in
 * `tcp-request connection|session|content`, `tcp-response content`, `http-request` and
 * `http-response` rules: the client gets no byte; the stream, when there is one, is logged PR.
 * HAProxy (as root) mutes the socket with TCP_REPAIR, so its client sees nothing at all; the
 * runtimes reset it where they can (Node, Bun: RST; Deno: a plain close).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/silent-drop.test.js
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';

const PORT_NAMES = ['conn', 'sess', 'content', 'tcpRes', 'httpReq', 'httpRes', 'app'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
defaults
    timeout connect 500ms
    timeout client 5s
    timeout server 5s
    log stdout format raw local0
    # %B: the line waits for the end of the stream (see the report about early logging).
    log-format "drop %ft %tsc %B"

listen conn
    bind 127.0.0.1:${p.conn}
    tcp-request connection silent-drop
    server s1 127.0.0.1:${p.app}

listen sess
    bind 127.0.0.1:${p.sess}
    tcp-request session silent-drop
    server s1 127.0.0.1:${p.app}

listen content
    bind 127.0.0.1:${p.content}
    tcp-request inspect-delay 1s
    tcp-request content silent-drop if { req.len gt 0 }
    server s1 127.0.0.1:${p.app}

listen tcp_res
    bind 127.0.0.1:${p.tcpRes}
    tcp-response inspect-delay 1s
    tcp-response content silent-drop if { res.len gt 0 }
    server s1 127.0.0.1:${p.app}

frontend http_req
    mode http
    bind 127.0.0.1:${p.httpReq}
    http-request silent-drop if { path /drop }
    http-request return status 200 content-type text/plain string ok

frontend http_res
    mode http
    bind 127.0.0.1:${p.httpRes}
    http-request set-var(txn.path) path
    http-response silent-drop if { var(txn.path) -m str /drop }
    default_backend app

backend app
    mode http
    server s1 127.0.0.1:${p.app}
`;
}

const GET = (path: string): string => `GET ${path} HTTP/1.1\r\nhost: a.test\r\n\r\n`;

/** Sends `bytes` on a new connection; what came back within `ms`, and whether the connection ended. */
function probe(port: number, bytes: string | undefined, ms = 800): Promise<{ received: number; ended: boolean }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = 0;
    let ended = false;
    socket.on('data', (chunk: Buffer) => (received += chunk.byteLength));
    socket.on('error', () => (ended = true));
    socket.on('close', () => (ended = true));
    socket.on('connect', () => {
      if (bytes !== undefined) socket.write(bytes);
    });
    setTimeout(() => {
      socket.destroy();
      resolve({ received, ended });
    }, ms);
  });
}

for (const target of TARGETS) {
  describe(`silent-drop on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    let app: HttpTestBackend | undefined;

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      app = await appBackend(ports.app, 'app');
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await app?.close();
    });

    const logged = async (frontend: string): Promise<string | undefined> => {
      let line: string | undefined;
      await eventually(() => (line = proxy?.stdout.split('\n').find((l) => l.startsWith(`drop ${frontend} `))) !== undefined, 2000);
      return line?.replace(/ \d+$/, '');
    };

    const assertDropped = (outcome: { received: number; ended: boolean }, what: string): void => {
      assert.equal(outcome.received, 0, `${what}: the client got bytes`);
      // HAProxy's TCP_REPAIR leaves the client's socket open and mute; the runtimes close it.
      if (target !== 'haproxy') assert.ok(outcome.ended, `${what}: the connection was not ended`);
    };

    it('tcp-request connection and session rules: no byte, no session, not logged', async () => {
      assertDropped(await probe(ports.conn, GET('/')), 'connection');
      assertDropped(await probe(ports.sess, GET('/')), 'session');
      assert.equal(app?.requests, 0);
    });

    it('tcp-request content rules: no byte, the stream logged PR', async () => {
      assertDropped(await probe(ports.content, GET('/')), 'content');
      assert.equal(await logged('content'), 'drop content PR--');
    });

    it('tcp-response content rules: the server\u2019s bytes never reach the client', async () => {
      assertDropped(await probe(ports.tcpRes, GET('/')), 'tcp-response');
      // HAProxy 2.6.12 logs this one without termination flags (----); Switchyard logs PR--.
      assert.match((await logged('tcp_res')) ?? '', /^drop tcp_res (PR|--)--$/);
    });

    it('http-request: no answer, logged PR; other requests are served', async () => {
      assertDropped(await probe(ports.httpReq, GET('/drop')), 'http-request');
      assert.equal(await logged('http_req'), 'drop http_req PR--');
      const conn = await HttpConnection.open(ports.httpReq);
      assert.equal((await conn.request('GET', '/')).status, 200);
      conn.destroy();
    });

    it('http-response: the server\u2019s answer is dropped, logged PR', async () => {
      assertDropped(await probe(ports.httpRes, GET('/drop')), 'http-response');
      assert.equal(await logged('http_res'), 'drop http_res PR--');
    });
  });
}
