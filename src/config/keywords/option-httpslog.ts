/**
 * `option httpslog` (HAProxy 2.6): `option httplog`'s format followed by the TLS facts of the
 * client connection (log/default-formats.ts HTTPS_LOG_FORMAT). Like `option httplog` it fills
 * the proxy's one log-format slot, is ignored with a warning in backends, and falls back to
 * `option tcplog` in a tcp proxy (resolve.ts).
 */
import { HTTPS_LOG_FORMAT } from '../../log/default-formats.ts';
import type { KeywordList, ProxyOption } from '../registry.ts';
import { noExtraArgs } from './args.ts';
import { setLogFormat } from './options.ts';

const httpslog: ProxyOption = {
  name: 'httpslog',
  capability: 'both',
  builtinDefault: false,
  read: (proxy) => proxy.logFormat?.origin === 'option httpslog',
  apply(ctx, proxy, enabled, args) {
    if (!noExtraArgs(ctx, args, 2, 2)) return;
    if (enabled) {
      setLogFormat(ctx, proxy, 'option httpslog', HTTPS_LOG_FORMAT, args[1], 'option httpslog');
      return;
    }
    if (proxy.logFormat?.origin === 'option httpslog') {
      proxy.logFormat = undefined;
      proxy.options.httplog = false;
    }
  },
};

export const httpslogKeywords: KeywordList = { options: [httpslog] };
