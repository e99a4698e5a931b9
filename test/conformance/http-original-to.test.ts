/**
 * Black-box conformance of `option originalto [except NETWORK] [header NAME]` (HAProxy's
 * reg-test http-rules/except-forwardfor-originalto.vtc): the server sees the address the client
 * connected to (as `http-request set-dst` left it), unless it is in the except network.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-original-to.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';

const PORT_NAMES = ['fe', 'plain', 'app'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
defaults
    mode http
    timeout connect 500ms
    timeout client 5s
    timeout server 5s

frontend fe
    bind 127.0.0.1:${p.fe}
    http-request set-dst hdr(x-dst) if { req.hdr(x-dst) -m found }
    use_backend be_v4 if { path /v4 }
    use_backend be_v6 if { path /v6 }
    use_backend be_hdr if { path /hdr }
    default_backend be_off

frontend fe_plain
    bind 127.0.0.1:${p.plain}
    option originalto
    default_backend be_off

backend be_v4
    option originalto except 10.0.0.1/25
    server s1 127.0.0.1:${p.app}

backend be_v6
    option originalto except 2001:db8:1f89::/48
    server s1 127.0.0.1:${p.app}

backend be_hdr
    option originalto header X-Dest
    server s1 127.0.0.1:${p.app}

backend be_off
    server s1 127.0.0.1:${p.app}
`;
}

for (const target of TARGETS) {
  describe(`option originalto on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    let app: HttpTestBackend | undefined;

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      app = await appBackend(ports.app, 'app');
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await app?.close();
    });

    const echoed = (text: string, name: string): string | undefined => new RegExp(`^${name}: (.*)$`, 'im').exec(text.replace(/\r/g, ''))?.[1];

    const sent = async (path: string, dst: string | undefined, header = 'x-original-to'): Promise<string | undefined> => {
      const conn = await HttpConnection.open(ports.fe);
      const res = await conn.request('GET', path, dst === undefined ? {} : { 'x-dst': dst });
      conn.destroy();
      assert.equal(res.status, 200, res.text);
      return echoed(res.text, header);
    };

    it('adds the destination address, except for the except network (IPv4 and IPv6)', async () => {
      assert.equal(await sent('/v4', '10.0.0.1'), undefined);
      assert.equal(await sent('/v4', '10.0.0.128'), '10.0.0.128');
      assert.equal(await sent('/v6', '2001:db8:1f89::1'), undefined);
      assert.equal(await sent('/v6', '2001:db8:1f90::1'), '2001:db8:1f90::1');
    });

    it('without set-dst, the address the client connected to; under the header name given', async () => {
      assert.equal(await sent('/hdr', undefined, 'x-dest'), '127.0.0.1');
      assert.equal(await sent('/hdr', undefined), undefined);
      assert.equal(await sent('/other', '10.9.9.9'), undefined, 'a backend without the option, its frontend without either');
    });

    it('the frontend\u2019s option applies to any backend', async () => {
      const conn = await HttpConnection.open(ports.plain);
      const res = await conn.request('GET', '/');
      conn.destroy();
      assert.equal(echoed(res.text, 'x-original-to'), '127.0.0.1');
    });
  });
}
