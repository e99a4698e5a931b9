/**
 * How the process, its servers and listeners name themselves, against HAProxy 2.6.12:
 * global `node` / `description` in `show info` and on the stats page; `id` on server and bind
 * lines (stats `sid`, `srv_id`, `so_id`, `show servers state`, HAProxy's numbering of the
 * others); `log-tag` and `log-send-hostname` in the syslog header of each format;
 * `http-send-name-header`, written again for the server a request is redispatched to.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/identity.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { cli } from '../support/cli-client.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { headerValue } from '../support/http-wire.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { udpSyslogReceiver, type UdpSyslogReceiver } from '../support/syslog-receiver.ts';

const PORT_NAMES = ['fe', 'fe2', 'fe3', 'logs', 'stats', 'cli', 'app', 'down'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports, syslog: number): string {
  return `
global
    node my-node_1.x
    description hello   world  "x y"
    log-tag gtag
    log-send-hostname h.example
    stats socket ipv4@127.0.0.1:${p.cli} level admin
${HTTP_DEFAULTS}
frontend fe
    option socket-stats
    bind 127.0.0.1:${p.fe} id 5
    bind 127.0.0.1:${p.fe2}
    bind 127.0.0.1:${p.fe3}
    log 127.0.0.1:${syslog} local0
    log 127.0.0.1:${syslog} format local local0
    log 127.0.0.1:${syslog} format rfc3164 local0
    log 127.0.0.1:${syslog} format rfc5424 local0
    log-format "line %HP"
    log-tag ftag
    http-response set-header x-so-id %[so_id]
    http-response set-header x-srv-id %[srv_id]
    default_backend be

backend be
    balance first
    option redispatch
    retries 1
    http-send-name-header X-Server-Name
    http-request set-header x-server-name from-rule if { path /rule }
    server down 127.0.0.1:${p.down} id 5
    server app 127.0.0.1:${p.app}
    server c 127.0.0.1:${p.app}
    server-template t 2 127.0.0.1:${p.app} id 9

listen st
    bind 127.0.0.1:${p.stats}
    stats enable
    stats uri /st
    stats show-node
    stats show-desc
    stats show-legends
`;
}

for (const target of TARGETS) {
  describe(`process, server and listener names on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    let app: HttpTestBackend;
    let syslog: UdpSyslogReceiver;

    before(async () => {
      const list = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((n, i) => [n, list[i] as number])) as Ports;
      app = await appBackend(ports.app, 'app');
      syslog = await udpSyslogReceiver();
      proxy = await startProxy(target, configFor(ports, syslog.port));
    });

    after(async () => {
      destroyAllClients();
      try {
        await stopProxy(target, proxy);
      } finally {
        await app.close();
        syslog.socket.close();
      }
    });

    it('show info: node and description, at their HAProxy positions', async () => {
      const text = await cli(ports.cli, 'show info\n');
      assert.match(text, /^node: my-node_1\.x\ndescription: hello world x y\nStopping: 0\n/m);
      const typed = await cli(ports.cli, 'show info typed\n');
      assert.match(typed, /^50\.node\.1:COS:str:my-node_1\.x\n51\.description\.1:COS:str:hello world x y\n52\.Stopping\.1:MGP:u32:0\n/m);
    });

    it('the stats page shows the node and the description', async () => {
      const conn = await HttpConnection.open(ports.stats);
      const res = await conn.request('GET', '/st');
      conn.destroy();
      assert.equal(res.status, 200);
      const page = res.body.toString('latin1');
      assert.match(page, /<title>Statistics Report for \w+ on my-node_1\.x<\/title>/);
      assert.match(page, /<h2>Statistics Report for pid \d+ on my-node_1\.x: hello world x y<\/h2>/);
      // show-legends: each server's address and id.
      assert.match(page, /<a class=lfsb href="#be\/down">down<\/a><div class=tips>IPv4: 127\.0\.0\.1:\d+, id: 5<\/div><\/u>/);
      assert.match(page, /<a class=lfsb href="#be\/t2">t2<\/a><div class=tips>IPv4: 127\.0\.0\.1:\d+, id: 6<\/div><\/u>/);
    });

    it('server and listener ids: srv_id, so_id, show servers state, show stat', async () => {
      const seen: [string | undefined, string | undefined][] = [];
      for (const port of [ports.fe, ports.fe2, ports.fe3]) {
        const conn = await HttpConnection.open(port);
        const res = await conn.request('GET', '/ids', {}, undefined, 10_000);
        conn.destroy();
        assert.equal(res.status, 200);
        seen.push([headerValue(res.headers, 'x-so-id'), headerValue(res.headers, 'x-srv-id')]);
      }
      // `down` (id 5) is refused and the request redispatched: balance first takes the lowest id, `app` (2).
      assert.deepEqual(seen, [['5', '2'], ['2', '2'], ['3', '2']]);
      const state = (await cli(ports.cli, 'show servers state be\n')).split('\n').filter((l) => / be /.test(l));
      // srv_id srv_name bk_f_forced_id srv_f_forced_id: a template's later slots keep the forced flag.
      assert.deepEqual(
        state.map((l) => { const f = l.split(' '); return [f[2], f[3], f[15], f[16]]; }),
        [['5', 'down', '0', '1'], ['2', 'app', '0', '0'], ['3', 'c', '0', '0'], ['9', 't1', '0', '1'], ['6', 't2', '0', '1']],
      );
      const stat = await cli(ports.cli, 'show stat -1 4 -1\n');
      assert.deepEqual(
        stat.split('\n').filter((l) => l.startsWith('be,')).map((l) => { const f = l.split(','); return [f[1], f[28]]; }),
        [['down', '5'], ['app', '2'], ['c', '3'], ['t1', '9'], ['t2', '6']],
      );
    });

    it('add server takes an id', async () => {
      assert.equal(await cli(ports.cli, `add server be/z 127.0.0.1:${ports.app} id 70\n`), 'New server registered.\n\n');
      assert.equal(await cli(ports.cli, `add server be/w 127.0.0.1:${ports.app}\n`), 'New server registered.\n\n');
      const state = (await cli(ports.cli, 'show servers state be\n')).split('\n').map((l) => l.split(' ')).filter((f) => f[1] === 'be' && (f[3] === 'z' || f[3] === 'w'));
      // The first id left free goes to `w`; `z` is flagged forced.
      assert.deepEqual(state.map((f) => [f[2], f[3], f[16]]), [['70', 'z', '1'], ['1', 'w', '0']]);
    });

    // HAProxy answers the same (checked by hand) and also logs each refusal as an ALERT on its
    // stderr, which the harness takes for a problem with the configuration.
    it('add server refuses an id taken or not above 0', { skip: target === 'haproxy' && 'HAProxy logs the refusals as ALERTs on stderr' }, async () => {
      assert.match(await cli(ports.cli, `add server be/x 127.0.0.1:${ports.app} id 2\n`), /^'id' : custom id 2 already used at \S+:\d+ \('server app'\)\.\n\n$/);
      assert.equal(await cli(ports.cli, `add server be/y 127.0.0.1:${ports.app} id 0\n`), "'id' : custom id has to be > 0.\n\n");
    });

    it("http-send-name-header names the server the request went to, replacing the client's and the rules' header", async () => {
      const conn = await HttpConnection.open(ports.fe);
      const res = await conn.request('GET', '/rule', { 'X-Server-Name': 'from-client', 'x-other': 'kept' }, undefined, 10_000);
      conn.destroy();
      assert.equal(res.status, 200);
      const head = app.lastRequest()?.rawHead ?? '';
      // Redispatched from `down` to `app`: the header names the server that got it, as the last one.
      assert.match(head, /\r\nx-server-name: app\r\n\r\n$/);
      assert.equal(head.toLowerCase().split('x-server-name:').length, 2, head);
      assert.match(head, /\r\nx-other: kept\r\n/i);
    });

    it('the syslog header carries log-send-hostname and the proxy log-tag in each format', async () => {
      const conn = await HttpConnection.open(ports.fe);
      assert.equal((await conn.request('GET', '/logged', {}, undefined, 10_000)).status, 200);
      conn.destroy();
      const ours = (): string[] => syslog.lines.filter((l) => l.includes('line /logged'));
      await eventually(() => ours().length >= 4, 5000);
      const rfc3164 = /^<134>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d /;
      const rfc5424 = /^<134>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d /;
      assert.deepEqual(
        ours().map((l) => l.replace(rfc3164, 'DATE ').replace(rfc5424, 'ISO ').replace(/\d+/g, 'N')),
        ['DATE h.example ftag[N]: line /logged\n', 'DATE ftag[N]: line /logged\n', 'DATE h.example ftag[N]: line /logged\n', 'ISO h.example ftag N - - line /logged\n'],
      );
    });
  });
}
