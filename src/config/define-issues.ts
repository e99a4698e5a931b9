/**
 * Turns valibot's issues about a defineConfig() input into messages at their input path.
 *
 * Most entries accepting "text or a typed object" are unions: when an object fails, valibot only
 * says "Expected (string | Object) but received Object" and keeps the real reasons inside the
 * union's issue. Those reasons are what the user needs ("unknown action 'denny'; did you mean
 * 'deny'?", a missing `name`), so they are unwrapped here, their paths made whole.
 */
import * as v from 'valibot';
import { TYPED_ACTIONS } from './define-rules-input.ts';
import { didYouMean } from './suggest.ts';

export interface IssueMessage {
  readonly path: string;
  readonly message: string;
}

function join(prefix: string, issue: v.BaseIssue<unknown>): string {
  const own = v.getDotPath(issue);
  if (own === null) return prefix === '' ? '(root)' : prefix;
  return prefix === '' ? own : `${prefix}.${own}`;
}

/** The rule set a path's entry belongs to, as haproxy.cfg names it (`...httpRequest.3` -> http-request). */
function ruleSetOf(path: string): string {
  const key = /\.(httpRequest|httpResponse|httpAfterResponse)\.\d+$/.exec(path)?.[1];
  return key === undefined ? 'this rule set' : key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** An unknown or misplaced `action` of a typed rule. */
function actionMessage(issue: v.BaseIssue<unknown>, path: string): string {
  // valibot reports the discriminator's value itself.
  const action = issue.input;
  const allowed = [...(issue.expected ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1] as string);
  if (typeof action !== 'string') return `a typed rule needs an 'action' (one of ${allowed.map((a) => `'${a}'`).join(', ')})`;
  const set = ruleSetOf(path);
  if (TYPED_ACTIONS.includes(action)) return `'${action}' is not an ${set} action (typed ones: ${allowed.map((a) => `'${a}'`).join(', ')})`;
  return `unknown action '${action}'${didYouMean(action, allowed)} (typed ones: ${allowed.map((a) => `'${a}'`).join(', ')}; others are written as text)`;
}

/** An entry of a rule list: text or a typed object (other unions keep valibot's own message). */
const RULE_ENTRY = /\.(httpRequest|httpResponse|httpAfterResponse|redirect|useBackend|useServer|forcePersist|ignorePersist|errorfilesFrom|httpError)\.\d+$/;

/** Messages for one issue; `describe` words the plain ones (unknown keys...). */
export function issueMessages(issue: v.BaseIssue<unknown>, describe: (issue: v.BaseIssue<unknown>) => string, prefix = ''): IssueMessage[] {
  const path = join(prefix, issue);
  const input = issue.input;
  const inner = issue.issues;
  if (issue.type === 'union' && RULE_ENTRY.test(path) && typeof input === 'object' && input !== null && inner !== undefined) {
    // The object's own reasons; the text option's "expected a string" says nothing new.
    const reasons = inner.filter((i) => i.type !== 'string');
    if (reasons.length > 0) return reasons.flatMap((i) => issueMessages(i, describe, path));
  }
  if (issue.type === 'variant' && path.endsWith('.action')) {
    // The issue sits at `.action`; the rule is what is named.
    const rulePath = path.slice(0, -'.action'.length);
    return [{ path: rulePath, message: actionMessage(issue, rulePath) }];
  }
  return [{ path, message: describe(issue) }];
}
