/**
 * The TCP socket options of one side of a proxy as they go into the model (`option clitcpka`,
 * `srvtcpka`, `tcpka`, `*tcpka-idle|intvl|cnt`, `option nolinger`: keywords/tcp-keepalive.ts).
 * The frontend applies its `clientSocket` to accepted connections, the server leg the
 * backend's `serverSocket` to the connections it opens (src/proxy/tcp-socket-options.ts).
 * Its valibot schema is in schema.ts, which a configuration check does not load.
 */
import type { ProxyOptionsDraft } from './draft.ts';

export interface TcpSocketModel {
  /** SO_KEEPALIVE, with TCP_KEEPIDLE / TCP_KEEPINTVL (seconds) and TCP_KEEPCNT when set (else the kernel's). */
  readonly keepAlive?: { readonly idle?: number | undefined; readonly interval?: number | undefined; readonly count?: number | undefined } | undefined;
  /** `option nolinger`: the proxy aborts the connections it closes with a TCP reset. */
  readonly noLinger?: boolean | undefined;
}

/** The model of one side; undefined when nothing is set (models without these keep their shape). */
export function tcpSocketModel(options: ProxyOptionsDraft, side: 'client' | 'server'): TcpSocketModel | undefined {
  const prefix = side === 'client' ? 'clitcpka' : 'srvtcpka';
  const enabled = side === 'client' ? options.cliTcpKa : options.srvTcpKa;
  // 0 is HAProxy's "leave the kernel's value".
  const value = (word: 'idle' | 'intvl' | 'cnt'): number | undefined => options.tcpKa[`${prefix}-${word}`]?.value || undefined;
  const idle = value('idle');
  const interval = value('intvl');
  const count = value('cnt');
  const keepAlive = enabled
    ? { ...(idle !== undefined ? { idle } : {}), ...(interval !== undefined ? { interval } : {}), ...(count !== undefined ? { count } : {}) }
    : undefined;
  if (keepAlive === undefined && !options.noLinger) return undefined;
  return { ...(keepAlive !== undefined ? { keepAlive } : {}), ...(options.noLinger ? { noLinger: true } : {}) };
}
