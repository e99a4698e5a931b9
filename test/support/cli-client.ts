/** A runtime API (stats socket) or master CLI client for the conformance tests. */
import { connect } from 'node:net';

/** A UNIX socket path, a TCP port on 127.0.0.1, or either spelled as an object. */
export type CliAddress = string | number | { readonly path: string } | { readonly port: number };

/**
 * Sends `input` (as given: several lines, `;`) and reads until the proxy closes; bounded (5 s
 * unless told). `endInput` false leaves our side open (the interactive prompt mode).
 */
export function cli(where: CliAddress, input: string, endInput = true, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const path = typeof where === 'string' ? where : typeof where === 'object' && 'path' in where ? where.path : undefined;
    const port = typeof where === 'number' ? where : typeof where === 'object' && 'port' in where ? where.port : 0;
    const socket = path !== undefined ? connect({ path }) : connect({ port, host: '127.0.0.1' });
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close after ${JSON.stringify(input)}; got ${JSON.stringify(answer)}`));
    }, timeoutMs);
    socket.setEncoding('latin1');
    socket.on('connect', () => (endInput ? socket.end(input) : socket.write(input)));
    socket.on('data', (text: string) => (answer += text));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}

/** The worker PIDs the master CLI's `show proc` lists as current, and the old ones still draining. */
export function workerPids(showProc: string): { current: number[]; old: number[] } {
  const current: number[] = [];
  const old: number[] = [];
  let section = '';
  for (const line of showProc.split('\n')) {
    if (line.startsWith('# ')) section = line;
    else if (line !== '' && !line.startsWith('#')) {
      const pid = Number(line.split(/\s+/)[0]);
      if (section === '# workers') current.push(pid);
      else if (section === '# old workers') old.push(pid);
    }
  }
  return { current, old };
}

/**
 * A master CLI command; HAProxy's master executes itself again on reload and refuses connections
 * meanwhile (tried again then, never after the command was sent: a reload must not run twice).
 * Switchyard's `reload` answers once the new worker serves: hence the long bound.
 */
export async function masterCommand(master: CliAddress, command: string, timeoutMs = 30_000): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await cli(master, command, true, timeoutMs);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (attempt >= 100 || (code !== 'ECONNREFUSED' && code !== 'ENOENT')) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** `show stat` as rows keyed by column name. */
export async function statRows(where: CliAddress): Promise<Record<string, string>[]> {
  const lines = (await cli(where, 'show stat\n')).split('\n').filter((l) => l !== '');
  const names = (lines[0] ?? '').replace(/^# /, '').split(',');
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(names.map((n, i) => [n, cells[i] ?? '']));
  });
}

/** The fields of B/S's `show servers state B` line (srv_addr is [4], srv_fqdn [17], srv_check_port [21]...); [] when absent. */
export async function serverStateFields(where: CliAddress, backend: string, server: string): Promise<string[]> {
  const text = await cli(where, `show servers state ${backend}\n`);
  return text.split('\n').find((l) => l.split(' ')[3] === server)?.split(' ') ?? [];
}

/** The numbers of `fields` in the `show stat` row of proxy/server (FRONTEND, BACKEND or a server name). */
export async function statNumbers(where: CliAddress, proxy: string, server: string, fields: readonly string[]): Promise<number[]> {
  const row = (await statRows(where)).find((r) => r.pxname === proxy && r.svname === server);
  return fields.map((f) => Number(row?.[f]));
}

/** Waits (bounded, 10 s) until the runtime API answers: it may open a moment after the frontend. */
export async function cliReady(where: CliAddress): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await cli(where, 'show info\n');
      return;
    } catch (error) {
      if (attempt >= 100) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
