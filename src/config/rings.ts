/**
 * Rings from draft to model, with HAProxy 2.6's checks (src/sink.c): once a `ring` section ends
 * (cfg_post_parse_ring: a `maxlen` above `size` is lowered to it, with a warning), and once every
 * section is read (post_sink_resolve): each `log ring@NAME` must name a ring section or `buf0`
 * (not `stdout`/`stderr`, which are no buffers), and each `log tcp@...` gets its implicit ring,
 * `ring#N` with one server, in HAProxy's sink order: the global lines, then the proxies' (in
 * their order, as HAProxy 2.6.12 lists them), then the FastCGI applications'.
 */
import type { DiagnosticList } from './errors.ts';
import type { GlobalDraft, LogDraft, ProxyDraft } from './draft.ts';
import type { LogTarget, RingModel } from './model.ts';
import { parseTcpLogTarget } from './keywords/log.ts';
import { RING_DEFAULT_SIZE } from './keywords/ring.ts';

function targetsOf(logs: readonly LogDraft[]): LogTarget[] {
  return logs.filter((l): l is LogTarget => !('global' in l));
}

export function resolveRings(global: GlobalDraft, proxies: readonly ProxyDraft[], diagnostics: DiagnosticList): RingModel[] {
  const rings: RingModel[] = [];
  for (const draft of global.rings ?? []) {
    const { place } = draft;
    let maxLength = draft.maxLength;
    if (maxLength > draft.size) {
      diagnostics.warning({ ...place, keyword: 'ring', message: `ring '${draft.name}' event max length '${maxLength}' exceeds size, forced to size '${draft.size}'.` });
      maxLength = draft.size;
    }
    if (draft.servers.length > 0 && (draft.timeoutConnect === undefined || draft.timeoutServer === undefined)) {
      diagnostics.warning({
        ...place,
        keyword: 'ring',
        message: `missing timeouts for backend '${draft.name}'. While not properly invalid, you will certainly encounter various problems with such a configuration. To fix this, please ensure that all following timeouts are set to a non-zero value: 'client', 'connect', 'server'.`,
      });
    }
    rings.push({
      name: draft.name,
      description: draft.description,
      format: draft.format,
      maxLength,
      size: draft.size,
      servers: draft.servers.map(({ name, address, port, octetCount }) => ({ name, address, port, octetCount })),
      ...(draft.timeoutConnect === undefined ? {} : { timeoutConnect: draft.timeoutConnect }),
      ...(draft.timeoutServer === undefined ? {} : { timeoutServer: draft.timeoutServer }),
    });
  }

  const declared = new Set(rings.map((r) => r.name));
  const implicit = new Set<string>();
  const check = (target: LogTarget, owner: string | undefined): void => {
    const name = target.ring;
    if (name === undefined) return;
    const where = owner === undefined ? 'global log server declared' : `log server declared in proxy section '${owner}'`;
    const at = { file: target.source.file, line: target.source.line, column: 0, keyword: 'log' };
    const tcp = parseTcpLogTarget(target.target);
    if (tcp !== undefined) {
      if (implicit.has(name)) return;
      implicit.add(name);
      rings.push({
        name,
        description: `created from logserver declared into '${target.source.file}' at line ${target.source.line}`,
        format: target.format,
        maxLength: RING_DEFAULT_SIZE,
        size: RING_DEFAULT_SIZE,
        servers: [{ name, address: tcp.address, port: tcp.port, octetCount: false }],
        implicit: true,
      });
    } else if (name === 'stdout' || name === 'stderr') {
      diagnostics.error({ ...at, message: `${where} in file '${target.source.file}' at line ${target.source.line} uses incompatible ring '${name}'.` });
    } else if (!declared.has(name) && name !== 'buf0') {
      diagnostics.error({ ...at, message: `${where} in file '${target.source.file}' at line ${target.source.line} uses unknown ring named '${name}'.` });
    }
  };
  for (const target of targetsOf(global.logs)) check(target, undefined);
  for (const proxy of proxies) {
    if (proxy.kind === 'defaults') continue;
    for (const target of targetsOf(proxy.logs)) check(target, proxy.name);
  }
  for (const app of global.fcgiApps ?? []) for (const target of targetsOf(app.logStderr)) check(target, app.name);
  for (const forward of global.logForwards ?? []) for (const target of targetsOf(forward.logs)) check(target, forward.name);
  return rings;
}
