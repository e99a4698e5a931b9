/**
 * Black-box conformance of a passive persistence cookie (`cookie NAME` without insert, rewrite
 * or prefix): the servers set NAME themselves, the proxy routes a request carrying it to the
 * server with that `cookie` value and leaves requests and responses alone — except that
 * `indirect` removes the server's Set-Cookie from a response to a request that came with a valid
 * cookie (the client has it), unless `preserve`; `nocache` adds nothing (it goes with insertion).
 * The httplog's cookie characters (the last two of %tsc) stay `--` for a plain passive cookie
 * (HAProxy prints them only with a mode or `indirect`), and read V/I/N, D/P with `indirect`.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/cookie-passive.test.js
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { httpBackend, writeAsync, type HttpTestBackend } from '../support/http-backends.ts';
import type { HttpResponse } from '../support/http-wire.ts';
import { HTTP_DEFAULTS, TARGETS, getWithTermination, proxyWithBackends } from '../support/http-suite.ts';

const PORT_NAMES = ['plain', 'indirect', 'preserve', 's1', 's2', 's3'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  const servers = `    server s1 127.0.0.1:${p.s1} cookie s1
    server s2 127.0.0.1:${p.s2} cookie s2
    server s3 127.0.0.1:${p.s3} cookie s3`;
  const listen = (name: string, port: number, cookie: string) => `
listen ${name}
    bind 127.0.0.1:${port}
    log stdout format raw local0
    option httplog
    ${cookie}
${servers}
`;
  return `
global
    maxconn 100
${HTTP_DEFAULTS}
${listen('plain', p.plain, 'cookie SRV')}
${listen('indirect', p.indirect, 'cookie SRV indirect')}
${listen('preserve', p.preserve, 'cookie SRV indirect preserve nocache')}
`;
}

/** A server that sets its own persistence cookie and says which Cookie header it was sent. */
function cookieServer(port: number, name: string): Promise<HttpTestBackend> {
  return httpBackend(port, name, async ({ socket, request }) => {
    const seen = request.headers.find(([n]) => n.toLowerCase() === 'cookie')?.[1] ?? '-';
    await writeAsync(
      socket,
      `HTTP/1.1 200 OK\r\nSet-Cookie: SRV=${name}; path=/\r\nx-backend: ${name}\r\nx-cookie-seen: ${seen}\r\nCache-Control: max-age=60\r\ncontent-length: 2\r\n\r\nok`,
    );
    return 'keep';
  });
}

for (const target of TARGETS) {
  describe(`passive cookie persistence on ${target}`, () => {
    const suite = proxyWithBackends(target, PORT_NAMES, configFor, (ports) => Promise.all((['s1', 's2', 's3'] as const).map((name) => cookieServer(ports[name], name))));
    let sequence = 0;

    /** One request (with this Cookie header, if any): the response and its log line's %tsc. */
    function send(port: number, cookie: string | undefined): Promise<{ res: HttpResponse; tsc: string }> {
      return getWithTermination(suite.proxy, port, `/r${++sequence}`, cookie === undefined ? {} : { cookie });
    }

    it('the cookie the server set routes the client back to it; requests and responses pass untouched; the log shows --', async () => {
      const first = await send(suite.ports.plain, undefined);
      const server = first.res.header('x-backend') ?? '';
      assert.equal(first.res.header('set-cookie'), `SRV=${server}; path=/`);
      assert.equal(first.tsc, '----');
      for (let i = 0; i < 3; i++) {
        const back = await send(suite.ports.plain, `SRV=${server}`);
        assert.equal(back.res.header('x-backend'), server, 'persistence');
        assert.equal(back.res.header('x-cookie-seen'), `SRV=${server}`, 'the request cookie reaches the server');
        assert.equal(back.res.header('set-cookie'), `SRV=${server}; path=/`, "the server's cookie passes");
        assert.equal(back.tsc, '----');
      }
      const among = await send(suite.ports.plain, 'a=1; SRV=s3; b=2');
      assert.equal(among.res.header('x-backend'), 's3');
      assert.equal(among.res.header('x-cookie-seen'), 'a=1; SRV=s3; b=2');
      assert.equal((await send(suite.ports.plain, 'SRV=zz')).tsc, '----', 'an unknown value: balanced, logged --');
    });

    it('indirect: the server cookie is dropped from a direct hit response only; V/I/N and D/P in the log', async () => {
      const none = await send(suite.ports.indirect, undefined);
      assert.equal(none.tsc, '--NP');
      assert.ok(none.res.header('set-cookie')?.startsWith('SRV='));
      const direct = await send(suite.ports.indirect, 'SRV=s2');
      assert.equal(direct.res.header('x-backend'), 's2');
      assert.equal(direct.res.header('x-cookie-seen'), 'SRV=s2', 'not removed from the request (that is insert indirect)');
      assert.equal(direct.res.header('set-cookie'), undefined, 'the client has it already');
      assert.equal(direct.tsc, '--VD');
      const unknown = await send(suite.ports.indirect, 'SRV=zz');
      assert.ok(unknown.res.header('set-cookie')?.startsWith('SRV='));
      assert.equal(unknown.tsc, '--IP');
    });

    it('indirect preserve: the server cookie always passes; nocache adds no Cache-control', async () => {
      const direct = await send(suite.ports.preserve, 'SRV=s1');
      assert.equal(direct.res.header('x-backend'), 's1');
      assert.equal(direct.res.header('set-cookie'), 'SRV=s1; path=/');
      assert.equal(direct.res.header('cache-control'), 'max-age=60');
      assert.equal(direct.tsc, '--VP');
      assert.equal((await send(suite.ports.preserve, undefined)).tsc, '--NP');
    });
  });
}
