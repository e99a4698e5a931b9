/**
 * Black-box conformance of `option abortonclose`: a client that closes its side (FIN) after a
 * complete request gives it up while it waits in a queue (CQ) or for a connection (CC), without
 * an answer; while a server holds it, the FIN is passed on and a server that then closes gets the
 * client a 400 (CH). Without the option the same requests are served (HAProxy's default).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-abortonclose.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { httpBackend, silentBackend, writeAsync, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, buildRequest, destroyAllClients } from '../support/http-client.ts';
import { TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';

const PORT_NAMES = ['abort', 'keep', 'held', 'silent', 'dead'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
defaults
    mode http
    option abortonclose
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout queue 5s

frontend fe_abort
    bind 127.0.0.1:${p.abort}
    log stdout format raw local0
    option httplog
    use_backend be_queue if { path_beg /queue }
    use_backend be_refused if { path_beg /refused }
    default_backend be_silent

backend be_silent
    server s1 127.0.0.1:${p.silent}

backend be_queue
    server s1 127.0.0.1:${p.held} maxconn 1

backend be_refused
    retries 3
    server s1 127.0.0.1:${p.dead}

defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout queue 5s

frontend fe_keep
    bind 127.0.0.1:${p.keep}
    log stdout format raw local0
    option httplog
    use_backend be_queue_keep if { path_beg /queue }
    default_backend be_refused_keep

# The option on the backend alone: HAProxy's frontend stops reading a client whose request is
# complete, so it never sees the FIN in time (the option is written in defaults in practice).
backend be_queue_keep
    option abortonclose
    server s1 127.0.0.1:${p.held} maxconn 1

backend be_refused_keep
    retries 1
    server s1 127.0.0.1:${p.dead}
`;
}

for (const target of TARGETS) {
  describe(`option abortonclose on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let p: Ports;
    let held: HttpTestBackend;
    let silent: HttpTestBackend;
    /** Releases the requests the `held` backend holds (each answers 200 "held"). */
    let release: () => void = () => {};
    let released: Promise<void> = Promise.resolve();

    function hold(): void {
      released = new Promise((resolve) => (release = resolve));
    }

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      held = await httpBackend(p.held, 'held', async ({ socket }) => {
        await released;
        await writeAsync(socket, 'HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nheld');
        return 'close';
      });
      silent = await silentBackend(p.silent);
      proxy = await startProxy(target, configFor(p));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await held.close();
      await silent.close();
    });

    async function sendThenFin(port: number, path: string): Promise<HttpConnection> {
      const conn = await HttpConnection.open(port);
      await conn.write(buildRequest('GET', path, { host: 'a.test' }));
      await new Promise((r) => setTimeout(r, 100));
      conn.socket.end();
      return conn;
    }

    async function logLine(frontend: string, path: string): Promise<string> {
      let line: string | undefined;
      await eventually(() => (line = (proxy?.stdout ?? '').split('\n').find((l) => l.includes(` ${frontend} `) && l.includes(`GET ${path} `))) !== undefined, 3000);
      assert.ok(line, `no log line for ${path}:\n${proxy?.stdout}`);
      return line;
    }

    it('a queued request whose client closes is given up without an answer (CQ) and never reaches the server', async () => {
      hold();
      const first = await HttpConnection.open(p.abort);
      await first.write(buildRequest('GET', '/queue/first', { host: 'a.test' }));
      assert.ok(await held.waitForRequests(held.requests + 1, 2000), 'the first request holds the only slot');
      const before = held.requests;
      const queued = await sendThenFin(p.abort, '/queue/second');
      assert.ok(await queued.waitClosed(1000), 'closed at the FIN, not after the queue');
      assert.equal(queued.reader.buffered.length, 0, `no answer: ${queued.reader.buffered.toString('latin1')}`);
      release();
      assert.equal((await first.read()).status, 200);
      first.destroy();
      queued.destroy();
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(held.requests, before, 'the given-up request was not sent');
      assert.match(await logLine('fe_abort', '/queue/second'), / be_queue\/<NOSRV> \d+\/\d+\/-1\/-1\/\d+ -1 0 - - CQ-- /);
    });

    it('with the option on the backend alone, the queued request is served after the FIN', async () => {
      hold();
      const first = await HttpConnection.open(p.keep);
      await first.write(buildRequest('GET', '/queue/first', { host: 'a.test' }));
      assert.ok(await held.waitForRequests(held.requests + 1, 2000));
      const queued = await sendThenFin(p.keep, '/queue/second');
      await new Promise((r) => setTimeout(r, 150));
      release();
      assert.equal((await first.read()).status, 200);
      const res = await queued.read('GET', 2000);
      assert.equal(res.status, 200);
      assert.equal(res.text, 'held');
      first.destroy();
      queued.destroy();
    });

    it('a request between connection retries is given up at the FIN (CC); without the option it gets its 503', async () => {
      const started = performance.now();
      const conn = await sendThenFin(p.abort, '/refused');
      assert.ok(await conn.waitClosed(800), 'closed at the FIN, not after the retries');
      assert.equal(conn.reader.buffered.length, 0, `no answer: ${conn.reader.buffered.toString('latin1')}`);
      assert.ok(performance.now() - started < 800);
      conn.destroy();
      assert.match(await logLine('fe_abort', '/refused'), / be_refused\/s1 \d+\/\d+\/-1\/-1\/\d+ -1 0 - - CC-- /);
      const kept = await sendThenFin(p.keep, '/refused');
      assert.equal((await kept.read('GET', 4000)).status, 503);
      kept.destroy();
    });

    it('a request the server holds: the FIN is passed on, and the server closing without an answer gives a 400 (CH)', async () => {
      const conn = await sendThenFin(p.abort, '/silent');
      // silentBackend answers our FIN with its own: the server saw the client's close.
      const res = await conn.read('GET', 2000);
      assert.equal(res.status, 400);
      assert.ok(await conn.waitClosed(1000));
      conn.destroy();
      assert.match(await logLine('fe_abort', '/silent'), / be_silent\/s1 \d+\/\d+\/\d+\/-1\/\d+ 400 \d+ - - CH-- /);
    });
  });
}
