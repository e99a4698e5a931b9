/**
 * `res.comp` (boolean: the compression filter compresses this response) and `res.comp_algo`
 * (the algorithm's configuration name), HAProxy 2.6's smp_fetch_res_comp / _algo. The filter
 * decides once the response head leaves, after the response rules: like HAProxy's, they are
 * false / absent in `http-response` rules and known to the log.
 */
import type { FetchFactory } from '../../rules/sample-fetch.ts';

const resComp: FetchFactory = (name, args) =>
  args.length > 0 ? `fetch method '${name}' takes no argument` : { scope: 'response', type: 'bool', atLogEnd: true, sample: (ctx, out) => out.setBool(ctx.compression !== undefined) };

const resCompAlgo: FetchFactory = (name, args) =>
  args.length > 0
    ? `fetch method '${name}' takes no argument`
    : {
        scope: 'response',
        type: 'str',
        atLogEnd: true,
        sample(ctx, out) {
          const algo = ctx.compression;
          return algo === undefined ? false : out.setStr(algo);
        },
      };

export const COMPRESSION_FETCHES: readonly (readonly [string, FetchFactory])[] = [
  ['res.comp', resComp],
  ['res.comp_algo', resCompAlgo],
];
