/**
 * Converter arguments naming a variable (`add(txn.count)`, `concat(,txn.name,)`,
 * `hmac(sha256,txn.key)`): HAProxy reads them with vars_check_arg, which takes a name with its
 * scope (`proc.`, `sess.`, `txn.`, `req.`, `res.`, `check.`) made of letters, digits, '_' and
 * '.', and turns the argument into a variable reference. At run time sample_conv_var2smp reads
 * the variable and casts it to the type the converter wants: an absent variable, or one that
 * cannot be cast, makes the converter fail (its sample is then absent), except where a
 * converter says otherwise (`concat`, `add_item` skip it).
 */
import { castSample, type DeclaredType } from '../sample-casts.ts';
import { Sample } from '../sample.ts';
import type { SampleContext } from '../sample-context.ts';
import { parseVarName, readVar, type VarName } from '../vars.ts';

const SCOPES = ['proc.', 'sess.', 'txn.', 'req.', 'res.', 'check.'] as const;

/** Whether `text` is a variable name HAProxy would accept (scope, then [A-Za-z0-9_.]+). */
export function isVariableName(text: string): boolean {
  const scope = SCOPES.find((s) => text.startsWith(s) && text.length > s.length);
  return scope !== undefined && /^[A-Za-z0-9_.]+$/.test(text.slice(scope.length));
}

/** The variable `text` names, or undefined when it is not a variable name (then it is a constant). */
export function variableArg(text: string): VarName | undefined {
  if (!isVariableName(text)) return undefined;
  const parsed = parseVarName(text);
  return typeof parsed === 'string' ? undefined : parsed;
}

/**
 * A variable argument bound to its converter: reads the variable into a sample of its own (the
 * converter's input sample stays untouched), cast to `type`. One per compiled converter, so a
 * read allocates nothing.
 */
export class VariableReader {
  readonly variable: VarName;
  readonly #type: DeclaredType;
  readonly #scratch = new Sample();

  constructor(variable: VarName, type: DeclaredType) {
    this.variable = variable;
    this.#type = type;
  }

  /** The variable's value cast to the type, or undefined when absent or not castable (sample_conv_var2smp). */
  read(ctx: SampleContext): Sample | undefined {
    const s = this.#scratch;
    if (!readVar(ctx.vars, this.variable, s)) return undefined;
    return castSample(s, this.#type) ? s : undefined;
  }
}
