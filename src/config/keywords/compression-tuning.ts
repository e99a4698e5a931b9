/**
 * Global compression tunables and limits, with HAProxy 2.6's checks and messages
 * (cfgparse-global.c, compression.c): `tune.comp.maxlevel`, `tune.zlib.memlevel`,
 * `tune.zlib.windowsize` (HAProxy has the last two when built with zlib, as Switchyard's
 * compressors are), `maxcomprate` (KiB/s), `maxzlibmem` (MiB) and `maxcompcpuusage`. Numbers are read as C's
 * atoi()/atol(), as HAProxy reads them.
 */
import type { KeywordContext, KeywordList, SectionKeyword } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { atol, atolInt32, noExtraArgs } from './args.ts';
import { DEFAULT_COMPRESSION_TUNING } from '../compression-tuning-model.ts';

const GLOBAL = ['global'] as const;

type Field = 'maxLevel' | 'memLevel' | 'windowBits' | 'rateLimit' | 'maxZlibMemory' | 'minIdle';

function set(ctx: KeywordContext, field: Field, value: number): void {
  ctx.global.compression = { ...(ctx.global.compression ?? DEFAULT_COMPRESSION_TUNING), [field]: value };
}

/** A numeric value within [min, max], else HAProxy's "expects a numeric value between" alert. */
function ranged(name: string, field: Field, min: number, max: number, period: string): SectionKeyword {
  return {
    name,
    sections: GLOBAL,
    parse(ctx: KeywordContext, args: readonly Token[]) {
      if (!noExtraArgs(ctx, args, 2)) return;
      const value = atol(args[1]?.text ?? '');
      if (args[1] === undefined || value < min || value > max) {
        ctx.error(`'${name}' expects a numeric value between ${min} and ${max}${period}`, args[1]);
        return;
      }
      set(ctx, field, value);
    },
  };
}

/** maxcomprate / maxzlibmem: an integer scaled to bytes; nothing given is HAProxy's alert, 0 or no number is no limit. */
function scaled(name: string, field: Field, scale: number, expects: string): SectionKeyword {
  return {
    name,
    sections: GLOBAL,
    parse(ctx: KeywordContext, args: readonly Token[]) {
      if (!noExtraArgs(ctx, args, 2)) return;
      const text = args[1]?.text ?? '';
      if (text === '') {
        ctx.error(`'${name}' expects ${expects}.`);
        return;
      }
      set(ctx, field, Math.max(0, atol(text)) * scale);
    },
  };
}

/**
 * maxcompcpuusage: HAProxy keeps 100 - atoi(N) in an unsigned int and refuses it above 100, so
 * N is 0..100 as an int (no number reads 0: no compression unless the thread is fully idle;
 * 4294967297 reads 1).
 */
const maxCompCpuUsage: SectionKeyword = {
  name: 'maxcompcpuusage',
  sections: GLOBAL,
  parse(ctx: KeywordContext, args: readonly Token[]) {
    if (!noExtraArgs(ctx, args, 2)) return;
    const text = args[1]?.text ?? '';
    const usage = atolInt32(text);
    if (text === '' || usage < 0 || usage > 100) {
      ctx.error("'maxcompcpuusage' expects an integer argument between 0 and 100.", args[1]);
      return;
    }
    set(ctx, 'minIdle', 100 - usage);
  },
};

const keywords: SectionKeyword[] = [
  // HAProxy's own alerts differ in their final period: cfgparse-global.c has none, compression.c one.
  ranged('tune.comp.maxlevel', 'maxLevel', 1, 9, ''),
  ranged('tune.zlib.memlevel', 'memLevel', 1, 9, '.'),
  ranged('tune.zlib.windowsize', 'windowBits', 8, 15, '.'),
  scaled('maxcomprate', 'rateLimit', 1024, 'an integer argument in kb/s'),
  scaled('maxzlibmem', 'maxZlibMemory', 1024 * 1024, 'an integer argument'),
  maxCompCpuUsage,
];

export const compressionTuningKeywords: KeywordList = { keywords };
