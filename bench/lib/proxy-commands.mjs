// The command lines of the proxies the scenarios that start their own processes compare
// (idle-fds, reload): Switchyard on each runtime (quiet) and HAProxy in the foreground, and
// whether each can run here.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths.mjs';
import { BUN, DENO, which } from './tools.mjs';

/** id -> { label, command, entry (Switchyard's entry file) | haproxy: true }. */
export const PROXY_COMMANDS = {
  node: { label: 'Switchyard (Node)', command: [process.execPath, 'bin/switchyard.js', '-q'], entry: 'dist/adapters/node/main.js' },
  bun: { label: 'Switchyard (Bun)', command: [BUN, 'adapters/bun/main.ts', '-q'], entry: 'adapters/bun/main.ts' },
  deno: { label: 'Switchyard (Deno)', command: [DENO, 'run', '-A', 'adapters/deno/main.ts', '-q'], entry: 'adapters/deno/main.ts' },
  haproxy: { label: 'HAProxy 2.6', command: ['haproxy', '-db'], haproxy: true },
};

/** Why proxy `id` (of `proxies`) cannot run here, or undefined. */
export function unavailable(proxies, id) {
  const p = proxies[id];
  if (p.haproxy) return which('haproxy') ? undefined : 'haproxy not installed';
  if (!existsSync(join(ROOT, p.entry))) return `${p.entry} missing`;
  if (id !== 'node' && !existsSync(p.command[0])) return `${p.command[0]} missing (npm install)`;
  return undefined;
}
