/**
 * One family of `http-request` / `http-response` actions, as the config layer sees it: the
 * action keywords it owns, the rule sets accepting each, and the parser of the words between
 * the action and its `if`/`unless`. A family adds itself to index.ts; the keyword code in
 * ../http-rules.ts never changes for a new action (HAProxy's action_kw lists, one per file).
 */
import type { HttpFinalRuleModel, HttpRuleModel } from '../../model.ts';
import type { KeywordContext } from '../../registry.ts';
import type { Token } from '../../tokenizer.ts';
import type { SampleDirection } from '../../../rules/sample-fetch.ts';

/** A rule model without its condition and place (Omit distributed over the union). */
type AnyRule = HttpRuleModel | HttpFinalRuleModel;
export type RuleFields = AnyRule extends infer R ? (R extends AnyRule ? Omit<R, 'condition' | 'source'> : never) : never;

export interface ActionParseInput {
  readonly ctx: KeywordContext;
  /** The action keyword (`set-header`; `set-var` for `set-var(txn.x)`). */
  readonly action: string;
  /** The action word as written (`set-var(txn.x)`), for parsers of prefix actions. */
  readonly word: Token;
  /** `http-request set-header`, `http-request set-var(txn.x)`, for messages. */
  readonly keyword: string;
  /** The words after the action, before `if`/`unless`. */
  readonly args: readonly Token[];
  /** What the rule's fetches read: the request, or the response (http-response, http-after-response). */
  readonly direction: SampleDirection;
  /**
   * Reports HAProxy's "expects either 'if' or 'unless' ..." for a word left at `args[used]`;
   * true when there was one (the rule is then refused).
   */
  extra(used: number): boolean;
}

/** HAProxy's three HTTP rule sets: `http-request`, `http-response`, `http-after-response`. */
export type HttpRuleSet = 'request' | 'response' | 'after-response';

export interface HttpActionParser {
  readonly name: string;
  /** Rule sets accepting the action (HAProxy registers each action per set). */
  readonly sets: readonly HttpRuleSet[];
  /**
   * The action word only starts with the name and carries arguments (HAProxy's
   * KWF_MATCH_PREFIX: `set-var(txn.x)`); the longest matching name wins.
   */
  readonly prefix?: boolean;
  /** The rule's fields, or undefined after reporting an error through `input.ctx`. */
  parse(input: ActionParseInput): RuleFields | undefined;
}
