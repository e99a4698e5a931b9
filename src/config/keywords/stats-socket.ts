/**
 * `stats socket|timeout|maxconn` in `global`: the runtime API's listeners (HAProxy's
 * stats_parse_global in cli.c, with its messages). The socket options Switchyard honours are
 * read here; the other bind options HAProxy allows on a stats socket are refused at their word.
 */

import type { CliLevel, SeverityOutput, StatsSocketAddress, StatsSocketModel } from '../model.ts';
import type { KeywordContext, KeywordList, SectionKeyword } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { parseAddress } from '../address.ts';
import { parseDuration } from '../time.ts';
import { isSocketFileOption, parseSocketFileOption } from './unix-socket-files.ts';
import { processNumberError } from './process-numbers.ts';
import { parseThreadSet, type ThreadSetDraft } from './bind-threads.ts';
import { NICE_NOTICE, parseNice } from './bind-nice.ts';
import { parseSeverityOutput } from './bind-severity-output.ts';

/** HAProxy's defaults for its GLOBAL CLI frontend. */
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAXCONN = 10;

/** Bind options HAProxy accepts on a stats socket that the runtime API does not implement. */
const REFUSED_OPTIONS = new Set([
  'accept-netscaler-cip', 'accept-proxy', 'allow-0rtt', 'alpn', 'backlog', 'ca-file', 'ca-ignore-err',
  'ca-sign-file', 'ca-sign-pass', 'ciphers', 'ciphersuites', 'crl-file', 'crt', 'crt-ignore-err', 'crt-list',
  'curves', 'defer-accept', 'ecdhe', 'force-sslv3', 'force-tlsv10', 'force-tlsv11', 'force-tlsv12',
  'force-tlsv13', 'generate-certificates', 'id', 'interface', 'maxconn', 'mss', 'name',
  'namespace', 'no-ca-names', 'no-sslv3', 'no-tls-tickets', 'no-tlsv10', 'no-tlsv11', 'no-tlsv12',
  'no-tlsv13', 'npn', 'prefer-client-ciphers', 'process', 'proto', 'shards', 'ssl', 'ssl-max-ver',
  'ssl-min-ver', 'strict-sni', 'tcp-ut', 'tfo', 'tls-ticket-keys', 'transparent', 'v4v6', 'v6only',
  'verify',
]);

function statsDraft(ctx: KeywordContext): NonNullable<KeywordContext['global']['stats']> {
  ctx.global.stats ??= { sockets: [], timeout: DEFAULT_TIMEOUT_MS, maxconn: DEFAULT_MAXCONN };
  return ctx.global.stats;
}

/** `/path`, `unix@/path`, `abns@NAME`, `ipv4@ADDR:PORT`, `ipv6@...`, `ADDR:PORT`, `fd@N`; the rest refused. */
function parseSocketAddress(ctx: KeywordContext, token: Token): StatsSocketAddress | undefined {
  const text = token.text;
  if (text.startsWith('/')) return { kind: 'unix', path: text };
  if (text.startsWith('unix@')) return { kind: 'unix', path: text.slice(5) };
  const at = text.indexOf('@');
  const prefix = at >= 0 ? text.slice(0, at).toLowerCase() : '';
  if (prefix === 'fd') {
    const parsed = parseAddress(text, false, { fd: true });
    if (!parsed.ok || parsed.value.fd === undefined) {
      ctx.error(`parsing [${ctx.file}:${ctx.line}] : 'stats socket' : ${parsed.ok ? `invalid address '${text}'` : parsed.message}`, token);
      return undefined;
    }
    return { kind: 'fd', fd: parsed.value.fd };
  }
  if (prefix === 'sockpair') {
    ctx.error(
      `'stats socket' : '${text}': listening on a socket pair is not supported by Switchyard (use a UNIX socket path, ADDR:PORT or fd@N).`,
      token,
    );
    return undefined;
  }
  if (prefix === 'abns') {
    // Linux's abstract namespace, named as HAProxy names it (the whole sun_path, NUL-padded).
    const parsed = parseAddress(text, false, { unix: true });
    if (!parsed.ok) {
      ctx.error(`'stats socket' : ${parsed.message}.`, token);
      return undefined;
    }
    return { kind: 'unix', path: parsed.value.host };
  }
  const parsed = parseAddress(text, true);
  if (!parsed.ok) {
    ctx.error(`parsing [${ctx.file}:${ctx.line}] : 'stats socket' : ${parsed.message}`, token);
    return undefined;
  }
  return { kind: 'tcp', host: parsed.value.host, port: parsed.value.port };
}

function parseLevel(ctx: KeywordContext, option: Token, value: Token | undefined): CliLevel | undefined {
  if (value === undefined) {
    ctx.error(`'stats socket' : ''level' : missing level'`, option);
    return undefined;
  }
  if (value.text === 'user' || value.text === 'operator' || value.text === 'admin') return value.text;
  ctx.error(`'stats socket' : ''level' only supports 'user', 'operator', and 'admin' (got '${value.text}')'`, value);
  return undefined;
}

function parseSeverity(ctx: KeywordContext, option: Token, value: Token | undefined): SeverityOutput | undefined {
  const parsed = parseSeverityOutput(value?.text);
  if (parsed === 'none' || parsed === 'number' || parsed === 'string') return parsed;
  ctx.error(`'stats socket' : '${parsed}'`, value ?? option);
  return undefined;
}

function parseSocket(ctx: KeywordContext, args: readonly Token[]): void {
  const addressToken = args[2];
  if (addressToken === undefined) {
    ctx.error("'stats socket' in global section expects an address or a path to a UNIX socket");
    return;
  }
  const address = parseSocketAddress(ctx, addressToken);
  let level: CliLevel = 'operator';
  // `mode`, `user`/`uid`, `group`/`gid` (unix-socket-files.ts); `unix-bind` does not apply here.
  const socketFile: Parameters<typeof parseSocketFileOption>[1] = {};
  let severityOutput: SeverityOutput = 'none';
  let exposeFdListeners = false;
  let threadSet: ThreadSetDraft | undefined;
  let ok = address !== undefined;
  for (let i = 3; i < args.length; i += 2) {
    const option = args[i] as Token;
    const value = args[i + 1];
    switch (option.text) {
      case 'level': {
        const parsed = parseLevel(ctx, option, value);
        if (parsed === undefined) ok = false;
        else level = parsed;
        break;
      }
      case 'severity-output': {
        const parsed = parseSeverity(ctx, option, value);
        if (parsed === undefined) ok = false;
        else severityOutput = parsed;
        break;
      }
      case 'thread': {
        const parsed = parseThreadSet(value?.text ?? '', threadSet);
        if (typeof parsed === 'string') {
          ctx.error(`'stats socket' : '${parsed}'`, value ?? option);
          ok = false;
        } else {
          threadSet = parsed;
        }
        break;
      }
      case 'nice': {
        const parsed = parseNice(value?.text ?? '');
        if (typeof parsed === 'string') {
          ctx.error(`'stats socket' : '${parsed}'`, value ?? option);
          ok = false;
        } else {
          ctx.notice(`'stats socket' : 'nice ${value?.text ?? ''}' ${NICE_NOTICE}`, option);
        }
        break;
      }
      case 'expose-fd':
        if (value?.text !== 'listeners') {
          ctx.error(`'stats socket' : ''expose-fd' : missing fd type'`, value ?? option);
          ok = false;
        } else {
          exposeFdListeners = true;
        }
        break;
      default:
        if (isSocketFileOption(option.text)) {
          if (value === undefined) {
            // HAProxy's bind keyword parsers, each with its own words for a missing value.
            const missing = { mode: "missing or invalid mode '' (octal integer expected)", user: 'missing user name', group: 'missing group name', uid: 'missing value', gid: 'missing value' }[option.text];
            ctx.error(`'stats socket' : ''${option.text}' : ${missing}'`, option);
            ok = false;
          } else if (!parseSocketFileOption(ctx, socketFile, option.text, value, (message) => `'stats socket' : '${message}'`)) {
            ok = false;
          }
          break;
        }
        if (REFUSED_OPTIONS.has(option.text)) {
          ctx.error(`'stats socket' : '${option.text}' is not supported on Switchyard's stats sockets (supported: level, mode, severity-output, expose-fd, user, group, uid, gid, thread, nice).`, option);
        } else {
          ctx.error(`'stats socket' : unknown keyword '${option.text}'.`, option);
        }
        return;
    }
  }
  if (!ok || address === undefined) return;
  const { file, line } = ctx.place(args[0]);
  const socket: StatsSocketModel = {
    address,
    level,
    ...(socketFile.mode !== undefined ? { mode: socketFile.mode } : {}),
    ...(socketFile.owner !== undefined ? { owner: socketFile.owner } : {}),
    severityOutput,
    exposeFdListeners,
    source: { file, line },
  };
  statsDraft(ctx).sockets.push(socket);
  if (threadSet !== undefined) (ctx.global.statsSocketThreads ??= []).push({ set: threadSet, address: addressToken.text, place: ctx.place(args[0]) });
}

function parseTimeout(ctx: KeywordContext, args: readonly Token[]): void {
  const value = args[2];
  if (value === undefined) {
    ctx.error("'stats timeout' expects a positive value");
    return;
  }
  const parsed = parseDuration(value.text);
  if (!parsed.ok) {
    ctx.error(`'stats timeout' : ${parsed.message}`, value);
    return;
  }
  if (parsed.ms <= 0) {
    ctx.error("'stats timeout' expects a positive value", value);
    return;
  }
  statsDraft(ctx).timeout = parsed.ms;
}

function parseMaxconn(ctx: KeywordContext, args: readonly Token[]): void {
  const value = args[2];
  // HAProxy reads it with atol(): anything not starting with a positive number is refused.
  const n = value === undefined ? 0 : Number.parseInt(value.text, 10);
  if (!(n > 0)) {
    ctx.error("'stats maxconn' expects a positive value", value);
    return;
  }
  statsDraft(ctx).maxconn = n;
}

const stats: SectionKeyword = {
  name: 'stats',
  sections: ['global'],
  parse(ctx, args) {
    const sub = args[1]?.text ?? '';
    switch (sub) {
      case 'socket':
        return parseSocket(ctx, args);
      case 'timeout':
        return parseTimeout(ctx, args);
      case 'maxconn':
        return parseMaxconn(ctx, args);
      case 'bind-process': {
        // HAProxy 2.6 checks the process numbers (only 1 exists) and ignores the line, silently.
        for (const arg of args.slice(2)) {
          if (arg.text === 'all') break;
          const error = processNumberError(arg.text);
          if (error !== undefined) {
            ctx.error(`'stats bind-process' : ${error}`, arg);
            return;
          }
        }
        return;
      }
      default:
        ctx.error(`'stats' only supports 'socket', 'maxconn', 'bind-process' and 'timeout' (got '${sub}')`, args[1]);
    }
  },
};

export const statsSocketKeywords: KeywordList = { keywords: [stats] };
