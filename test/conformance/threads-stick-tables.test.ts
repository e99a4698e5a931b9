/**
 * Black-box conformance of stick tables under `nbthread 2`: the threads share each table, as
 * HAProxy's do. A rate limit counts the requests of every thread, `stick on src` persistence
 * learned on one thread holds on the other, gpc0 increments made on both threads add up, and
 * conn_cur counts the connections of both threads (`show table` on the stats socket, which the
 * main thread serves). The threads exchange their changes once per event-loop turn: the tests
 * leave a few ms between requests that must see each other's counts.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/threads-stick-tables.test.js
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { cli } from '../support/cli-client.ts';
import { freePorts } from '../support/ports.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { httpBackend, writeAsync, type HttpTestBackend } from '../support/http-backends.ts';
import { delay } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy } from '../support/http-suite.ts';
import { nodeVersionOf, onNode } from '../support/runtimes.ts';

const PORT_NAMES = ['rate', 'stick', 'gpc', 'conn', 'read', 's1', 's2'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

/** Time for one change to reach the other thread (one message round-trip through the main thread). */
const SPACING_MS = 25;

function configFor(p: Ports, socket: string): string {
  return `
global
    nbthread 2
    stats socket ${socket} level admin
${HTTP_DEFAULTS}
backend t_rate
    stick-table type ip size 100 expire 60s store http_req_rate(60s)

backend t_gpc
    stick-table type ip size 100 expire 60s store gpc0

backend t_conn
    stick-table type ip size 100 expire 60s store conn_cur

frontend fe_rate
    bind 127.0.0.1:${p.rate}
    http-request track-sc0 src table t_rate
    http-request deny deny_status 429 if { sc_http_req_rate(0) gt 10 }
    http-request return status 200 content-type text/plain lf-string "ok"
    http-after-response set-header x-thread %[thread]

frontend fe_gpc
    bind 127.0.0.1:${p.gpc}
    http-request track-sc0 src table t_gpc
    http-request sc-inc-gpc0(0)
    http-request return status 200 content-type text/plain lf-string "ok"
    http-after-response set-header x-thread %[thread]

frontend fe_conn
    bind 127.0.0.1:${p.conn}
    tcp-request connection track-sc0 src table t_conn
    http-request return status 200 content-type text/plain lf-string "ok"
    http-after-response set-header x-thread %[thread]

frontend fe_read
    bind 127.0.0.1:${p.read}
    http-request return status 200 content-type text/plain lf-string "%[str(127.0.0.9),table_gpc0(t_gpc)]"
    http-after-response set-header x-thread %[thread]

frontend fe_stick
    bind 127.0.0.1:${p.stick}
    http-response set-header x-thread %[thread]
    default_backend be_stick

backend be_stick
    balance roundrobin
    stick-table type ip size 100 expire 60s
    stick on src
    use-server s2 if { path /pin }
    server s1 127.0.0.1:${p.s1}
    server s2 127.0.0.1:${p.s2}
`;
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly thread: string;
}

/** One request on a connection of its own. */
function get(port: number, path = '/'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, thread: String(res.headers['x-thread']) }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', reject);
    req.end();
  });
}

/** A connection left open after one answered request; resolves with the thread that served it. */
function heldConnection(port: number): Promise<{ socket: Socket; thread: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n'));
    let text = '';
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end >= 0) resolve({ socket, thread: /\r\nx-thread: (\d+)/i.exec(text.slice(0, end))?.[1] ?? '?' });
    });
    socket.on('error', reject);
  });
}

function refusesThreads(target: string): boolean {
  if (!onNode(target as never)) return false;
  const [major, minor] = nodeVersionOf(target as 'node' | 'node-system');
  return major < 22 || (major === 22 && minor < 12);
}

/** The entry line of 127.0.0.1 in `show table NAME`. */
async function entryOf(socket: string, table: string): Promise<string> {
  const out = await cli(socket, `show table ${table}\n`);
  return /^.*key=127\.0\.0\.1 .*$/m.exec(out)?.[0] ?? `(no entry) ${out}`;
}

for (const target of TARGETS) {
  describe(`stick tables shared by the threads of nbthread 2 on ${target}`, { skip: refusesThreads(target) ? 'nbthread 2 is refused on this Node (threads.test.ts)' : false }, () => {
    let proxy: ProxyProcess | undefined;
    let p: Ports;
    let dir: string;
    let socket: string;
    const backends: HttpTestBackend[] = [];

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      dir = mkdtempSync(join(tmpdir(), 'sy-stickthr-'));
      socket = join(dir, 'admin.sock');
      for (const name of ['s1', 's2'] as const) {
        backends.push(
          await httpBackend(p[name], name, async ({ socket: s }) => {
            await writeAsync(s, `HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n${name}`);
            return 'keep';
          }),
        );
      }
      proxy = await startProxy(target, configFor(p, socket));
    });

    after(async () => {
      for (const b of backends) await b.close();
      const code = await proxy?.stop();
      if (target !== 'haproxy') assert.equal(code, 0, `proxy exit code\n${proxy?.stderr ?? ''}`);
      rmSync(dir, { recursive: true, force: true });
    });

    it('a rate limit counts the requests of both threads: exactly the 11th request and later get 429', async () => {
      const answers: Answer[] = [];
      for (let i = 0; i < 20; i++) {
        answers.push(await get(p.rate));
        await delay(SPACING_MS);
      }
      const seen = answers.map((a, i) => `${i + 1}:${a.status}@${a.thread}`).join(' ');
      assert.deepEqual(new Set(answers.map((a) => a.thread)), new Set(['0', '1']), `both threads served: ${seen}`);
      assert.deepEqual(
        answers.map((a) => a.status),
        [...Array<number>(10).fill(200), ...Array<number>(10).fill(429)],
        seen,
      );
    });

    it('stick on src: the server learned on one thread is used by the other', async () => {
      // use-server picks s2, which round robin would not choose first: stick on src stores it.
      const pinned = await get(p.stick, '/pin');
      assert.equal(pinned.body, 's2');
      await delay(SPACING_MS);
      const answers: Answer[] = [];
      for (let i = 0; i < 20; i++) {
        answers.push(await get(p.stick));
        await delay(SPACING_MS);
      }
      const seen = answers.map((a) => `${a.body}@${a.thread}`).join(' ');
      assert.deepEqual(new Set(answers.map((a) => a.thread)), new Set(['0', '1']), `both threads served: ${seen}`);
      assert.deepEqual(new Set(answers.map((a) => a.body)), new Set(['s2']), seen);
    });

    it('gpc0 increments made by both threads at once add up (show table on the main thread)', async () => {
      const answers = await Promise.all(Array.from({ length: 20 }, () => get(p.gpc)));
      assert.deepEqual(new Set(answers.map((a) => a.thread)), new Set(['0', '1']), 'both threads served');
      let line = '';
      for (let i = 0; i < 40 && !/\bgpc0=20\b/.test(line); i++) {
        line = await entryOf(socket, 't_gpc');
        if (!/\bgpc0=20\b/.test(line)) await delay(50);
      }
      assert.match(line, /\bgpc0=20\b/);
    });

    it('set table and clear table on the runtime API (the main thread) reach every thread', async () => {
      const readAll = async (expected: string): Promise<void> => {
        const answers: Answer[] = [];
        for (let i = 0; i < 20; i++) answers.push(await get(p.read));
        const seen = answers.map((a) => `${a.body}@${a.thread}`).join(' ');
        assert.deepEqual(new Set(answers.map((a) => a.thread)), new Set(['0', '1']), `both threads served: ${seen}`);
        assert.deepEqual(new Set(answers.map((a) => a.body)), new Set([expected]), seen);
      };
      assert.equal(await cli(socket, 'set table t_gpc key 127.0.0.9 data.gpc0 42\n'), '\n');
      await delay(SPACING_MS);
      await readAll('42');
      assert.equal(await cli(socket, 'clear table t_gpc key 127.0.0.9\n'), '\n');
      await delay(SPACING_MS);
      await readAll('0');
    });

    it('conn_cur counts the open connections of both threads, and drops to 0 when they close', async () => {
      const held: { socket: Socket; thread: string }[] = [];
      for (let i = 0; i < 20 && (held.length < 6 || new Set(held.map((h) => h.thread)).size < 2); i++) held.push(await heldConnection(p.conn));
      assert.deepEqual(new Set(held.map((h) => h.thread)), new Set(['0', '1']), 'both threads hold connections');
      const open = `conn_cur=${held.length}`;
      let line = '';
      for (let i = 0; i < 40; i++) {
        line = await entryOf(socket, 't_conn');
        if (line.includes(`${open} `) || line.endsWith(open)) break;
        await delay(50);
      }
      assert.match(line, new RegExp(`\\b${open}\\b`));
      for (const h of held) h.socket.destroy();
      for (let i = 0; i < 40; i++) {
        line = await entryOf(socket, 't_conn');
        if (/\bconn_cur=0\b/.test(line)) break;
        await delay(50);
      }
      assert.match(line, /\bconn_cur=0\b/);
    });
  });
}
