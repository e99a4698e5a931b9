/**
 * The idle share of the proxy's threads (HAProxy 2.6's th_ctx->idle_pct, clock.c): `show info`'s
 * Idle_pct (the threads' average, in the text, typed and json forms) and the exporter's
 * haproxy_process_idle_time_percent, a number from 0 to 100 that an idle proxy keeps near 100;
 * and the global `maxcompcpuusage N`, which HAProxy reads as 100 - atoi(N) and refuses outside
 * 0..100 (with 100, compression is never held back). How the figure falls under load and what
 * `maxcompcpuusage` then does is unit-tested (test/proxy/idle-share.test.ts): a load that keeps
 * a thread busy by a known share is not reproducible on a shared machine.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/idle-pct.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
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

for (const target of TARGETS) {
  describe(`Idle_pct and maxcompcpuusage on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let backend: HttpTestBackend | undefined;
    let fe = 0;
    let cliPort = 0;

    before(async () => {
      const [fePort, statsPort, b1] = (await freePorts(3)) as [number, number, number];
      fe = fePort;
      cliPort = statsPort;
      backend = await appBackend(b1, 's1');
      proxy = await startProxy(
        target,
        `
global
    stats socket 127.0.0.1:${cliPort} level admin
${refusesThreads(target) ? '' : '    nbthread 2\n'}    maxcompcpuusage 100
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${fe}
    http-request use-service prometheus-exporter if { path /metrics }
    compression algo gzip
    compression type text/plain
    default_backend be
backend be
    server s1 127.0.0.1:${b1}
`,
      );
      // Past the first half-second window of every thread.
      await new Promise((resolve) => setTimeout(resolve, 1200));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await backend?.close();
    });

    it('show info: Idle_pct is a whole percentage, near 100 on an idle proxy', async () => {
      const text = await cli(cliPort, 'show info\n');
      assertIdle(/^Idle_pct: (.*)$/m.exec(text)?.[1], 'Idle_pct');
    });

    it('show info typed and json: field 49, MaP:u32 (a process-wide average)', async () => {
      const typed = await cli(cliPort, 'show info typed\n');
      const line = /^49\.Idle_pct\.1:MaP:u32:(.*)$/m.exec(typed);
      assert.ok(line !== null, typed);
      assertIdle(line[1], 'typed Idle_pct');
      const json = JSON.parse(await cli(cliPort, 'show info json\n')) as { field: { pos: number; name: string }; tags: Record<string, string>; value: { type: string; value: number } }[];
      const field = json.find((f) => f.field.name === 'Idle_pct');
      assert.ok(field !== undefined);
      assert.equal(field.field.pos, 49);
      assert.deepEqual(field.tags, { origin: 'Metric', nature: 'Avg', scope: 'Process' });
      assert.equal(field.value.type, 'u32');
      assertIdle(String(field.value.value), 'json Idle_pct');
    });

    it('the exporter: haproxy_process_idle_time_percent', async () => {
      const res = await get(fe, '/metrics');
      assert.equal(res.status, 200);
      assertIdle(/^haproxy_process_idle_time_percent (.*)$/m.exec(res.text)?.[1], 'haproxy_process_idle_time_percent');
    });

    it('maxcompcpuusage 100 never holds compression back', async () => {
      const res = await get(fe, '/', { 'accept-encoding': 'gzip' });
      assert.equal(res.status, 200);
      assert.equal(res.encoding, 'gzip');
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
