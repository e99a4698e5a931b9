/**
 * `log HOST[:PORT] ...`: HAProxy resolves a log target's host name once, when it reads the
 * configuration (str2sa_range with PA_O_RESOLVE, getaddrinfo), and refuses the configuration
 * when it does not resolve. Here that happens after parsing, with the servers' startup
 * resolution (also for -c): every name is asked once, and the first address of the wanted
 * family is kept in the model (GlobalModel.logHosts) for the loggers.
 */
import type { ConfigModel, LogTarget } from '../config/model.ts';
import { parseSyslogHostTarget } from './syslog-target.ts';

/** Runtime.lookup: the addresses of a name, of one family when given. */
export type LogHostLookup = (host: string, family?: 4 | 6) => Promise<string[]>;

/** Every log target of the configuration (global, proxies, FastCGI applications' stderr). */
function allLogTargets(config: ConfigModel): LogTarget[] {
  const all: LogTarget[] = [...config.global.logs];
  for (const f of config.frontends) all.push(...f.logs);
  for (const b of config.backends) {
    all.push(...(b.logs ?? []));
    if (b.fcgiApp !== undefined) all.push(...b.fcgiApp.logStderr);
  }
  return all;
}

/**
 * The configuration with the addresses of its host-name log targets, or HAProxy's alerts
 * (`parsing [FILE:LINE] : log : invalid address: 'HOST' in 'TARGET'`) when one does not resolve.
 */
export async function resolveLogHosts(config: ConfigModel, lookup: LogHostLookup): Promise<ConfigModel | string[]> {
  const answers = new Map<string, Promise<string | undefined>>();
  const pending: { target: LogTarget; host: string; port: number; key: string }[] = [];
  for (const target of allLogTargets(config)) {
    const named = parseSyslogHostTarget(target.target);
    if (named === undefined) continue;
    const key = `${named.host}/${named.family ?? ''}`;
    if (!answers.has(key)) answers.set(key, lookup(named.host, named.family).then((list) => list[0], () => undefined));
    pending.push({ target, host: named.host, port: named.port, key });
  }
  if (pending.length === 0) return config;
  const hosts = new Map<string, { family: 4 | 6; address: string; port: number }>();
  const alerts: string[] = [];
  const reported = new Set<string>();
  for (const { target, host, port, key } of pending) {
    const address = await answers.get(key);
    const place = `${target.source.file}:${target.source.line}`;
    if (address === undefined) {
      if (!reported.has(place)) alerts.push(`parsing [${place}] : log : invalid address: '${host}' in '${target.target}'`);
      reported.add(place);
      continue;
    }
    hosts.set(target.target, { family: address.includes(':') ? 6 : 4, address, port });
  }
  if (alerts.length > 0) return alerts;
  return { ...config, global: { ...config.global, logHosts: hosts } };
}
