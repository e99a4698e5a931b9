/**
 * Keywords HAProxy removed before 2.6, refused with HAProxy 2.6's own message (the keyword
 * policy in docs/configuration.md): an old configuration gets the same advice from Switchyard
 * as from HAProxy. Texts from cfgparse-listen.c, cfgparse-global.c and proxy.c of 2.6.
 */

import type { KeywordList, ProxyOption, SectionKeyword } from '../registry.ts';
import { PROXY_SECTIONS } from '../registry.ts';

const SINCE_2_1 = (name: string, advice: string): string => `The '${name}' directive is not supported anymore since HAProxy 2.1.${advice === '' ? '' : ` ${advice}`}`;

/** Proxy-section keywords (defaults, frontend, backend, listen) and HAProxy's alert for each. */
const REMOVED_PROXY_KEYWORDS: readonly (readonly [name: string, message: string])[] = [
  ['reqrep', SINCE_2_1('reqrep', "Use 'http-request replace-path', 'http-request replace-uri' or 'http-request replace-header' instead.")],
  ['cliexp', SINCE_2_1('cliexp', "Use 'http-request replace-path', 'http-request replace-uri' or 'http-request replace-header' instead.")],
  ['reqdel', SINCE_2_1('reqdel', "Use 'http-request del-header' instead.")],
  ['reqdeny', "The 'reqdeny' not supported anymore since HAProxy 2.1. Use 'http-request deny' instead."],
  ['reqpass', "The 'reqpass' not supported anymore since HAProxy 2.1."],
  ['reqallow', SINCE_2_1('reqallow', "Use 'http-request allow' instead.")],
  ['reqtarpit', SINCE_2_1('reqtarpit', "Use 'http-request tarpit' instead.")],
  ['reqirep', SINCE_2_1('reqirep', "Use 'http-request replace-header' instead.")],
  ['reqidel', SINCE_2_1('reqidel', "Use 'http-request del-header' instead.")],
  ['reqideny', SINCE_2_1('reqideny', "Use 'http-request deny' instead.")],
  ['reqipass', SINCE_2_1('reqipass', '')],
  ['reqiallow', SINCE_2_1('reqiallow', "Use 'http-request allow' instead.")],
  ['reqitarpit', SINCE_2_1('reqitarpit', "Use 'http-request tarpit' instead.")],
  ['reqadd', SINCE_2_1('reqadd', "Use 'http-request add-header' instead.")],
  ['rsprep', SINCE_2_1('rsprep', "Use 'http-response replace-header' instead.")],
  ['srvexp', SINCE_2_1('srvexp', "Use 'http-response replace-header' instead.")],
  ['rspdel', SINCE_2_1('rspdel', "Use 'http-response del-header' .")],
  ['rspdeny', SINCE_2_1('rspdeny', "Use 'http-response deny' instead.")],
  ['rspirep', SINCE_2_1('rspirep', "Use 'http-response replace-header' instead.")],
  ['rspidel', SINCE_2_1('rspidel', "Use 'http-response del-header' instead.")],
  ['rspideny', SINCE_2_1('rspideny', "Use 'http-response deny' instead.")],
  ['rspadd', SINCE_2_1('rspadd', "Use 'http-response add-header' instead.")],
  ['block', SINCE_2_1('block', "Use 'http-request deny' which uses the exact same syntax.")],
  ['redispatch', "keyword 'redispatch' directive is not supported anymore since HAProxy 2.1. Use 'option redispatch'."],
  ['redisp', "keyword 'redisp' directive is not supported anymore since HAProxy 2.1. Use 'option redispatch'."],
  ['clitimeout', "the 'clitimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout client'."],
  ['srvtimeout', "the 'srvtimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout server'."],
  ['contimeout', "the 'contimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout connect'."],
  ['appsession', "'appsession' is not supported anymore since HAProxy 1.6."],
  ['monitor-net', "'monitor-net' doesn't exist anymore. Please use 'http-request return status 200 if { src <network> }' instead."],
];

/** Global keywords HAProxy removed. */
const REMOVED_GLOBAL_KEYWORDS: readonly (readonly [name: string, message: string])[] = [
  ['nbproc', 'nbproc is not supported any more since HAProxy 2.5. Threads will automatically be used on multi-processor machines if available.'],
  ['tune.chksize', "option 'tune.chksize' is not supported any more (tune.bufsize is used instead)."],
];

/** `option NAME` lines HAProxy removed. */
const REMOVED_OPTIONS: readonly (readonly [name: string, message: string])[] = [
  ['forceclose', "option 'forceclose' is not supported any more since HAProxy 2.0, please just remove it, or use 'option httpclose' if absolutely needed."],
  ['http-tunnel', "option 'http-tunnel' is not supported any more since HAProxy 2.1, please just remove it, it shouldn't be needed."],
  [
    'http_proxy',
    "option 'http_proxy' is not supported any more since HAProxy 2.5. This option stopped working in HAProxy 1.9 and usually had nasty side effects. It can be more reliably implemented with combinations of 'http-request set-dst' and 'http-request set-uri', and even 'http-request do-resolve' if DNS resolution is desired.",
  ],
];

function removedKeyword(name: string, message: string, sections: SectionKeyword['sections']): SectionKeyword {
  return {
    name,
    sections,
    modifiers: true,
    parse(ctx, args) {
      // HAProxy names the network of a `monitor-net` line in its advice.
      ctx.error(name === 'monitor-net' && args[1] !== undefined ? message.replace('<network>', args[1].text) : message);
    },
  };
}

function removedOption(name: string, message: string): ProxyOption {
  return {
    name,
    capability: 'both',
    apply(ctx, _proxy, _enabled, args) {
      ctx.error(message, args[1]);
    },
    builtinDefault: false,
    read: () => false,
  };
}

export const removedKeywords: KeywordList = {
  keywords: [
    ...REMOVED_PROXY_KEYWORDS.map(([name, message]) => removedKeyword(name, message, PROXY_SECTIONS)),
    ...REMOVED_GLOBAL_KEYWORDS.map(([name, message]) => removedKeyword(name, message, ['global'])),
  ],
  options: REMOVED_OPTIONS.map(([name, message]) => removedOption(name, message)),
};
