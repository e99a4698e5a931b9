/**
 * The words every rule line shares (http-request/-response/-after-response, tcp-request/-response,
 * and the switching rules): the action's arguments end at `if` / `unless`, a word left after
 * them gets HAProxy's "expects either 'if' or 'unless'", and the condition is parsed against
 * the proxy's ACLs with HAProxy's message.
 */
import type { ConditionModel } from '../model.ts';
import type { KeywordContext } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { parseCondition } from '../../rules/condition.ts';

/** Splits the words after the action into its arguments and the condition words. */
export function splitCondition(words: readonly Token[]): { args: Token[]; condition: Token[] } {
  const at = words.findIndex((t) => t.text === 'if' || t.text === 'unless');
  return at < 0 ? { args: [...words], condition: [] } : { args: words.slice(0, at), condition: words.slice(at) };
}

/** Reports a word left at `args[used]` (true when there was one: the rule is refused). */
export function extraWordReporter(ctx: KeywordContext, ruleKeyword: string, args: readonly Token[]): (used: number) => boolean {
  return (used) => {
    const word = args[used];
    if (word === undefined) return false;
    ctx.error(`'${ruleKeyword}' expects either 'if' or 'unless' followed by a condition but found '${word.text}'.`, word, ruleKeyword);
    return true;
  };
}

/** The rule's condition: undefined without one, null after an error (reported at its word). */
export function parseRuleCondition(ctx: KeywordContext, ruleKeyword: string, words: readonly Token[]): ConditionModel | undefined | null {
  if (words.length === 0) return undefined;
  const proxy = ctx.proxy;
  const { file, line } = ctx.place();
  const parsed = parseCondition(
    words.map((t) => t.text),
    (name) => proxy?.acls.some((a) => a.name === name) ?? false,
    { file, line },
  );
  if (parsed.ok) return parsed.condition;
  const at = words[parsed.word] ?? words[words.length - 1];
  ctx.error(`error detected while parsing an '${ruleKeyword}' condition : ${parsed.message}.`, at, ruleKeyword);
  return null;
}
