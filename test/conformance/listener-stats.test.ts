/**
 * `option socket-stats` in `show stat`: one row per bind after the FRONTEND row (type 3,
 * svname its `name` or sock-N, sid its listener id), with the listener's sessions, bytes,
 * denied and failed requests, its status, address and mode, in the CSV, typed (`L.`) and
 * JSON (`"objType":"Listener"`) forms; the `show stat <iid> 8 <sid>` filter selects them.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/listener-stats.test.js
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { cli } from '../support/cli-client.ts';
import { freePorts } from '../support/ports.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';

/** The CSV rows of `show stat` as column maps. */
function csvRows(text: string): Map<string, string>[] {
  const lines = text.split('\n').filter((l) => l !== '');
  const header = (lines[0] as string).replace(/^# /, '').split(',');
  return lines.slice(1).map((line) => new Map(line.split(',').map((v, i) => [header[i] as string, v])));
}

/** A request the HTTP parser refuses (no colon in a header line): a 400 and a failed request. */
function badRequest(port: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('connect', () => socket.write('GET / HTTP/1.1\r\nbad\r\n\r\n'));
    socket.on('data', () => undefined);
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
  });
}

for (const target of TARGETS) {
  describe(`listener rows in show stat (option socket-stats) on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let cliPort = 0;
    let named = 0;
    let second = 0;
    let plain = 0;

    before(async () => {
      [cliPort, named, second, plain] = (await freePorts(4)) as [number, number, number, number];
      proxy = await startProxy(
        target,
        `
global
    stats socket 127.0.0.1:${cliPort} level admin
${HTTP_DEFAULTS}
# First: the haproxy target's readiness probe connects to the first bind.
frontend other
    bind 127.0.0.1:${plain}
    http-request return status 200

frontend fe
    option socket-stats
    bind 127.0.0.1:${named} name main
    bind 127.0.0.1:${second}
    http-request deny if { path /deny }
    http-request return status 200
`,
      );
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
    });

    it('one row per bind after FRONTEND, counting what its connections did', async () => {
      const a = await HttpConnection.open(named);
      assert.equal((await a.request('GET', '/')).status, 200);
      a.destroy();
      const b = await HttpConnection.open(second);
      assert.equal((await b.request('GET', '/deny')).status, 403);
      b.destroy();
      await badRequest(second);
      let rows: Map<string, string>[] = [];
      // Until the proxy has seen the connections close (scur back to 0): bounded.
      for (let i = 0; i < 100; i++) {
        rows = csvRows(await cli(cliPort, 'show stat\n'));
        const fe = rows.filter((r) => r.get('pxname') === 'fe');
        if (fe.length === 3 && fe.every((r) => r.get('scur') === '0') && fe[2]?.get('ereq') === '1') break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const fe = rows.filter((r) => r.get('pxname') === 'fe');
      assert.deepEqual(
        fe.map((r) => [r.get('svname'), r.get('type'), r.get('sid')]),
        [
          ['FRONTEND', '0', '0'],
          ['main', '3', '1'],
          ['sock-2', '3', '2'],
        ],
      );
      const [, main, sock2] = fe as [Map<string, string>, Map<string, string>, Map<string, string>];
      const pick = (r: Map<string, string>): string[] =>
        ['scur', 'smax', 'slim', 'stot', 'dreq', 'dresp', 'ereq', 'status', 'addr', 'mode', 'dcon', 'dses', 'wrew', 'eint', 'qcur', 'rate', 'lbtot', 'req_tot'].map((k) => r.get(k) ?? '?');
      assert.deepEqual(pick(main), ['0', '1', '0', '1', '0', '0', '0', 'OPEN', `127.0.0.1:${named}`, 'http', '0', '0', '0', '0', '', '', '', '']);
      // smax: the two connections may overlap on the proxy's side (the first closes as it likes).
      assert.ok(['1', '2'].includes(sock2.get('smax') ?? '?'), JSON.stringify([...sock2]));
      sock2.set('smax', '1');
      assert.deepEqual(pick(sock2), ['0', '1', '0', '2', '1', '0', '1', 'OPEN', `127.0.0.1:${second}`, 'http', '0', '0', '0', '0', '', '', '', '']);
      assert.ok(Number(main.get('bin')) > 0 && Number(main.get('bout')) > 0, JSON.stringify([...main]));
      // A frontend without the option has no listener rows.
      assert.deepEqual(rows.filter((r) => r.get('pxname') === 'other').map((r) => r.get('svname')), ['FRONTEND']);
    });

    it('typed and JSON forms name the listener objects L and Listener', async () => {
      const typed = await cli(cliPort, 'show stat typed\n');
      const lines = typed.split('\n').filter((l) => l.startsWith('L.'));
      const iid = (lines[0] ?? '').split('.')[1];
      assert.ok(lines.includes(`L.${iid}.1.1.svname.1:KNS:str:main`), typed);
      assert.ok(lines.includes(`L.${iid}.2.32.type.1:CGS:u32:3`), typed);
      assert.ok(lines.includes(`L.${iid}.2.12.ereq.1:MCP:u64:1`), typed);
      assert.ok(lines.includes(`L.${iid}.1.17.status.1:SGP:str:OPEN`), typed);
      const json = JSON.parse(await cli(cliPort, 'show stat json\n')) as { objType: string; id: number; field: { name: string }; value: { value: unknown } }[][];
      const listener = json.find((row) => row[0]?.objType === 'Listener' && row.some((f) => f.field.name === 'svname' && f.value.value === 'sock-2'));
      assert.ok(listener !== undefined);
      assert.equal(listener.find((f) => f.field.name === 'dreq')?.value.value, 1);
      assert.equal(listener[0]?.id, 2);
    });

    it('show stat <iid> 8 <sid> selects one listener', async () => {
      const fe = csvRows(await cli(cliPort, 'show stat fe 8 2\n'));
      assert.deepEqual(fe.map((r) => r.get('svname')), ['sock-2']);
      const all = csvRows(await cli(cliPort, 'show stat fe 9 -1\n'));
      assert.deepEqual(all.map((r) => r.get('svname')), ['FRONTEND', 'main', 'sock-2']);
    });
  });
}
