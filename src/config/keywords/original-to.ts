/**
 * `option originalto [except NETWORK] [header NAME]` (HAProxy's cfgparse-listen.c): the request
 * forwarded to the server carries the address the client connected to (`dst`, as `set-dst`
 * left it) in X-Original-To, or NAME, unless that address is in NETWORK. Like `option
 * forwardfor`, each line starts afresh and replaces an earlier one; `no` / `default` are refused.
 * The stream adds the header (src/http/original-to.ts).
 */
import type { KeywordList, ProxyOption } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { isHeaderName, normalizeNetwork } from './http.ts';

const originalTo: ProxyOption = {
  name: 'originalto',
  capability: 'both',
  prefixes: [],
  builtinDefault: false,
  read: (proxy) => proxy.http.originalTo !== undefined,
  apply(ctx, proxy, _enabled, args) {
    let header = 'x-original-to';
    let except: string | undefined;
    for (let i = 2; i < args.length; i += 2) {
      const word = args[i] as Token;
      const value = args[i + 1];
      if (word.text !== 'except' && word.text !== 'header') {
        ctx.error("'option originalto' only supports optional values: 'except' and 'header'.", word, 'option originalto');
        return;
      }
      if (word.text === 'except') {
        except = value === undefined ? undefined : normalizeNetwork(value.text);
        if (except === undefined) {
          ctx.error(`'option originalto except' expects <address>[/mask] as argument.`, value ?? word, 'option originalto');
          return;
        }
      } else {
        if (value === undefined) {
          ctx.error(`'option originalto header' expects <header_name> as argument.`, word, 'option originalto');
          return;
        }
        if (!isHeaderName(value.text)) {
          ctx.error(`'option originalto header' : '${value.text}' is not a valid header name.`, value, 'option originalto');
          return;
        }
        header = value.text.toLowerCase();
      }
    }
    proxy.http.originalTo = { header, except, place: ctx.place(args[0]) };
  },
};

export const originalToKeywords: KeywordList = { options: [originalTo] };
