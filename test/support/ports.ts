import { createServer } from 'node:net';

/**
 * `CONFORMANCE_PORTS=LOW-HIGH` keeps the tests' ports in that range (several people sharing a
 * machine); without it the kernel picks ephemeral ones.
 */
const RANGE = /^(\d+)-(\d+)$/.exec(process.env['CONFORMANCE_PORTS'] ?? '');
const LOW = RANGE === null ? 0 : Number(RANGE[1]);
const HIGH = RANGE === null ? 0 : Number(RANGE[2]);
let next = RANGE === null ? 0 : LOW + Math.floor(Math.random() * (HIGH - LOW + 1));

/** Whether `port` can be listened on now on 127.0.0.1 (0: any; resolves with the port got, or 0). */
function tryPort(port: number): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(0));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const got = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(got));
    });
  });
}

/** A currently free TCP port on 127.0.0.1 (we release it at once). */
export async function freePort(): Promise<number> {
  if (RANGE === null) {
    const port = await tryPort(0);
    if (port === 0) throw new Error('no ephemeral port');
    return port;
  }
  for (let tries = 0; tries <= HIGH - LOW; tries++) {
    const port = next;
    next = next >= HIGH ? LOW : next + 1;
    if ((await tryPort(port)) !== 0) return port;
  }
  throw new Error(`no free port in CONFORMANCE_PORTS ${LOW}-${HIGH}`);
}

export async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}
