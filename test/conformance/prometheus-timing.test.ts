/**
 * The timing averages and maxima of backends and servers (HAProxy's stream_update_time_stats):
 * `show stat` qtime, ctime, rtime, ttime (averages over the streams counted, at most the last
 * 512, HAProxy's TIME_STATS_SAMPLES) and qtime_max..ttime_max, and the exporter's
 * `*_average_seconds` (HAProxy 2.6's promex always divides the sum by 512, rounding up: two
 * 300 ms responses read 0.002000) and `max_*_time_seconds`. A server answering after 300 ms makes the response
 * and total times known within the test's timing; queue and connect times are near 0.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/prometheus-timing.test.js
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { cli } from '../support/cli-client.ts';

const SLOW = 300;
/** How late a response may come on a busy machine. */
const SLACK = 400;

const TIME_FIELDS = ['qtime', 'ctime', 'rtime', 'ttime', 'qtime_max', 'ctime_max', 'rtime_max', 'ttime_max'] as const;

async function get(port: number, target: string): Promise<{ status: number; text: string }> {
  const conn = await HttpConnection.open(port);
  try {
    const res = await conn.request('GET', target, { connection: 'close' });
    return { status: res.status, text: res.text };
  } finally {
    conn.destroy();
  }
}

/** One request through a tcp proxy: the raw answer once the server closes. */
function tcpExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close; got ${JSON.stringify(answer)}`));
    }, 5000);
    socket.setEncoding('latin1');
    socket.on('connect', () => socket.write(request));
    socket.on('data', (text: string) => (answer += text));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}

/** The timing cells of `show stat` for proxy/server, as numbers. */
async function timeCells(cliPort: number, proxy: string, server: string): Promise<Record<string, number>> {
  const csv = await cli(cliPort, 'show stat\n');
  const lines = csv.split('\n');
  const header = (lines[0] ?? '').replace(/^# /, '').split(',');
  const line = lines.find((l) => l.startsWith(`${proxy},${server},`));
  assert.ok(line !== undefined, `no ${proxy}/${server} row in\n${csv}`);
  const cells = line.split(',');
  const out: Record<string, number> = {};
  for (const f of [...TIME_FIELDS, 'req_tot']) out[f] = Number(cells[header.indexOf(f)]);
  return out;
}

/** The value of `name{labels}` in an exposition, as written. */
function sample(text: string, name: string, labels: string): string | undefined {
  const prefix = `${name}{${labels}} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line?.slice(prefix.length);
}

function assertBetween(value: number, low: number, high: number, what: string): void {
  assert.ok(value >= low && value <= high, `${what} = ${value}, expected ${low}..${high}`);
}

for (const target of TARGETS) {
  describe(`backend and server timing averages on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let fe = 0;
    let tcp = 0;
    let cliPort = 0;
    let backend: HttpTestBackend | undefined;
    let before0 = '';

    before(async () => {
      const [fePort, tcpPort, statsPort, b1] = (await freePorts(4)) as [number, number, number, number];
      fe = fePort;
      tcp = tcpPort;
      cliPort = statsPort;
      backend = await appBackend(b1, 's1');
      proxy = await startProxy(
        target,
        `
global
    stats socket 127.0.0.1:${cliPort} level admin
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${fe}
    http-request use-service prometheus-exporter if { path /metrics }
    default_backend be
backend be
    server s1 127.0.0.1:${b1}
listen tcpl
    mode tcp
    bind 127.0.0.1:${tcp}
    server t1 127.0.0.1:${b1}
`,
      );
      before0 = (await get(fe, '/metrics')).text;
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await backend?.close();
    });

    it('exports 0 for every timing metric before any traffic', () => {
      for (const [name] of PROM_NAMES) {
        assert.equal(sample(before0, `haproxy_backend_${name}`, 'proxy="be"'), '0.000000', name);
        assert.equal(sample(before0, `haproxy_server_${name}`, 'proxy="be",server="s1"'), '0.000000', name);
      }
    });

    it('averages and maxima after two slow HTTP responses: show stat in ms, the exporter in seconds', async () => {
      for (let i = 0; i < 2; i++) assert.equal((await get(fe, `/slow/${SLOW}`)).status, 200);
      for (const [proxyName, server] of [['be', 's1'], ['be', 'BACKEND']] as const) {
        const t = await timeCells(cliPort, proxyName, server);
        const what = `${proxyName}/${server}`;
        assert.equal(t['req_tot'], 2, `${what} req_tot`);
        assertBetween(t['rtime'] as number, SLOW, SLOW + SLACK, `${what} rtime`);
        assertBetween(t['rtime_max'] as number, SLOW, SLOW + SLACK, `${what} rtime_max`);
        assertBetween(t['ttime'] as number, t['rtime'] as number, SLOW + SLACK, `${what} ttime`);
        assertBetween(t['ttime_max'] as number, t['rtime_max'] as number, SLOW + SLACK, `${what} ttime_max`);
        assertBetween(t['qtime'] as number, 0, 50, `${what} qtime`);
        assertBetween(t['ctime'] as number, 0, 50, `${what} ctime`);
        assertBetween(t['qtime_max'] as number, 0, 50, `${what} qtime_max`);
        assertBetween(t['ctime_max'] as number, 0, 50, `${what} ctime_max`);
      }
      const text = (await get(fe, "/metrics")).text;
      for (const [kind, labels, server] of [['backend', 'proxy="be"', 'BACKEND'], ['server', 'proxy="be",server="s1"', 's1']] as const) {
        // The sums over 512 samples, rounded up; `show stat` rounded the sum over 2 up: the sum is 2x or 2x-1.
        const t = await timeCells(cliPort, 'be', server);
        for (const [metric, field] of [['response_time_average_seconds', 'rtime'], ['total_time_average_seconds', 'ttime']] as const) {
          const avg = t[field] as number;
          const expected = new Set([Math.ceil((2 * avg - 1) / 512), Math.ceil((2 * avg) / 512)].map((ms) => (ms / 1000).toFixed(6)));
          const got = sample(text, `haproxy_${kind}_${metric}`, labels) ?? '';
          assert.ok(expected.has(got), `${kind} ${metric} = ${got}, expected one of ${[...expected].join(' ')} (${field} ${avg})`);
        }
        assert.match(sample(text, `haproxy_${kind}_queue_time_average_seconds`, labels) ?? '', /^0\.00[01]000$/);
        assert.match(sample(text, `haproxy_${kind}_connect_time_average_seconds`, labels) ?? '', /^0\.00[01]000$/);
        const maxResponse = Number(sample(text, `haproxy_${kind}_max_response_time_seconds`, labels));
        assertBetween(maxResponse, SLOW / 1000, (SLOW + SLACK) / 1000, `${kind} max response`);
        assert.match(sample(text, `haproxy_${kind}_max_total_time_seconds`, labels) ?? '', /^0\.\d{6}$/);
      }
    });

    it('a tcp backend has no response time: its data time is its connect time', async () => {
      const answer = await tcpExchange(tcp, `GET /slow/${SLOW} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);
      assert.match(answer, /^HTTP\/1\.1 200/);
      for (const server of ['t1', 'BACKEND']) {
        const t = await timeCells(cliPort, 'tcpl', server);
        assert.equal(t['rtime'], 0, `${server} rtime`);
        assert.equal(t['rtime_max'], 0, `${server} rtime_max`);
        assertBetween(t['ttime'] as number, SLOW, SLOW + SLACK, `${server} ttime`);
        assertBetween(t['ttime_max'] as number, SLOW, SLOW + SLACK, `${server} ttime_max`);
      }
    });
  });
}

/** The exporter's timing metric names (backend and server). */
const PROM_NAMES = [
  ['queue_time_average_seconds'],
  ['connect_time_average_seconds'],
  ['response_time_average_seconds'],
  ['total_time_average_seconds'],
  ['max_queue_time_seconds'],
  ['max_connect_time_seconds'],
  ['max_response_time_seconds'],
  ['max_total_time_seconds'],
] as const;
