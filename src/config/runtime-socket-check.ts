/**
 * Refuses, at the line that wrote it, a TCP socket option the runtime running the configuration
 * cannot set (Runtime.socketUnsupported; docs/runtimes.md), rather than accepting a setting that
 * would silently do nothing. Only settings that apply are checked: a `clitcpka-idle` of a
 * proxy without `option clitcpka` sets nothing in HAProxy either.
 */

import type { ConfigDraft, Place } from './draft.ts';
import type { DiagnosticList } from './errors.ts';
import type { TcpKaWord } from './keywords/tcp-keepalive.ts';
import type { SocketFeature } from '../runtime.ts';
import { isAbstractSocketPath } from './address.ts';
import type { LogTarget } from './model.ts';
import { parseSyslogUnixPath } from '../log/syslog-target.ts';

export interface RuntimeSocketLimits {
  /** "node", "bun", "deno". */
  readonly runtime: string;
  readonly unsupported: ReadonlySet<SocketFeature>;
}

const RUNTIME_NAMES: Readonly<Record<string, string>> = { node: 'Node', bun: 'Bun', deno: 'Deno' };

const WHY: Readonly<Record<SocketFeature, string>> = {
  'keepalive-idle': 'its sockets cannot set TCP_KEEPIDLE, only SO_KEEPALIVE',
  'keepalive-interval': 'its sockets cannot set TCP_KEEPINTVL (with an idle time they probe every 1 s)',
  'keepalive-count': 'its sockets cannot set TCP_KEEPCNT (with an idle time they send 10 probes)',
  'abortive-close': 'its sockets cannot close with a TCP reset',
  'abstract-namespace': "its UNIX sockets cannot take HAProxy's abstract names, which fill the whole 108-byte sun_path",
  chroot: 'it cannot call chroot(2): Node has no FFI before 26.1',
  'unix-datagram': 'it has no UNIX datagram sockets, which syslog paths such as /dev/log need (Node has them from 26.1, through node:ffi); log to a UDP address (e.g. 127.0.0.1:514) instead',
};

const FEATURE: Readonly<Record<'idle' | 'intvl' | 'cnt', SocketFeature>> = {
  idle: 'keepalive-idle',
  intvl: 'keepalive-interval',
  cnt: 'keepalive-count',
};

export function checkRuntimeSockets(draft: ConfigDraft, limits: RuntimeSocketLimits | undefined, diagnostics: DiagnosticList): void {
  if (limits === undefined || limits.unsupported.size === 0) return;
  const runtime = RUNTIME_NAMES[limits.runtime] ?? limits.runtime;
  // A defaults section's line is reported once, whichever proxies inherit it.
  const reported = new Set<Place>();
  const refuse = (place: Place | undefined, keyword: string, feature: SocketFeature): void => {
    if (place === undefined || reported.has(place) || !limits.unsupported.has(feature)) return;
    reported.add(place);
    diagnostics.error({ ...place, keyword, message: `'${keyword}' is not supported on ${runtime} (${WHY[feature]}); see docs/runtimes.md.` });
  };
  if (limits.unsupported.has('unix-datagram')) {
    // Every section's lines, defaults included: HAProxy would open such a socket for any of them.
    const logs: LogTarget[] = [...draft.global.logs];
    for (const proxy of draft.proxies) for (const log of proxy.logs) if (!('global' in log)) logs.push(log);
    const seen = new Set<string>();
    for (const log of logs) {
      const key = `${log.source.file}:${log.source.line}`;
      if (parseSyslogUnixPath(log.target) === undefined || seen.has(key)) continue;
      seen.add(key);
      diagnostics.error({ ...log.source, column: 0, keyword: 'log', message: `'log ${log.target}' is not supported on ${runtime} (${WHY['unix-datagram']}); see docs/runtimes.md.` });
    }
  }
  if (draft.global.chroot !== undefined) refuse(draft.global.chroot.place, 'chroot', 'chroot');
  for (const socket of draft.global.stats?.sockets ?? []) {
    if (socket.address.kind === 'unix' && isAbstractSocketPath(socket.address.path)) refuse({ ...socket.source, column: 0 }, 'stats socket abns@', 'abstract-namespace');
  }
  for (const proxy of draft.proxies) {
    if (proxy.kind === 'defaults') continue;
    const options = proxy.options;
    for (const [prefix, enabled] of [['clitcpka', options.cliTcpKa && proxy.kind !== 'backend'], ['srvtcpka', options.srvTcpKa && proxy.kind !== 'frontend']] as const) {
      if (!enabled) continue;
      for (const word of ['idle', 'intvl', 'cnt'] as const) {
        const keyword: TcpKaWord = `${prefix}-${word}`;
        const setting = options.tcpKa[keyword];
        if (setting !== undefined && setting.value > 0) refuse(setting.place, keyword, FEATURE[word]);
      }
    }
    if (options.noLinger) refuse(options.noLingerPlace, 'option nolinger', 'abortive-close');
    for (const bind of proxy.binds) if (bind.unix === true && isAbstractSocketPath(bind.host)) refuse(bind.place, 'bind abns@', 'abstract-namespace');
    for (const server of proxy.servers) if (server.unix === true && isAbstractSocketPath(server.host)) refuse(server.place, 'server abns@', 'abstract-namespace');
  }
}
