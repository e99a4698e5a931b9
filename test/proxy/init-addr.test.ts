/**
 * Startup name resolution (src/proxy/init-addr.ts): which addresses servers given by host name
 * get from their init-addr methods, and HAProxy 2.6's messages (checked against the binary:
 * `haproxy -c` with `server s1 no-such-host.invalid:80`, with `-dr`, `init-addr none`,
 * `init-addr libc,127.0.0.2`, `init-addr last`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineConfig } from '../../src/config/define-config.ts';
import { parseConfigText } from '../../src/config/load.ts';
import type { ConfigModel, ServerModel } from '../../src/config/model.ts';
import { decideInitAddr, initAddrMethods, resolveServerAddresses } from '../../src/proxy/init-addr.ts';
import { Proxy } from '../../src/proxy/proxy.ts';
import { Server } from '../../src/proxy/server.ts';
import { FakeRuntime, serveText } from '../support/fake-runtime.ts';
import { backend, config, frontend, server } from '../support/model.ts';

const HEAD = ['defaults', '  mode http', '  timeout connect 5s', '  timeout client 30s', '  timeout server 30s', 'backend b'];

/** `backend b` with these server lines, the first at line 7 of t.cfg. */
function withServers(...lines: string[]): Promise<ConfigModel> {
  return parseConfigText(`${[...HEAD, ...lines].join('\n')}\n`, 't.cfg');
}

async function resolve(rt: FakeRuntime, lines: string[], dontFail = false) {
  const outcome = await resolveServerAddresses(await withServers(...lines), (host, family) => rt.lookup(host, family), { dontFail });
  const servers = outcome.config.backends[0]?.servers ?? [];
  return { ...outcome, servers, addresses: servers.map((s) => [s.name, s.resolvedAddress]) };
}

describe('init-addr at startup', () => {
  it('resolves a host name once with the system resolver; IP literals are left alone', async () => {
    const rt = new FakeRuntime();
    const r = await resolve(rt, ['  server a localhost:8080', '  server b 10.0.0.1:80', '  server c localhost:8081']);
    assert.deepEqual(r.addresses, [
      ['a', '127.0.0.1'],
      ['b', undefined],
      ['c', '127.0.0.1'],
    ]);
    assert.deepEqual([r.alerts, r.warnings], [[], []]);
    assert.deepEqual(rt.lookups, ['localhost'], 'one lookup per name');
    // The configured name stays; the Server dials the address and checks certificates by name.
    const a = new Server(r.servers[0] as ServerModel);
    assert.deepEqual([a.host, a.hostname, a.port, a.status], ['127.0.0.1', 'localhost', 8080, 'UP']);
    const b = new Server(r.servers[1] as ServerModel);
    assert.deepEqual([b.host, b.hostname], ['10.0.0.1', undefined]);
  });

  it('takes the first address the resolver gives, whatever its family; ipv4@/ipv6@ ask for one family', async () => {
    const rt = new FakeRuntime();
    rt.hosts.set('dual.internal', ['::1', '127.0.0.2']);
    const r = await resolve(rt, ['  server a dual.internal:80', '  server b ipv4@dual.internal:80', '  server c ipv6@localhost:80'], true);
    assert.deepEqual(r.addresses, [
      ['a', '::1'],
      ['b', '127.0.0.2'],
      ['c', false],
    ]);
    assert.deepEqual(rt.lookups.sort(), ['dual.internal', 'dual.internal/4', 'localhost/6']);
    assert.deepEqual(r.warnings, ["[t.cfg:9] : 'server b/c' : could not resolve address 'localhost', disabling server."]);
  });

  it('refuses to start when a name does not resolve, naming the file, line and server', async () => {
    const r = await resolve(new FakeRuntime(), ['  server ok localhost:80', '  server s1 no-such-host.invalid:80']);
    assert.deepEqual(r.alerts, ["[t.cfg:8] : 'server b/s1' : could not resolve address 'no-such-host.invalid'."]);
    assert.deepEqual(r.warnings, []);
  });

  it('-dr: the server starts in maintenance instead, with a warning; the others serve', async () => {
    const r = await resolve(new FakeRuntime(), ['  server ok localhost:80', '  server s1 no-such-host.invalid:80 check'], true);
    assert.deepEqual(r.alerts, []);
    assert.deepEqual(r.warnings, ["[t.cfg:8] : 'server b/s1' : could not resolve address 'no-such-host.invalid', disabling server."]);
    assert.deepEqual(r.addresses, [
      ['ok', '127.0.0.1'],
      ['s1', false],
    ]);
    assert.equal(new Server(r.servers[1] as ServerModel).status, 'MAINT');
    assert.equal(new Server(r.servers[0] as ServerModel).status, 'UP');
  });

  it('init-addr none: no address, no lookup, no message', async () => {
    const rt = new FakeRuntime();
    const r = await resolve(rt, ['  server s1 no-such-host.invalid:80 init-addr none', '  server s2 localhost:80 init-addr none']);
    assert.deepEqual([r.alerts, r.warnings, rt.lookups], [[], [], []]);
    assert.deepEqual(r.addresses, [
      ['s1', false],
      ['s2', false],
    ]);
  });

  it('an IP method: used at once when first, a fallback with a warning after a failed libc', async () => {
    const rt = new FakeRuntime();
    const r = await resolve(rt, [
      '  server s1 no-such-host.invalid:80 init-addr 127.0.0.2',
      '  server s2 no-such-host.invalid:80 init-addr libc,127.0.0.3',
      '  server s3 localhost:80 init-addr libc,127.0.0.4',
      '  server s4 localhost:80 init-addr [::1],libc',
    ]);
    assert.deepEqual(r.addresses, [
      ['s1', '127.0.0.2'],
      ['s2', '127.0.0.3'],
      ['s3', '127.0.0.1'],
      ['s4', '::1'],
    ]);
    assert.deepEqual(r.warnings, [
      "[t.cfg:8] : 'server b/s2' : could not resolve address 'no-such-host.invalid', falling back to configured address.",
    ]);
    assert.deepEqual(rt.lookups.sort(), ['localhost', 'no-such-host.invalid']);
  });

  it('last is skipped (no server-state file): alone it finds no method, unless -dr adds none', async () => {
    const lines = ['  server s1 no-such-host.invalid:80 init-addr last', '  server s2 localhost:80 init-addr last,libc'];
    const strict = await resolve(new FakeRuntime(), lines);
    assert.deepEqual(strict.alerts, ["[t.cfg:7] : 'server b/s1' : no method found to resolve address 'no-such-host.invalid'."]);
    const lenient = await resolve(new FakeRuntime(), lines, true);
    assert.deepEqual([lenient.alerts, lenient.warnings], [[], []]);
    assert.deepEqual(lenient.addresses, [
      ['s1', false],
      ['s2', '127.0.0.1'],
    ]);
  });

  it('default-server init-addr applies to the servers after it', async () => {
    const r = await resolve(new FakeRuntime(), ['  default-server init-addr none', '  server s1 no-such-host.invalid:80']);
    assert.deepEqual([r.alerts, r.addresses], [[], [['s1', false]]]);
  });

  it('leaves disabled backends alone, as HAProxy', async () => {
    const rt = new FakeRuntime();
    const r = await resolve(rt, ['  disabled', '  server s1 no-such-host.invalid:80']);
    assert.deepEqual([r.alerts, r.addresses, rt.lookups], [[], [['s1', undefined]], []]);
  });

  it('names a defineConfig() server by its source (no line)', async () => {
    const model = defineConfig({ backends: { b: { servers: { s1: 'no-such-host.invalid:80' } } } });
    const outcome = await resolveServerAddresses(model, (host) => new FakeRuntime().lookup(host));
    assert.deepEqual(outcome.alerts, ["defineConfig() : 'server b/s1' : could not resolve address 'no-such-host.invalid'."]);
  });
});

describe('init-addr and the running proxy', () => {
  it('connections dial the address resolved at startup, never the name; an unresolved server gets none', async () => {
    const rt = new FakeRuntime();
    rt.hosts.set('app.internal', ['127.0.0.5']);
    await serveText(rt, '127.0.0.5', 9001, 'hello');
    const model = config(
      [frontend('fe', 8080, 'be')],
      [backend('be', [server('gone', 9002, { host: 'no-such-host.invalid' }), server('app', 9001, { host: 'app.internal' })])],
    );
    const resolved = await resolveServerAddresses(model, (host, family) => rt.lookup(host, family), { dontFail: true });
    const proxy = new Proxy(rt, resolved.config);
    await proxy.start();
    for (let i = 0; i < 4; i++) {
      const client = rt.dial('127.0.0.1', 8080);
      rt.flush();
      client.end();
      rt.flush();
    }
    assert.deepEqual(rt.connectAttempts, Array(4).fill('127.0.0.5:9001'), 'every connection went to the address, none to MAINT');
    assert.deepEqual(rt.lookups, ['no-such-host.invalid', 'app.internal'], 'names resolved once, at startup');
    await proxy.kill();
  });
});

describe('init-addr method walk (srv_iterate_initaddr)', () => {
  it('appends none for -dr where the list has room (ten methods at most)', () => {
    assert.deepEqual(initAddrMethods(undefined, false), ['last', 'libc']);
    assert.deepEqual(initAddrMethods(undefined, true), ['last', 'libc', 'none']);
    const full = { methods: Array(10).fill('libc'), address: undefined };
    assert.equal(initAddrMethods(full, true).length, 10);
  });

  it('stops at the first method that gives an address or none', () => {
    assert.deepEqual(decideInitAddr('h', ['libc', 'none'], undefined, ['10.0.0.1', '10.0.0.2']), { address: '10.0.0.1', message: undefined });
    assert.deepEqual(decideInitAddr('h', ['none', 'libc'], undefined, undefined), { address: false, message: undefined });
    assert.deepEqual(decideInitAddr('h', ['libc', 'libc', 'none'], undefined, undefined), {
      address: false,
      message: "could not resolve address 'h', disabling server.",
    });
    assert.deepEqual(decideInitAddr('h', ['last'], undefined, undefined), { address: undefined, message: "no method found to resolve address 'h'." });
    assert.deepEqual(decideInitAddr('h', ['last', 'libc'], undefined, undefined), { address: undefined, message: "could not resolve address 'h'." });
  });
});
