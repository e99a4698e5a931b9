/**
 * `option originalto` (HAProxy's http_process_request, step 10): the request to the server
 * carries the address the client connected to. Either side's option enables it; the backend's
 * header name wins over the frontend's; an address in either side's `except` network gets no
 * header (HAProxy checks both).
 */
import type { HttpProxyOptions, OriginalToOption } from '../config/model.ts';
import { networkContains, parseNetwork, type Network } from '../util/cidr.ts';

const networks = new WeakMap<OriginalToOption, Network | null>();

function exceptOf(option: OriginalToOption | undefined): Network | undefined {
  if (option?.except === undefined) return undefined;
  let network = networks.get(option);
  if (network === undefined) {
    network = parseNetwork(option.except) ?? null;
    networks.set(option, network);
  }
  return network ?? undefined;
}

/** The header name to add with `destination` as its value, or undefined when none is due. */
export function originalToHeader(frontend: HttpProxyOptions | undefined, backend: HttpProxyOptions | undefined, destination: string): string | undefined {
  const fe = frontend?.originalTo;
  const be = backend?.originalTo;
  if (fe === undefined && be === undefined) return undefined;
  // No address (a unix socket in HAProxy) gets no header.
  if (destination === '') return undefined;
  const feExcept = exceptOf(fe);
  if (feExcept !== undefined && networkContains(feExcept, destination)) return undefined;
  const beExcept = exceptOf(be);
  if (beExcept !== undefined && networkContains(beExcept, destination)) return undefined;
  return (be ?? fe)?.header;
}
