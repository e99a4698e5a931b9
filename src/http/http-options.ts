import type { ForwardForOption, HttpConnectionMode, HttpProxyOptions } from '../config/model.ts';
import { networkContains, parseNetwork, type Network } from '../util/cidr.ts';
import { headerName, type HeaderName } from './codec/index.ts';

const RESTRICTIVENESS: Record<HttpConnectionMode, number> = { 'keep-alive': 0, 'server-close': 1, close: 2 };

/** The frontend's and the backend's connection modes combine: the most restrictive wins (HAProxy). */
export function connectionModeOf(frontend: HttpProxyOptions | undefined, backend: HttpProxyOptions | undefined): HttpConnectionMode {
  const a = frontend?.connectionMode ?? 'keep-alive';
  const b = backend?.connectionMode ?? 'keep-alive';
  return RESTRICTIVENESS[a] >= RESTRICTIVENESS[b] ? a : b;
}

export interface CompiledForwardFor {
  readonly header: HeaderName;
  readonly except: Network | undefined;
  readonly ifNone: boolean;
}

const compiled = new WeakMap<ForwardForOption, CompiledForwardFor>();

function compile(option: ForwardForOption): CompiledForwardFor {
  let c = compiled.get(option);
  if (c === undefined) {
    c = {
      header: headerName(option.header.toLowerCase()),
      except: option.except === undefined ? undefined : parseNetwork(option.except),
      ifNone: option.ifNone,
    };
    compiled.set(option, c);
  }
  return c;
}

/**
 * `option forwardfor`: the header to add for this client, or undefined. The backend's setting
 * applies when present, else the frontend's (HAProxy checks both; either enables it).
 */
export function forwardedForValue(
  frontend: HttpProxyOptions | undefined,
  backend: HttpProxyOptions | undefined,
  clientAddress: string,
): CompiledForwardFor | undefined {
  const option = backend?.forwardFor ?? frontend?.forwardFor;
  if (option === undefined) return undefined;
  const c = compile(option);
  if (c.except !== undefined && networkContains(c.except, clientAddress)) return undefined;
  return c;
}
