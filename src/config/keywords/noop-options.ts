/**
 * Options whose effect needs no code in Switchyard (docs/configuration.md, "Proxy keywords"):
 *
 * - what Switchyard always does already: `option http-no-delay` (every write goes out at once:
 *   TCP_NODELAY on both sides, no MSG_MORE coalescing). Accepted silently;
 * - HAProxy's packet-saving tunings of the kernel's TCP stack with no counterpart in the
 *   runtimes' socket APIs: `option tcp-smart-accept` (TCP_DEFER_ACCEPT / delayed ACK on accept)
 *   and `option tcp-smart-connect` (the connect's ACK merged with the first data). Accepted with
 *   a warning that they change nothing, as the splice options.
 */
import type { KeywordList, ProxyOption } from '../registry.ts';
import { noExtraArgs } from './args.ts';

function alwaysOn(name: string, capability: ProxyOption['capability']): ProxyOption {
  return {
    name,
    capability,
    builtinDefault: false,
    read: () => false,
    apply(ctx, _proxy, _enabled, args) {
      noExtraArgs(ctx, args, 2, 2);
    },
  };
}

function tuning(name: string, capability: ProxyOption['capability'], what: string): ProxyOption {
  return {
    name,
    capability,
    builtinDefault: false,
    read: () => false,
    apply(ctx, _proxy, enabled, args) {
      if (!noExtraArgs(ctx, args, 2, 2) || !enabled) return;
      ctx.warning(`'option ${name}' has no effect in Switchyard (${what} is not available to the runtimes); ignored.`, args[1], 'option');
    },
  };
}

export const noopOptionKeywords: KeywordList = {
  options: [
    alwaysOn('http-no-delay', 'both'),
    tuning('tcp-smart-accept', 'frontend', 'deferring the ACK of accepted connections'),
    tuning('tcp-smart-connect', 'backend', 'merging the ACK of a connect with the first data'),
  ],
};
