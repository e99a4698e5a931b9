/**
 * `http-request do-resolve(VAR,RESOLVERS,ipv4) EXPR` as HAProxy 2.6 runs it, against a
 * nameserver in the test process (test/support/fake-dns-server.ts): the rules wait for the
 * answer, the variable holds the address, and `set-dst` sends the request to a server
 * `0.0.0.0` at that address; a name answered NXDOMAIN, or not answered within the retries,
 * leaves the variable unset (503 here). Without `ipv4`, AAAA is asked first, then A. A name
 * nothing else resolves is asked for each request; a server's fresh answer is shared.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/dns-do-resolve.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { eventually, HTTP_DEFAULTS, TARGETS, type Target } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import { ProxyProcess } from '../support/proxy-process.ts';
import { FakeDnsServer } from '../support/fake-dns-server.ts';
import { refusesThreads } from '../support/runtimes.ts';

async function stop(target: Target, proxy: ProxyProcess | undefined): Promise<void> {
  if (proxy === undefined) return;
  const code = await proxy.stop();
  if (target !== 'haproxy') assert.equal(code, 0, `proxy exit code\n${proxy.stderr}`);
}

for (const target of TARGETS) {
  describe(`http-request do-resolve on ${target}`, () => {
    let port: number;
    let v6Port: number;
    let appPort: number;
    let dns: FakeDnsServer;
    const apps: HttpTestBackend[] = [];
    let proxy: ProxyProcess | undefined;

    before(async () => {
      [port, v6Port, appPort] = (await freePorts(3)) as [number, number, number];
      apps.push(await appBackend(appPort, 'one', { host: '127.0.0.1' }), await appBackend(appPort, 'two', { host: '127.0.0.2' }));
      dns = await FakeDnsServer.start();
      dns.set('one.switchyard.test', { records: [{ type: 'A', address: '127.0.0.1' }] });
      dns.set('two.switchyard.test', { records: [{ type: 'A', address: '127.0.0.2' }] });
      dns.set('nx.switchyard.test', { rcode: 3 });
      dns.set('v4only.switchyard.test', { records: [{ type: 'A', address: '127.0.0.2' }] });
      proxy = await ProxyProcess.start(
        target,
        `resolvers dns
    nameserver ns1 127.0.0.1:${dns.port}
    resolve_retries 2
    timeout retry 2s
${HTTP_DEFAULTS}
frontend f
    bind 127.0.0.1:${port}
    http-request do-resolve(txn.dstip,dns,ipv4) req.hdr(x-name),lower
    http-request deny deny_status 503 unless { var(txn.dstip) -m found }
    http-request set-dst var(txn.dstip)
    http-response set-header x-resolved %[var(txn.dstip)]
    default_backend b

frontend v6first
    bind 127.0.0.1:${v6Port}
    http-request do-resolve(txn.dstip,dns) req.hdr(x-name)
    http-request set-dst var(txn.dstip)
    default_backend b

backend b
    server clear 0.0.0.0:${appPort}
`,
      );
    });

    after(async () => {
      destroyAllClients();
      await stop(target, proxy);
      await Promise.all(apps.map((a) => a.close()));
      await dns.close();
    });

    it('waits for the answer, stores the address and routes the request there with set-dst', async () => {
      const conn = await HttpConnection.open(port);
      try {
        let res = await conn.request('GET', '/', { host: 'test', 'x-name': 'ONE.switchyard.test' });
        assert.equal(res.status, 200, (proxy as ProxyProcess).stderr);
        assert.equal(res.header('x-backend'), 'one');
        assert.equal(res.header('x-resolved'), '127.0.0.1');
        // The next request on the connection resolves its own name.
        res = await conn.request('GET', '/', { host: 'test', 'x-name': 'two.switchyard.test' });
        assert.equal(res.status, 200);
        assert.equal(res.header('x-backend'), 'two');
        assert.equal(res.header('x-resolved'), '127.0.0.2');
        // Nothing else resolves the name: each request asks again (HAProxy frees the resolution with its last requester).
        res = await conn.request('GET', '/', { host: 'test', 'x-name': 'one.switchyard.test' });
        assert.equal(res.header('x-backend'), 'one');
        assert.equal(dns.count('one.switchyard.test'), 2);
      } finally {
        conn.destroy();
      }
      // ipv4: the A record is asked first, for the lower-cased name.
      assert.equal(dns.queries.find((q) => q.name === 'one.switchyard.test')?.qtype, 1);
    });

    it('asks AAAA first without ipv4, then A when the answer has no AAAA record', async () => {
      const conn = await HttpConnection.open(v6Port);
      try {
        const res = await conn.request('GET', '/', { host: 'test', 'x-name': 'v4only.switchyard.test' });
        assert.equal(res.header('x-backend'), 'two');
      } finally {
        conn.destroy();
      }
      assert.deepEqual(dns.queries.filter((q) => q.name === 'v4only.switchyard.test').map((q) => q.qtype).slice(0, 2), [28, 1]);
    });

    it('leaves the variable unset when the name does not exist', async () => {
      const conn = await HttpConnection.open(port);
      try {
        const res = await conn.request('GET', '/', { host: 'test', 'x-name': 'nx.switchyard.test' }, undefined, 15_000);
        assert.equal(res.status, 503);
        assert.equal(res.header('x-backend'), undefined);
      } finally {
        conn.destroy();
      }
      assert.ok(dns.count('nx.switchyard.test') >= 1);
    });

    it('a name without any answer times out after the retries: the variable stays unset', async () => {
      // The client that gives up first leaves the resolution behind; the proxy goes on.
      const gone = await HttpConnection.open(port);
      const abandoned = gone.request('GET', '/', { host: 'test', 'x-name': 'silent.switchyard.test' }).catch(() => undefined);
      assert.ok(await eventually(() => dns.count('silent.switchyard.test') >= 1, 5000));
      gone.destroy();
      await abandoned;
      const conn = await HttpConnection.open(port);
      try {
        const res = await conn.request('GET', '/', { host: 'test', 'x-name': 'silent.switchyard.test' }, undefined, 15_000);
        assert.equal(res.status, 503);
        const next = await conn.request('GET', '/', { host: 'test', 'x-name': 'one.switchyard.test' });
        assert.equal(next.header('x-backend'), 'one');
      } finally {
        conn.destroy();
      }
    });

    it('skips the resolution when the expression gives no name', async () => {
      const conn = await HttpConnection.open(port);
      try {
        const res = await conn.request('GET', '/', { host: 'test' });
        assert.equal(res.status, 503);
      } finally {
        conn.destroy();
      }
    });
  });
}

for (const target of TARGETS) {
  describe(`http-request do-resolve sharing a server's resolution on ${target}`, () => {
    let port: number;
    let appPort: number;
    let dns: FakeDnsServer;
    let app: HttpTestBackend | undefined;
    let proxy: ProxyProcess | undefined;

    before(async () => {
      [port, appPort] = (await freePorts(2)) as [number, number];
      app = await appBackend(appPort, 'one', { host: '127.0.0.1' });
      dns = await FakeDnsServer.start();
      dns.set('shared.switchyard.test', { records: [{ type: 'A', address: '127.0.0.1' }] });
    });

    after(async () => {
      destroyAllClients();
      await stop(target, proxy);
      await app?.close();
      await dns.close();
    });

    it('a valid answer younger than hold valid is used without asking again', async () => {
      proxy = await ProxyProcess.start(
        target,
        `resolvers dns
    nameserver ns1 127.0.0.1:${dns.port}
    timeout resolve 60s
    timeout retry 5s
    hold valid 60s
${HTTP_DEFAULTS}
frontend f
    bind 127.0.0.1:${port}
    http-request do-resolve(txn.dstip,dns,ipv4) req.hdr(x-name)
    http-request set-dst var(txn.dstip)
    default_backend b

backend b
    server clear 0.0.0.0:${appPort}

backend watch
    server s shared.switchyard.test:${appPort} resolvers dns resolve-prefer ipv4 init-addr none
`,
      );
      assert.ok(await eventually(() => dns.count('shared.switchyard.test') >= 1, 5000));
      for (let i = 0; i < 2; i++) {
        const conn = await HttpConnection.open(port);
        try {
          const res = await conn.request('GET', '/', { host: 'test', 'x-name': 'shared.switchyard.test' });
          assert.equal(res.header('x-backend'), 'one');
        } finally {
          conn.destroy();
        }
      }
      // The server's resolution answered (or was still running) for both: one query in all.
      assert.equal(dns.count('shared.switchyard.test'), 1);
    });
  });
}

for (const target of TARGETS) {
  // Only the main thread resolves the servers' names; each thread resolves its own streams'.
  describe(`http-request do-resolve with nbthread 2 on ${target}`, { skip: refusesThreads(target) ? 'no threads on this Node' : false }, () => {
    let port: number;
    let appPort: number;
    let dns: FakeDnsServer;
    let app: HttpTestBackend;
    let proxy: ProxyProcess | undefined;

    before(async () => {
      [port, appPort] = (await freePorts(2)) as [number, number];
      app = await appBackend(appPort, 'one', { host: '127.0.0.1' });
      dns = await FakeDnsServer.start();
      dns.set('one.switchyard.test', { records: [{ type: 'A', address: '127.0.0.1' }] });
      proxy = await ProxyProcess.start(
        target,
        `global
    nbthread 2
resolvers dns
    nameserver ns1 127.0.0.1:${dns.port}
    resolve_retries 2
    timeout retry 2s
${HTTP_DEFAULTS}
frontend f
    bind 127.0.0.1:${port}
    http-request do-resolve(txn.dstip,dns,ipv4) req.hdr(x-name)
    http-request deny deny_status 503 unless { var(txn.dstip) -m found }
    http-request set-dst var(txn.dstip)
    http-response set-header x-thread %[thread]
    default_backend b

backend b
    server clear 0.0.0.0:${appPort}
`,
      );
    });

    after(async () => {
      destroyAllClients();
      await stop(target, proxy);
      await app.close();
      await dns.close();
    });

    it('every thread waits for the answer and routes its requests to the address', async () => {
      const threads = new Set<string>();
      for (let i = 0; i < 40 && threads.size < 2; i++) {
        const conn = await HttpConnection.open(port);
        try {
          const res = await conn.request('GET', '/', { host: 'test', 'x-name': 'one.switchyard.test' });
          assert.equal(res.status, 200, (proxy as ProxyProcess).stderr);
          assert.equal(res.header('x-backend'), 'one');
          threads.add(res.header('x-thread') ?? '');
        } finally {
          conn.destroy();
        }
      }
      assert.deepEqual([...threads].sort(), ['0', '1']);
    });
  });
}
