/**
 * The log-format compiler (src/log/log-format.ts) on log lines: every variable of HAProxy 2.6's
 * section 8.2.4 against one stream record, the flags, separators, %o, the default formats
 * byte for byte, and the errors HAProxy reports. Expected texts are HAProxy 2.6.12's output for
 * the same facts (checked with /usr/sbin/haproxy, `log stdout format raw`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLF_HTTP_LOG_FORMAT, HTTP_LOG_FORMAT, TCP_LOG_FORMAT } from '../../src/log/default-formats.ts';
import { compileFormat, type LogFormatUsage } from '../../src/log/log-format.ts';
import type { LogRecord } from '../../src/log/log-record.ts';
import { get } from '../rules/support.ts';

/** 2026-11-24 08:12:34.056 UTC. */
const ACCEPT = Date.UTC(2026, 10, 24, 8, 12, 34, 56);

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** The local-time text HAProxy's date2str_log gives (the tests run in the host's time zone). */
function localDate(ms: number): string {
  const d = new Date(ms);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `${pad(d.getDate())}/${months[d.getMonth()]}/${d.getFullYear()}:${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function localOffset(ms: number): string {
  const minutes = -new Date(ms).getTimezoneOffset();
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
}

/** A served HTTP request: 2 ms idle, head after 3 ms, no queue, connected at 4, response at 10, end at 12. */
function record(extra: Partial<LogRecord> = {}): LogRecord {
  return {
    mode: 'http',
    clientAddress: '192.0.2.1',
    clientPort: 40000,
    localAddress: '10.0.0.1',
    localPort: 8080,
    clientTls: undefined,
    hostname: 'proxy-host',
    frontendName: 'fe',
    pid: 4242,
    lbHead: get('/p/a?x=1', 'Host: h'),
    acceptWall: ACCEPT,
    streamId: 7,
    uniqueId: undefined,
    uniqueIdIfGenerated: undefined,
    backendName: 'be',
    serverName: 's1',
    serverAddress: '127.0.0.1',
    serverPort: 9001,
    sourceAddress: '127.0.0.1',
    sourcePort: 51000,
    tHandshake: 0,
    tIdle: 2,
    tRequest: 3,
    tQueue: 3,
    tConnect: 4,
    tData: 10,
    tClose: 12,
    status: 200,
    bytesIn: 33,
    bytesOut: 150,
    termination: '--',
    cookieFlags: '--',
    actconn: 1,
    feconn: 1,
    beconn: 0,
    srvconn: 0,
    retries: 0,
    redispatched: false,
    serverQueuePos: 0,
    backendQueuePos: 0,
    logCount: 5,
    ...extra,
  };
}

const HTTP_LINE: LogFormatUsage = { kind: 'log-line', mode: 'http' };

function line(format: string, r: LogRecord = record(), usage: LogFormatUsage = HTTP_LINE): string {
  const compiled = compileFormat(format, usage);
  if (!compiled.ok) throw new Error(compiled.message);
  return compiled.format.evaluate(r);
}

function refused(format: string, usage: LogFormatUsage = HTTP_LINE): string {
  const compiled = compileFormat(format, usage);
  assert.equal(compiled.ok, false, format);
  return compiled.ok ? '' : compiled.message;
}

describe('log-format lines', () => {
  it('option httplog, option httplog clf and option tcplog are their HAProxy strings', () => {
    assert.equal(
      line(HTTP_LOG_FORMAT),
      `192.0.2.1:40000 [${localDate(ACCEPT + 2)}.058] fe be/s1 1/0/1/6/10 200 150 - - ---- 1/1/0/0/0 0/0 "GET /p/a?x=1 HTTP/1.1"`,
    );
    assert.equal(
      line(CLF_HTTP_LOG_FORMAT),
      '192.0.2.1 - - [24/Nov/2026:08:12:34 +0000] "GET /p/a?x=1 HTTP/1.1" 200 150 "" "" 40000 056 "fe" "be" "s1" 1 0 1 6 10 ---- 1 1 0 0 0 0 0 "" "" ',
    );
    const tcp = record({ mode: 'tcp', lbHead: undefined, tIdle: -1, tRequest: -1, tQueue: 0, tConnect: 0, tData: -1, tClose: 11, bytesOut: 176, status: 0 });
    assert.equal(
      line(TCP_LOG_FORMAT, tcp, { kind: 'log-line', mode: 'tcp' }),
      `192.0.2.1:40000 [${localDate(ACCEPT)}.056] fe be/s1 1/0/11 176 -- 1/1/0/0/0 0/0`,
      'no request timer in tcp mode: %Tw is t_queue + 1, as HAProxy prints it',
    );
  });

  it('client, frontend, backend and server variables', () => {
    assert.equal(line('%ci:%cp %fi:%fp %f %ft %b %s %si:%sp %bi:%bp %H %pid'), '192.0.2.1:40000 10.0.0.1:8080 fe fe be s1 127.0.0.1:9001 127.0.0.1:51000 proxy-host 4242');
    const tls = record({ clientTls: { sni: 'a.test', alpn: undefined, protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' } });
    assert.equal(line('%ft %sslv %sslc', tls), 'fe~ TLSv1.3 TLS_AES_256_GCM_SHA384');
    assert.equal(line('%sslv %sslc'), '- -', 'no TLS: absent');
    assert.equal(line('%si:%sp', record({ serverAddress: undefined, serverPort: undefined })), '-:-');
    assert.equal(line('%ci', record({ clientAddress: '2001:db8::1' })), '2001:db8::1');
  });

  it('timers: %Th %Ti %TR %Tq %Tw %Tc %Tr %Td %Ta %Tt %Tu, -1 for steps not reached', () => {
    assert.equal(line('%Th %Ti %TR %Tq %Tw %Tc %Tr %Td %Ta %Tt %Tu'), '0 2 1 3 0 1 6 2 10 12 10');
    const denied = record({ tQueue: -1, tConnect: -1, tData: -1, tClose: 3 });
    assert.equal(line('%TR/%Tw/%Tc/%Tr/%Td/%Ta', denied), '1/-1/-1/-1/-1/1');
    assert.equal(line('%Td', record({ mode: 'tcp', tConnect: 4, tClose: 12 }), { kind: 'log-line', mode: 'tcp' }), '8', 'tcp: from the connection');
  });

  it('dates: %t %tr %T %trg %Tl %trl %Ts %ms', () => {
    assert.equal(line('%t|%tr'), `${localDate(ACCEPT)}.056|${localDate(ACCEPT + 2)}.058`);
    assert.equal(line('%T|%trg'), '24/Nov/2026:08:12:34 +0000|24/Nov/2026:08:12:34 +0000');
    assert.equal(line('%Tl|%trl'), `${localDate(ACCEPT)} ${localOffset(ACCEPT)}|${localDate(ACCEPT + 2)} ${localOffset(ACCEPT)}`);
    assert.equal(line('%Ts %ms %{+X}Ts %{+X}ms'), `${Math.floor(ACCEPT / 1000)} 056 ${Math.floor(ACCEPT / 1000).toString(16).toUpperCase()} 38`);
  });

  it('status, bytes, termination, counters, queues, ids', () => {
    assert.equal(line('%ST %B %U %ts %tsc'), '200 150 33 -- ----');
    assert.equal(line('%tsc', record({ termination: 'PR', cookieFlags: 'NI' })), 'PRNI');
    assert.equal(line('%ac/%fc/%bc/%sc/%rc %sq/%bq', record({ actconn: 9, feconn: 8, beconn: 7, srvconn: 6, retries: 2, serverQueuePos: 3, backendQueuePos: 4 })), '9/8/7/6/2 3/4');
    assert.equal(line('%rc', record({ retries: 3, redispatched: true })), '+3');
    assert.equal(line('%rt %lc %{+X}rt %{+X}lc'), '7 5 0007 0005');
    assert.equal(line('%ID|%{+Q}ID'), '-|""', 'no unique id');
    assert.equal(line('%ID', record({ uniqueIdIfGenerated: 'abc' })), 'abc');
  });

  it('the request line: %r %HM %HU %HP %HPO %HQ %HV, and <BADREQ> without one', () => {
    assert.equal(line('%r|%HM|%HU|%HP|%HPO|%HQ|%HV'), 'GET /p/a?x=1 HTTP/1.1|GET|/p/a?x=1|/p/a|/p/a|?x=1|HTTP/1.1');
    const absolute = record({ lbHead: get('http://h/x/y?q=1', 'Host: h') });
    assert.equal(line('%HP|%HPO|%HQ|%HU', absolute), 'http://h/x/y|/x/y|?q=1|http://h/x/y?q=1');
    assert.equal(line('%HQ|', record({ lbHead: get('/r/1', 'Host: h') })), '|', 'an empty query is empty, not -');
    const bad = record({ lbHead: undefined });
    assert.equal(line('%r|%HM|%HP|%HPO|%HQ|%HU|%HV %{+Q}r'), 'GET /p/a?x=1 HTTP/1.1|GET|/p/a|/p/a|?x=1|/p/a?x=1|HTTP/1.1 "GET /p/a?x=1 HTTP/1.1"');
    assert.equal(line('%r|%HM|%HP|%HPO|%HQ|%HU|%HV %{+Q}r', bad), '<BADREQ>|<BADREQ>|<BADREQ>|<BADREQ>|<BADREQ>|<BADREQ>|<BADREQ> "<BADREQ>"');
    // The codec refuses '"' and '#' in a target (as HAProxy): a hand-made head shows the encoding.
    const odd = record({ lbHead: { receivedMethod: 'GET', receivedTarget: '/a%22b]c\\d"e#f', versionMinor: 1 } as unknown as LogRecord['lbHead'] });
    assert.equal(line('%r %{+E}r %{+Q}HU', odd), 'GET /a%22b]c\\d#22e#23f HTTP/1.1 GET /a%22b\\]c\\\\d#22e#23f HTTP/1.1 "/a%22b]c\\d#22e#23f"');
  });

  it('flags: +Q quotes text (never numbers nor ports), +X hex, +E escapes, -M drops the dash, %o sets defaults', () => {
    assert.equal(line('%{+Q}ci %{+Q}cp %{+Q}f %{+Q}b %{+Q}s %{+Q}ST %{+Q}B %{+Q}H %{+Q}ft %{+Q}CC'), '"192.0.2.1" 40000 "fe" "be" "s1" 200 150 "proxy-host" "fe" ""');
    assert.equal(line('%{+X}ci:%{+X}cp %{+X}fi %{+X}pid %{+X}ST'), 'C0000201:9C40 0A000001 1092 200');
    assert.equal(line('%{+X}ci', record({ clientAddress: '2001:db8::1' })), '20010DB8000000000000000000000001');
    assert.equal(line('%{+X}ci', record({ clientAddress: '::ffff:192.0.2.1' })), '00000000000000000000FFFFC0000201');
    assert.equal(line('%{+E}s|%{+Q,+E}s', record({ serverName: 'a"b]c\\' })), 'a\\"b\\]c\\\\|"a\\"b\\]c\\\\"');
    assert.equal(line('%CC %{-M}CC|'), '- |', 'without M an absent value is empty');
    assert.equal(line('%{+Q}o %b %s %{-Q}ci %ST'), '"be" "s1" 192.0.2.1 200');
    assert.equal(line('%{+Q,-Q}b %{Q}b %{+Z}b'), 'be be be', 'the last sign wins; unsigned or unknown flags are ignored');
  });

  it('sample expressions: fetches valid at the end of the stream, quoted with +Q, - when absent', () => {
    assert.equal(line('%[src]:%[src_port] %[dst] %[method] %{+Q}[method] %[ssl_fc] %[hostname]'), '192.0.2.1:40000 10.0.0.1 GET "GET" 0 proxy-host');
    assert.equal(line('%[status]|%{+Q}[status]'), '-|""', 'the response head is gone by then (HAProxy prints - too)');
    assert.equal(line('%[unique-id]', record({ uniqueId: 'U-1' })), 'U-1');
    assert.match(refused('%[req.hdr(host)]'), /may not be reliably used here because it needs 'HTTP request headers' which is not available here/);
    assert.match(refused('%[path]'), /may not be reliably used here/);
  });

  it('spaces: runs merge into one, leading ones vanish, a trailing one stays; empty captures write nothing', () => {
    assert.equal(line('  %ci    %cp  '), '192.0.2.1 40000 ');
    assert.equal(line('%bq %hr %hs %hrl %hsl %{+Q}r'), '0 "GET /p/a?x=1 HTTP/1.1"');
    assert.equal(line('a%%b %-c'), 'a%b -c', "%% is a '%'; a '%' before anything else vanishes, as in HAProxy");
  });

  it('what waits for the end of the stream (LW_BYTES), and the + of option logasap', () => {
    const early = compileFormat('%ci [%tr] %HPO %ST %r', HTTP_LINE);
    assert.ok(early.ok && !early.format.waitsForBytes, 'logged at the response head');
    const late = compileFormat(HTTP_LOG_FORMAT, HTTP_LINE);
    assert.ok(late.ok && late.format.waitsForBytes);
    assert.equal(line('%Ta %Tt %Tu %B %Tr', record(), { kind: 'log-line', mode: 'http', logasap: true }), '+10 +12 +10 +150 6');
  });

  it("refuses what HAProxy refuses, with HAProxy's words", () => {
    const tcp: LogFormatUsage = { kind: 'log-line', mode: 'tcp' };
    for (const name of ['r', 'HM', 'HP', 'HPO', 'HQ', 'HU', 'HV', 'TR', 'Tq', 'Tr', 'Ta', 'Ti', 'CC', 'CS', 'tr', 'trg', 'trl']) {
      assert.equal(refused(`%${name}`, tcp), `format variable '${name}' is reserved for HTTP mode`);
    }
    assert.equal(refused('%zz'), "no such format variable 'zz'. If you wanted to emit the '%' character verbatim, you need to use '%%'");
    assert.equal(refused('100%'), "truncated line after '%'");
    assert.match(refused('%[src'), /missing '\]' after 'src'/);
    assert.match(refused('%{+Q} x'), /parse argument modifier without variable name near '%\{\+Q\}'/);
    assert.match(refused('a % b'), /unexpected variable name near ' ' at position 3/);
    const uniqueId: LogFormatUsage = { kind: 'unique-id', mode: 'http' };
    assert.match(refused('%Tt', uniqueId), /'%Tt' is not supported by Switchyard in unique-id-format yet/);
    assert.match(refused('%ST', uniqueId), /not supported by Switchyard in unique-id-format yet/);
  });

  it('unique ids merge spaces and %-encode samples, with stream facts (%Ts, %rt)', () => {
    const usage: LogFormatUsage = { kind: 'unique-id', mode: 'http' };
    assert.equal(line('%{+X}o %ci:%cp_%fi:%fp_%Ts_%rt:%pid', record(), usage), `C0000201:9C40_0A000001:1F90_${Math.floor(ACCEPT / 1000).toString(16).toUpperCase()}_0007:1092`);
    assert.equal(line('id  %[req.hdr(x)]', record({ lbHead: get('/', 'Host: h', 'X: a\tb') }), usage), 'id a\tb');
  });
});
