/**
 * The idle share of the proxy's threads (HAProxy 2.6's th_ctx->idle_pct, clock.c): `show info`'s
 * Idle_pct (the threads' average, in the text, typed and json forms) and the exporter's
 * haproxy_process_idle_time_percent, a number from 0 to 100 that an idle proxy keeps near 100;
 * and the global `maxcompcpuusage N`, which HAProxy reads as 100 - atoi(N) and refuses outside
 * 0..100 (with 100, compression is never held back). Under load (pipelined requests, each
 * hashing its 4 KB of headers 40 times, which the client hardly pays for: the proxy's thread is
 * the bottleneck) the figure falls under 80 and `maxcompcpuusage 20` leaves new responses
 * uncompressed; once the load stops it comes back up and they are compressed again. With
 * `nbthread 2` and one thread loaded, the process's figure is the two threads' average, about 50.
 * The bounds
 * leave room for a shared machine (on Bun and Deno, time the proxy waited for a CPU counts as
 * idle); the exact arithmetic is unit-tested (test/proxy/idle-share.test.ts).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/idle-pct.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type Socket } from 'node:net';
import { checkConfig, type ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { cli } from '../support/cli-client.ts';
import { refusesThreads } from '../support/runtimes.ts';

/** What an idle proxy's figure stays above, with room for a shared machine's hiccups. */
const IDLE_AT_LEAST = 75;

async function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; encoding: string | undefined }> {
  const conn = await HttpConnection.open(port);
  try {
    const res = await conn.request('GET', path, { connection: 'close', ...headers });
    return { status: res.status, text: res.text, encoding: res.header('content-encoding') };
  } finally {
    conn.destroy();
  }
}

function assertIdle(text: string | undefined, what: string): void {
  assert.match(text ?? '', /^\d+$/, `${what}: ${text}`);
  const value = Number(text);
  assert.ok(value >= IDLE_AT_LEAST && value <= 100, `${what} = ${value}, expected ${IDLE_AT_LEAST}..100`);
}

/** The busy share the loaded proxy's figure must fall under, and `maxcompcpuusage 20`'s idle bound. */
const LOADED_BELOW = 80;
/** Rules that each hash the request's headers: the proxy's work per request. */
const HASH_RULES = 40;
/** The rules that make each /load request cost the proxy's thread. */
function hashRules(): string {
  return Array.from({ length: HASH_RULES }, () => '    http-request set-var(txn.h) req.hdrs,sha2(512) if { path /load }').join('\n');
}

/** Requests written at once; two such batches are kept in flight. */
const BATCH = 50;

/** A request with about 4 KB of headers. */
const LOAD_REQUEST = `GET /load HTTP/1.1\r\nhost: x\r\n${Array.from({ length: 40 }, (_, i) => `x-filler-${i}: ${'y'.repeat(80)}\r\n`).join('')}\r\n`;

/**
 * Keeps the proxy busy with pipelined requests on one connection until stop() is called; the
 * responses are only counted (by their fixed marker), so the client costs little.
 */
function pipelinedLoad(port: number): { stop: () => void; answered: () => number } {
  const batch = LOAD_REQUEST.repeat(BATCH);
  let sent = 0;
  let answered = 0;
  let stopped = false;
  let tail = '';
  const socket: Socket = connect({ host: '127.0.0.1', port });
  socket.setEncoding('latin1');
  socket.on('error', () => undefined);
  const send = (): void => {
    sent += BATCH;
    socket.write(batch);
  };
  socket.on('connect', () => {
    send();
    send();
  });
  socket.on('data', (text: string) => {
    const seen = tail + text;
    answered += seen.split('loaded-ok').length - 1;
    tail = seen.slice(-8);
    if (!stopped && sent - answered <= BATCH) send();
  });
  return {
    stop: () => {
      stopped = true;
      socket.destroy();
    },
    answered: () => answered,
  };
}

async function idlePct(cliPort: number): Promise<number> {
  return Number(/^Idle_pct: (\d+)$/m.exec(await cli(cliPort, 'show info\n'))?.[1] ?? NaN);
}

/**
 * Starts, before the describe block's tests, a proxy whose global section has a stats socket and
 * `global` lines and whose frontend `fe` has `frontend` lines, then `default_backend be` (a
 * test backend); stops both after them.
 */
function proxyUnderTest(target: (typeof TARGETS)[number], global: string, frontend: string): { readonly fe: number; readonly cliPort: number } {
  let proxy: ProxyProcess | undefined;
  let backend: HttpTestBackend | undefined;
  const ports = { fe: 0, cliPort: 0 };
  before(async () => {
    const [fe, cliPort, b1] = (await freePorts(3)) as [number, number, number];
    Object.assign(ports, { fe, cliPort });
    backend = await appBackend(b1, 's1');
    proxy = await startProxy(
      target,
      `
global
    stats socket 127.0.0.1:${cliPort} level admin
${global}
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${fe}
${frontend}
    default_backend be
backend be
    server s1 127.0.0.1:${b1}
`,
    );
  });
  after(async () => {
    destroyAllClients();
    await stopProxy(target, proxy);
    await backend?.close();
  });
  return ports;
}

for (const target of TARGETS) {
  describe(`Idle_pct and maxcompcpuusage on ${target}`, () => {
    const ports = proxyUnderTest(
      target,
      `${refusesThreads(target) ? '' : '    nbthread 2\n'}    maxcompcpuusage 100`,
      `    http-request use-service prometheus-exporter if { path /metrics }
    compression algo gzip
    compression type text/plain`,
    );
    before(async () => {
      // Past the first half-second window of every thread.
      await new Promise((resolve) => setTimeout(resolve, 1200));
    });

    it('show info: Idle_pct is a whole percentage, near 100 on an idle proxy', async () => {
      const text = await cli(ports.cliPort, 'show info\n');
      assertIdle(/^Idle_pct: (.*)$/m.exec(text)?.[1], 'Idle_pct');
    });

    it('show info typed and json: field 49, MaP:u32 (a process-wide average)', async () => {
      const typed = await cli(ports.cliPort, 'show info typed\n');
      const line = /^49\.Idle_pct\.1:MaP:u32:(.*)$/m.exec(typed);
      assert.ok(line !== null, typed);
      assertIdle(line[1], 'typed Idle_pct');
      const json = JSON.parse(await cli(ports.cliPort, 'show info json\n')) as { field: { pos: number; name: string }; tags: Record<string, string>; value: { type: string; value: number } }[];
      const field = json.find((f) => f.field.name === 'Idle_pct');
      assert.ok(field !== undefined);
      assert.equal(field.field.pos, 49);
      assert.deepEqual(field.tags, { origin: 'Metric', nature: 'Avg', scope: 'Process' });
      assert.equal(field.value.type, 'u32');
      assertIdle(String(field.value.value), 'json Idle_pct');
    });

    it('the exporter: haproxy_process_idle_time_percent', async () => {
      const res = await get(ports.fe, '/metrics');
      assert.equal(res.status, 200);
      assertIdle(/^haproxy_process_idle_time_percent (.*)$/m.exec(res.text)?.[1], 'haproxy_process_idle_time_percent');
    });

    it('maxcompcpuusage 100 never holds compression back', async () => {
      const res = await get(ports.fe, '/', { 'accept-encoding': 'gzip' });
      assert.equal(res.status, 200);
      assert.equal(res.encoding, 'gzip');
    });
  });

  describe(`Idle_pct and maxcompcpuusage under load on ${target}`, () => {
    const ports = proxyUnderTest(
      target,
      // One thread (HAProxy starts one per CPU): the loaded one serves the compressed request.
      `    nbthread 1\n    maxcompcpuusage ${100 - LOADED_BELOW}`,
      `    compression algo gzip
    compression type text/plain
${hashRules()}
    http-request return status 200 content-type application/octet-stream string loaded-ok if { path /load }`,
    );

    it(`falls under ${LOADED_BELOW} while the thread is kept busy, compression held back; back up and compressing after`, async (t) => {
      const load = pipelinedLoad(ports.fe);
      let loaded: number;
      let encoding: string | undefined;
      try {
        // More than two windows of half a second: the last one closed was busy all along.
        await new Promise((resolve) => setTimeout(resolve, 1300));
        loaded = await idlePct(ports.cliPort);
        encoding = (await get(ports.fe, '/', { 'accept-encoding': 'gzip' })).encoding;
      } finally {
        load.stop();
      }
      t.diagnostic(`Idle_pct under load ${loaded}, ${load.answered()} responses`);
      assert.ok(load.answered() > BATCH, `the load was served: ${load.answered()} responses`);
      assert.ok(loaded < LOADED_BELOW, `Idle_pct under load = ${loaded}`);
      assert.equal(encoding, undefined, 'not compressed while the thread is busy');
      let after = await idlePct(ports.cliPort);
      for (const deadline = performance.now() + 4000; after < LOADED_BELOW && performance.now() < deadline; after = await idlePct(ports.cliPort)) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.ok(after >= LOADED_BELOW, `Idle_pct after the load = ${after}`);
      assert.equal((await get(ports.fe, '/', { 'accept-encoding': 'gzip' })).encoding, 'gzip', 'compressed again once idle');
    });
  });

  describe(`Idle_pct with nbthread 2, one thread loaded, on ${target}`, { skip: refusesThreads(target) ? 'nbthread is refused on this Node' : false }, () => {
    const ports = proxyUnderTest(
      target,
      '    nbthread 2',
      `${hashRules()}
    http-request return status 200 content-type application/octet-stream string loaded-ok if { path /load }`,
    );

    it("is the average of the threads' figures: about half with one of two busy", async (t) => {
      // One connection: one thread busy, the other idle (clock_report_idle averages them).
      const load = pipelinedLoad(ports.fe);
      let loaded: number;
      try {
        await new Promise((resolve) => setTimeout(resolve, 1300));
        loaded = await idlePct(ports.cliPort);
      } finally {
        load.stop();
      }
      t.diagnostic(`Idle_pct with one thread of two loaded ${loaded}`);
      assert.ok(loaded >= 30 && loaded <= 70, `Idle_pct = ${loaded}, expected 30..70`);
    });
  });

  describe(`maxcompcpuusage configuration checks on ${target}`, () => {
    const check = (text: string): ReturnType<typeof checkConfig> => checkConfig(target, text);
    const FRONTEND = `${HTTP_DEFAULTS}\nfrontend fe\n    bind 127.0.0.1:62999\n    http-request return status 200\n`;

    it("refuses no value, a value outside 0..100 and a second argument with HAProxy's messages", async () => {
      const { code, stderr } = await check(`global\n    maxcompcpuusage\n    maxcompcpuusage 101\n    maxcompcpuusage -1\n    maxcompcpuusage 5 6\n${FRONTEND}`);
      assert.equal(code, 1, stderr);
      for (const [line, message] of [
        [2, "'maxcompcpuusage' expects an integer argument between 0 and 100."],
        [3, "'maxcompcpuusage' expects an integer argument between 0 and 100."],
        [4, "'maxcompcpuusage' expects an integer argument between 0 and 100."],
        [5, "'maxcompcpuusage' cannot handle unexpected argument '6'."],
      ] as const) {
        assert.ok(stderr.includes(`:${line}] : ${message}\n`), `${message}\n${stderr}`);
      }
    });

    it("accepts what atoi() reads within 0..100 ('x' is 0, 4294967297 is 1)", async () => {
      for (const value of ['0', '100', '50', 'x', '4294967297']) {
        const { code, stderr } = await check(`global\n    maxcompcpuusage ${value}\n${FRONTEND}`);
        assert.equal(code, 0, `${value}: ${stderr}`);
        assert.doesNotMatch(stderr, /\[(WARNING|ALERT)\]/, value);
      }
    });
  });
}
