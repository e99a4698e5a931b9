// `npm run proxy` / `bun run proxy`: the proxy on the runtime of the package manager that runs
// the script. package.json's script is `exec node scripts/proxy.mjs`: `exec` makes this process
// the package manager's own child, so the SIGTERM that npm or Bun forwards reaches the proxy
// (a shell left in between would die of it and leave the proxy running).
//
// Under npm this is Node: the compiled Node build, in-process. Under `bun run`, bunfig.toml's
// `[run] bun = true` makes `node` mean Bun, so this file already runs on Bun and loads the Bun
// entry point (the TypeScript sources) in-process: no Node at all.
if (process.versions.bun !== undefined) {
  await import('../adapters/bun/main.ts');
} else if ((process.env.npm_config_user_agent ?? '').startsWith('bun/') && process.env.npm_execpath) {
  // `bun run` from a directory where Bun did not find bunfig.toml (it reads it from the current
  // directory only) ran this on Node: start Bun and relay signals, rather than run on Node.
  const { spawn } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const entry = fileURLToPath(new URL('../adapters/bun/main.ts', import.meta.url));
  const child = spawn(process.env.npm_execpath, [entry, ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
} else {
  await import('../bin/switchyard.js');
}
