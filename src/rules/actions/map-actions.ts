/**
 * `set-map(FILE)`, `del-map(FILE)`, `add-acl(FILE)`, `del-acl(FILE)` (HAProxy's
 * http_action_set_map): build the key (and value) from their log-formats, then change FILE's
 * live reference, looked up when the action runs as HAProxy does (no reference: nothing
 * happens). Refused entries (a value a map cannot parse) are dropped silently, as in HAProxy.
 */
import type { HttpMapRuleModel } from '../../config/model.ts';
import { Verdict, type HttpAction, type HttpActionCompile, type HttpActionContext } from '../http-action.ts';
import { compileLogFormat, type LogFormat } from '../log-format.ts';
import { currentPatternRefs } from '../pattern-files.ts';
import type { PatternRefs } from '../pattern-ref.ts';
import type { SampleDirection } from '../sample-fetch.ts';

class MapAction implements HttpAction {
  readonly #action: HttpMapRuleModel['action'];
  readonly #file: string;
  readonly #refs: PatternRefs | undefined;
  readonly #key: LogFormat;
  readonly #value: LogFormat | undefined;

  constructor(action: HttpMapRuleModel['action'], file: string, refs: PatternRefs | undefined, key: LogFormat, value: LogFormat | undefined) {
    this.#action = action;
    this.#file = file;
    this.#refs = refs;
    this.#key = key;
    this.#value = value;
  }

  run(ctx: HttpActionContext): Verdict {
    const ref = this.#refs?.lookup(this.#file);
    if (ref === undefined) return Verdict.continue;
    const key = this.#key.evaluate(ctx);
    switch (this.#action) {
      case 'add-acl':
        if (ref.find(key) === undefined) ref.add(key, undefined);
        break;
      case 'set-map': {
        const value = (this.#value as LogFormat).evaluate(ctx);
        if (ref.find(key) !== undefined) ref.set(key, value);
        else ref.add(key, value);
        break;
      }
      default:
        ref.delete(key);
    }
    return Verdict.continue;
  }
}

export function compileMapAction(rule: HttpMapRuleModel, direction: SampleDirection): HttpActionCompile {
  const key = compileLogFormat(rule.key, direction);
  if (!key.ok) return key;
  let value: LogFormat | undefined;
  if (rule.value !== undefined) {
    const compiled = compileLogFormat(rule.value, direction);
    if (!compiled.ok) return compiled;
    value = compiled.format;
  }
  return { ok: true, action: new MapAction(rule.action, rule.file, currentPatternRefs(), key.format, value) };
}
