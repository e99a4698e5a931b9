/**
 * The replies a proxy gives for a status instead of HAProxy's built-in pages (`errorfile`,
 * `errorloc`, `errorfiles`, `http-error`, inherited from defaults), and which proxy's apply
 * (HAProxy's http_error_message): the backend's, else the frontend's, else the built-in page.
 * Before a backend is chosen the stream's backend is the frontend itself, so only the
 * frontend's count then.
 *
 * HAProxy's H1 mux answers the errors it detects itself (an invalid request head, a request
 * head timeout, before any stream exists) with the built-in page, whatever errorfile is
 * configured — except an empty one, which makes it answer nothing and close
 * (frontendAnswersNothing).
 */
import type { BackendModel, FrontendModel, ProxyErrorReply } from '../config/model.ts';
import { compileReplyBuilder, type ReplyBuilder } from '../rules/actions/reply-actions.ts';
import type { SampleContext } from '../rules/sample-context.ts';
import type { LocalReply } from './local-reply.ts';

type ProxyModel = { readonly name: string; readonly errorReplies?: readonly ProxyErrorReply[] | undefined };

/** A proxy's replies by status, compiled once per model (a new generation brings new models). */
const cache = new WeakMap<object, ReadonlyMap<number, ReplyBuilder>>();
const NONE: ReadonlyMap<number, ReplyBuilder> = new Map();

/** Thrown for a reply that does not compile (a hand-built model: loaded ones are checked). */
export class ErrorReplyError extends Error {
  readonly code = 'ERROR_REPLY_INVALID';
}

function repliesOf(model: ProxyModel): ReadonlyMap<number, ReplyBuilder> {
  let replies = cache.get(model);
  if (replies === undefined) {
    const entries = model.errorReplies ?? [];
    if (entries.length === 0) replies = NONE;
    else {
      const table = new Map<number, ReplyBuilder>();
      for (const { status, reply } of entries) {
        // HAProxy evaluates an `http-error` log-format on the request in flight.
        const compiled = compileReplyBuilder(reply, 'request');
        if (!compiled.ok) throw new ErrorReplyError(`proxy '${model.name}': error reply for status ${status}: ${compiled.message}`);
        table.set(status, compiled.builder);
      }
      replies = table;
    }
    cache.set(model, replies);
  }
  return replies;
}

/**
 * The reply for `status` from the transaction's proxies (`backend` undefined while none is
 * chosen), or undefined when neither has one (the built-in page applies).
 */
export function proxyErrorReply(status: number, frontend: FrontendModel, backend: BackendModel | undefined, ctx: SampleContext): LocalReply | undefined {
  const builder = (backend === undefined ? undefined : repliesOf(backend).get(status)) ?? repliesOf(frontend).get(status);
  return builder?.build(ctx);
}

/** The frontend maps `status` to an empty errorfile: HAProxy's H1 mux then sends nothing and closes. */
export function frontendAnswersNothing(frontend: FrontendModel, status: number): boolean {
  const entry = frontend.errorReplies?.find((e) => e.status === status);
  return entry !== undefined && entry.reply.body.kind === 'errorfile' && entry.reply.body.content === '';
}
