/**
 * The options of an `http-check expect` rule, as HAProxy 2.6's parse_tcpcheck_expect reads them
 * (anywhere on the line, before or after the pattern):
 *
 *   min-recv N | comment TEXT | ok-status S | error-status S | tout-status S
 *   on-success FMT | on-error FMT | status-code EXPR
 *
 * FMT is a log-format string and EXPR a sample expression, both evaluated in the check's
 * context when the rule decides the check. Texts of the errors are HAProxy's.
 */
import type { CheckExpectOptions, TcpCheckStatusName } from '../model.ts';
import type { KeywordContext } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { compileSampleFetch } from '../../rules/sample-fetch.ts';
import { checkLogFormatError } from './http-check-vars.ts';
import { atol } from './args.ts';

export const EXPECT_OPTION_WORDS: readonly string[] = ['min-recv', 'comment', 'ok-status', 'error-status', 'tout-status', 'on-success', 'on-error', 'status-code'];

/** The statuses each option accepts (case-insensitively), with HAProxy's list for the message. */
const STATUS_CHOICES: Readonly<Record<'ok-status' | 'error-status' | 'tout-status', { accepted: readonly TcpCheckStatusName[]; listed: string }>> = {
  'ok-status': { accepted: ['L7OK', 'L7OKC', 'L6OK', 'L4OK'], listed: "'L4OK', 'L6OK', 'L7OK' or 'L7OKC'" },
  // HAProxy takes L7OKC too, without naming it.
  'error-status': { accepted: ['L7RSP', 'L7STS', 'L7OKC', 'L6RSP', 'L4CON'], listed: "'L4CON', 'L6RSP', 'L7RSP' or 'L7STS'" },
  'tout-status': { accepted: ['L7TOUT', 'L6TOUT', 'L4TOUT'], listed: "'L4TOUT', 'L6TOUT' or 'L7TOUT'" },
};

/** The status an `ok-status` / `error-status` / `tout-status` value names (case-insensitively), or HAProxy's complaint. */
export function expectStatus(option: 'ok-status' | 'error-status' | 'tout-status', value: string): TcpCheckStatusName | { readonly error: string } {
  const choice = STATUS_CHOICES[option];
  const status = choice.accepted.find((s) => s === value.toUpperCase());
  return status ?? { error: `'${option}' only supports ${choice.listed} status (got '${value}')..` };
}


/**
 * Reads the option at args[i] (one of EXPECT_OPTION_WORDS) into `options`. `negated`: a `!` came
 * just before, which HAProxy refuses for options. Returns the index after it, or undefined once
 * the error is reported.
 */
export function parseExpectOption(
  ctx: KeywordContext,
  where: string,
  args: readonly Token[],
  i: number,
  negated: boolean,
  options: { -readonly [K in keyof CheckExpectOptions]: CheckExpectOptions[K] },
): number | undefined {
  const word = args[i] as Token;
  const value = args[i + 1];
  if (negated) {
    ctx.error(`${where} : [!] not supported with '${word.text}'.`, word);
    return undefined;
  }
  if (value === undefined || value.text === '') {
    const what = word.text === 'min-recv' ? 'a integer' : word.text === 'status-code' ? 'an expression' : 'a string';
    ctx.error(`${where} : '${word.text}' expects ${what} as argument.`, word);
    return undefined;
  }
  switch (word.text) {
    case 'min-recv': {
      const n = atol(value.text);
      if (n < -1 || n > 2_147_483_647) {
        ctx.error(`${where} : '${word.text}' expects -1 or an integer from 0 to INT_MAX.`, value);
        return undefined;
      }
      options.minRecv = n;
      break;
    }
    case 'comment':
      options.comment = value.text;
      break;
    case 'ok-status':
    case 'error-status':
    case 'tout-status': {
      const status = expectStatus(word.text, value.text);
      if (typeof status !== 'string') {
        ctx.error(`${where} : ${status.error}`, value);
        return undefined;
      }
      if (word.text === 'ok-status') options.okStatus = status;
      else if (word.text === 'error-status') options.errorStatus = status;
      else options.toutStatus = status;
      break;
    }
    case 'on-success':
    case 'on-error': {
      const error = checkLogFormatError(value.text);
      if (error !== undefined) {
        ctx.error(`${where} : '${value.text}' invalid log-format string (${error}).`, value);
        return undefined;
      }
      if (word.text === 'on-success') options.onSuccess = value.text;
      else options.onError = value.text;
      break;
    }
    default: {
      const compiled = compileSampleFetch(value.text, { direction: 'response' });
      if (!compiled.ok) {
        ctx.error(`${where} : error detected while parsing status-code expression : ${compiled.message}.`, value);
        return undefined;
      }
      options.statusCode = value.text;
    }
  }
  return i + 2;
}
