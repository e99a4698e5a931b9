import { fileURLToPath } from 'node:url';

/** Repository root, whether running from test/ (Bun, Deno) or dist/test/ (Node). */
export const repoRoot = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../../' : '../../', import.meta.url));

export type RuntimeName = 'node' | 'bun' | 'deno';

/**
 * What a conformance suite can run against: Switchyard on one of the runtimes, or (opt-in) the
 * real HAProxy, to validate that the suite itself encodes HAProxy's behaviour.
 */
export type Target = RuntimeName | 'haproxy';

const ALL_TARGETS: readonly Target[] = ['node', 'bun', 'deno', 'haproxy'];

/**
 * The targets selected by CONFORMANCE_TARGETS (a comma list, e.g. `haproxy` or `node,haproxy`);
 * by default Switchyard on Node, Bun and Deno. `haproxy` runs the `haproxy` binary on PATH.
 */
export const TARGETS: readonly Target[] = parseTargets(process.env['CONFORMANCE_TARGETS']);

/** The selected Switchyard runtimes (all three by default). */
export const RUNTIMES: readonly RuntimeName[] = TARGETS.filter((t): t is RuntimeName => t !== 'haproxy');

function parseTargets(value: string | undefined): readonly Target[] {
  if (value === undefined || value.trim() === '') return ['node', 'bun', 'deno'];
  const names = value.split(',').map((v) => v.trim()).filter((v) => v !== '');
  for (const name of names) {
    if (!(ALL_TARGETS as readonly string[]).includes(name)) {
      throw new Error(`CONFORMANCE_TARGETS: unknown target '${name}' (expected ${ALL_TARGETS.join(', ')})`);
    }
  }
  return [...new Set(names)] as Target[];
}

/** The command that runs the real proxy CLI under each runtime, as a user would. */
export function proxyCommand(runtime: Target, args: readonly string[]): { command: string; args: string[] } {
  switch (runtime) {
    case 'haproxy':
      // -db: stay in the foreground, no daemon/master; logs to `log stdout` go to our pipe.
      return { command: process.env['HAPROXY_BIN'] ?? 'haproxy', args: ['-db', ...args] };
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
