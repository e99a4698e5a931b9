/**
 * Every compiled `http-request` / `http-response` action, by action keyword: one family per
 * file (a new family adds its compilers here and its parser in src/config/keywords/http-actions/).
 */
import type { HttpFinalRuleModel, HttpHeaderRuleModel, HttpRuleModel } from '../../config/model.ts';
import type { HttpHead } from '../../http/codec/head.ts';
import type { HeadEditor } from '../../http/codec/serialize.ts';
import { compileHeaderAction, type HeaderAction } from '../header-actions.ts';
import { Verdict, type HttpAction, type HttpActionCompile, type HttpActionContext } from '../http-action.ts';
import type { SampleDirection } from '../sample-fetch.ts';
import { compileAuth } from './auth-action.ts';
import { compileCapture } from './capture-action.ts';
import { compileDisableL7Retry, compileEarlyHint, compileReject, compileWaitForHandshake } from './stream-control-actions.ts';
import { compileAddressAction } from './address-actions.ts';
import { compilePriorityAction } from './priority-actions.ts';
import { compileRedirect } from './redirect-action.ts';
import { compileAllow, compileReply } from './reply-actions.ts';
import { compileSetStatus } from './status-actions.ts';
import { compileSetLogLevel, compileSetNice, compileSetTimeout } from './stream-actions.ts';
import { compileRequestLineAction } from './request-line-actions.ts';
import { compileVarAction } from './var-actions.ts';
import { compileStickAction } from './stick-actions.ts';
import { compileWaitForBody } from './body-wait-action.ts';
import { compileDoResolve } from './resolve-action.ts';
import { compileUseService } from './service-action.ts';
import { compileStrictMode, rewriteFailed } from './strict-mode.ts';
import { compileMapAction } from './map-actions.ts';
import { compileCacheAction } from './cache-actions.ts';

export type AnyHttpRuleModel = HttpRuleModel | HttpFinalRuleModel;
/** The rule model whose `action` includes A (a model may cover several actions, e.g. deny|return). */
type RuleOf<A> = AnyHttpRuleModel extends infer R ? (R extends { action: infer X } ? (A extends X ? R : never) : never) : never;
type Compiler<A extends AnyHttpRuleModel['action']> = (rule: RuleOf<A>, direction: SampleDirection) => HttpActionCompile;

/** A header action as a rule action: it never ends the list. */
class HeaderRule implements HttpAction {
  readonly #action: HeaderAction;
  constructor(action: HeaderAction) {
    this.#action = action;
  }
  run(ctx: HttpActionContext, head: HttpHead, editor: HeadEditor): Verdict {
    const appended = editor.appendedCount;
    try {
      this.#action.apply(ctx, head, editor);
    } catch {
      // A value no header may carry (a control character from a client-supplied sample): a
      // failed rewrite rather than forwarding it (a 500, or skipped with `strict-mode off`).
      return rewriteFailed(ctx);
    }
    const room = ctx.rewriteRoom;
    if (room !== undefined && editor.htxGrowth > room) {
      // The buffer's reserve is used up: HAProxy's htx_add_header fails after set-header's
      // removals happened, so only the field this rule added is taken back.
      if (editor.appendedCount > appended) editor.dropAppended(editor.appendedCount - 1);
      return rewriteFailed(ctx);
    }
    return Verdict.continue;
  }
}

function header(rule: HttpHeaderRuleModel, direction: SampleDirection): HttpActionCompile {
  const compiled = compileHeaderAction(rule, direction);
  return compiled.ok ? { ok: true, action: new HeaderRule(compiled.action) } : compiled;
}

const COMPILERS: { readonly [A in AnyHttpRuleModel['action']]: Compiler<A> } = {
  'set-header': header,
  'add-header': header,
  'del-header': header,
  'replace-header': header,
  'replace-value': header,
  allow: () => compileAllow(),
  deny: (rule, direction) => compileReply(rule.reply, direction, 'deny'),
  return: (rule, direction) => compileReply(rule.reply, direction, 'return'),
  tarpit: (rule, direction) => compileReply(rule.reply, direction, 'tarpit'),
  redirect: (rule, direction) => compileRedirect(rule.redirect, direction),
  'set-status': (rule) => compileSetStatus(rule.status, rule.reason),
  'set-timeout': (rule) => compileSetTimeout(rule.timeout, rule.value, rule.expression),
  'set-log-level': (rule) => compileSetLogLevel(rule.level),
  'set-nice': () => compileSetNice(),
  'set-var': compileVarAction,
  'set-var-fmt': compileVarAction,
  'unset-var': compileVarAction,
  'set-method': compileRequestLineAction,
  'set-path': compileRequestLineAction,
  'set-pathq': compileRequestLineAction,
  'set-query': compileRequestLineAction,
  'set-uri': compileRequestLineAction,
  'replace-path': compileRequestLineAction,
  'replace-pathq': compileRequestLineAction,
  'replace-uri': compileRequestLineAction,
  'normalize-uri': compileRequestLineAction,
  auth: (rule) => compileAuth(rule.realm),
  'track-sc': compileStickAction,
  'sc-inc-gpc0': compileStickAction,
  'sc-inc-gpc1': compileStickAction,
  'sc-set-gpt0': compileStickAction,
  'sc-inc-gpc': compileStickAction,
  'sc-set-gpt': compileStickAction,
  capture: compileCapture,
  reject: () => compileReject(),
  'silent-drop': () => compileReject(true),
  'disable-l7-retry': () => compileDisableL7Retry(),
  'wait-for-handshake': () => compileWaitForHandshake(),
  'early-hint': (rule) => compileEarlyHint(rule.header, rule.format),
  'set-src': (rule) => compileAddressAction(rule.action, rule.expression),
  'set-src-port': (rule) => compileAddressAction(rule.action, rule.expression),
  'set-dst': (rule) => compileAddressAction(rule.action, rule.expression),
  'set-dst-port': (rule) => compileAddressAction(rule.action, rule.expression),
  'set-priority-class': (rule) => compilePriorityAction(rule.action, rule.expression),
  'set-priority-offset': (rule) => compilePriorityAction(rule.action, rule.expression),
  'wait-for-body': (rule) => compileWaitForBody(rule.time, rule.atLeast),
  'do-resolve': compileDoResolve,
  'use-service': (rule) => compileUseService(rule.service),
  'strict-mode': compileStrictMode,
  'set-map': compileMapAction,
  'del-map': compileMapAction,
  'add-acl': compileMapAction,
  'del-acl': compileMapAction,
  'cache-use': compileCacheAction,
  'cache-store': compileCacheAction,
};

/** Compiles one rule's action (the config parsers check the same at their line). */
export function compileRuleAction(rule: AnyHttpRuleModel, direction: SampleDirection): HttpActionCompile {
  const compile = COMPILERS[rule.action] as Compiler<AnyHttpRuleModel['action']>;
  return compile(rule as never, direction);
}
