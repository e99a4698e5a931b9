/**
 * Black-box conformance of the end-of-stream log-format variables in rule values (`%Tr`, `%si`,
 * `%ts`, `%B`...): HAProxy 2.6 builds a header value with sess_build_logline from the stream's
 * strm_logs as they are when the rule runs. In a request rule no step is reached (`%TR` -1 until
 * the request's analysis ends), no server connection exists; in a response rule the server's
 * address and the response timer are known; `%Tt` and the byte counts stay 0 until the end of the
 * stream (the bytes so far with `option contstats`), and carry a '+' where the frontend has no
 * format that waits for the stream's end.
 *
 * In tcp mode the same holds for `tcp-request content` and `tcp-response content` values, and a
 * rule value waiting for the end of the stream makes the frontend's line wait for it too
 * (HAProxy's fe->to_log), so that the line shows what the response rules set.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-format-end-values.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { exchange } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, proxyWithBackend } from '../support/http-suite.ts';
import { cannedBackend } from '../support/http-backends.ts';
import { udpSyslogReceiver, type UdpSyslogReceiver } from '../support/syslog-receiver.ts';

const PORT_NAMES = ['fe', 'plain', 'counted', 'app'] as const;

const VALUES = 'TR=%TR Tq=%Tq Tw=%Tw Tc=%Tc Tr=%Tr Td=%Td Tt=%Tt B=%B U=%U si=[%si] sp=[%sp] ts=%ts tsc=%tsc bc=%bc sc=%sc rc=%rc sq=%sq bq=%bq';

function configFor(p: Record<(typeof PORT_NAMES)[number], number>): string {
  return `${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${p.fe}
    http-request set-header x-req "${VALUES}"
    http-response set-header x-res "${VALUES}"
    default_backend be

frontend plain
    bind 127.0.0.1:${p.plain}
    default_backend be

frontend counted
    bind 127.0.0.1:${p.counted}
    option contstats
    http-response set-header x-bytes "U=%U B=%B"
    default_backend be

backend be
    http-request set-header x-be-req "Tq=%Tq si=[%si]"
    http-response set-header x-total "%Tt %B %Ta"
    server srv1 127.0.0.1:${p.app}
`;
}

/** The named fields of a value written as `NAME=VALUE` words. */
function fields(value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const word of (value ?? '').split(' ')) {
    const eq = word.indexOf('=');
    if (eq > 0) out[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return out;
}

for (const target of TARGETS) {
  describe(`end-of-stream variables in header values on ${target}`, () => {
    const setup = proxyWithBackend(target, PORT_NAMES, configFor, (port) => cannedBackend(port, 'app', 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok', 'keep'));

    it('a request rule: no step reached yet, no server connection, the stream not ended', async () => {
      const { response } = await exchange(setup.ports.fe, 'GET / HTTP/1.1\r\nhost: a\r\n\r\n');
      assert.equal(response.status, 200);
      const head = setup.app.lastRequest()?.rawHead ?? '';
      const value = (name: string): string | undefined => new RegExp(`\\r\\n${name}: ([^\\r]*)\\r\\n`).exec(head)?.[1];
      assert.equal(value('x-req'), 'TR=-1 Tq=-1 Tw=-1 Tc=-1 Tr=-1 Td=-1 Tt=0 B=0 U=0 si=[] sp=[] ts=-- tsc=---- bc=0 sc=0 rc=0 sq=0 bq=0');
      // The backend's request rules run before the request's analysis ends too.
      assert.equal(value('x-be-req'), 'Tq=-1 si=[]');
    });

    it('a response rule: the server connection and the timers up to the response head; Tt and bytes at 0 until the end', async () => {
      const { response } = await exchange(setup.ports.fe, 'GET / HTTP/1.1\r\nhost: a\r\n\r\n');
      assert.equal(response.status, 200);
      const res = fields(response.header('x-res'));
      for (const name of ['TR', 'Tq', 'Tw', 'Tc', 'Tr']) assert.match(res[name] ?? '', /^\d+$/, `${name} in ${response.header('x-res')}`);
      assert.equal(Number(res['Td']), -Number(res['Tq']) - Number(res['Tw']) - Number(res['Tc']) - Number(res['Tr']), 'Td: t_close (0) - t_data');
      assert.deepEqual(
        [res['Tt'], res['B'], res['U'], res['si'], res['sp'], res['ts'], res['tsc'], res['bc'], res['sc'], res['rc']],
        ['0', '0', '0', '[127.0.0.1]', `[${setup.ports.app}]`, '--', '----', '1', '1', '0'],
      );
    });

    it('option contstats: the bytes so far (the request, when the response rules run)', async () => {
      const request = 'POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 10\r\n\r\n0123456789';
      const { response } = await exchange(setup.ports.counted, request);
      const bytes = fields(response.header('x-bytes'));
      assert.equal(bytes['B'], '0', 'nothing sent to the client yet');
      // HAProxy counts its internal form of the message (HTX: 65 bytes for these 58); Switchyard the bytes received.
      if (target === 'haproxy') assert.ok(Number(bytes['U']) >= request.length, `U=${bytes['U']}`);
      else assert.equal(bytes['U'], String(request.length));
    });

    it("'+' before %Tt, %B and %Ta where the frontend has no format waiting for the stream's end", async () => {
      // `fe`'s own values read %Tt and %B: HAProxy's LW_BYTES is in its to_log.
      const withEnd = await exchange(setup.ports.fe, 'GET / HTTP/1.1\r\nhost: a\r\n\r\n');
      assert.match(withEnd.response.header('x-total') ?? '', /^0 0 -?\d+$/);
      const without = await exchange(setup.ports.plain, 'GET / HTTP/1.1\r\nhost: a\r\n\r\n');
      assert.match(without.response.header('x-total') ?? '', /^\+0 \+0 \+-?\d+$/);
    });
  });
}

const TCP_VALUES = 'Tw=%Tw Tc=%Tc Tt=%Tt B=%B si=[%si] sp=[%sp] ts=%ts bc=%bc';

function tcpConfigFor(p: Record<'fe' | 'app', number>, syslogPort: number): string {
  return `
defaults
    mode tcp
    timeout connect 500ms
    timeout client 5s
    timeout server 5s

frontend fe
    bind 127.0.0.1:${p.fe}
    log 127.0.0.1:${syslogPort} local0
    log-format "v=[%[var(txn.v)]] r=[%[var(txn.r)]]"
    tcp-request content set-var-fmt(txn.v) "${TCP_VALUES}"
    default_backend be

backend be
    tcp-response inspect-delay 1s
    tcp-response content set-var-fmt(txn.r) "${TCP_VALUES}"
    tcp-response content accept if { res.len gt 0 }
    server srv1 127.0.0.1:${p.app}
`;
}

for (const target of TARGETS) {
  describe(`end-of-stream variables in tcp rule values on ${target}`, () => {
    let syslog: UdpSyslogReceiver | undefined;
    before(async () => {
      syslog = await udpSyslogReceiver();
    });
    after(() => syslog?.socket.close());
    const setup = proxyWithBackend(target, ['fe', 'app'], (p) => tcpConfigFor(p, (syslog as UdpSyslogReceiver).port), (port) =>
      cannedBackend(port, 'app', 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok', 'close'),
    );

    it('content rules before the connection, response rules after it; the line waits for the end', async () => {
      const { response } = await exchange(setup.ports.fe, 'GET / HTTP/1.1\r\nhost: a\r\n\r\n');
      assert.equal(response.status, 200);
      const lines = (syslog as UdpSyslogReceiver).lines;
      assert.ok(await eventually(() => lines.length > 0, 3000), 'a log line');
      const line = /v=\[(.*)\] r=\[(.*)\]\s*$/.exec(lines[0] ?? '');
      assert.ok(line, lines[0]);
      assert.equal(line[1], 'Tw=-1 Tc=-1 Tt=0 B=0 si=[] sp=[] ts=-- bc=0');
      const r = fields(line[2]);
      assert.match(r['Tw'] ?? '', /^\d+$/);
      assert.match(r['Tc'] ?? '', /^\d+$/);
      assert.deepEqual([r['Tt'], r['B'], r['si'], r['sp'], r['ts']], ['0', '0', '[127.0.0.1]', `[${setup.ports.app}]`, '--']);
      // This stream counts in its backend now (the harness's readiness probe may still count too).
      assert.ok(Number(r['bc']) >= 1, `bc=${r['bc']}`);
    });
  });
}
