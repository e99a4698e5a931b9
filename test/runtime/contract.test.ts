/**
 * Runs the runtime contract (test/runtime/contract.ts) against each adapter in its own runtime:
 * Node (compiled), Bun and Deno (TypeScript sources). One subtest per runtime; a failing one
 * prints the child's whole output.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { repoRoot } from '../support/runtimes.ts';

const TIMEOUT_MS = 120_000;

const COMMANDS: Record<'node' | 'bun' | 'deno', { command: string; args: string[] }> = {
  node: { command: process.execPath, args: [`${repoRoot}dist/test/runtime/contract-node.js`] },
  bun: { command: `${repoRoot}node_modules/.bin/bun`, args: [`${repoRoot}test/runtime/contract-bun.ts`] },
  deno: {
    command: `${repoRoot}node_modules/.bin/deno`,
    args: ['run', '-A', `--config=${repoRoot}deno.json`, `${repoRoot}test/runtime/contract-deno.ts`],
  },
};

function run(command: string, args: string[]): Promise<{ code: number | null; signal: string | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (output += text));
    const timer = setTimeout(() => {
      output += `\n[killed after ${TIMEOUT_MS} ms]\n`;
      child.kill('SIGKILL');
    }, TIMEOUT_MS);
    child.on('error', (error) => {
      output += `\n[spawn failed: ${error.message}]\n`;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

test('runtime contract', { concurrency: true }, async (t) => {
  await Promise.all(
    (Object.keys(COMMANDS) as (keyof typeof COMMANDS)[]).map((runtime) =>
      t.test(runtime, { timeout: TIMEOUT_MS + 10_000 }, async () => {
        const { command, args } = COMMANDS[runtime];
        const result = await run(command, args);
        assert.equal(
          result.code,
          0,
          `contract-${runtime} exited with ${result.code ?? result.signal}:\n${result.output}`,
        );
      }),
    ),
  );
});
