/**
 * A `mode tcp` frontend turning HTTP (HAProxy 2.6's stream_set_http_mode) through the real
 * proxy: `tcp-request content switch-mode http` serves HTTP/1, or HTTP/2 when the client sent
 * its preface; the upgraded stream keeps the variables the content rules set, each later
 * request (and every HTTP/2 stream) runs the content rules again as an HTTP stream
 * (`internal.strm.is_htx` true, the HTTP ACL true); the frontend's http-request rules apply;
 * `switch-mode http proto h1` refuses the HTTP/2 preface (400), and a `bind ... proto none`
 * connection cannot be upgraded (closed). Reg-test connection/tcp_to_http_upgrade checks the same.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/tcp-http-upgrade.test.js
 */
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy } from '../support/http-suite.ts';
import { dial, readToEnd } from '../support/tcp-client.ts';

const PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';

/** Two requests over one HTTP/2 connection with prior knowledge: their x-stream-mode answers. */
async function overHttp2(port: number): Promise<string[]> {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  try {
    const one = (): Promise<string> =>
      new Promise((resolve, reject) => {
        const req = session.request({ ':path': '/' });
        req.on('response', (headers) => resolve(String(headers['x-stream-mode'])));
        req.on('error', reject);
        req.resume();
        req.end();
      });
    return [await one(), await one()];
  } finally {
    session.close();
  }
}

for (const target of TARGETS) {
  describe(`tcp to HTTP upgrades on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let upgrading: number;
    let h1Only: number;
    let passThrough: number;

    before(async () => {
      [upgrading, h1Only, passThrough] = (await freePorts(3)) as [number, number, number];
      proxy = await startProxy(
        target,
        `
${HTTP_DEFAULTS}
frontend fe1
    mode tcp
    bind 127.0.0.1:${upgrading}
    tcp-request inspect-delay 1s
    tcp-request content set-var(req.stream_mode) internal.strm.is_htx,iif(http,tcp)
    tcp-request content switch-mode http if HTTP
    tcp-request content reject
    http-request return status 200 hdr x-stream-mode %[var(req.stream_mode)]

listen h1only
    mode tcp
    bind 127.0.0.1:${h1Only}
    tcp-request inspect-delay 1s
    tcp-request content switch-mode http proto h1 if HTTP
    tcp-request content reject
    http-request return status 200

listen passthrough
    mode tcp
    bind 127.0.0.1:${passThrough} proto none
    tcp-request inspect-delay 1s
    tcp-request content switch-mode http if HTTP
    tcp-request content reject
    http-request return status 200
`,
      );
    });

    after(async () => {
      destroyAllClients();
      await proxy?.stop();
    });

    it('HTTP/1: the first request keeps what the tcp stream set, the next ones run the content rules as HTTP streams', async () => {
      const conn = await HttpConnection.open(upgrading);
      try {
        const first = await conn.request('GET', '/');
        assert.equal(first.status, 200);
        assert.equal(first.header('x-stream-mode'), 'tcp');
        const second = await conn.request('GET', '/again');
        assert.equal(second.status, 200);
        assert.equal(second.header('x-stream-mode'), 'http');
      } finally {
        conn.destroy();
      }
    });

    it('HTTP/2 preface: every stream is an HTTP stream of its own', async () => {
      assert.deepEqual(await overHttp2(upgrading), ['http', 'http']);
    });

    it("'switch-mode http proto h1' answers the HTTP/2 preface with 400", async () => {
      const socket = await dial(h1Only);
      socket.write(PREFACE);
      const answer = (await readToEnd(socket, 5000)).toString('latin1');
      assert.match(answer, /^HTTP\/1\.[01] 400 /);
    });

    it("a 'bind ... proto none' connection cannot turn HTTP: closed without an answer", async () => {
      const socket = await dial(passThrough);
      socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.equal((await readToEnd(socket, 5000)).length, 0);
    });
  });
}
