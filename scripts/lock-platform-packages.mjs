// The npm registry this project's machines reach serves only the Linux x64 build of Deno's
// platform packages, so `npm install` cannot record deno's other optionalDependencies in
// package-lock.json, and `npm ci` then refuses the lock ("Missing: @deno/darwin-arm64@ from
// lock file"). This adds those entries with their os/cpu constraints (npm skips them on other
// platforms without fetching). Run it after any `npm install` that rewrites the lock:
//   node scripts/lock-platform-packages.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const path = fileURLToPath(new URL('../package-lock.json', import.meta.url));
const lock = JSON.parse(readFileSync(path, 'utf8'));
const deno = lock.packages['node_modules/deno'];
const PLATFORMS = {
  '@deno/darwin-arm64': { os: ['darwin'], cpu: ['arm64'] },
  '@deno/darwin-x64': { os: ['darwin'], cpu: ['x64'] },
  '@deno/linux-arm64-glibc': { os: ['linux'], cpu: ['arm64'], libc: ['glibc'] },
  '@deno/linux-x64-glibc': { os: ['linux'], cpu: ['x64'], libc: ['glibc'] },
  '@deno/win32-arm64': { os: ['win32'], cpu: ['arm64'] },
  '@deno/win32-x64': { os: ['win32'], cpu: ['x64'] },
};
let added = 0;
for (const [name, version] of Object.entries(deno?.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  if (lock.packages[key] !== undefined) continue;
  const platform = PLATFORMS[name];
  if (platform === undefined) throw new Error(`unknown deno platform package ${name}: add it to PLATFORMS`);
  lock.packages[key] = { version, ...platform, dev: true, license: 'MIT', optional: true };
  added++;
}
const sorted = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
lock.packages = sorted;
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} deno platform entr${added === 1 ? 'y' : 'ies'} added`);
