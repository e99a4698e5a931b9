/**
 * `severity-output none|number|string` on a frontend's `bind` line. HAProxy registers it for
 * every bind (cli.c's bind keywords), but only its CLI reads it: on a frontend it is checked
 * and changes nothing. The same here, with a notice rather than silence. On a `stats socket`
 * line it prefixes the runtime API's feedback (stats-socket.ts).
 */

import type { SeverityOutput } from '../model.ts';
import type { KeywordList } from '../registry.ts';

/** cli.c's set_severity_output and bind_parse_severity_output: the format, or HAProxy's message. */
export function parseSeverityOutput(text: string | undefined): SeverityOutput | string {
  if (text === undefined || text === '') return "'severity-output' : missing severity format";
  if (text === 'none' || text === 'number' || text === 'string') return text;
  return `'severity-output' only supports 'none', 'number', and 'string' (got '${text}')`;
}

export const bindSeverityOutputKeywords: KeywordList = {
  bindOptions: [
    {
      name: 'severity-output',
      arity: 1,
      parse(ctx, bind, value, option) {
        if (value === undefined) return;
        const parsed = parseSeverityOutput(value.text);
        if (parsed !== 'none' && parsed !== 'number' && parsed !== 'string') {
          ctx.error(`'bind ${bind.address}' in section '${ctx.section}' : ${parsed}`, value);
          return;
        }
        ctx.notice(
          `'bind ${bind.address}' in section '${ctx.section}' : 'severity-output' prefixes the runtime API's answers; it applies to 'stats socket' lines and changes nothing on a frontend's bind.`,
          option,
        );
      },
    },
  ],
};
