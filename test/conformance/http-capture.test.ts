/**
 * Black-box conformance of captures: `capture request|response header`, `capture cookie`,
 * `declare capture`, `http-request capture ... len|id`, `http-response capture ... id`, the
 * `capture.*` fetches and the %hr %hs %hrl %hsl %CC %CS log variables (the default `option
 * httplog` line included). Lines are read from `log stdout`.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-capture.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { scriptedBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';

const PORT_NAMES = ['httplog', 'lists', 'none', 'app'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

const RESPONSE =
  'HTTP/1.1 200 OK\r\n' +
  'X-Resp: first\r\n' +
  'X-Resp: second-value-long\r\n' +
  'Set-Cookie: other=1\r\n' +
  'Set-Cookie: SESSIONID = server-side-id; path=/\r\n' +
  'X-Tag: t{a|g}"#\r\n' +
  'Content-Length: 2\r\n' +
  '\r\nok';

function configFor(p: Ports): string {
  return `
global
    maxconn 100
${HTTP_DEFAULTS}
frontend fe_httplog
    bind 127.0.0.1:${p.httplog}
    log stdout format raw local0
    option httplog
    capture request header X-Req len 5
    capture request header Host len 20
    declare capture request len 8
    capture response header X-Resp len 6
    declare capture response len 10
    capture cookie SESS len 12
    http-request capture req.hdr(x-tag) len 4
    http-request capture path id 2
    http-response capture res.hdr(x-tag) id 1
    http-request set-header X-Cap "%[capture.req.hdr(0)]|%[capture.req.hdr(1)]|%[capture.req.hdr(2)]|%[capture.req.hdr(3)]"
    http-request set-header X-Line "%[capture.req.method]|%[capture.req.uri]|%[capture.req.ver]"
    http-response set-header X-Res-Cap "%[capture.res.hdr(0)]|%[capture.res.hdr(1)]|%[capture.res.ver]|%[capture.req.hdr(2)]"
    http-response set-header X-Hr "%hr %hs"
    default_backend be

frontend fe_lists
    bind 127.0.0.1:${p.lists}
    log stdout format raw local0
    log-format "lists %hrl|%hsl|%{+Q}hrl|%{+Q}hsl|%{+Q}hr|%CC|%CS|%[capture.res.hdr(0)] end"
    capture request header X-Req len 5
    capture request header X-Absent len 5
    capture response header X-Resp len 3
    capture response header X-Absent len 3
    capture cookie other len 20
    default_backend be

frontend fe_none
    bind 127.0.0.1:${p.none}
    log stdout format raw local0
    log-format "none [%hr] [%hs] [%hrl] [%hsl] [%CC] end"
    default_backend be

backend be
    server s1 127.0.0.1:${p.app}
`;
}

for (const target of TARGETS) {
  describe(`captures on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    let app: HttpTestBackend;

    before(async () => {
      const list = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((n, i) => [n, list[i] as number])) as Ports;
      app = await scriptedBackend(ports.app, 'app', () => ({ bytes: RESPONSE, after: 'keep' }));
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await app.close();
    });

    async function logLine(filter: (line: string) => boolean, timeoutMs = 3000): Promise<string> {
      let found: string | undefined;
      await eventually(() => {
        found = proxy?.stdout.split('\n').find(filter);
        return found !== undefined;
      }, timeoutMs);
      assert.ok(found, `no matching line in:\n${proxy?.stdout}\n${proxy?.stderr}`);
      return found;
    }

    async function send(port: number, head: string): Promise<{ status: number; header: (n: string) => string | undefined }> {
      const conn = await HttpConnection.open(port);
      await conn.write(head);
      const res = await conn.read('GET');
      conn.destroy();
      return { status: res.status, header: (n) => res.header(n) };
    }

    it('header, cookie and rule captures: fetches, %hr/%hs in a header and the httplog line', async () => {
      const res = await send(
        ports.httplog,
        'GET /p/q?x=1 HTTP/1.1\r\nHost: example.test\r\nX-Req: one\r\nX-Req: two-long\r\nX-Tag: abcdef\r\n' +
          'Cookie: a=1; SESSIONID=client-side-value; SESSB=2\r\n\r\n',
      );
      assert.equal(res.status, 200);
      const sent = app.lastRequest();
      const header = (name: string) => sent?.headers.find(([n]) => n.toLowerCase() === name)?.[1];
      // The last X-Req, truncated to 5; slots 2 and 3 filled by the rules before the set-header.
      assert.equal(header('x-cap'), 'two-l|example.test|/p/q|abcd');
      assert.equal(header('x-line'), 'GET|/p/q?x=1|HTTP/1.1');
      assert.equal(res.header('x-res-cap'), 'second|t{a|g}"#|HTTP/1.1|/p/q');
      assert.equal(res.header('x-hr'), '{two-l|example.test|/p/q|abcd} {second|t#7Ba#7Cg#7D#22#23}');
      const line = await logLine((l) => l.includes('"GET /p/q?x=1 HTTP/1.1"'));
      const m = / 200 \d+ (\S+) (\S+) ---- \d+\/\d+\/\d+\/\d+\/0 0\/0 (\{.*\}) (\{.*\}) "GET \/p\/q\?x=1 HTTP\/1.1"$/.exec(line);
      assert.ok(m, line);
      assert.deepEqual(m.slice(1), ['SESSIONID=cl', 'SESSIONID=se', '{two-l|example.test|/p/q|abcd}', '{second|t#7Ba#7Cg#7D#22#23}']);
    });

    it('%hrl/%hsl lists, quoted forms, %CC/%CS and capture.res.hdr in a log line', async () => {
      const res = await send(ports.lists, 'GET /l HTTP/1.1\r\nHost: h\r\nX-Req: abc\r\nCookie: other=42\r\n\r\n');
      assert.equal(res.status, 200);
      assert.equal(await logLine((l) => l.startsWith('lists ')), 'lists abc -|sec -|"abc" ""|"sec" ""|"{abc|}"|other=42|other=1|sec end');
    });

    it('a frontend without captures writes nothing for %hr %hs %hrl %hsl', async () => {
      const res = await send(ports.none, 'GET /n HTTP/1.1\r\nHost: h\r\nCookie: SESSIONID=x\r\n\r\n');
      assert.equal(res.status, 200);
      assert.equal(await logLine((l) => l.startsWith('none ')), 'none [] [] [] [] [-] end');
    });
  });
}
