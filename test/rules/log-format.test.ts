/** Log-format values (src/rules/log-format.ts): literal text, %%, %[expr], variables and flags, compile errors. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileLogFormat } from '../../src/rules/log-format.ts';
import type { SampleContext } from '../../src/rules/sample-context.ts';
import type { LogRecord } from '../../src/log/log-record.ts';
import { context, get, responseHead } from './support.ts';

function render(format: string, ctx: SampleContext, direction: 'request' | 'response' = 'request'): string {
  const compiled = compileLogFormat(format, direction);
  if (!compiled.ok) throw new Error(compiled.message);
  return compiled.format.evaluate(ctx);
}

function refused(format: string, direction: 'request' | 'response' = 'request'): string {
  const compiled = compileLogFormat(format, direction);
  assert.equal(compiled.ok, false, format);
  return compiled.ok ? '' : compiled.message;
}

const ctx = context(get('/p/a?x=1', 'Host: h.example', 'X-In: one'));

describe('log-format values', () => {
  it('literal text is kept as written, spaces included, and is a constant', () => {
    assert.equal(render('1.1   edge', ctx), '1.1   edge');
    const compiled = compileLogFormat('plain', 'request');
    assert.ok(compiled.ok && compiled.format.constant);
    assert.equal(render('', ctx), '');
  });

  it('%% is a verbatim percent sign', () => {
    assert.equal(render('100%%', ctx), '100%');
    assert.equal(render('%[method,lower]%%', ctx), 'get%');
  });

  it('%[expr] samples, mixed with text; an absent sample is empty', () => {
    assert.equal(render('%[src]:%[src_port] -> %[dst]:%[dst_port]', ctx), '192.0.2.1:40000 -> 10.0.0.1:8080');
    assert.equal(render('v=%[req.hdr(x-in)]/%[req.hdr(x-none)]/', ctx), 'v=one//');
    assert.equal(render('%[ssl_fc]', ctx), '0');
    assert.equal(render('%[url_param(x)]', ctx), '1');
    const compiled = compileLogFormat('%[path]', 'request');
    assert.ok(compiled.ok && !compiled.format.constant);
  });

  it('variables: %ci %cp %fi %fp %H %f %ft %pid %HM %HU %HP %HQ %HV, and %ST on responses', () => {
    assert.equal(render('%ci:%cp %fi:%fp', ctx), '192.0.2.1:40000 10.0.0.1:8080');
    assert.equal(render('%H %f %ft %pid', ctx), 'proxy-host fe fe 77');
    assert.equal(render('%ft', context(undefined, { clientTls: { sni: undefined, alpn: undefined, protocol: undefined } })), 'fe~');
    assert.equal(render('%HM %HU %HP %HQ %HV', ctx), 'GET /p/a?x=1 /p/a ?x=1 HTTP/1.1');
    const res = context(get('/', 'Host: h'), { response: responseHead('HTTP/1.1 204 No Content\r\n\r\n') });
    assert.equal(render('%ST', res, 'response'), '204');
  });

  it('an absent value prints nothing in a header value (no mandatory \'-\' as in log lines)', () => {
    assert.equal(render('[%H]', context(undefined, { hostname: undefined })), '[]');
    assert.equal(render('[%CC|%{+Q}CC]', ctx), '[|""]');
  });

  it('flags change variables only: +Q quotes, +X hexadecimal, +E escapes (as HAProxy 2.6)', () => {
    assert.equal(render('%{+Q}f', ctx), '"fe"');
    assert.equal(render('%{+Q}ci', ctx), '"192.0.2.1"');
    assert.equal(render('%{+X}ci:%{+X}fp', ctx), 'C0000201:1F90');
    assert.equal(render('%{+Q}[path]', ctx), '/p/a', 'HAProxy 2.6 does not quote sample expressions');
    assert.equal(render('%{+Q,+E}H', context(undefined, { hostname: 'a"b' })), '"a\\"b"');
    assert.equal(render('%{+E}[req.fhdr(x-esc)]', context(get('/', 'Host: h', 'X-Esc: a"b\\]c'))), 'a\\"b\\\\\\]c', '+E escapes samples too');
    assert.equal(render('%{+X}pid', context(undefined, { pid: 123456 })), '1E240', '%04X: at least four digits');
    assert.equal(render('%{+Z}f %{Q}f', ctx), 'fe fe', 'unknown or unsigned flags are ignored, as HAProxy does');
  });

  it("stream facts (%Ts %ms %rt) are the rule's stream's, '-' without one; %b and %s the route so far", () => {
    const wall = Date.UTC(2026, 11, 7, 6, 8, 9, 56);
    const withStream = { ...ctx, frontendName: 'fe', stream: { ...ctx, acceptWall: wall, streamId: 7 } } as SampleContext;
    assert.equal(render('t=%Ts%ms rt=%rt', withStream), `t=${Math.floor(wall / 1000)}056 rt=7`);
    assert.equal(render('%Ts %t', { ...ctx } as SampleContext), '- -');
    assert.equal(render('%b/%s', withStream), 'fe/<NOSRV>');
    const routed = { ...withStream, backend: { name: 'be', usableServers: 1 }, chosenServer: { name: 'srv1', id: 1 } } as SampleContext;
    assert.equal(render('%b/%s', routed, 'response'), 'be/srv1');
    const global = compileLogFormat('%Ts', 'request', true);
    assert.equal(global.ok, false, 'a global set-var-fmt has no stream');
  });

  it("end-of-stream variables read the stream as it is now (its live record), once per value; '+' where the frontend logs no stream end", () => {
    let made = 0;
    const live = (plusUnfinished: boolean) => (): LogRecord => {
      made++;
      return {
        ...(ctx as LogRecord),
        mode: 'http', frontendName: 'fe', backendName: 'be', serverName: 's1', acceptWall: 0, streamId: 3,
        serverAddress: '127.0.0.1', serverPort: 8081, sourceAddress: '127.0.0.1', sourcePort: 50000,
        tHandshake: 0, tIdle: 2, tRequest: 5, tQueue: 6, tConnect: 8, tData: 20, tClose: 0, status: 200, bytesIn: 0, bytesOut: 0,
        termination: '--', cookieFlags: '--', actconn: 4, feconn: 3, beconn: 2, srvconn: 1, retries: 1, redispatched: true,
        serverQueuePos: 0, backendQueuePos: 0, logCount: 9, plusUnfinished,
      };
    };
    const running = { ...ctx, stream: { ...ctx, acceptWall: 0, streamId: 3, liveRecord: live(false) } } as SampleContext;
    const all = 'Tq=%Tq Tw=%Tw Tc=%Tc Tr=%Tr Td=%Td Ta=%Ta Tt=%Tt B=%B U=%U %si:%sp %bi:%bp ts=%ts %tsc %ac/%fc/%bc/%sc/%rc lc=%lc';
    assert.equal(render(all, running, 'response'), 'Tq=5 Tw=1 Tc=2 Tr=12 Td=-20 Ta=-2 Tt=0 B=0 U=0 127.0.0.1:8081 127.0.0.1:50000 ts=-- ---- 4/3/2/1/+1 lc=9');
    assert.equal(made, 1, 'one record for the whole value');
    const asap = { ...ctx, stream: { ...ctx, acceptWall: 0, streamId: 3, liveRecord: live(true) } } as SampleContext;
    assert.equal(render('%Ta %Tt %Tu %B %Tr', asap, 'response'), '+-2 +0 +-2 +0 12');
    // Outside a stream (a connection rule): HAProxy's session record, no step reached, PR.
    assert.equal(render('%Tq %Tr %Tt %B [%si] %ts', ctx), '-1 -1 0 0 [] PR');
  });

  it('explains what it refuses, with HAProxy\u2019s words', () => {
    assert.match(refused('100%'), /truncated line after '%'/);
    assert.match(refused('%zz'), /no such format variable 'zz'\. If you wanted to emit the '%' character verbatim, you need to use '%%'/);
    const global = compileLogFormat('%Tw', 'request', true);
    assert.match(global.ok ? '' : global.message, /'%Tw' is not supported by Switchyard in header values yet/, 'a global set-var-fmt has no stream');
    assert.match(refused('%[path'), /missing '\]' after 'path'/);
    // As HAProxy quotes it: the rest of the format from the expression on.
    assert.match(refused('%[nosuch]'), /failed to parse sample expression <nosuch\]> : unknown fetch method 'nosuch'/);
    assert.match(refused('%[path)]'), /expected '\]' after 'path', but found '\)'/);
    assert.match(refused('%[path]', 'response'), /may not be reliably used here/);
    assert.match(refused('%ST'), /needs the HTTP response/);
    assert.match(refused('%{+Q}'), /parse argument modifier without variable name near '%\{\+Q\}'/);
    assert.match(refused('%{+Q'), /truncated line after '\+Q'/);
    assert.match(refused('%3'), /unexpected variable name near '3'/);
  });
});
