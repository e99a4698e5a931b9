/**
 * `thread [<group>/]<set>` on `bind` and `stats socket` lines, with `nbthread 2`: a bind restricted
 * to thread 2 is served by thread 2 only (the `thread` fetch, 0-based, says 1), one restricted to
 * `1/1` by thread 1 only; the runtime API still answers behind `thread 2`, and `show stat` shows
 * the frontend of the second thread OPEN. The configuration checks (HAProxy 2.6's messages) run
 * with `nbthread 1` on every target, Node 20 included.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/bind-thread.test.js
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePorts } from '../support/ports.ts';
import { ProxyProcess, runCli, writeTempConfig } from '../support/proxy-process.ts';
import { inheritableListener } from '../support/inheritable-listener.ts';
import { cli } from '../support/cli-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { nodeVersionOf, onNode } from '../support/runtimes.ts';

/** The body of one request on a connection of its own (to a port, or to a UNIX socket's path). */
function body(where: number | string): Promise<string> {
  return new Promise((resolve, reject) => {
    const to = typeof where === 'number' ? { host: '127.0.0.1', port: where } : { socketPath: where };
    const req = request({ ...to, path: '/', agent: false, timeout: 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve(text));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', reject);
    req.end();
  });
}

function refusesThreads(target: string): boolean {
  if (!onNode(target as never)) return false;
  const [major, minor] = nodeVersionOf(target as 'node' | 'node-system');
  return major < 22 || (major === 22 && minor < 12);
}

const ANSWER = '    http-request return status 200 content-type text/plain lf-string "%[thread]"';

for (const target of TARGETS) {
  describe(`bind 'thread' with nbthread 2 on ${target}`, { skip: refusesThreads(target) ? 'nbthread is refused on this Node' : false }, () => {
    let proxy: ProxyProcess | undefined;
    let second: number;
    let first: number;
    let both: number;
    let cliPort: number;
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-bind-thread-'));
    const unixPath = join(dir, 'fe.sock');

    before(async () => {
      [second, first, both, cliPort] = (await freePorts(4)) as [number, number, number, number];
      proxy = await startProxy(
        target,
        `global\n    nbthread 2\n    stats socket 127.0.0.1:${cliPort} level admin thread 2\n${HTTP_DEFAULTS}
frontend fe_second
    bind 127.0.0.1:${second} thread 2
${ANSWER}
frontend fe_first
    bind 127.0.0.1:${first} thread 1/1
${ANSWER}
frontend fe_both
    bind 127.0.0.1:${both} thread 1-2
${ANSWER}
frontend fe_unix
    bind unix@${unixPath} thread 2
${ANSWER}
`,
      );
    });

    after(async () => {
      // HAProxy warns "Proxy fe_second stopped" after the shutdown test: only Switchyard's exit is checked.
      const code = await proxy?.stop();
      if (target !== 'haproxy') assert.equal(code, 0, proxy?.stderr);
      rmSync(dir, { recursive: true, force: true });
    });

    it("'thread 2': every connection is served by the second thread (the thread fetch says 1)", async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 20; i++) seen.add(await body(second));
      assert.deepEqual([...seen], ['1']);
    });

    it("'thread 1/1': every connection is served by the first thread", async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 20; i++) seen.add(await body(first));
      assert.deepEqual([...seen], ['0']);
    });

    it("a UNIX socket with 'thread 2' is served by the second thread", async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 10; i++) seen.add(await body(unixPath));
      assert.deepEqual([...seen], ['1']);
    });

    it("'thread 1-2': the threads named are those of nbthread, each may serve", async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 20; i++) seen.add(await body(both));
      for (const thread of seen) assert.ok(thread === '0' || thread === '1', thread);
    });

    it("the runtime API answers behind 'thread 2'; show stat shows the second thread's frontend OPEN", async () => {
      assert.equal(await cli(cliPort, 'show cli level\n'), 'admin\n\n');
      const csv = await cli(cliPort, 'show stat\n');
      const header = (csv.split('\n')[0] ?? '').replace(/^# /, '').split(',');
      const row = csv.split('\n').find((l) => l.startsWith('fe_second,FRONTEND,'));
      assert.ok(row !== undefined, csv);
      assert.equal(row.split(',')[header.indexOf('status')], 'OPEN');
    });

    it("'shutdown frontend' closes the second thread's listener: one listener less, STOP, connections refused", async () => {
      const listeners = async (): Promise<number> => Number(/^Listeners: (\d+)$/m.exec(await cli(cliPort, 'show info\n'))?.[1]);
      // fe_second, fe_first, fe_both, fe_unix and the stats socket.
      assert.equal(await listeners(), 5);
      assert.equal(await cli(cliPort, 'shutdown frontend fe_second\n'), '\n');
      assert.equal(await listeners(), 4);
      const csv = await cli(cliPort, 'show stat\n');
      const header = (csv.split('\n')[0] ?? '').replace(/^# /, '').split(',');
      const row = csv.split('\n').find((l) => l.startsWith('fe_second,FRONTEND,'));
      assert.equal(row?.split(',')[header.indexOf('status')], 'STOP', csv);
      assert.equal(await cli(cliPort, 'shutdown frontend fe_second\n'), 'Frontend was already shut down.\n\n');
      // The second thread closes its listener when the command reaches it: wait for that.
      let refused = false;
      for (const deadline = Date.now() + 10_000; !refused && Date.now() < deadline; ) {
        refused = await body(second).then(
          () => false,
          (error: Error) => /ECONNREFUSED/.test(error.message),
        );
        if (!refused) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.ok(refused, 'fe_second still accepts after its shutdown');
    });
  });

  describe(`bind fd@N 'thread 2' on ${target}`, { skip: refusesThreads(target) ? 'nbthread is refused on this Node' : false }, () => {
    let proxy: ProxyProcess | undefined;
    let port = 0;

    before(async () => {
      const inherited = await inheritableListener();
      port = inherited.port;
      const text = `global\n    nbthread 2\n${HTTP_DEFAULTS}\nfrontend fe\n    bind fd@${inherited.fd} thread 2\n${ANSWER}\n`;
      const starting = ProxyProcess.startInheriting(target, text, [inherited.fd], [], port);
      // Our copy stops accepting at once; connections wait in the socket's queue for the proxy.
      inherited.server.close();
      proxy = await starting;
    });

    after(async () => {
      await stopProxy(target, proxy);
    });

    it('an inherited socket is accepted on by the thread named', async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 10; i++) seen.add(await body(port));
      assert.deepEqual([...seen], ['1']);
    });
  });

  describe(`bind 'thread' configuration checks on ${target}`, () => {
    async function check(lines: string): Promise<{ code: number | null; stderr: string; path: string }> {
      const cfg = writeTempConfig(`global\n    nbthread 1\n${HTTP_DEFAULTS}\nfrontend fe\n${lines}\n${ANSWER}\n`);
      try {
        const { code, stderr } = await runCli(target, ['-c', '-f', cfg.path]);
        return { code, stderr, path: cfg.path };
      } finally {
        cfg.cleanup();
      }
    }

    it("a thread above nbthread is refused after parsing, as HAProxy's thread_resolve_group_mask", async () => {
      const { code, stderr, path } = await check('    bind 127.0.0.1:8001 thread 2');
      assert.equal(code, 1, stderr);
      assert.ok(
        stderr.includes(`Proxy 'fe': 'thread' directive contains threads that belong to no group in 'bind 127.0.0.1:8001' at [${path}:12].`),
        stderr,
      );
      const group = await check('    bind 127.0.0.1:8001 thread 1/2');
      assert.equal(group.code, 1, group.stderr);
      assert.ok(group.stderr.includes("Proxy 'fe': 'thread' directive only references threads not belonging to the group in 'bind 127.0.0.1:8001'"), group.stderr);
    });

    it("bad sets and groups are refused at their line with HAProxy's messages", async () => {
      const { code, stderr } = await check(
        [
          '    bind 127.0.0.1:8001 thread 2/1',
          '    bind 127.0.0.1:8002 thread x',
          '    bind 127.0.0.1:8003 thread 0',
          '    bind 127.0.0.1:8004 thread 1/1 thread 1',
          '    bind 127.0.0.1:8005 process 1/x',
        ].join('\n'),
      );
      assert.equal(code, 1, stderr);
      for (const [line, message] of [
        [12, "'bind 127.0.0.1:8001' in section 'frontend' : '2/1' thread-group number must be between 1 and 1 (was 2)"],
        [13, "'bind 127.0.0.1:8002' in section 'frontend' : 'x' : 'x' is not a valid number/range."],
        [14, "'bind 127.0.0.1:8003' in section 'frontend' : '0' : '0' is not a valid number/range. It supports numbers from 1 to 64."],
        [15, "'bind 127.0.0.1:8004' in section 'frontend' : '1' multiple thread-groups are not supported"],
        [16, "'bind 127.0.0.1:8005' in section 'frontend' : 'process' : 'x' is not a valid number/range."],
      ] as const) {
        assert.ok(stderr.includes(`:${line}] : ${message}\n`), `${message}\n${stderr}`);
      }
    });

    it("'process 1/1' restricts to thread 1 with HAProxy's deprecation warning; 'thread 1' and 'thread all' are valid", async () => {
      const { code, stderr } = await check('    bind 127.0.0.1:8001 thread 1\n    bind 127.0.0.1:8002 thread all\n    bind 127.0.0.1:8003 process 1/1');
      assert.equal(code, 0, stderr);
      assert.match(stderr, /'bind 127\.0\.0\.1:8003' in section 'frontend' : 'process 1\/1' on 'bind' lines is deprecated and will be removed in 2\.7\. Please use 'thread 1' instead\./);
    });

    it("'stats socket' checks its thread set as HAProxy's GLOBAL frontend", async () => {
      const cfg = writeTempConfig(`global\n    nbthread 1\n    stats socket 127.0.0.1:8009 thread 2\n${HTTP_DEFAULTS}\nfrontend fe\n    bind 127.0.0.1:8001\n${ANSWER}\n`);
      try {
        const { code, stderr } = await runCli(target, ['-c', '-f', cfg.path]);
        assert.equal(code, 1, stderr);
        assert.ok(stderr.includes(`Proxy 'GLOBAL': 'thread' directive contains threads that belong to no group in 'bind 127.0.0.1:8009' at [${cfg.path}:3].`), stderr);
      } finally {
        cfg.cleanup();
      }
    });
  });
}
