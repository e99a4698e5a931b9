/**
 * `show sess` and `shutdown session ID` (HAProxy's stream.c CLI): one line per stream, named
 * by a stable address that `shutdown session` takes back.
 *
 * The line is HAProxy's up to `age=`: its source, frontend, backend and server; the fields
 * after it (task state, epoch, call counts, channel and connector flags, buffer timers)
 * describe HAProxy's internals, which Switchyard does not have, and are left out rather than
 * invented. `show sess all` and `show sess ID` (HAProxy's full stream dumps) are refused.
 *
 * With several threads (`nbthread`) the list is every thread's, thread by thread as HAProxy
 * walks its per-thread stream lists, and `shutdown session` finds the stream in whichever
 * thread holds it: each thread numbers its streams in an address range of its own.
 */
import type { ProxySession, SessionView } from '../../proxy/session.ts';
import { threadIndex } from '../../threads/thread-identity.ts';
import { usage, type CliCommand, type CommandContext } from '../command.ts';
import { dump, error, NO_ANSWER, type CliAnswer } from '../output.ts';
import type { RuntimeTarget } from '../target.ts';

const addresses = new WeakMap<ProxySession, number>();
/** Set at the first stream: the thread is known by then (2^32 / 0x200 streams per thread's range). */
let nextAddress = -1;

function addressOf(session: ProxySession): number {
  let a = addresses.get(session);
  if (a === undefined) {
    if (nextAddress < 0) nextAddress = 0x5620_0000_0000 + threadIndex() * 0x1_0000_0000;
    nextAddress += 0x200;
    a = nextAddress;
    addresses.set(session, a);
  }
  return a;
}

/** tools.c human_time for whole seconds: at most two units, `0s` for zero. */
export function humanTime(seconds: number): string {
  const t = Math.max(0, Math.floor(seconds));
  let out = '';
  let units = 2;
  if (t >= 86400) {
    out += `${Math.floor(t / 86400)}d`;
    units--;
  }
  if (units > 0 && Math.floor((t % 86400) / 3600) > 0) {
    out += `${Math.floor((t % 86400) / 3600)}h`;
    units--;
  }
  if (units > 0 && Math.floor((t % 3600) / 60) > 0) {
    out += `${Math.floor((t % 3600) / 60)}m`;
    units--;
  }
  if ((units > 0 && t % 60 > 0) || t === 0) out += `${t % 60}s`;
  return out;
}

interface Listed {
  readonly session: ProxySession;
  readonly view: SessionView;
  readonly frontend: string;
  /** The frontend is a `listen` (a stream's backend starts as its own proxy there). */
  readonly listen: boolean;
}

function streams(target: RuntimeTarget): Listed[] {
  const listed: Listed[] = [];
  for (const entry of target.proxies) {
    const frontend = entry.frontend;
    if (frontend === undefined) continue;
    for (const session of frontend.sessions) {
      const view = session.describe?.();
      if (view !== undefined) listed.push({ session, view, frontend: entry.name, listen: entry.backend !== undefined });
    }
  }
  // HAProxy lists streams in creation order.
  return listed.sort((a, b) => addressOf(a.session) - addressOf(b.session));
}

function line(s: Listed, now: number): string {
  const v = s.view;
  const proto = v.clientAddress.includes(':') ? 'tcpv6' : 'tcpv4';
  const be = v.backend ?? (s.listen ? s.frontend : '<NONE>');
  return `0x${addressOf(s.session).toString(16)}: proto=${proto} src=${v.clientAddress}:${v.clientPort} fe=${s.frontend} be=${be} srv=${v.server ?? '<none>'} age=${humanTime((now - v.acceptedAt) / 1000)}\n`;
}

/** This thread's `show sess` lines (another thread's answer to the main thread's runtime API). */
export function ownSessionLines(target: RuntimeTarget): string {
  const now = target.runtime.now();
  // Addresses are given in the order sessions are first seen: list them all first.
  const all = streams(target);
  let text = '';
  for (const s of all) text += line(s, now);
  return text;
}

/** Kills this thread's stream at `address`; false when it has none there. */
export function shutdownOwnSession(target: RuntimeTarget, address: number): boolean {
  const found = streams(target).find((s) => addressOf(s.session) === address);
  if (found === undefined) return false;
  found.session.kill('K');
  return true;
}

function showSess(args: readonly string[], ctx: CommandContext): CliAnswer | Promise<CliAnswer> {
  if ((args[2] ?? '') !== '') return error("'show sess all' and 'show sess <id>' (full stream dumps) are not supported by Switchyard yet.\n");
  const own = ownSessionLines(ctx.target);
  const others = ctx.target.otherThreads?.sessionLines;
  if (others === undefined) return dump(own);
  return others().then((texts) => dump(own + texts.join('')));
}

/** strtoul(arg, NULL, 0): decimal, 0x-hex or 0-octal, up to the first bad character. */
function parsePointer(text: string): number {
  const m = /^\s*(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)/.exec(text);
  if (m === null) return 0;
  const digits = m[1] as string;
  if (/^0[xX]/.test(digits)) return Number.parseInt(digits.slice(2), 16);
  if (digits.startsWith('0')) return digits.length === 1 ? 0 : Number.parseInt(digits.slice(1), 8);
  return Number.parseInt(digits, 10);
}

function shutdownSession(args: readonly string[], ctx: CommandContext): CliAnswer | Promise<CliAnswer> {
  const wanted = parsePointer(args[2] ?? '');
  if (wanted === 0) return error("Session pointer expected (use 'show sess').\n");
  if (shutdownOwnSession(ctx.target, wanted)) return NO_ANSWER;
  const others = ctx.target.otherThreads?.shutdownSession;
  const missing = error("No such session (use 'show sess').\n");
  if (others === undefined) return missing;
  return others(wanted).then((found) => (found ? NO_ANSWER : missing));
}

export const sessionCommands: readonly CliCommand[] = [
  { words: ['show', 'sess'], usage: usage('show sess [id]', 'report the list of current sessions or dump this exact session'), level: 'operator', run: showSess },
  { words: ['shutdown', 'session'], usage: usage('shutdown session [id]', 'kill a specific session'), level: 'admin', run: shutdownSession },
];
