/**
 * `tcp-check` rule lines and the protocol checks HAProxy 2.6 builds on them (tcpcheck.c):
 *
 *   tcp-check connect [default] [port N] [addr A[:P]] [send-proxy] [ssl] [sni S] [alpn L] [proto none] [linger] [comment C]
 *   tcp-check send STRING | send-binary HEX | send-lf FMT | send-binary-lf FMT [comment C]
 *   tcp-check expect [min-recv N] [ok-status S] [error-status S] [tout-status S] [on-success FMT]
 *                    [on-error FMT] [status-code EXPR] [comment C]
 *                    [!] string|rstring|binary|rbinary|string-lf|binary-lf PATTERN
 *   tcp-check comment TEXT
 *   option redis-check | ldap-check | ssl-hello-chk | spop-check | smtpchk [EHLO|HELO domain]
 *   option pgsql-check user U | mysql-check [user U [post-41|pre-41]]
 *   option log-health-checks
 *
 *   tcp-check set-var(SCOPE.NAME) EXPR | set-var-fmt(SCOPE.NAME) FMT | unset-var(SCOPE.NAME)
 *
 * FMT is a log-format string, EXPR a sample expression, both evaluated in the check's context.
 * `connect proto` takes HAProxy's one TCP mux, `none`; `expect custom` is HAProxy's own (its
 * protocol checks), refused with a clear error.
 */
import type { ProxyDraft } from '../draft.ts';
import type { TcpCheckRuleModel, TcpCheckStatusName } from '../model.ts';
import type { KeywordContext, KeywordList, ProxyOption, SectionKeyword } from '../registry.ts';
import { didYouMean } from '../suggest.ts';
import type { Token } from '../tokenizer.ts';
import { isIPv4, isIPv6 } from '../address.ts';
import { noExtraArgs, parseInteger } from './args.ts';
import { parseVarName } from '../../rules/vars.ts';
import { compileSampleFetch } from '../../rules/sample-fetch.ts';
import { checkLogFormatError } from './http-check-vars.ts';
import { expectStatus } from './check-expect-options.ts';


/** An even number of hex digits. */
function isHex(text: string): boolean {
  return text.length > 0 && text.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(text);
}

function parseConnect(ctx: KeywordContext, args: readonly Token[]): TcpCheckRuleModel | undefined {
  const rule = {
    action: 'connect' as const,
    isDefault: false,
    port: undefined as number | undefined,
    addr: undefined as string | undefined,
    sendProxy: false,
    ssl: false,
    sni: undefined as string | undefined,
    alpn: undefined as string | undefined,
    linger: false,
    comment: undefined as string | undefined,
  };
  let viaSocks4 = false;
  for (let i = 2; i < args.length; i++) {
    const word = args[i] as Token;
    const value = args[i + 1];
    switch (word.text) {
      case 'default':
        rule.isDefault = true;
        break;
      case 'send-proxy':
        rule.sendProxy = true;
        break;
      case 'ssl':
        rule.ssl = true;
        break;
      case 'linger':
        rule.linger = true;
        break;
      case 'port':
      case 'addr':
      case 'sni':
      case 'alpn':
      case 'comment': {
        if (value === undefined) {
          ctx.error(`'tcp-check connect' : '${word.text}' expects an argument.`, word);
          return undefined;
        }
        i++;
        if (word.text === 'port') {
          const port = parseInteger(ctx, value, { min: 1, max: 65535 }, "'tcp-check connect port'");
          if (port === undefined) return undefined;
          rule.port = port;
        } else if (word.text === 'addr') {
          const parsed = splitAddr(value.text);
          if (parsed === undefined) {
            ctx.error(`'tcp-check connect' : 'addr' expects an IPv4 or IPv6 address with an optional port, got '${value.text}'.`, value);
            return undefined;
          }
          rule.addr = parsed.addr;
          if (parsed.port !== undefined && rule.port === undefined) rule.port = parsed.port;
        } else if (word.text === 'sni') rule.sni = value.text;
        else if (word.text === 'alpn') rule.alpn = value.text;
        else rule.comment = value.text;
        break;
      }
      case 'via-socks4':
        viaSocks4 = true;
        break;
      case 'proto': {
        // HAProxy's parse_tcpcheck_connect: a tcp-check takes a mux of mode TCP only, and 2.6
        // has one, `none` (mux_pt, the raw pass-through every tcp-check speaks anyway).
        if (value === undefined) {
          ctx.error("'tcp-check connect' : 'proto' expects a MUX protocol as argument..", word);
          return undefined;
        }
        if (value.text === 'h1' || value.text === 'h2' || value.text === 'fcgi') {
          ctx.error(`'tcp-check connect' : 'proto' : invalid MUX protocol '${value.text}' for tcp-check.`, value);
          return undefined;
        }
        if (value.text !== 'none') {
          ctx.error(`'tcp-check connect' : 'proto' : unknown MUX protocol '${value.text}'..`, value);
          return undefined;
        }
        i++;
        break;
      }
      default:
        ctx.error(
          `'tcp-check connect' expects 'comment', 'port', 'addr', 'send-proxy', 'via-socks4', 'ssl', 'sni', 'alpn', 'proto', 'linger' or 'default' but got '${word.text}' as argument.`,
          word,
        );
        return undefined;
    }
  }
  return viaSocks4 ? { ...rule, viaSocks4 } : rule;
}

/** `1.2.3.4`, `1.2.3.4:80`, `[::1]:80`, `::1`. */
export function splitAddr(text: string): { addr: string; port: number | undefined } | undefined {
  let host = text;
  let port: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracket !== null) {
    host = bracket[1] as string;
    port = bracket[2];
  } else if (!isIPv6(text)) {
    const colon = text.lastIndexOf(':');
    if (colon >= 0) {
      host = text.slice(0, colon);
      port = text.slice(colon + 1);
    }
  }
  if (!isIPv4(host) && !isIPv6(host)) return undefined;
  if (port === undefined || port === '') return { addr: host, port: undefined };
  const n = Number(port);
  if (!/^\d+$/.test(port) || n < 1 || n > 65535) return undefined;
  return { addr: host, port: n };
}

const SEND_ENCODINGS = { send: 'string', 'send-binary': 'binary', 'send-lf': 'string-lf', 'send-binary-lf': 'binary-lf' } as const;

function parseSend(ctx: KeywordContext, args: readonly Token[]): TcpCheckRuleModel | undefined {
  const kind = args[1] as Token;
  const data = args[2];
  if (data === undefined) {
    ctx.error(`'tcp-check ${kind.text}' expects a ${kind.text === 'send-binary' ? 'binary string' : 'string'} as argument.`, kind);
    return undefined;
  }
  const encoding = SEND_ENCODINGS[kind.text as keyof typeof SEND_ENCODINGS];
  if (encoding === 'binary' && !isHex(data.text)) {
    ctx.error(`'tcp-check send-binary' : '${data.text}' is not a valid hexadecimal string.`, data);
    return undefined;
  }
  if (encoding === 'string-lf' || encoding === 'binary-lf') {
    const error = checkLogFormatError(data.text);
    if (error !== undefined) {
      ctx.error(`'tcp-check ${kind.text}' : '${data.text}' invalid log-format string (${error}).`, data);
      return undefined;
    }
  }
  let comment: string | undefined;
  let i = 3;
  while (i < args.length) {
    const word = args[i] as Token;
    if (word.text !== 'comment' || args[i + 1] === undefined) {
      ctx.error(`'tcp-check ${kind.text}' only supports 'comment' but got '${word.text}' as argument.`, word);
      return undefined;
    }
    comment = (args[i + 1] as Token).text;
    i += 2;
  }
  return { action: 'send', encoding, data: data.text, comment };
}

/** HAProxy's choices for each status option (check-expect-options.ts), case-insensitive. */
function parseStatus(ctx: KeywordContext, word: Token, value: Token): TcpCheckStatusName | undefined {
  const status = expectStatus(word.text as 'ok-status' | 'error-status' | 'tout-status', value.text);
  if (typeof status === 'string') return status;
  ctx.error(`'tcp-check expect' : ${status.error}`, value);
  return undefined;
}

/** An on-success/on-error text: a log-format string, evaluated when the rule decides the check. */
function formatMessage(ctx: KeywordContext, value: Token): string | undefined {
  const error = checkLogFormatError(value.text);
  if (error !== undefined) {
    ctx.error(`'tcp-check expect' : '${value.text}' invalid log-format string (${error}).`, value);
    return undefined;
  }
  return value.text;
}

const MATCHES = ['string', 'rstring', 'binary', 'rbinary', 'string-lf', 'binary-lf'] as const;

export function parseTcpCheckExpect(ctx: KeywordContext, args: readonly Token[]): TcpCheckRuleModel | undefined {
  if (args[2] === undefined) {
    ctx.error("'tcp-check expect' : expects at least a matching pattern as arguments.", args[1]);
    return undefined;
  }
  let negate = false;
  let match: (typeof MATCHES)[number] | undefined;
  let pattern: Token | undefined;
  let minRecv = -1;
  let okStatus: TcpCheckStatusName | undefined;
  let errorStatus: TcpCheckStatusName | undefined;
  let toutStatus: TcpCheckStatusName | undefined;
  let onSuccess: string | undefined;
  let onError: string | undefined;
  let comment: string | undefined;
  let statusCode: string | undefined;
  for (let i = 2; i < args.length; i++) {
    const word = args[i] as Token;
    let text = word.text;
    if (text.startsWith('!')) {
      // `!` may stand alone or be glued to the method (`!rstring`), as HAProxy allows.
      while (text.startsWith('!')) {
        negate = !negate;
        text = text.slice(1);
      }
      if (text === '') continue;
    }
    const value = args[i + 1];
    if ((MATCHES as readonly string[]).includes(text)) {
      if (match !== undefined) {
        ctx.error("'tcp-check expect' : only on pattern expected.", word);
        return undefined;
      }
      if (value === undefined || value.text === '') {
        ctx.error(`'tcp-check expect' : '${text}' expects a <pattern> as argument.`, word);
        return undefined;
      }
      match = text as (typeof MATCHES)[number];
      pattern = value;
      i++;
      continue;
    }
    if (text === 'custom') {
      // HAProxy keeps `custom` for its own protocol checks: it has no function a configuration could name.
      ctx.error("'tcp-check expect custom' is internal to HAProxy's protocol checks and cannot be configured.", word);
      return undefined;
    }
    const options = ['min-recv', 'ok-status', 'error-status', 'tout-status', 'on-success', 'on-error', 'comment', 'status-code'];
    if (!options.includes(text)) {
      ctx.error(
        `'tcp-check expect' only supports 'min-recv', 'comment', 'ok-status', 'error-status', 'tout-status', 'on-success', 'on-error', 'status-code', '!', 'string', 'rstring', 'binary', 'rbinary', 'string-lf' and 'binary-lf' but got '${text}' as argument${didYouMean(text, [...options, ...MATCHES])}.`,
        word,
      );
      return undefined;
    }
    if (value === undefined) {
      ctx.error(`'tcp-check expect' : '${text}' expects an argument.`, word);
      return undefined;
    }
    i++;
    switch (text) {
      case 'min-recv': {
        const n = /^-?\d+$/.test(value.text) ? Number(value.text) : NaN;
        if (!(n >= -1 && n <= 2_147_483_647)) {
          ctx.error("'tcp-check expect' : 'min-recv' expects -1 or an integer from 0 to INT_MAX.", value);
          return undefined;
        }
        minRecv = n;
        break;
      }
      case 'ok-status':
        okStatus = parseStatus(ctx, word, value);
        if (okStatus === undefined) return undefined;
        break;
      case 'error-status':
        errorStatus = parseStatus(ctx, word, value);
        if (errorStatus === undefined) return undefined;
        break;
      case 'tout-status':
        toutStatus = parseStatus(ctx, word, value);
        if (toutStatus === undefined) return undefined;
        break;
      case 'on-success':
        onSuccess = formatMessage(ctx, value);
        if (onSuccess === undefined) return undefined;
        break;
      case 'on-error':
        onError = formatMessage(ctx, value);
        if (onError === undefined) return undefined;
        break;
      case 'status-code': {
        const compiled = compileSampleFetch(value.text, { direction: 'response' });
        if (!compiled.ok) {
          ctx.error(`'tcp-check expect' : error detected while parsing status-code expression : ${compiled.message}.`, value);
          return undefined;
        }
        statusCode = value.text;
        break;
      }
      default:
        comment = value.text;
    }
  }
  if (match === undefined || pattern === undefined) {
    ctx.error("'tcp-check expect' : expects a pattern: 'string', 'rstring', 'binary' or 'rbinary'.", args[1]);
    return undefined;
  }
  if (match === 'binary' && !isHex(pattern.text)) {
    ctx.error(`'tcp-check expect binary' : '${pattern.text}' is not a valid hexadecimal string.`, pattern);
    return undefined;
  }
  if (match === 'rstring' || match === 'rbinary') {
    try {
      new RegExp(pattern.text);
    } catch (error) {
      ctx.error(`'tcp-check expect ${match}' : invalid regex '${pattern.text}' (${(error as Error).message}).`, pattern);
      return undefined;
    }
  }
  if (match === 'string-lf' || match === 'binary-lf') {
    const error = checkLogFormatError(pattern.text);
    if (error !== undefined) {
      ctx.error(`'tcp-check expect' : '${pattern.text}' invalid log-format string (${error}).`, pattern);
      return undefined;
    }
  }
  const rule = { action: 'expect' as const, negate, match, pattern: pattern.text, minRecv, okStatus, errorStatus, toutStatus, onSuccess, onError, comment };
  return statusCode === undefined ? rule : { ...rule, statusCode };
}

/**
 * `tcp-check set-var(SCOPE.NAME) EXPR` / `unset-var(SCOPE.NAME)` (HAProxy's action keywords,
 * with its texts): `check.` and `sess.` variables live for one check run, `proc.` ones are the
 * generation's. unset-var ignores what follows, as HAProxy.
 */
function parseVarRule(ctx: KeywordContext, args: readonly Token[]): TcpCheckRuleModel | undefined {
  const action = args[1] as Token;
  const open = action.text.indexOf('(');
  const kind = action.text.slice(0, open) as 'set-var' | 'set-var-fmt' | 'unset-var';
  const where = `'tcp-check ${action.text}' : '${kind}' :`;
  const name = parseVarName(action.text.slice(open + 1, -1), ')');
  if (typeof name === 'string') {
    ctx.error(`${where} ${name}.`, action);
    return undefined;
  }
  // Every scope is accepted, as HAProxy does; `txn`, `req` and `res` need a stream a check
  // has not, so those rules store nothing (check-sample-context.ts).
  const scope = name.scope === 'check' ? {} : { scope: name.scope };
  if (kind === 'unset-var') return { action: kind, ...scope, name: name.name };
  const expression = args[2];
  if (kind === 'set-var-fmt') {
    if (expression === undefined) {
      ctx.error(`${where} missing log-format string.`, action);
      return undefined;
    }
    if (!noExtraArgs(ctx, args, 3, 2)) return undefined;
    const error = checkLogFormatError(expression.text);
    if (error !== undefined) {
      ctx.error(`${where} '${expression.text}' invalid log-format string (${error}).`, expression);
      return undefined;
    }
    return { action: kind, ...scope, name: name.name, expression: expression.text };
  }
  if (expression === undefined || expression.text === '') {
    ctx.error(`${where} missing fetch method.`, action);
    return undefined;
  }
  if (!noExtraArgs(ctx, args, 3, 2)) return undefined;
  const compiled = compileSampleFetch(expression.text, { direction: 'request' });
  if (!compiled.ok) {
    ctx.error(`${where} ${compiled.message}.`, expression);
    return undefined;
  }
  return { action: kind, ...scope, name: name.name, expression: expression.text };
}

const ACTIONS = ['comment', 'connect', 'send', 'send-binary', 'send-lf', 'send-binary-lf', 'expect'];

function parseTcpCheck(ctx: KeywordContext, args: readonly Token[]): void {
  const action = args[1];
  if (action === undefined) {
    ctx.error("'tcp-check' only supports 'comment', 'connect', 'send', 'send-binary', 'expect', 'set-var', 'unset-var'.", args[0]);
    return;
  }
  let rule: TcpCheckRuleModel | undefined;
  switch (action.text) {
    case 'connect':
      rule = parseConnect(ctx, args);
      break;
    case 'send':
    case 'send-binary':
    case 'send-lf':
    case 'send-binary-lf':
      rule = parseSend(ctx, args);
      break;
    case 'expect':
      rule = parseTcpCheckExpect(ctx, args);
      break;
    case 'comment':
      if (args[2] === undefined) {
        ctx.error("'tcp-check comment' expects a string as argument.", action);
        return;
      }
      if (!noExtraArgs(ctx, args, 3, 2)) return;
      rule = { action: 'comment', comment: (args[2] as Token).text };
      break;
    default:
      if (/^(set-var|set-var-fmt|unset-var)\(.*\)$/.test(action.text)) {
        rule = parseVarRule(ctx, args);
        break;
      }
      if (/^(set-var|set-var-fmt|unset-var)(\(|$)/.test(action.text)) {
        const kind = action.text.replace(/\(.*$/, '');
        ctx.error(
          `'tcp-check ${action.text}' : '${kind}' : invalid or incomplete action '${action.text}'. Expects 'set-var(<var-name>)', 'set-var-fmt(<var-name>)' or 'unset-var(<var-name>)'.`,
          action,
        );
        return;
      }
      ctx.error(
        `'tcp-check' only supports 'comment', 'connect', 'send', 'send-binary', 'expect', 'set-var', 'unset-var' but got '${action.text}'${didYouMean(action.text, ACTIONS)}.`,
        action,
      );
      return;
  }
  if (rule === undefined) return;
  const proxy = ctx.proxy;
  if (proxy === undefined || ctx.ignoredWithoutCapability('backend', action, `tcp-check ${action.text}`)) return;
  const check = proxy.healthCheck;
  if (check.tcpRulesInherited) {
    check.tcpRules = [];
    check.tcpRulesInherited = false;
    check.tcpRulesPlace = undefined;
  }
  check.tcpRulesPlace ??= ctx.place();
  check.tcpRules.push(rule);
}

/** A protocol option replaces the check type: no HTTP check, no `option tcp-check` rules. */
function useProtocol(proxy: ProxyDraft, protocol: ProxyDraft['healthCheck']['protocol']): void {
  const check = proxy.healthCheck;
  check.kind = 'tcp';
  check.httpchk = undefined;
  check.tcpOption = false;
  check.protocol = protocol;
}

function protocolOption(name: string, apply: (ctx: KeywordContext, proxy: ProxyDraft, args: readonly Token[]) => void): ProxyOption {
  return {
    name,
    capability: 'backend',
    prefixes: [],
    builtinDefault: false,
    read: () => false,
    apply: (ctx, proxy, _enabled, args) => apply(ctx, proxy, args),
  };
}

const protocolOptions: ProxyOption[] = [
  protocolOption('redis-check', (ctx, proxy, args) => {
    if (noExtraArgs(ctx, args, 2, 2)) useProtocol(proxy, { kind: 'redis' });
  }),
  protocolOption('ldap-check', (ctx, proxy, args) => {
    if (noExtraArgs(ctx, args, 2, 2)) useProtocol(proxy, { kind: 'ldap' });
  }),
  protocolOption('ssl-hello-chk', (ctx, proxy, args) => {
    if (noExtraArgs(ctx, args, 2, 2)) useProtocol(proxy, { kind: 'ssl-hello' });
  }),
  protocolOption('smtpchk', (ctx, proxy, args) => {
    if (!noExtraArgs(ctx, args, 4, 2)) return;
    const verb = args[2]?.text;
    const domain = args[3]?.text;
    // HAProxy falls back to `HELO localhost` for anything but `EHLO|HELO <domain>`.
    const command = (verb === 'EHLO' || verb === 'HELO') && domain !== undefined && domain !== '' ? `${verb} ${domain}` : 'HELO localhost';
    useProtocol(proxy, { kind: 'smtp', command });
  }),
  protocolOption('pgsql-check', (ctx, proxy, args) => {
    if (!noExtraArgs(ctx, args, 4, 2)) return;
    const word = args[2];
    const user = args[3];
    if (word === undefined || user === undefined || user.text === '') {
      ctx.error("'option pgsql-check' expects 'user <username>' as argument.", word ?? args[1]);
      return;
    }
    if (word.text !== 'user') {
      ctx.error("'option pgsql-check' only supports optional values: 'user'.", word);
      return;
    }
    useProtocol(proxy, { kind: 'pgsql', user: user.text });
  }),
  protocolOption('mysql-check', (ctx, proxy, args) => {
    if (!noExtraArgs(ctx, args, 5, 2)) return;
    const word = args[2];
    if (word === undefined) {
      useProtocol(proxy, { kind: 'mysql', user: undefined, post41: true });
      return;
    }
    if (word.text !== 'user') {
      ctx.error(`'option mysql-check' only supports optional values: 'user' (got '${word.text}').`, word);
      return;
    }
    const user = args[3];
    if (user === undefined || user.text === '') {
      ctx.error("'option mysql-check user' expects <username> as argument.", word);
      return;
    }
    const version = args[4];
    if (version !== undefined && version.text !== 'post-41' && version.text !== 'pre-41') {
      ctx.error(`'option mysql-check user' only supports 'post-41' and 'pre-41' (got '${version.text}').`, version);
      return;
    }
    useProtocol(proxy, { kind: 'mysql', user: user.text, post41: version?.text !== 'pre-41' });
  }),
  protocolOption('spop-check', (ctx, proxy, args) => {
    if (noExtraArgs(ctx, args, 2, 2)) useProtocol(proxy, { kind: 'spop' });
  }),
];

const logHealthChecks: ProxyOption = {
  name: 'log-health-checks',
  capability: 'backend',
  builtinDefault: false,
  read: (proxy) => proxy.healthCheck.logHealthChecks,
  apply(ctx, proxy, enabled, args) {
    if (noExtraArgs(ctx, args, 2, 2)) proxy.healthCheck.logHealthChecks = enabled;
  },
};

const keywords: SectionKeyword[] = [{ name: 'tcp-check', sections: ['defaults', 'backend', 'listen', 'frontend'], parse: parseTcpCheck }];

export const tcpCheckKeywords: KeywordList = { keywords, options: [...protocolOptions, logHealthChecks] };
