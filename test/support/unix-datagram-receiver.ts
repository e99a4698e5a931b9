/**
 * A UNIX datagram socket that records what it receives (a stand-in for syslogd's /dev/log).
 * node:dgram has no UNIX datagrams, so the socket lives in a small Deno process (its
 * 'unixpacket' transport), which prints each datagram, one JSON line per datagram.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './runtimes.ts';

const SCRIPT = `
// An argument cannot hold the NUL that starts an abstract name: the second one asks for it
// (\`abns\`: padded with NULs to the whole sun_path, as HAProxy's abns@ names).
const kind = Deno.args[1];
const name = Deno.args[0];
const path = kind === 'abstract' ? '\\0' + name : kind === 'abns' ? '\\0' + name + '\\0'.repeat(107 - name.length) : name;
const conn = Deno.listenDatagram({ transport: 'unixpacket', path });
console.log('READY');
for (;;) {
  const [bytes] = await conn.receive();
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  console.log(JSON.stringify(text));
}
`;

export interface UnixDatagramReceiver {
  readonly path: string;
  /** The datagrams received so far, one char per byte. */
  readonly lines: string[];
  close(): Promise<void>;
}

/** A socket that is bound and never read: its queue (net.unix.max_dgram_qlen) fills up. */
const DEAF_SCRIPT = `
Deno.listenDatagram({ transport: 'unixpacket', path: Deno.args[0] });
console.log('READY');
setInterval(() => {}, 1 << 30);
`;

/**
 * Binds `path` (in `dir`, a temporary directory the caller removes) and resolves once bound.
 * `reading: false` never reads what arrives (a stuck syslogd); `abstract: true` binds `name`
 * in the abstract namespace instead (`path` is then that name), `abstract: 'abns'` the same
 * name padded with NULs to the whole sun_path, as HAProxy's `abns@NAME`.
 */
export async function unixDatagramReceiver(
  dir: string,
  name: string,
  options: { readonly reading?: boolean; readonly abstract?: boolean | 'abns' } = {},
): Promise<UnixDatagramReceiver> {
  const script = join(dir, `${name}.receiver.ts`);
  const path = options.abstract !== undefined && options.abstract !== false ? name : join(dir, name);
  writeFileSync(script, options.reading === false ? DEAF_SCRIPT : SCRIPT);
  const kind = options.abstract === 'abns' ? ['abns'] : options.abstract === true ? ['abstract'] : [];
  const args = ['run', '-A', '--unstable-net', script, path, ...kind];
  const child: ChildProcess = spawn(`${repoRoot}node_modules/.bin/deno`, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let pending = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`UNIX datagram receiver exited (${code})`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line === 'READY') resolve();
        else lines.push(JSON.parse(line) as string);
      }
    });
  });
  return {
    path,
    lines,
    close: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
