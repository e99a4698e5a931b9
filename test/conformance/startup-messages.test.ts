/**
 * What the process says while it starts, and the global keywords that change it, through the
 * real program and against HAProxy 2.6: `quiet` / -q (nothing said, not even an alert, while
 * starting), `zero-warning` / -dW (a warning stops the start; a `.notice` is no warning), the
 * keywords HAProxy removed (refused with HAProxy's own advice), `ulimit-n` with and without
 * `strict-limits`, and `grace` (a soft stop announced by the `stopping` fetch while the
 * listeners still accept).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/startup-messages.test.js
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ProxyProcess, runCli, writeTempConfig } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually } from '../support/http-suite.ts';

/** A valid configuration that gives HAProxy's "missing timeouts" warning. */
const WARNS = `
defaults
    mode http
frontend fe
    bind 127.0.0.1:1
    http-request return status 200
`;

const VALID = `
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:1
    http-request return status 200
`;

async function check(target: (typeof TARGETS)[number], text: string, args: readonly string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cfg = writeTempConfig(text);
  try {
    return await runCli(target, [...args, '-c', '-f', cfg.path]);
  } finally {
    cfg.cleanup();
  }
}

/** The soft limit of open files this test runs with (inherited by the proxy), or undefined. */
function openFilesLimit(): { soft: number; hard: number } | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'latin1').split('\n').find((l) => l.startsWith('Max open files'));
    const [soft, hard] = (line ?? '').slice('Max open files'.length).trim().split(/\s+/).map(Number);
    return soft === undefined || hard === undefined || !Number.isFinite(soft) || !Number.isFinite(hard) ? undefined : { soft, hard };
  } catch {
    return undefined;
  }
}

for (const target of TARGETS) {
  describe(`startup messages on ${target}`, () => {
    it('global quiet: the warnings and the verdict of -c are not printed', async () => {
      const loud = await check(target, WARNS);
      assert.equal(loud.code, 0, loud.stderr);
      assert.match(loud.stderr, /missing timeouts for frontend 'fe'/);
      assert.match(loud.stdout, /Configuration file is valid/);
      const quiet = await check(target, `global\n    quiet\n${WARNS}`);
      assert.deepEqual([quiet.code, quiet.stdout, quiet.stderr], [0, '', '']);
    });

    it('quiet also silences the alerts of a configuration that fails (-q and the global keyword)', async () => {
      const bad = `${VALID}    bogus-keyword\n`;
      const loud = await check(target, bad);
      assert.equal(loud.code, 1);
      assert.match(loud.stderr, /unknown keyword 'bogus-keyword'/);
      const dashQ = await check(target, bad, ['-q']);
      assert.deepEqual([dashQ.code, dashQ.stdout, dashQ.stderr], [1, '', '']);
      const keyword = await check(target, `global\n    quiet\n${bad}`);
      assert.deepEqual([keyword.code, keyword.stdout, keyword.stderr], [1, '', '']);
    });

    it("zero-warning and -dW: a warning stops the start with HAProxy's alert; a .notice does not count", async () => {
      for (const [text, args] of [[`global\n    zero-warning\n${WARNS}`, []], [WARNS, ['-dW']]] as const) {
        const result = await check(target, text, args);
        assert.equal(result.code, 1, result.stdout);
        assert.match(result.stderr, /missing timeouts for frontend 'fe'/);
        assert.match(result.stderr, /\[ALERT\] +\(\d+\) : config : Some warnings were found and 'zero-warning' is set\. Aborting\./);
        assert.doesNotMatch(result.stdout, /valid/);
      }
      const noticed = await check(target, `global\n    zero-warning\n    .notice "hello"\n${VALID}`);
      assert.equal(noticed.code, 0, noticed.stderr);
      assert.match(noticed.stderr, /\[NOTICE\] +\(\d+\) : config : parsing \[[^\]]+:3\] ?: 'hello'\./);
      assert.match(noticed.stdout, /Configuration file is valid/);
      assert.doesNotMatch(noticed.stdout, /Warnings were found/);
    });

    it("keywords HAProxy removed are refused with HAProxy's own advice", async () => {
      const removed: readonly (readonly [line: string, message: string])[] = [
        ['reqadd X-Foo:\\ bar', "The 'reqadd' directive is not supported anymore since HAProxy 2.1. Use 'http-request add-header' instead."],
        ['rspdel ^Server:.*', "The 'rspdel' directive is not supported anymore since HAProxy 2.1. Use 'http-response del-header' ."],
        ['reqdeny ^X-Bad', "The 'reqdeny' not supported anymore since HAProxy 2.1. Use 'http-request deny' instead."],
        ['block if TRUE', "The 'block' directive is not supported anymore since HAProxy 2.1. Use 'http-request deny' which uses the exact same syntax."],
        ['redispatch', "keyword 'redispatch' directive is not supported anymore since HAProxy 2.1. Use 'option redispatch'."],
        ['clitimeout 5s', "the 'clitimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout client'."],
        ['appsession JSESSIONID len 52 timeout 3h', "'appsession' is not supported anymore since HAProxy 1.6."],
        ['grace 5s', "the 'grace' keyword is not supported any more since HAProxy version 2.5."],
        ['monitor-net 10.0.0.0/8', "'monitor-net' doesn't exist anymore. Please use 'http-request return status 200 if { src 10.0.0.0/8 }' instead."],
        ['option forceclose', "option 'forceclose' is not supported any more since HAProxy 2.0, please just remove it, or use 'option httpclose' if absolutely needed."],
        ['option http-tunnel', "option 'http-tunnel' is not supported any more since HAProxy 2.1, please just remove it, it shouldn't be needed."],
      ];
      const text = `global\n    nbproc 2\n${HTTP_DEFAULTS}\nlisten li\n    bind 127.0.0.1:1\n${removed.map(([line]) => `    ${line}\n`).join('')}`;
      const result = await check(target, text);
      assert.equal(result.code, 1);
      assert.ok(
        result.stderr.includes('nbproc is not supported any more since HAProxy 2.5. Threads will automatically be used on multi-processor machines if available.'),
        result.stderr,
      );
      for (const [, message] of removed) assert.ok(result.stderr.includes(message), `${message}\n${result.stderr}`);
    });

    it("bind-process, 'process' on bind lines and stats bind-process load, with HAProxy 2.6's deprecation warnings", async () => {
      const result = await check(
        target,
        `global\n    stats bind-process all\n${HTTP_DEFAULTS}\nfrontend fe\n    bind 127.0.0.1:1 process 1\n    bind-process 1\n    http-request return status 200\n`,
      );
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /Warnings were found\.\nConfiguration file is valid/);
      assert.match(result.stderr, /'bind 127\.0\.0\.1:1' in section 'frontend' : 'process 1' on 'bind' lines is deprecated and will be removed in 2\.7\./);
      assert.match(result.stderr, /'bind-process' has no effect, is deprecated, and will be removed in version 2\.7\./);
    });

    const limit = openFilesLimit();
    it('ulimit-n above what the process may have: refused (strict-limits), or a warning with no strict-limits', { skip: limit === undefined ? 'no /proc/self/limits here' : false }, async () => {
      const wanted = (limit?.hard ?? 0) + 1000;
      const [port] = await freePorts(1);
      const text = (extra: string): string => `global\n    ulimit-n ${wanted}\n${extra}${HTTP_DEFAULTS}\nfrontend fe\n    bind 127.0.0.1:${port}\n    http-request return status 200\n`;
      const cfg = writeTempConfig(text(''));
      try {
        const refused = await runCli(target, ['-f', cfg.path]);
        assert.equal(refused.code, 1, refused.stderr);
        assert.match(refused.stderr, new RegExp(`\\[ALERT\\] +\\(\\d+\\) : \\[\\w+\\.main\\(\\)\\] Cannot raise FD limit to ${wanted}, limit is \\d+\\.`));
      } finally {
        cfg.cleanup();
      }
      const proxy = await ProxyProcess.start(target, text('    no strict-limits\n'), [], 20_000, port);
      try {
        assert.match(proxy.stderr, new RegExp(`\\[WARNING\\] +\\(\\d+\\) : \\[\\w+\\.main\\(\\)\\] Cannot raise FD limit to ${wanted}, limit is \\d+\\.`));
        const conn = await HttpConnection.open(port as number);
        assert.equal((await conn.request('GET', '/')).status, 200);
        conn.destroy();
      } finally {
        await proxy.stop();
      }
    });

    it('grace: a soft stop first sets the stopping fetch while the listener still accepts, then stops', async () => {
      const [port] = await freePorts(1);
      const proxy = await ProxyProcess.start(
        target,
        `global\n    grace 3s\n${HTTP_DEFAULTS}\nfrontend fe\n    bind 127.0.0.1:${port}\n    http-request return status 200 content-type text/plain lf-string "stopping=%[stopping]"\n`,
        [],
        20_000,
        port,
      );
      const ask = async (): Promise<string> => {
        const conn = await HttpConnection.open(port as number);
        try {
          return (await conn.request('GET', '/')).text;
        } finally {
          conn.destroy();
        }
      };
      try {
        assert.equal(await ask(), 'stopping=0');
        proxy.child.kill('SIGUSR1');
        let seen = '';
        assert.ok(
          await eventually(() => {
            void ask().then((t) => (seen = t), () => undefined);
            return seen === 'stopping=1';
          }, 2_500, 50),
          seen,
        );
        assert.equal(await ask(), 'stopping=1');
        // Once the grace is over the process stops on its own.
        const code = await Promise.race([proxy.exited(), new Promise<'late'>((r) => setTimeout(() => r('late'), 15_000))]);
        assert.notEqual(code, 'late');
        assert.match(proxy.stderr, /Scheduling a soft-stop in 3000 ms\./);
        assert.match(proxy.stderr, /Grace period expired, proceeding with soft-stop now\./);
      } finally {
        destroyAllClients();
        await proxy.stop();
      }
    });
  });
}
