/**
 * HAProxy 2.6's global HTTP/2 tunables (mux_h2.c's cfg_kws), read by the HTTP/2 client-side
 * mux (src/mux/h2-client.ts) and announced in its SETTINGS when they differ from the
 * protocol's defaults: `tune.h2.header-table-size N` (4096..65536, the HPACK table we decode
 * with), `tune.h2.initial-window-size N` (a stream's receive window, default 65535),
 * `tune.h2.max-concurrent-streams N` (default 100; 0 = unlimited, not announced) and
 * `tune.h2.max-frame-size N` (16384..16777215; announced at most tune.bufsize, 16384 here, as
 * HAProxy caps it, so larger values change nothing). `h2-workaround-bogus-websocket-clients`
 * stops announcing extended CONNECT (RFC 8441) in SETTINGS, on both sides as HAProxy; a client's
 * extended CONNECT is still served (h2_make_htx_request does not check the announcement).
 */
import type { KeywordContext, KeywordList, SectionKeyword } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { noExtraArgs } from './args.ts';

type H2Tunable = 'h2HeaderTableSize' | 'h2InitialWindowSize' | 'h2MaxConcurrentStreams' | 'h2MaxFrameSize';

/** HAProxy reads these with atoi() and checks the range with its own words. */
function tunable(field: H2Tunable, min: number, max: number, expects: string) {
  return (ctx: KeywordContext, args: readonly Token[]): void => {
    const keyword = args[0]?.text ?? '';
    const value = args[1];
    if (value === undefined || !/^\d+$/.test(value.text) || Number(value.text) < min || Number(value.text) > max) {
      ctx.error(`'${keyword}' expects ${expects}.`, value ?? args[0]);
      return;
    }
    if (!noExtraArgs(ctx, args, 2)) return;
    ctx.global.tune[field] = Number(value.text);
  };
}

const GLOBAL = ['global'] as const;

const keywords: SectionKeyword[] = [
  { name: 'tune.h2.header-table-size', sections: GLOBAL, parse: tunable('h2HeaderTableSize', 4096, 65536, 'a numeric value between 4096 and 65536') },
  { name: 'tune.h2.initial-window-size', sections: GLOBAL, parse: tunable('h2InitialWindowSize', 0, 0x7fffffff, 'a positive numeric value') },
  { name: 'tune.h2.max-concurrent-streams', sections: GLOBAL, parse: tunable('h2MaxConcurrentStreams', 0, 0x7fffffff, 'a positive numeric value') },
  { name: 'tune.h2.max-frame-size', sections: GLOBAL, parse: tunable('h2MaxFrameSize', 16384, 16777215, 'a numeric value between 16384 and 16777215') },
  // HAProxy 2.6's parser handles `no h2-workaround-...`, but its global section lets no keyword
  // of this name through with `no` or `default` (the negation gate lists others): refused alike.
  {
    name: 'h2-workaround-bogus-websocket-clients',
    sections: GLOBAL,
    parse: (ctx, args) => {
      if (noExtraArgs(ctx, args, 1)) ctx.global.tune.h2NoExtendedConnect = true;
    },
  },
];

export const h2TuneKeywords: KeywordList = { keywords };
