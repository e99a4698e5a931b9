/**
 * `http-check connect [default] [port N] [addr A[:P]] [send-proxy] [via-socks4] [ssl] [sni S]
 * [alpn L] [proto h1|h2] [linger] [comment C]` (HAProxy's parse_tcpcheck_connect, with its
 * error texts checked against `haproxy -c` 2.6). A port given as a sample expression is refused
 * as not supported yet.
 */
import type { HttpCheckConnectModel } from '../model.ts';
import type { KeywordContext } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { splitAddr } from './tcp-check.ts';

const DIGITS = /^\d+$/;

export function parseHttpCheckConnect(ctx: KeywordContext, args: readonly Token[]): HttpCheckConnectModel | undefined {
  const where = "'http-check connect' :";
  let isDefault = false;
  let port: number | undefined;
  let addr: string | undefined;
  let sendProxy = false;
  let viaSocks4 = false;
  let ssl = false;
  let sni: string | undefined;
  let alpn: string | undefined;
  let proto: 'h1' | 'h2' | undefined;
  let linger = false;
  let comment: string | undefined;
  for (let i = 2; i < args.length; i++) {
    const word = args[i] as Token;
    const value = args[i + 1];
    const missing = (what: string): undefined => {
      ctx.error(`${where} '${word.text}' expects ${what} as argument..`, word);
      return undefined;
    };
    switch (word.text) {
      case 'default':
        isDefault = true;
        break;
      case 'send-proxy':
        sendProxy = true;
        break;
      case 'via-socks4':
        viaSocks4 = true;
        break;
      case 'ssl':
        ssl = true;
        break;
      case 'linger':
        linger = true;
        break;
      case 'comment':
        if (value === undefined) return missing('a string');
        comment = value.text;
        i++;
        break;
      case 'sni':
        if (value === undefined) return missing('a string');
        sni = value.text;
        i++;
        break;
      case 'alpn':
        if (value === undefined) return missing('a string');
        alpn = value.text;
        i++;
        break;
      case 'proto':
        if (value === undefined) return missing('a MUX protocol');
        if (value.text !== 'h1' && value.text !== 'h2') {
          // `none` is HAProxy's TCP pass-through mux, refused for an HTTP check as HAProxy does.
          if (value.text === 'none') ctx.error(`${where} 'proto' : invalid MUX protocol 'none' for http-check.`, value);
          else if (value.text === 'fcgi') ctx.error(`${where} 'proto ${value.text}' is not supported by Switchyard yet.`, value);
          else ctx.error(`${where} 'proto' : unknown MUX protocol '${value.text}'..`, value);
          return undefined;
        }
        proto = value.text;
        i++;
        break;
      case 'port': {
        if (value === undefined || value.text === '') return missing('a port number or a sample expression');
        if (!DIGITS.test(value.text)) {
          ctx.error(`${where} 'port' given as a sample expression is not supported by Switchyard yet.`, value);
          return undefined;
        }
        const n = Number(value.text);
        if (n < 1 || n > 65535) {
          ctx.error(`${where} expects a valid TCP port (from range 1 to 65535) or a sample expression, got ${value.text}..`, value);
          return undefined;
        }
        port = n;
        i++;
        break;
      }
      case 'addr': {
        if (value === undefined || value.text === '') return missing('<ipv4|ipv6>');
        const parsed = splitAddr(value.text);
        if (parsed === undefined) {
          ctx.error(`${where} 'addr' : invalid address: '${value.text}' in '${value.text}'.`, value);
          return undefined;
        }
        addr = parsed.addr;
        if (parsed.port !== undefined && port === undefined) port = parsed.port;
        i++;
        break;
      }
      default:
        ctx.error(
          `${where} expects 'comment', 'port', 'addr', 'send-proxy', 'ssl', 'sni', 'alpn' or 'via-socks4', 'linger', 'default' but got '${word.text}' as argument..`,
          word,
        );
        return undefined;
    }
  }
  return {
    action: 'connect',
    isDefault,
    port,
    addr,
    sendProxy,
    ssl,
    sni,
    alpn,
    linger,
    comment,
    ...(viaSocks4 ? { viaSocks4 } : {}),
    ...(proto !== undefined ? { proto } : {}),
  };
}
