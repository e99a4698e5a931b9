/**
 * `option socket-stats`: the exporter's `haproxy_listener_*` samples, one per bind of a
 * frontend with the option (named by `name`, else `sock-N`), counting connections: current,
 * highest, total, refused by `tcp-request connection` rules, and the listener status. A
 * frontend without the option has no listener samples.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/prometheus-listeners.test.js
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { HttpConnection, delay, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';

/** The value of the sample `name{labels}` (labels as written), or undefined. */
function sample(text: string, name: string, labels: string): string | undefined {
  const prefix = `${name}{${labels}} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line?.slice(prefix.length);
}

for (const target of TARGETS) {
  describe(`listener metrics (option socket-stats) on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let stats = 0;
    let named = 0;
    let second = 0;
    let plain = 0;

    before(async () => {
      [stats, named, second, plain] = (await freePorts(4)) as [number, number, number, number];
      proxy = await startProxy(
        target,
        `
${HTTP_DEFAULTS}
frontend metrics
    bind 127.0.0.1:${stats}
    http-request use-service prometheus-exporter

frontend fe
    option socket-stats
    bind 127.0.0.1:${named} name main
    bind 127.0.0.1:${second}
    tcp-request connection reject if { dst_port ${second} }
    http-request return status 200

frontend other
    bind 127.0.0.1:${plain}
    http-request return status 200
`,
      );
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
    });

    async function scrape(): Promise<string> {
      const conn = await HttpConnection.open(stats);
      const res = await conn.request('GET', '/metrics?scope=listener');
      conn.destroy();
      return res.text;
    }

    it('one sample set per listener, named by `name` or sock-N; none without the option', async () => {
      const text = await scrape();
      assert.equal(sample(text, 'haproxy_listener_status', 'proxy="fe",listener="main",state="OPEN"'), '1');
      assert.equal(sample(text, 'haproxy_listener_status', 'proxy="fe",listener="main",state="WAITING"'), '0');
      assert.equal(sample(text, 'haproxy_listener_status', 'proxy="fe",listener="sock-2",state="FULL"'), '0');
      assert.equal(sample(text, 'haproxy_listener_sessions_total', 'proxy="fe",listener="sock-2"'), '0');
      assert.ok(!text.includes('proxy="other"') && !text.includes('proxy="metrics"'), text);
    });

    it('connections counted on the listener that accepted them', async () => {
      const a = await HttpConnection.open(named);
      const b = await HttpConnection.open(named);
      assert.equal((await a.request('GET', '/')).status, 200);
      assert.equal((await b.request('GET', '/')).status, 200);
      const during = await scrape();
      assert.equal(sample(during, 'haproxy_listener_current_sessions', 'proxy="fe",listener="main"'), '2');
      assert.equal(sample(during, 'haproxy_listener_sessions_total', 'proxy="fe",listener="main"'), '2');
      a.destroy();
      b.destroy();
      let after_ = '';
      for (let i = 0; i < 50; i++) {
        after_ = await scrape();
        if (sample(after_, 'haproxy_listener_current_sessions', 'proxy="fe",listener="main"') === '0') break;
        await delay(50);
      }
      assert.equal(sample(after_, 'haproxy_listener_current_sessions', 'proxy="fe",listener="main"'), '0');
      assert.equal(sample(after_, 'haproxy_listener_max_sessions', 'proxy="fe",listener="main"'), '2');
      assert.equal(sample(after_, 'haproxy_listener_sessions_total', 'proxy="fe",listener="sock-2"'), '0');
    });

    it('tcp-request connection rejects counted as accepted and denied connections of the listener', async () => {
      await new Promise<void>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port: second });
        socket.on('error', () => undefined);
        socket.on('close', () => resolve());
      });
      const text = await scrape();
      assert.equal(sample(text, 'haproxy_listener_denied_connections_total', 'proxy="fe",listener="sock-2"'), '1');
      assert.equal(sample(text, 'haproxy_listener_sessions_total', 'proxy="fe",listener="sock-2"'), '1');
      assert.equal(sample(text, 'haproxy_listener_current_sessions', 'proxy="fe",listener="sock-2"'), '0');
      assert.equal(sample(text, 'haproxy_listener_denied_connections_total', 'proxy="fe",listener="main"'), '0');
    });
  });
}

