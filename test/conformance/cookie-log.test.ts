/**
 * Black-box conformance of the cookie persistence characters of `option httplog`'s %tsc (the
 * last two of the four): what the request's cookie was (N none, I invalid, D a server that
 * cannot take traffic, V valid) and what the proxy did with the response's (I inserted, N none).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/cookie-log.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, getWithTermination, startProxy, stopProxy } from '../support/http-suite.ts';

function configFor(fe: number, a: number): string {
  return `
global
    maxconn 100
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${fe}
    log stdout format raw local0
    option httplog
    default_backend be

backend be
    cookie SRV insert indirect nocache
    server a 127.0.0.1:${a} cookie ca
    server d 127.0.0.1:${a} cookie cd disabled
`;
}

for (const target of TARGETS) {
  describe(`cookie persistence in the httplog termination state on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let fe: number;
    let backend: HttpTestBackend;

    before(async () => {
      const [p1, p2] = await freePorts(2);
      fe = p1 as number;
      backend = await appBackend(p2 as number, 'a');
      proxy = await startProxy(target, configFor(fe, p2 as number));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await backend.close();
    });

    /** Sends one request (with this Cookie header, if any) and returns its log line's %tsc. */
    async function tscFor(path: string, cookie: string | undefined): Promise<string> {
      return (await getWithTermination(proxy, fe, path, cookie === undefined ? {} : { cookie })).tsc;
    }

    it('no cookie: N, and the proxy inserts one: I', async () => {
      assert.equal(await tscFor('/none', undefined), '--NI');
    });

    it('a valid cookie: V, and nothing to insert: N', async () => {
      assert.equal(await tscFor('/valid', 'SRV=ca'), '--VN');
    });

    it('an unknown value: I (invalid), and a fresh cookie: I', async () => {
      assert.equal(await tscFor('/invalid', 'SRV=zz'), '--II');
    });

    it('the cookie of a server in maintenance: D, and a new cookie: I', async () => {
      assert.equal(await tscFor('/down', 'SRV=cd'), '--DI');
    });
  });
}
