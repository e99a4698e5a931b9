/**
 * The `global` section: process-wide settings. The process-management keywords (daemon, user,
 * pidfile, ...) are in process-management.ts.
 */

import type { KeywordContext, KeywordList, SectionKeyword } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { noExtraArgs, parseInteger, parseTime, requireArgs } from './args.ts';
import { parseLogTarget } from './log.ts';

const GLOBAL = ['global'] as const;

function globalKeyword(name: string, parse: SectionKeyword['parse'], modifiers = false): SectionKeyword {
  return { name, sections: GLOBAL, parse, modifiers };
}

function setBase(which: 'crtBase' | 'caBase') {
  return (ctx: KeywordContext, args: readonly Token[]): void => {
    if (!requireArgs(ctx, args, 1, 'a directory as an argument') || !noExtraArgs(ctx, args, 2)) return;
    if (ctx.global[which] !== undefined) {
      ctx.error(`'${args[0]?.text}' already specified.`);
      return;
    }
    ctx.global[which] = (args[1] as Token).text;
  };
}

const keywords: SectionKeyword[] = [
  globalKeyword('maxconn', (ctx, args) => {
    if (!requireArgs(ctx, args, 1, 'an integer argument') || !noExtraArgs(ctx, args, 2)) return;
    const value = parseInteger(ctx, args[1] as Token, { min: 0, max: 2_147_483_647 }, "'maxconn'");
    if (value !== undefined) ctx.global.maxconn = value;
  }),
  globalKeyword('nbthread', (ctx, args) => {
    if (!requireArgs(ctx, args, 1, 'an integer argument') || !noExtraArgs(ctx, args, 2)) return;
    const value = parseInteger(ctx, args[1] as Token, { min: 1, max: 4096 }, "'nbthread'");
    if (value === undefined) return;
    ctx.global.nbthread = value;
  }),
  globalKeyword('noreuseport', (ctx, args) => {
    if (!noExtraArgs(ctx, args, 1)) return;
    ctx.global.noReusePort = true;
  }),
  // connection.c: health checks of `send-proxy-v2` servers send a PROXY command, as HAProxy <= 2.1.
  globalKeyword('pp2-never-send-local', (ctx, args) => {
    if (!noExtraArgs(ctx, args, 1)) return;
    ctx.global.pp2NeverSendLocal = true;
  }),
  globalKeyword('hard-stop-after', (ctx, args) => {
    if (!requireArgs(ctx, args, 1, 'a time value as an argument') || !noExtraArgs(ctx, args, 2)) return;
    const ms = parseTime(ctx, args[1] as Token, "'hard-stop-after'");
    if (ms !== undefined) ctx.global.hardStopAfter = ms;
  }),
  // HAProxy keeps the first non-zero `spread-checks` (a later one is an alert, not fatal).
  globalKeyword('spread-checks', (ctx, args) => {
    if (!requireArgs(ctx, args, 1, 'an integer argument (0..50)') || !noExtraArgs(ctx, args, 2)) return;
    if ((ctx.global.spreadChecks ?? 0) !== 0) {
      ctx.warning('spread-checks already specified. Continuing.');
      return;
    }
    const value = parseInteger(ctx, args[1] as Token, { min: 0, max: 50 }, "'spread-checks'");
    if (value !== undefined) ctx.global.spreadChecks = value;
  }),
  globalKeyword('max-spread-checks', (ctx, args) => {
    if (!requireArgs(ctx, args, 1, 'a time value as an argument') || !noExtraArgs(ctx, args, 2)) return;
    const ms = parseTime(ctx, args[1] as Token, "'max-spread-checks'");
    if (ms !== undefined) ctx.global.maxSpreadChecks = ms;
  }),
  globalKeyword('crt-base', setBase('crtBase')),
  globalKeyword('ca-base', setBase('caBase')),
  globalKeyword(
    'log',
    (ctx, args) => {
      if (ctx.modifier === 'default') {
        ctx.error("'default log' is not supported in the 'global' section.");
        return;
      }
      if (ctx.modifier === 'no') {
        if (noExtraArgs(ctx, args, 1)) ctx.global.logs = [];
        return;
      }
      if (args[1]?.text === 'global') {
        ctx.error("'log global' is only valid in a proxy or defaults section.", args[1]);
        return;
      }
      const target = parseLogTarget(ctx, args);
      if (target !== undefined) ctx.global.logs.push(target);
    },
    true,
  ),
  globalKeyword('setenv', (ctx, args) => {
    if (!requireArgs(ctx, args, 2, '<name> and <value> as arguments') || !noExtraArgs(ctx, args, 3)) return;
    ctx.setEnv((args[1] as Token).text, (args[2] as Token).text);
  }),
  globalKeyword('presetenv', (ctx, args) => {
    if (!requireArgs(ctx, args, 2, '<name> and <value> as arguments') || !noExtraArgs(ctx, args, 3)) return;
    const name = (args[1] as Token).text;
    if (ctx.getEnv(name) === undefined) ctx.setEnv(name, (args[2] as Token).text);
  }),
  globalKeyword('unsetenv', (ctx, args) => {
    if (!requireArgs(ctx, args, 1, 'at least one variable name')) return;
    for (const name of args.slice(1)) ctx.setEnv(name.text, undefined);
  }),
  // The names to keep, none at all: every variable goes.
  globalKeyword('resetenv', (ctx, args) => ctx.resetEnv(args.slice(1).map((t) => t.text))),
];

export const globalKeywords: KeywordList = {
  keywords,
  unsupported: {
    global: [
      'cpu-policy', 'cpu-set',
      'ssl-default-bind-sigalgs', 'ssl-default-server-sigalgs',
      'ssl-default-bind-client-sigalgs', 'ssl-default-server-client-sigalgs',
      'ssl-engine', 'ssl-mode-async',
      'ssl-skip-self-issued-ca', 'ssl-propquery', 'ssl-provider', 'ssl-provider-path',
      'lua-load', 'lua-load-per-thread', 'lua-prepend-path',
      'external-check',
      'profiling.memory',
      'issuers-chain-path', 'thread-group', 'thread-groups',
      'fd-hard-limit', 'anonkey', 'cluster-secret', 'httpclient.resolvers.id', 'httpclient.ssl.verify',
      'httpclient.ssl.ca-file', 'httpclient.resolvers.disabled', 'httpclient.resolvers.prefer',
      'httpclient.retries', 'httpclient.timeout.connect', 'hard-stop-after-grace',
      'log-format', 'ocsp-update.mode', 'ocsp-update.mindelay', 'ocsp-update.maxdelay', 'limited-quic',
      'no-quic', 'debug', 'stats-file', 'setcap', 'prealloc-fd', 'harden.reject-privileged-ports.tcp',
      'harden.reject-privileged-ports.quic', 'ssl-security-level', 'wurfl-data-file', '51degrees-data-file',
      'deviceatlas-json-file',
    ],
    sections: [
      'crt-store', 'traces', 'acme', 'namespace_list', 'dynamic-update',
    ],
  },
};
