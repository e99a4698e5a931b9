/**
 * Server states kept across reloads (HAProxy's server_state.c): the global `server-state-file
 * FILE` and `server-state-base DIR`, and the backend keywords `load-server-state-from-file
 * global|local|none` (inherited from defaults) and `server-state-file-name [use-backend-name|FILE]`.
 * The operator saves `show servers state` to the file before a reload; the new process applies
 * it at startup (src/proxy/server-state-file.ts, src/runtime-api/server-state-apply.ts).
 */

import type { KeywordContext, KeywordList, SectionKeyword } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { noExtraArgs } from './args.ts';

function globalPath(which: 'serverStateFile' | 'serverStateBase', expects: string) {
  return (ctx: KeywordContext, args: readonly Token[]): void => {
    const name = args[0]?.text ?? '';
    if (ctx.global[which] !== undefined) {
      // HAProxy alerts without failing (ERR_ALERT alone) and keeps the first one.
      ctx.warning(`'${name}' already specified. Continuing.`);
      return;
    }
    const value = args[1]?.text ?? '';
    if (value === '') {
      ctx.error(`'${name}' ${expects}.`);
      return;
    }
    if (!noExtraArgs(ctx, args, 2)) return;
    ctx.global[which] = value;
  };
}

const MODES = ['global', 'local', 'none'] as const;

const keywords: SectionKeyword[] = [
  { name: 'server-state-base', sections: ['global'], parse: globalPath('serverStateBase', 'expects one argument: a directory path') },
  { name: 'server-state-file', sections: ['global'], parse: globalPath('serverStateFile', 'expect one argument: a file path') },
  {
    name: 'load-server-state-from-file',
    sections: ['defaults', 'frontend', 'backend', 'listen'],
    parse(ctx, args) {
      const ignored = ctx.ignoredWithoutCapability('backend');
      const mode = MODES.find((m) => m === args[1]?.text);
      if (mode === undefined) {
        ctx.error(`'${args[0]?.text}' expects 'global', 'local' or 'none'. Got '${args[1]?.text ?? ''}'`, args[1]);
        return;
      }
      if (ignored || ctx.proxy === undefined) return;
      ctx.proxy.serverState = { load: mode, fileName: ctx.proxy.serverState?.fileName };
    },
  },
  {
    name: 'server-state-file-name',
    sections: ['defaults', 'frontend', 'backend', 'listen'],
    parse(ctx, args) {
      if (ctx.ignoredWithoutCapability('backend') || !noExtraArgs(ctx, args, 2) || ctx.proxy === undefined) return;
      if (ctx.section === 'defaults') {
        // HAProxy takes it there but never copies it to the proxies using the section.
        ctx.warning(`'${args[0]?.text}' in a 'defaults' section is not inherited by the proxies using it; ignored.`);
        return;
      }
      const value = args[1]?.text ?? '';
      const fileName = value === '' || value === 'use-backend-name' ? undefined : value;
      ctx.proxy.serverState = { load: ctx.proxy.serverState?.load ?? 'none', fileName };
    },
  },
];

export const serverStateKeywords: KeywordList = { keywords };
