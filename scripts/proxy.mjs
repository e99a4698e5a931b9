// `npm run proxy` / `bun run proxy`: run the proxy on the runtime of the package manager that
// invoked the script. npm (and Node) get the compiled Node build in-process; `bun run` sets
// npm_config_user_agent to "bun/..." and npm_execpath to its own binary, so the Bun entry
// point runs on Bun (Bun would otherwise execute this script's `node` command on Node).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const agent = process.env.npm_config_user_agent ?? '';
const bun = process.env.npm_execpath;
if (agent.startsWith('bun/') && bun) {
  const entry = fileURLToPath(new URL('../adapters/bun/main.ts', import.meta.url));
  const child = spawn(bun, [entry, ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
} else {
  await import('../bin/switchyard.js');
}
