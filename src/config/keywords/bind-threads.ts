/**
 * `thread [<thread-group>/]<thread-set>` on `bind` and `stats socket` lines: the threads of
 * `nbthread` that accept on the listener. Parsed as HAProxy 2.6's bind_parse_thread
 * (listener.c), then checked against `nbthread` once the whole configuration is read, as its
 * check_config_validity does with thread_resolve_group_mask (thread.c). Switchyard has one thread
 * group, as the HAProxy 2.6.12 it is compared with (built with MAX_TGROUPS 1; `thread-groups` is
 * refused here), so a group can only be 1, and `1/2` names the same thread as `2`.
 */

import type { BindOption, KeywordList } from '../registry.ts';
import { MAX_THREAD_NUMBER, processNumberError, threadMask } from './process-numbers.ts';

/** HAProxy's MAX_TGROUPS in a build without thread groups. */
const MAX_THREAD_GROUPS = 1;

/** What the `thread` (and `process P/T`) options of one line said: HAProxy's bind_tgroup and bind_thread. */
export interface ThreadSetDraft {
  /** 0: thread numbers of the process; else the group they are numbered in. */
  group: number;
  /** Bit N-1: thread N. */
  mask: bigint;
}

/** strtol(text, &end, 10): the number (saturated to a long) and where the parse stopped. */
function strtol(text: string): { value: bigint; end: number } {
  const m = /^[\t\n\v\f\r ]*([+-]?)([0-9]+)/.exec(text);
  if (m === null) return { value: 0n, end: 0 };
  let value = BigInt(m[2] as string);
  if (m[1] === '-') value = -value;
  const max = (1n << 63n) - 1n;
  if (value > max) value = max;
  if (value < -max - 1n) value = -max - 1n;
  return { value, end: m[0].length };
}

/**
 * bind_parse_thread: the set `arg` adds to what the line said before (`current`), or HAProxy's
 * message (to follow "'thread' : " where the caller's words require it).
 */
export function parseThreadSet(arg: string, current: ThreadSetDraft | undefined): ThreadSetDraft | string {
  const { value, end } = strtol(arg);
  let group = 0;
  let set = arg;
  if (arg[end] === '/') {
    if (value < 1n || value > BigInt(MAX_THREAD_GROUPS)) {
      return `'${arg}' thread-group number must be between 1 and ${MAX_THREAD_GROUPS} (was ${value})`;
    }
    group = Number(value);
    set = arg.slice(end + 1);
  }
  if (current !== undefined && (current.group !== 0 || current.mask !== 0n) && current.group !== group) {
    return `'${arg}' multiple thread-groups are not supported`;
  }
  const error = processNumberError(set, MAX_THREAD_NUMBER);
  if (error !== undefined) return `'${set}' : ${error}`;
  return { group, mask: (current?.mask ?? 0n) | threadMask(set) };
}

/**
 * thread_resolve_group_mask with one group of `nbthread` threads: the threads (0-based, as the
 * `thread` fetch numbers them) that accept, or HAProxy's reason to refuse the line.
 */
export function resolveThreadSet(set: ThreadSetDraft, nbthread: number): readonly number[] | string {
  const threads: number[] = [];
  for (let t = 0; t < nbthread && t < MAX_THREAD_NUMBER; t++) if ((set.mask >> BigInt(t)) & 1n) threads.push(t);
  if (threads.length > 0) return threads;
  return set.group === 0
    ? "'thread' directive contains threads that belong to no group"
    : "'thread' directive only references threads not belonging to the group";
}

/** The `bind` option. */
export const threadBindOption: BindOption = {
  name: 'thread',
  arity: 1,
  parse(ctx, bind, value) {
    if (value === undefined) return;
    const parsed = parseThreadSet(value.text, bind.threadSet);
    if (typeof parsed === 'string') ctx.error(`'bind ${bind.address}' in section '${ctx.section}' : ${parsed}`, value);
    else bind.threadSet = parsed;
  },
};

export const bindThreadKeywords: KeywordList = { bindOptions: [threadBindOption] };
