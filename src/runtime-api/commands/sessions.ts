/**
 * `show sess` and `shutdown session ID` (HAProxy's stream.c CLI): one line per stream, named
 * by a stable address that `shutdown session` takes back.
 *
 * The line is HAProxy's up to `age=`: its source, frontend, backend and server; the fields
 * after it (task state, epoch, call counts, channel and connector flags, buffer timers)
 * describe HAProxy's internals, which Switchyard does not have, and are left out rather than
 * invented. `show sess all` and `show sess ID` (HAProxy's full stream dumps) are refused.
 */
import type { ProxySession, SessionView } from '../../proxy/session.ts';
import { usage, type CliCommand, type CommandContext } from '../command.ts';
import { dump, error, NO_ANSWER, type CliAnswer } from '../output.ts';

const addresses = new WeakMap<ProxySession, number>();
let nextAddress = 0x5620_0000_0000;

function addressOf(session: ProxySession): number {
  let a = addresses.get(session);
  if (a === undefined) {
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

function streams(ctx: CommandContext): Listed[] {
  const listed: Listed[] = [];
  for (const entry of ctx.target.proxies) {
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

function showSess(args: readonly string[], ctx: CommandContext): CliAnswer {
  if ((args[2] ?? '') !== '') return error("'show sess all' and 'show sess <id>' (full stream dumps) are not supported by Switchyard yet.\n");
  const now = ctx.target.runtime.now();
  // Addresses are given in the order sessions are first seen: list them all first.
  const all = streams(ctx);
  let text = '';
  for (const s of all) text += line(s, now);
  return dump(text);
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

function shutdownSession(args: readonly string[], ctx: CommandContext): CliAnswer {
  const wanted = parsePointer(args[2] ?? '');
  if (wanted === 0) return error("Session pointer expected (use 'show sess').\n");
  const found = streams(ctx).find((s) => addressOf(s.session) === wanted);
  if (found === undefined) return error("No such session (use 'show sess').\n");
  found.session.kill('K');
  return NO_ANSWER;
}

export const sessionCommands: readonly CliCommand[] = [
  { words: ['show', 'sess'], usage: usage('show sess [id]', 'report the list of current sessions or dump this exact session'), level: 'operator', run: showSess },
  { words: ['shutdown', 'session'], usage: usage('shutdown session [id]', 'kill a specific session'), level: 'admin', run: shutdownSession },
];
