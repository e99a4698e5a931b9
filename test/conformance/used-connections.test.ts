/**
 * `used_conn_cur` (HAProxy's curr_used_conns): a server's connections that streams are using,
 * as HAProxy 2.6.12 shows them: a shareable HTTP connection counts while its request is in
 * flight and no longer once it went idle in the pool; a private one (`http-reuse never`) and a
 * `mode tcp` session's are not counted.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/used-connections.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { httpBackend, writeAsync, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { cli } from '../support/cli-client.ts';
import { freePorts } from '../support/ports.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';

/** pxname -> [scur, used_conn_cur] of each proxy's server s1. */
async function used(port: number): Promise<Map<string, [string, string]>> {
  const lines = (await cli(port, 'show stat\n')).split('\n');
  const header = (lines[0] ?? '').replace(/^# /, '').split(',');
  const scur = header.indexOf('scur');
  const usedAt = header.indexOf('used_conn_cur');
  const rows = new Map<string, [string, string]>();
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    if (cells[1] === 's1') rows.set(cells[0] as string, [cells[scur] as string, cells[usedAt] as string]);
  }
  return rows;
}

for (const target of TARGETS) {
  describe(`used_conn_cur on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let server: HttpTestBackend | undefined;
    let cliPort = 0;
    let shared = 0;
    let never = 0;
    let tcp = 0;
    let release: () => void = () => undefined;
    let gate = Promise.resolve();

    before(async () => {
      let serverPort = 0;
      [cliPort, shared, never, tcp, serverPort] = (await freePorts(5)) as [number, number, number, number, number];
      gate = new Promise<void>((resolve) => (release = resolve));
      server = await httpBackend(serverPort, 'app', async ({ socket, request }) => {
        if (request.target.startsWith('/hold')) await gate;
        await writeAsync(socket, 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
        return 'keep';
      });
      proxy = await startProxy(
        target,
        `
global
    stats socket 127.0.0.1:${cliPort} level admin
${HTTP_DEFAULTS}
frontend shared
    bind 127.0.0.1:${shared}
    default_backend shared
backend shared
    server s1 127.0.0.1:${serverPort}
frontend never
    bind 127.0.0.1:${never}
    default_backend never
backend never
    http-reuse never
    server s1 127.0.0.1:${serverPort}
listen tcp
    mode tcp
    bind 127.0.0.1:${tcp}
    server s1 127.0.0.1:${serverPort}
`,
      );
    });

    after(async () => {
      release();
      destroyAllClients();
      await stopProxy(target, proxy);
      await server?.close();
    });

    it('counts the shareable HTTP connections in use, not idle, private or TCP ones', async () => {
      const clients = await Promise.all([shared, never, tcp].map((port) => HttpConnection.open(port)));
      const answers = clients.map((c) => c.request('GET', '/hold', {}, undefined, 20_000));
      assert.ok(await server?.waitForRequests(3, 10_000), 'the three requests reach the server');
      const during = await used(cliPort);
      assert.deepEqual(during.get('shared'), ['1', '1']);
      assert.deepEqual(during.get('never'), ['1', '0']);
      assert.deepEqual(during.get('tcp'), ['1', '0']);
      release();
      for (const res of await Promise.all(answers)) assert.equal(res.status, 200);
      // The shared connection went idle in the pool: no longer in use (bounded wait).
      let afterwards = await used(cliPort);
      for (let i = 0; i < 100 && afterwards.get('shared')?.[1] !== '0'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        afterwards = await used(cliPort);
      }
      assert.deepEqual(afterwards.get('shared'), ['0', '0']);
      for (const c of clients) c.destroy();
    });
  });
}
