/**
 * What an `http-request` / `http-response` action does to the rule list that runs it (HAProxy's
 * act_return mapped to http_req_get_intercept_rule's outcomes): go on with the next rule, stop
 * the list of this proxy (`allow`), or answer locally (`deny`, `return`, `redirect`...).
 * Verdicts are small integers: running a rule allocates nothing.
 */
import type { HttpHead } from '../http/codec/head.ts';
import type { HeadEditor } from '../http/codec/serialize.ts';
import type { LocalReply } from '../http/local-reply.ts';
import type { SampleContext } from './sample-context.ts';
import type { StreamNameResolver } from '../dns/stream-resolution.ts';

export const Verdict = {
  /** Evaluate the next rule. */
  continue: 0,
  /** Stop this proxy's rule list; the message goes on (`allow`). */
  stop: 1,
  /** Stop everything and answer with `ctx.reply` (the transaction never reaches a server). */
  reply: 2,
  /**
   * Wait (HAProxy's ACT_RET_YIELD, `wait-for-body`): the list stops at this rule and, once the
   * stream has what the rule waits for, resumes by running the same action again, without
   * re-evaluating its condition.
   */
  yield: 3,
} as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

/** The context actions run in: the sample context plus where a reply action leaves its answer. */
export interface HttpActionContext extends SampleContext {
  reply: LocalReply | undefined;
  /** Set with `reply` by `deny` and `tarpit` (HAProxy counts denied requests and logs PR, not LR). */
  denied: boolean;
  /** Set with `reply` by `tarpit`: the reply waits for `timeout tarpit` (logged PT). */
  tarpit: boolean;
  /** Header rewrites skipped because the value was not a valid field value. */
  failedRewrites: number;
  /** Set by `set-status`: the status the response now carries. */
  responseStatus: number | undefined;
  /** Set by `set-timeout server|tunnel`: this transaction's timeouts (ms). */
  serverTimeout: number | undefined;
  tunnelTimeout: number | undefined;
  /** Set by `set-log-level`: the level of this transaction's log line; -1 = `silent`. */
  logLevel: number | undefined;
  /**
   * Set with `reply` when a rule found the request invalid (HAProxy's ACT_RET_INV, e.g. a
   * strict `normalize-uri`): a 400 counted as a bad request, and the connection closes.
   */
  invalidRequest: boolean;
  /** Set with a `reply` verdict by `use-service`: the service that answers instead of a reply. */
  service?: string | undefined;
  /** Set with `reply` by `reject`: no response at all, the connection closes (logged PR, status -1). */
  rejected?: boolean | undefined;
  /**
   * `wait-for-body`: continue when the message's body is complete, fills the buffer or has
   * `atLeast` bytes (0: the whole body); else yield. Absent where no body can be waited for.
   */
  waitForBody?(time: number, atLeast: number): Verdict;
  /** `do-resolve`: the stream's name resolutions (absent where the rules cannot wait for one). */
  names?: StreamNameResolver | undefined;
  /** Set with `rejected` by `silent-drop`: the client connection is reset rather than closed. */
  silentDrop?: boolean | undefined;
  /** `strict-mode off` for the current message: a failed rewrite is skipped instead of answered 500. */
  softRewrites?: boolean | undefined;
  /** Set with `reply` (a 500) when a rewrite failed in strict mode (HAProxy's fail_rewrite, logged P). */
  rewriteError?: boolean | undefined;
  /**
   * The bytes the message's buffer had free when its rules began (src/stream/rewrite-room.ts):
   * a header rewrite growing the head past them fails as HAProxy's does on a full buffer.
   * Undefined: no bound.
   */
  rewriteRoom?: number | undefined;
  /** Set by `disable-l7-retry`: the transaction is retried on connection failures only. */
  l7RetryDisabled?: boolean | undefined;
  /** Writes an interim response (`early-hint`'s 103) to the client at once; absent where none can go. */
  sendInterim?: ((bytes: Uint8Array) => void) | undefined;
}

/** One compiled action. */
export interface HttpAction {
  run(ctx: HttpActionContext, head: HttpHead, editor: HeadEditor): Verdict;
}

export type HttpActionCompile = { readonly ok: true; readonly action: HttpAction } | { readonly ok: false; readonly message: string };
