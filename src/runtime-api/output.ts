/**
 * What a command answers, as HAProxy's CLI applet writes it: a feedback message (cli_msg /
 * cli_err: prefixed with its severity when the session asks for it) or a dump (an io_handler's
 * output, written as is).
 */

/** syslog severities HAProxy tags feedback with: LOG_ERR and LOG_INFO (others are unused here). */
export const SEVERITY_ERR = 3;
export const SEVERITY_WARNING = 4;
export const SEVERITY_NOTICE = 5;
export const SEVERITY_INFO = 6;

export type CliAnswer =
  | { readonly kind: 'message'; readonly severity: number; readonly text: string }
  | { readonly kind: 'dump'; readonly text: string }
  /** A dump that goes on (`show events -w`) until the client closes its side or the session times out. */
  | { readonly kind: 'follow'; readonly follower: CliFollower }
  | { readonly kind: 'none' };

/** What a following answer writes: `start` returns the text already there and gets the writer for the rest. */
export interface CliFollower {
  start(write: (text: string) => void): string;
  stop(): void;
}

export function follow(follower: CliFollower): CliAnswer {
  return { kind: 'follow', follower };
}

export const NO_ANSWER: CliAnswer = { kind: 'none' };

export function info(text: string): CliAnswer {
  return { kind: 'message', severity: SEVERITY_INFO, text };
}

export function error(text: string): CliAnswer {
  return { kind: 'message', severity: SEVERITY_ERR, text };
}

export function dump(text: string): CliAnswer {
  return { kind: 'dump', text };
}

export const PERMISSION_DENIED = error('Permission denied\n');

const LEVEL_NAMES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

/** HAProxy's cli_output_msg: the `[N]: ` or `[name]: ` prefix of `severity-output`. */
export function severityPrefix(severity: number, output: 'none' | 'number' | 'string'): string {
  if (output === 'none') return '';
  return output === 'number' ? `[${severity}]: ` : `[${LEVEL_NAMES[severity] ?? severity}]: `;
}
