/**
 * Black-box conformance of the HTTP cache (`cache` sections, `http-request cache-use`,
 * `http-response cache-store`, `res.cache_hit` / `res.cache_name`): a stored response is served
 * without the server, through the response rules, with an `Age`; a chunked one as a single
 * chunk; entries expire with their max-age; conditional requests get 304s; HEAD is answered from
 * a GET entry; `Vary` is refused without `process-vary` and keyed on Accept-Encoding with it;
 * objects above `max-object-size`, `no-store` and `private` responses are not stored; a POST
 * invalidates. Checked against HAProxy 2.6:
 *   CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-cache.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { scriptedBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, delay, destroyAllClients } from '../support/http-client.ts';
import type { HttpRequest, HttpResponse } from '../support/http-wire.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { cli } from '../support/cli-client.ts';

const PORT_NAMES = ['fe', 'vary', 'app', 'cli'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
global
    stats socket 127.0.0.1:${p.cli} level admin
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${p.fe}
    default_backend be

frontend fevary
    bind 127.0.0.1:${p.vary}
    default_backend bevary

backend be
    filter cache small
    http-request cache-use small
    http-response cache-store small
    http-response set-header x-hit %[res.cache_hit]
    http-response set-header x-cache %[res.cache_name] if { res.cache_hit }
    server s1 127.0.0.1:${p.app}

backend bevary
    http-request cache-use varied
    http-response cache-store varied
    http-response set-header x-hit %[res.cache_hit]
    server s1 127.0.0.1:${p.app}

cache small
    total-max-size 1
    max-object-size 300
    max-age 60

cache varied
    total-max-size 1
    max-age 60
    process-vary on
`;
}

let served = 0;

/** The server's answer to each request: its headers by path, a body numbering the answers. */
function answer(request: HttpRequest): { bytes: string; after: 'keep' } {
  served++;
  const path = request.target;
  const body = `answer ${served} for ${path}`;
  const headers: string[] = [];
  let chunked = false;
  if (path.startsWith('/fresh')) headers.push('Cache-Control: max-age=60');
  else if (path.startsWith('/short')) headers.push('Cache-Control: max-age=2');
  else if (path.startsWith('/etag')) headers.push('ETag: "e1"', 'Last-Modified: Thu, 22 Oct 2020 16:51:12 GMT');
  else if (path.startsWith('/chunked')) {
    headers.push('Cache-Control: max-age=60');
    chunked = true;
  } else if (path.startsWith('/big')) headers.push('Cache-Control: max-age=60');
  else if (path.startsWith('/no-store')) headers.push('Cache-Control: no-store, max-age=60');
  else if (path.startsWith('/private')) headers.push('Cache-Control: private, max-age=60');
  else if (path.startsWith('/nothing')) headers.push('X-Nothing: 1');
  else if (path.startsWith('/vary')) {
    headers.push('Cache-Control: max-age=60', 'Vary: Accept-Encoding');
    if (/gzip/.test(request.header('accept-encoding') ?? '')) headers.push('Content-Encoding: gzip');
  }
  const payload = path.startsWith('/big') ? body.padEnd(400, '.') : body;
  if (chunked) {
    const half = Math.floor(payload.length / 2);
    const chunks = [payload.slice(0, half), payload.slice(half)].map((c) => `${c.length.toString(16)}\r\n${c}\r\n`).join('');
    return { bytes: `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n${chunks}0\r\n\r\n`, after: 'keep' };
  }
  return { bytes: `HTTP/1.1 200 OK\r\nContent-Length: ${payload.length}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n${payload}`, after: 'keep' };
}

function header(res: HttpResponse, name: string): string | undefined {
  return res.headers.find(([n]) => n.toLowerCase() === name)?.[1];
}

for (const target of TARGETS) {
  describe(`HTTP cache on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    let app: HttpTestBackend;

    before(async () => {
      const list = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((n, i) => [n, list[i] as number])) as Ports;
      app = await scriptedBackend(ports.app, 'app', answer);
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await app.close();
    });

    /** One request on its own connection; returns the response and whether the server saw it. */
    async function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ res: HttpResponse; fromServer: boolean }> {
      const before = app.requests;
      const conn = await HttpConnection.open(port);
      const res = await conn.request(method, path, headers);
      conn.destroy();
      return { res, fromServer: app.requests > before };
    }

    it('stores a fresh response and serves it again without the server, with Age and through the response rules', async () => {
      const miss = await get(ports.fe, '/fresh');
      assert.equal(miss.fromServer, true);
      assert.equal(header(miss.res, 'x-hit'), '0');
      assert.equal(header(miss.res, 'age'), undefined);
      const hit = await get(ports.fe, '/fresh');
      assert.equal(hit.fromServer, false);
      assert.equal(hit.res.status, 200);
      assert.equal(hit.res.body.toString(), miss.res.body.toString());
      assert.equal(header(hit.res, 'x-hit'), '1');
      assert.equal(header(hit.res, 'x-cache'), 'small');
      assert.match(header(hit.res, 'age') ?? '', /^[01]$/);
      assert.equal(header(hit.res, 'content-length'), String(miss.res.body.length));
      assert.equal(header(hit.res, 'cache-control'), 'max-age=60');
    });

    it('keys on the URI with its query and on the Host', async () => {
      assert.equal((await get(ports.fe, '/fresh?other')).fromServer, true);
      assert.equal((await get(ports.fe, '/fresh', { host: 'elsewhere.test' })).fromServer, true);
      assert.equal((await get(ports.fe, '/fresh?other')).fromServer, false);
    });

    it('sends a stored chunked response as one chunk', async () => {
      const miss = await get(ports.fe, '/chunked');
      const hit = await get(ports.fe, '/chunked');
      assert.equal(hit.fromServer, false);
      assert.equal(hit.res.framing, 'chunked');
      assert.deepEqual(hit.res.chunkSizeLines, [miss.res.body.length.toString(16).toUpperCase(), '0']);
      assert.equal(hit.res.body.toString(), miss.res.body.toString());
    });

    it('answers HEAD from a GET entry, without a body, but does not store HEAD responses', async () => {
      await get(ports.fe, '/fresh-head');
      const head = await get(ports.fe, '/fresh-head', {}, 'HEAD');
      assert.equal(head.fromServer, false);
      assert.equal(header(head.res, 'x-hit'), '1');
      assert.equal(head.res.body.length, 0);
      assert.equal((await get(ports.fe, '/fresh-head-only', {}, 'HEAD')).fromServer, true);
      assert.equal((await get(ports.fe, '/fresh-head-only')).fromServer, true);
    });

    it('answers conditional requests with 304 from the entry (If-None-Match, If-Modified-Since)', async () => {
      assert.equal((await get(ports.fe, '/etag')).fromServer, true);
      const byTag = await get(ports.fe, '/etag', { 'if-none-match': 'W/"e1"' });
      assert.equal(byTag.fromServer, false);
      assert.equal(byTag.res.status, 304);
      assert.equal(header(byTag.res, 'etag'), '"e1"');
      assert.equal(byTag.res.body.length, 0);
      const otherTag = await get(ports.fe, '/etag', { 'if-none-match': '"e2"' });
      assert.equal(otherTag.res.status, 200);
      assert.equal(otherTag.fromServer, false);
      assert.equal((await get(ports.fe, '/etag', { 'if-modified-since': 'Thu, 22 Oct 2020 16:51:12 GMT' })).res.status, 304);
      assert.equal((await get(ports.fe, '/etag', { 'if-modified-since': 'Thu, 22 Oct 2020 16:51:11 GMT' })).res.status, 200);
    });

    it('expires an entry after its max-age', async () => {
      assert.equal((await get(ports.fe, '/short')).fromServer, true);
      assert.equal((await get(ports.fe, '/short')).fromServer, false);
      await delay(3100);
      assert.equal((await get(ports.fe, '/short')).fromServer, true);
    });

    it('stores nothing above max-object-size, nor no-store, private, or unvalidated responses', async () => {
      for (const path of ['/big', '/no-store', '/private', '/nothing']) {
        assert.equal((await get(ports.fe, path)).fromServer, true, path);
        assert.equal((await get(ports.fe, path)).fromServer, true, path);
      }
    });

    it('is bypassed by requests with Authorization or Cache-Control: no-cache, and by HTTP/1.0', async () => {
      await get(ports.fe, '/fresh-bypass');
      assert.equal((await get(ports.fe, '/fresh-bypass', { authorization: 'Basic dTpw' })).fromServer, true);
      assert.equal((await get(ports.fe, '/fresh-bypass', { 'cache-control': 'no-cache' })).fromServer, true);
      const before = app.requests;
      const conn = await HttpConnection.open(ports.fe);
      await conn.write('GET /fresh-bypass HTTP/1.0\r\nHost: example.test\r\n\r\n');
      await conn.read();
      conn.destroy();
      assert.equal(app.requests, before + 1);
      assert.equal((await get(ports.fe, '/fresh-bypass')).fromServer, false);
    });

    it('drops the entry after a successful POST to its URI', async () => {
      await get(ports.fe, '/fresh-post');
      assert.equal((await get(ports.fe, '/fresh-post')).fromServer, false);
      assert.equal((await get(ports.fe, '/fresh-post', { 'content-length': '0' }, 'POST')).fromServer, true);
      assert.equal((await get(ports.fe, '/fresh-post')).fromServer, true);
    });

    it('does not store a response with Vary without process-vary', async () => {
      assert.equal((await get(ports.fe, '/vary')).fromServer, true);
      assert.equal((await get(ports.fe, '/vary')).fromServer, true);
    });

    it('keys varying responses on the accepted encodings with process-vary on', async () => {
      const gzip = await get(ports.vary, '/vary', { 'accept-encoding': 'gzip' });
      assert.equal(gzip.fromServer, true);
      assert.equal(header(gzip.res, 'content-encoding'), 'gzip');
      const again = await get(ports.vary, '/vary', { 'accept-encoding': 'deflate, gzip' });
      assert.equal(again.fromServer, false);
      assert.equal(header(again.res, 'content-encoding'), 'gzip');
      const br = await get(ports.vary, '/vary', { 'accept-encoding': 'br' });
      assert.equal(br.fromServer, true);
      assert.equal(header(br.res, 'content-encoding'), undefined);
      const brAgain = await get(ports.vary, '/vary', { 'accept-encoding': 'br' });
      assert.equal(brAgain.fromServer, false);
      assert.equal(header(brAgain.res, 'content-encoding'), undefined);
    });

    it('counts lookups and hits on the backend (show stat) and lists the entries (show cache)', async () => {
      await get(ports.fe, '/fresh-count');
      await get(ports.fe, '/fresh-count');
      const csv = (await cli(ports.cli, 'show stat\n')).split('\n');
      const columns = (csv[0] as string).replace(/^# /, '').split(',');
      const row = (name: string) => (csv.find((l) => l.startsWith(`${name},BACKEND,`)) as string).split(',');
      const at = (r: string[], col: string) => Number(r[columns.indexOf(col)]);
      const be = row('be');
      assert.ok(at(be, 'cache_lookups') >= 2);
      assert.ok(at(be, 'cache_hits') >= 1);
      assert.ok(at(be, 'cache_hits') < at(be, 'cache_lookups'));
      const fe = (csv.find((l) => l.startsWith('fe,FRONTEND,')) as string).split(',');
      assert.equal(at(fe, 'cache_lookups'), 0);
      const show = await cli(ports.cli, 'show cache\n');
      assert.match(show, /^0x[0-9a-f]+: small \(shctx:0x[0-9a-f]+, available blocks:\d+\)$/m);
      assert.match(show, /^0x[0-9a-f]+: varied \(shctx:0x[0-9a-f]+, available blocks:\d+\)$/m);
      assert.match(show, /^0x[0-9a-f]+ hash:\d+ vary:0x0{16} size:\d+ \(\d+ blocks\), refcount:\d+, expire:\d+$/m);
    });
  });
}
