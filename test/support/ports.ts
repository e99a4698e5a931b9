import { createServer } from 'node:net';

/**
 * `CONFORMANCE_PORTS=LOW-HIGH` keeps the tests within a range of ports (several checkouts
 * testing side by side on one machine); the kernel picks them otherwise.
 */
const range = /^(\d+)-(\d+)$/.exec(process.env['CONFORMANCE_PORTS'] ?? '');
const low = range === null ? 0 : Number(range[1]);
const size = range === null ? 0 : Number(range[2]) - low + 1;
/** The next port of the range to try: a random start, so that two test files seldom race for one. */
let cursor = Math.floor(Math.random() * size);

function bindable(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(bound));
    });
  });
}

/** A currently free TCP port on 127.0.0.1 (released at once). */
export async function freePort(): Promise<number> {
  if (size <= 0) return bindable(0);
  for (let tried = 0; tried < size; tried++) {
    const port = low + (cursor++ % size);
    try {
      return await bindable(port);
    } catch {
      // In use: the next one.
    }
  }
  throw new Error(`no free port in CONFORMANCE_PORTS ${low}-${low + size - 1}`);
}

export async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}
