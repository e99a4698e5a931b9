import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli, writeTempConfig } from '../support/proxy-process.ts';
import { RUNTIMES, TARGETS, onNode } from '../support/runtimes.ts';

const GOOD = `
defaults
    mode tcp
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe
    bind 127.0.0.1:1
    default_backend be

backend be
    server s1 127.0.0.1:2
`;

const BAD = `defaults
    mode tcp
    timeout connect 5s

backend be
    balnce roundrobin
    server s1 127.0.0.1:2 weight 999
`;

for (const runtime of RUNTIMES) {
  describe(`CLI on ${runtime}`, () => {
    it('-c accepts a valid configuration with exit code 0', async () => {
      const cfg = writeTempConfig(GOOD);
      try {
        const result = await runCli(runtime, ['-c', '-f', cfg.path]);
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, /Configuration file is valid/);
      } finally {
        cfg.cleanup();
      }
    });

    it('-c rejects an invalid configuration with exit code 1, naming file, line and keyword', async () => {
      const cfg = writeTempConfig(BAD);
      try {
        const result = await runCli(runtime, ['-c', '-f', cfg.path]);
        assert.equal(result.code, 1);
        assert.ok(result.stderr.includes(`[${cfg.path}:6]`), result.stderr);
        assert.match(result.stderr, /'balnce'/);
        assert.match(result.stderr, /did you mean 'balance'/);
        assert.ok(result.stderr.includes(`[${cfg.path}:7]`), `weight out of range not reported:\n${result.stderr}`);
      } finally {
        cfg.cleanup();
      }
    });

    it('-v prints the version and the runtime', async () => {
      const result = await runCli(runtime, ['-v']);
      assert.equal(result.code, 0);
      assert.match(result.stdout, new RegExp(`Switchyard version \\d+\\.\\d+\\.\\d+ on ${onNode(runtime) ? 'node' : runtime}`));
    });

    it('rejects an unknown option with exit code 1', async () => {
      const result = await runCli(runtime, ['--bogus']);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /unknown option '--bogus'/);
    });
  });
}

const TIMEOUTS = `
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
`;

/** Configurations HAProxy accepts but will not start: nothing would listen. */
const NO_LISTENER: ReadonlyArray<{ name: string; text: string; warns?: RegExp }> = [
  { name: 'an empty file', text: '' },
  { name: 'only global and defaults', text: `global\n    maxconn 100\n${TIMEOUTS}` },
  { name: 'only a backend', text: `${TIMEOUTS}\nbackend be\n    server s1 127.0.0.1:2\n` },
  {
    name: 'a frontend without bind',
    text: `${TIMEOUTS}\nfrontend fe\n    default_backend be\n\nbackend be\n    server s1 127.0.0.1:2\n`,
    warns: /frontend 'fe' has no 'bind' directive\. Please declare it as a backend if this was intended\./,
  },
  {
    name: 'a disabled frontend',
    text: `${TIMEOUTS}\nfrontend fe\n    bind 127.0.0.1:1\n    disabled\n    default_backend be\n\nbackend be\n    server s1 127.0.0.1:2\n`,
  },
];

const NOT_STARTING = 'Configuration file has no error but will not start (no listener) => exit(2).\n';
const NO_LISTENER_ALERT = /\[ALERT\] +\(\d+\) : \[[^\]]*\.main\(\)\] No enabled listener found \(check for 'bind' directives\) ! Exiting\./;

// TARGETS, not RUNTIMES: CONFORMANCE_TARGETS=haproxy checks these expectations against HAProxy.
for (const target of TARGETS) {
  describe(`configuration without a listener on ${target}`, () => {
    for (const { name, text, warns } of NO_LISTENER) {
      it(`-c on ${name}: valid but will not start, exit code 2`, async () => {
        const cfg = writeTempConfig(text);
        try {
          const result = await runCli(target, ['-c', '-f', cfg.path]);
          assert.equal(result.code, 2, result.stderr);
          assert.equal(result.stdout, (warns ? 'Warnings were found.\n' : '') + NOT_STARTING);
          if (warns) assert.match(result.stderr, warns);
        } finally {
          cfg.cleanup();
        }
      });

      it(`starting on ${name}: "No enabled listener" alert, exit code 1`, async () => {
        const cfg = writeTempConfig(text);
        try {
          const result = await runCli(target, ['-f', cfg.path]);
          assert.equal(result.code, 1, result.stderr);
          assert.match(result.stderr, NO_LISTENER_ALERT);
        } finally {
          cfg.cleanup();
        }
      });
    }

    it('-q -c prints no verdict, and keeps the exit codes', async () => {
      const empty = writeTempConfig('');
      const good = writeTempConfig(GOOD);
      try {
        const none = await runCli(target, ['-q', '-c', '-f', empty.path]);
        assert.deepEqual([none.code, none.stdout], [2, '']);
        const valid = await runCli(target, ['-q', '-c', '-f', good.path]);
        assert.deepEqual([valid.code, valid.stdout], [0, '']);
      } finally {
        empty.cleanup();
        good.cleanup();
      }
    });
  });
}
