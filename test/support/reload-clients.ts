/**
 * Client loops for the reload tests (reload.test.ts, reload-sequence.test.ts): requests sent
 * without pause on new connections and on kept-alive ones while the proxy reloads, each answer
 * recorded, each failure kept with its reason.
 *
 * A kept-alive connection the old worker closes while idle (soft stop) is reopened and its
 * request sent again when nothing of the answer arrived, as HTTP clients do (RFC 9112 §9.3.1);
 * such retries are counted apart, never as failures.
 *
 * Where the runtime shares a listening socket between its workers (HAProxy passes it with
 * `-x`; Node before 22.12 through node:cluster) nothing may fail. Where each worker has its
 * own SO_REUSEPORT socket (Bun, Deno), Linux resets the connections still in a closing
 * socket's accept queue unless net.ipv4.tcp_migrate_req is 1: those resets (a new connection
 * closed before any byte of its answer, whether the client opened it for its first request or to
 * replace a kept-alive one) are counted apart (sharedSocket() says whether they may happen).
 */
import { readFileSync } from 'node:fs';
import { HttpConnection } from './http-client.ts';
import type { HttpResponse } from './http-wire.ts';
import { nodeVersionOf } from './runtimes.ts';

export interface Tally {
  ok: number;
  failures: string[];
  retries: number;
  /** New connections reset before any byte of their answer (see above). */
  resets: number;
  /** Answers seen (their labels), in order of first appearance. */
  seen: string[];
}

export function newTally(): Tally {
  return { ok: 0, failures: [], retries: 0, resets: 0, seen: [] };
}

/** What names an answer in `seen`: its body by default. */
export type AnswerLabel = (res: HttpResponse) => string;

const bodyText: AnswerLabel = (res) => res.text;

/** The kernel's reset of a connection still in a closing socket's accept queue can come before `connect` resolves. */
function resetWhileConnecting(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ECONNRESET' && (error as NodeJS.ErrnoException).syscall === 'connect';
}

function record(tally: Tally, label: string): void {
  tally.ok++;
  if (!tally.seen.includes(label)) tally.seen.push(label);
}

/** One request per connection, until `running()` is false. */
export async function freshConnections(port: number, tally: Tally, running: () => boolean, label: AnswerLabel = bodyText): Promise<void> {
  while (running()) {
    let conn: HttpConnection | undefined;
    let reset = false;
    try {
      conn = await HttpConnection.open(port);
      conn.socket.once('error', (error: NodeJS.ErrnoException) => (reset = error.code === 'ECONNRESET'));
      const res = await conn.request('GET', '/', { connection: 'close' });
      if (res.status === 200) record(tally, label(res));
      else tally.failures.push(`status ${res.status}`);
    } catch (error) {
      if ((reset && conn?.reader.received === 0) || (conn === undefined && resetWhileConnecting(error))) tally.resets++;
      else tally.failures.push(`new connection: ${(error as Error).message}`);
    } finally {
      conn?.destroy();
    }
  }
}

/** Requests on one kept-alive connection, reopened when the proxy closes it. */
export async function keptAlive(port: number, tally: Tally, running: () => boolean, label: AnswerLabel = bodyText): Promise<void> {
  let conn: HttpConnection | undefined;
  let reset = false;
  while (running()) {
    let reused = true;
    try {
      if (conn === undefined || conn.closed) {
        conn?.destroy();
        conn = undefined;
        try {
          conn = await HttpConnection.open(port);
        } catch (error) {
          if (!resetWhileConnecting(error)) throw error;
          tally.resets++;
          continue;
        }
        reused = false;
        reset = false;
        conn.socket.once('error', (error: NodeJS.ErrnoException) => (reset = error.code === 'ECONNRESET'));
      }
      const before = conn.reader.received;
      let res;
      try {
        res = await conn.request('GET', '/');
      } catch (error) {
        // A new connection reset before any byte: the same accept-queue reset as above.
        if (!reused && reset && conn.reader.received === 0) {
          tally.resets++;
          conn.destroy();
          conn = undefined;
          continue;
        }
        // Closed before any byte of the answer on a reused connection: send it again.
        if (!reused || conn.reader.received !== before) throw new Error(`${(error as Error).message}${reset ? ' (reset)' : ''}${reused ? '' : ' (new connection)'}`);
        tally.retries++;
        conn.destroy();
        conn = undefined;
        continue;
      }
      if (res.status === 200) record(tally, label(res));
      else tally.failures.push(`status ${res.status}`);
      if (/close/i.test(res.header('connection') ?? '')) {
        conn.destroy();
        conn = undefined;
      }
    } catch (error) {
      tally.failures.push(`kept-alive: ${(error as Error).message}`);
      conn?.destroy();
      conn = undefined;
    }
  }
  conn?.destroy();
}

/** Whether the old and new workers accept from one socket, or the kernel migrates queued connections. */
export function sharedSocket(target: string): boolean {
  if (target === 'haproxy') return true;
  // Node before 22.12 shares the master's socket (node:cluster); later ones use SO_REUSEPORT.
  if (target === 'node' || target === 'node-system') {
    const [major, minor] = nodeVersionOf(target);
    if (major < 22 || (major === 22 && minor < 12)) return true;
  }
  return migratesQueuedConnections();
}

/** Whether the new process can listen beside the old one (HAProxy: SO_REUSEPORT, and -x). */
export function listensBeside(target: string): boolean {
  if (target !== 'node' && target !== 'node-system') return true;
  const [major, minor] = nodeVersionOf(target);
  return major > 22 || (major === 22 && minor >= 12);
}

export function migratesQueuedConnections(): boolean {
  try {
    return readFileSync('/proc/sys/net/ipv4/tcp_migrate_req', 'latin1').trim() === '1';
  } catch {
    return false;
  }
}
