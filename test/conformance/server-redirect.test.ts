/**
 * Black-box conformance of the server option `redir PREFIX` (HAProxy 2.6's
 * http_perform_server_redirect): GET and HEAD requests assigned to the server get a 302 to
 * PREFIX and their path instead of reaching it, byte for byte as HAProxy's H1 mux writes it,
 * the connection then closes and the log says LC; other methods, and targets without a path,
 * are forwarded. `redir /` keeps the URL. Set here through `default-server`, as HAProxy allows.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/server-redirect.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { dial } from '../support/tcp-client.ts';
import type { Socket } from 'node:net';

/** Everything the proxy sends until it closes its side (the socket is half-open: we end ours then). */
function readUntilEnd(socket: Socket, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no end within ${timeoutMs} ms: ${JSON.stringify(Buffer.concat(chunks).toString('latin1'))}`));
    }, timeoutMs);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => {});
    socket.once('end', () => {
      clearTimeout(timer);
      socket.end();
      socket.destroy();
      resolve(Buffer.concat(chunks));
    });
  });
}

function configFor(fe: number, srv: number): string {
  return `
global
    maxconn 100
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${fe}
    log stdout format raw local0
    option httplog
    use_backend same if { hdr(host) -m str same }
    use_backend rewritten if { hdr(host) -m str rw }
    default_backend be

backend be
    default-server redir http://img.example.com
    server s1 127.0.0.1:${srv}

backend same
    server s2 127.0.0.1:${srv} redir /

backend rewritten
    http-request set-path /img%[path]
    http-request set-method GET if { method DELETE }
    server s3 127.0.0.1:${srv} redir http://cdn.example.com
`;
}

/** The 302 HAProxy 2.6 sends for a `redir` server. */
function redirect(location: string): string {
  return `HTTP/1.1 302 Found\r\ncache-control: no-cache\r\ncontent-length: 0\r\nlocation: ${location}\r\nconnection: close\r\n\r\n`;
}

for (const target of TARGETS) {
  describe(`server redir on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let fe: number;
    let backend: HttpTestBackend;

    before(async () => {
      const [p1, p2] = await freePorts(2);
      fe = p1 as number;
      backend = await appBackend(p2 as number, 'app');
      proxy = await startProxy(target, configFor(fe, p2 as number));
    });

    after(async () => {
      await stopProxy(target, proxy);
      await backend.close();
    });

    /** Sends `request` on a new connection and reads until the proxy closes it. */
    async function exchange(request: string): Promise<string> {
      const socket = await dial(fe);
      const done = readUntilEnd(socket, 10_000);
      socket.write(request);
      return (await done).toString('latin1');
    }

    async function logLine(requestLine: string): Promise<string> {
      let line: string | undefined;
      await eventually(() => {
        line = proxy?.stdout.split('\n').find((l) => l.includes(`"${requestLine}"`));
        return line !== undefined;
      }, 5000);
      assert.ok(line, `log line for ${requestLine}:\n${proxy?.stdout}`);
      return line;
    }

    it('answers a GET with a 302 to the prefix and the path, closes, and never reaches the server', async () => {
      const before = backend.accepted;
      const reply = await exchange('GET /a/b?x=1 HTTP/1.1\r\nhost: h\r\n\r\n');
      assert.equal(reply, redirect('http://img.example.com/a/b?x=1'));
      assert.equal(backend.accepted, before);
      const line = await logLine('GET /a/b?x=1 HTTP/1.1');
      assert.match(line, / fe be\/s1 0\/\d+\/-1\/-1\/\d+ 302 \d+ - - LC-- /);
    });

    it('answers a HEAD too, and an HTTP/1.0 request', async () => {
      assert.equal(await exchange('HEAD /p?q HTTP/1.1\r\nhost: h\r\n\r\n'), redirect('http://img.example.com/p?q'));
      assert.equal(await exchange('GET /old HTTP/1.0\r\n\r\n'), redirect('http://img.example.com/old'));
      assert.match(await logLine('HEAD /p?q HTTP/1.1'), / fe be\/s1 \S+ 302 \d+ - - LC-- /);
    });

    it('takes the path of an absolute-form target', async () => {
      const reply = await exchange('GET http://h/x/y?z HTTP/1.1\r\nhost: h\r\n\r\n');
      assert.equal(reply, redirect('http://img.example.com/x/y?z'));
    });

    it('forwards other methods to the server', async () => {
      const before = backend.requests;
      const reply = await exchange('POST /form HTTP/1.1\r\nhost: h\r\ncontent-length: 3\r\nconnection: close\r\n\r\nabc');
      assert.match(reply, /^HTTP\/1\.1 200 /);
      assert.equal(backend.requests, before + 1);
      assert.equal(backend.lastRequest()?.target, '/form');
      assert.match(await logLine('POST /form HTTP/1.1'), / fe be\/s1 \S+ 200 \d+ - - ---- /);
    });

    it('forwards a target without a path (absolute form without one)', async () => {
      const before = backend.requests;
      const reply = await exchange('GET http://h HTTP/1.1\r\nhost: h\r\nconnection: close\r\n\r\n');
      assert.match(reply, /^HTTP\/1\.1 200 /);
      assert.equal(backend.requests, before + 1);
    });

    it('redirects to the path as the rules left it, on the method the client sent', async () => {
      assert.equal(await exchange('GET /p?q=1 HTTP/1.1\r\nhost: rw\r\n\r\n'), redirect('http://cdn.example.com/img/p?q=1'));
      // A DELETE made a GET by the rules is still not redirected (HAProxy decides on the request as received).
      const before = backend.requests;
      const reply = await exchange('DELETE /d HTTP/1.1\r\nhost: rw\r\nconnection: close\r\n\r\n');
      assert.match(reply, /^HTTP\/1\.1 200 /);
      assert.equal(backend.requests, before + 1);
      assert.equal(backend.lastRequest()?.method, 'GET');
    });

    it("'redir /' keeps the URL as it is", async () => {
      assert.equal(await exchange('GET /same/x?1 HTTP/1.1\r\nhost: same\r\n\r\n'), redirect('/same/x?1'));
      assert.match(await logLine('GET /same/x?1 HTTP/1.1'), / fe same\/s2 \S+ 302 \d+ - - LC-- /);
    });
  });
}
