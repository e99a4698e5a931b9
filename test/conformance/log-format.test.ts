/**
 * Black-box conformance of custom log formats: `log-format` lines through a real proxy (HTTP and
 * tcp), `option httplog clf`, `option logasap`, `option dontlog-normal` with
 * `option log-separate-errors`, queue positions in %sq/%bq, and `unique-id-format` with
 * `unique-id-header` and the `unique-id` fetch. Lines are read from `log stdout`.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/log-format.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { headerValues } from '../support/http-wire.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { echoServer, type TestBackend } from '../support/tcp-backends.ts';
import { dial, readAll } from '../support/tcp-client.ts';

const PORT_NAMES = ['fmt', 'clf', 'uid', 'asap', 'errors', 'queue', 'tcp', 'app', 'dead', 'echo', 'rule'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
global
    maxconn 100
${HTTP_DEFAULTS}
frontend fe_fmt
    bind 127.0.0.1:${p.fmt}
    log stdout format raw local0
    log-format "fmt %ci:%cp %fi:%fp %{+Q}f %ft %b %s %ST %{+Q}r %HM|%HP|%HPO|%HQ|%HU|%HV %tsc %rc %sq/%bq %[method] %{+Q}[src] %{+X}ci %ID   %{+Q}CC end"
    default_backend be

frontend fe_clf
    bind 127.0.0.1:${p.clf}
    log stdout format raw local0
    option httplog clf
    default_backend be

frontend fe_uid
    bind 127.0.0.1:${p.uid}
    log stdout format raw local0
    unique-id-format uid-%[uuid]
    unique-id-header X-Unique-ID
    http-response set-header X-Uid %[unique-id]
    log-format "uid %ID %[unique-id] %{+Q}ID"
    default_backend be

frontend fe_asap
    bind 127.0.0.1:${p.asap}
    log stdout format raw local0
    option httplog
    option logasap
    default_backend be

frontend fe_errors
    bind 127.0.0.1:${p.errors}
    log stdout format short local0
    log-format "errors %HP %ST %tsc"
    option dontlog-normal
    option log-separate-errors
    use_backend be_dead if { path_beg /dead }
    default_backend be

frontend fe_queue
    bind 127.0.0.1:${p.queue}
    log stdout format raw local0
    log-format "queue %HP %sq/%bq %rc"
    default_backend be_one

frontend fe_tcp
    mode tcp
    bind 127.0.0.1:${p.tcp}
    log stdout format raw local0
    log-format "tcp %ci %fi:%fp %b/%s %ts %B %U %{+Q}ft %sq/%bq"
    default_backend be_tcp

frontend fe_rule
    bind 127.0.0.1:${p.rule}
    log stdout format raw local0
    log-format "rule %HP lr=%[last_rule_line] %ST file=%[last_rule_file,length] é=%[var(txn.b)]"
    http-request deny if { path_beg /deny }
    http-request set-var(txn.path) path
    http-request set-var(txn.b) req.hdr(x-b)
    http-response set-status 203 if { var(txn.path) -m beg /status }
    default_backend be_rule

backend be_rule
    tcp-request content set-var(txn.seen) path
    tcp-request content accept if { path_beg /tcp }
    tcp-response content reject unless WAIT_END
    http-request allow if { path_beg /allow }
    http-request set-header x-seen 1
    server s1 127.0.0.1:${p.app}

backend be
    server s1 127.0.0.1:${p.app}

backend be_dead
    retries 0
    server dead 127.0.0.1:${p.dead}

backend be_one
    server one 127.0.0.1:${p.app} maxconn 1

backend be_tcp
    mode tcp
    server t1 127.0.0.1:${p.echo}
`;
}

for (const target of TARGETS) {
  describe(`log formats on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    let app: HttpTestBackend;
    let echo: TestBackend;

    before(async () => {
      const list = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((n, i) => [n, list[i] as number])) as Ports;
      app = await appBackend(ports.app, 'app');
      echo = await echoServer(ports.echo);
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await app.close();
      await echo.close();
    });

    /** The first stdout line starting with `prefix` and matching `filter`. */
    async function logLine(prefix: string, filter: (line: string) => boolean = () => true, timeoutMs = 3000): Promise<string> {
      let found: string | undefined;
      await eventually(() => {
        found = proxy?.stdout.split('\n').find((l) => l.startsWith(prefix) && filter(l));
        return found !== undefined;
      }, timeoutMs);
      assert.ok(found, `no '${prefix}' line in:\n${proxy?.stdout}\n${proxy?.stderr}`);
      return found;
    }

    it('log-format: client, frontend, backend, request line variables, flags and fetches', async () => {
      const conn = await HttpConnection.open(ports.fmt);
      const cp = conn.socket.localPort;
      assert.equal((await conn.request('GET', '/a/b?x=1')).status, 200);
      assert.equal((await conn.request('GET', 'http://example.test/abs/c?q=2')).status, 200);
      conn.destroy();
      const hex = '7F000001';
      assert.equal(
        await logLine('fmt', (l) => l.includes('/a/b')),
        `fmt 127.0.0.1:${cp} 127.0.0.1:${ports.fmt} "fe_fmt" fe_fmt be s1 200 "GET /a/b?x=1 HTTP/1.1" GET|/a/b|/a/b|?x=1|/a/b?x=1|HTTP/1.1 ---- 0 0/0 GET "127.0.0.1" ${hex} - "" end`,
      );
      assert.equal(
        await logLine('fmt', (l) => l.includes('/abs/')),
        `fmt 127.0.0.1:${cp} 127.0.0.1:${ports.fmt} "fe_fmt" fe_fmt be s1 200 "GET http://example.test/abs/c?q=2 HTTP/1.1" GET|http://example.test/abs/c|/abs/c|?q=2|http://example.test/abs/c?q=2|HTTP/1.1 ---- 0 0/0 GET "127.0.0.1" ${hex} - "" end`,
      );
    });

    it('a request the proxy cannot parse logs <BADREQ> for every request variable', async () => {
      const conn = await HttpConnection.open(ports.fmt);
      const cp = conn.socket.localPort;
      await conn.write('GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n');
      assert.equal((await conn.read()).status, 400);
      conn.destroy();
      assert.equal(
        await logLine(`fmt 127.0.0.1:${cp} `),
        `fmt 127.0.0.1:${cp} 127.0.0.1:${ports.fmt} "fe_fmt" fe_fmt fe_fmt <NOSRV> 400 "<BADREQ>" <BADREQ>|<BADREQ>|<BADREQ>|<BADREQ>|<BADREQ>|<BADREQ> PR-- 0 0/0 - "127.0.0.1" 7F000001 - "" end`,
      );
    });

    it('option httplog clf: the Common Log Format then HAProxy fields, with its quoting and trailing space', async () => {
      const conn = await HttpConnection.open(ports.clf);
      const cp = conn.socket.localPort;
      assert.equal((await conn.request('GET', '/clf')).status, 200);
      conn.destroy();
      const line = await logLine('127.0.0.1 - - [', (l) => l.includes('"GET /clf HTTP/1.1"'));
      const clf = new RegExp(
        `^127\\.0\\.0\\.1 - - \\[\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2} \\+0000\\] "GET /clf HTTP/1\\.1" 200 \\d+ "" "" ${cp} \\d{3} "fe_clf" "be" "s1" \\d+ \\d+ \\d+ \\d+ \\d+ ---- \\d+ \\d+ \\d+ \\d+ 0 0 0 "" "" $`,
      );
      assert.match(line, clf);
    });

    it('unique-id-format: one id per request, sent to the server, fetched by rules and logged', async () => {
      const conn = await HttpConnection.open(ports.uid);
      const first = await conn.request('GET', '/uid/1');
      const sent = headerValues((app.lastRequest() as NonNullable<ReturnType<HttpTestBackend['lastRequest']>>).headers, 'x-unique-id');
      const second = await conn.request('GET', '/uid/2');
      conn.destroy();
      const id = first.header('x-uid') ?? '';
      assert.match(id, /^uid-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.deepEqual(sent, [id], 'the header the server received');
      assert.notEqual(second.header('x-uid'), id, 'each request is a new stream');
      assert.equal(await logLine(`uid ${id}`), `uid ${id} ${id} "${id}"`);
    });

    it('option logasap: logged at the response head, total time and bytes prefixed with +', async () => {
      const conn = await HttpConnection.open(ports.asap);
      assert.equal((await conn.request('GET', '/asap')).status, 200);
      conn.destroy();
      assert.match(await logLine('127.0.0.1:', (l) => l.includes('/asap')), / fe_asap be\/s1 \d+\/\d+\/\d+\/\d+\/\+\d+ 200 \+\d+ - - ---- \d+\/\d+\/\d+\/\d+\/0 0\/0 "GET \/asap HTTP\/1\.1"$/);
    });

    it('last_rule_line: the rule that ended a list (tcp content, http-request), none for redirect-free plain ones; logged after the response rules', async () => {
      const config = configFor(ports).split('\n');
      const lineOf = (text: string): number => config.findIndex((l) => l.includes(text)) + 1;
      const conn = await HttpConnection.open(ports.rule);
      for (const path of ['/plain', '/tcp', '/allow', '/status']) assert.equal((await conn.request('GET', path)).status, path === '/status' ? 203 : 200, path);
      // A header's bytes and the format's own UTF-8 text reach the log as bytes, each once encoded.
      await conn.write(Buffer.concat([Buffer.from('GET /bytes HTTP/1.1\r\nhost: a\r\nx-b: '), Buffer.from('ü€', 'utf8'), Buffer.from('\r\n\r\n')]));
      assert.equal((await conn.read()).status, 200);
      assert.equal((await conn.request('GET', '/deny')).status, 403);
      conn.destroy();
      assert.match(await logLine('rule /plain '), /^rule \/plain lr=- 200 file=- é=-$/);
      assert.match(await logLine('rule /tcp '), new RegExp(`^rule /tcp lr=${lineOf('accept if { path_beg /tcp }')} 200 file=[1-9]\\d* é=-$`));
      assert.equal(await logLine('rule /allow '), `rule /allow lr=${lineOf('allow if { path_beg /allow }')} 200 file=${(await logLine('rule /tcp ')).split('file=')[1]}`);
      // The format waits for nothing, so the line is written at the response head: after the
      // http-response rules (HAProxy's http_process_res_common), which changed the status.
      assert.equal(await logLine('rule /status '), 'rule /status lr=- 203 file=- é=-');
      assert.equal(await logLine('rule /bytes '), 'rule /bytes lr=- 200 file=- é=ü€');
      assert.match(await logLine('rule /deny '), new RegExp(`^rule /deny lr=${lineOf('deny if { path_beg /deny }')} 403 file=`));
    });

    it('option dontlog-normal keeps only errors; option log-separate-errors logs them at err', async () => {
      const conn = await HttpConnection.open(ports.errors);
      assert.equal((await conn.request('GET', '/fine')).status, 200);
      assert.equal((await conn.request('GET', '/dead/end')).status, 503);
      conn.destroy();
      // format short writes the level alone (HAProxy ignores the facility there): err is 3.
      assert.equal(await logLine('<3>errors'), '<3>errors /dead/end 503 SC--');
      assert.ok(!(proxy?.stdout ?? '').includes('errors /fine'), `a normal request was logged:\n${proxy?.stdout}`);
    });

    it('%sq/%bq: a request that waited in the backend queue reports its position', async () => {
      const a = await HttpConnection.open(ports.queue);
      const b = await HttpConnection.open(ports.queue);
      const first = a.request('GET', '/slow/400');
      await app.waitForRequests(app.requests + 1, 2000);
      const second = b.request('GET', '/slow/10');
      assert.equal((await first).status, 200);
      assert.equal((await second).status, 200);
      a.destroy();
      b.destroy();
      assert.equal(await logLine('queue /slow/400'), 'queue /slow/400 0/0 0');
      assert.equal(await logLine('queue /slow/10'), 'queue /slow/10 0/1 0');
    });

    it('tcp log-format: addresses, backend/server, termination, bytes both ways', async () => {
      const socket = await dial(ports.tcp);
      socket.end('hello');
      assert.equal((await readAll(socket)).toString(), 'hello');
      assert.equal(await logLine('tcp '), `tcp 127.0.0.1 127.0.0.1:${ports.tcp} be_tcp/t1 -- 5 5 "fe_tcp" 0/0`);
    });
  });
}
