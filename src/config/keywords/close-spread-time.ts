/**
 * Global `close-spread-time <time>|infinite` (HAProxy 2.6's proxy.c
 * proxy_parse_close_spread_time): the window over which a soft stop ends the front connections
 * (src/proxy/soft-stop-closing.ts). `0` is no window, HAProxy's default; a later line replaces
 * an earlier one. As HAProxy's, words after the value are not looked at.
 */

import type { KeywordList } from '../registry.ts';
import { parseTimeArgument } from '../time.ts';

const NAME = 'close-spread-time';

export const closeSpreadTimeKeywords: KeywordList = {
  keywords: [
    {
      name: NAME,
      sections: ['global'],
      parse(ctx, args) {
        const value = args[1];
        if (value === undefined || value.text === '') {
          ctx.error(`'${NAME}' expects <time> as argument.`);
          return;
        }
        if (value.text === 'infinite') {
          ctx.global.closeSpreadTime = 'infinite';
          return;
        }
        const time = parseTimeArgument(value.text);
        if (!time.ok) {
          ctx.error(
            time.problem === 'overflow'
              ? `timer overflow in argument '${value.text}' to '${NAME}' (maximum value is 2147483647 ms or ~24.8 days)`
              : `unexpected character '${time.character}' in argument to <${NAME}>.`,
            value,
          );
          return;
        }
        if (time.trailing !== undefined) {
          ctx.warning(
            `unexpected character '${time.trailing}' after the timer value '${value.text}', only (us=microseconds,ms=milliseconds,s=seconds,m=minutes,h=hours,d=days) are supported. This will be reported as an error in next versions.`,
            value,
          );
        }
        ctx.global.closeSpreadTime = time.ms;
      },
    },
  ],
};
