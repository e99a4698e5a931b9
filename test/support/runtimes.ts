import { fileURLToPath } from 'node:url';

/** Repository root, whether running from test/ (Bun, Deno) or dist/test/ (Node). */
export const repoRoot = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../../' : '../../', import.meta.url));

export type RuntimeName = 'node' | 'bun' | 'deno';

export const RUNTIMES: readonly RuntimeName[] = ['node', 'bun', 'deno'];

/** The command that runs the real proxy CLI under each runtime, as a user would. */
export function proxyCommand(runtime: RuntimeName, args: readonly string[]): { command: string; args: string[] } {
  switch (runtime) {
    case 'node':
      return { command: process.execPath, args: [`${repoRoot}bin/switchyard.js`, ...args] };
    case 'bun':
      return { command: `${repoRoot}node_modules/.bin/bun`, args: [`${repoRoot}adapters/bun/main.ts`, ...args] };
    case 'deno':
      return {
        command: `${repoRoot}node_modules/.bin/deno`,
        args: ['run', '-A', `--config=${repoRoot}deno.json`, `${repoRoot}adapters/deno/main.ts`, ...args],
      };
  }
}
