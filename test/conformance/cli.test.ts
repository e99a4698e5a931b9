import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli, writeTempConfig } from '../support/proxy-process.ts';
import { RUNTIMES } from '../support/runtimes.ts';

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
      assert.match(result.stdout, new RegExp(`Switchyard version \\d+\\.\\d+\\.\\d+ on ${runtime}`));
    });

    it('rejects an unknown option with exit code 1', async () => {
      const result = await runCli(runtime, ['--bogus']);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /unknown option '--bogus'/);
    });
  });
}
