/**
 * Converter arguments naming a variable (`add(txn.count)`, `concat(,txn.name,)`): HAProxy reads
 * them with vars_check_arg, which takes a name with its scope (`proc.`, `sess.`, `txn.`,
 * `req.`, `res.`, `check.`) made of letters, digits, '_' and '.'. Converters do not read
 * variables yet (rules and `var()` do): such an argument is refused at its line instead of being
 * read as a constant.
 */

const SCOPES = ['proc.', 'sess.', 'txn.', 'req.', 'res.', 'check.'] as const;

/** Whether `text` is a variable name HAProxy would accept (scope, then [A-Za-z0-9_.]+). */
export function isVariableName(text: string): boolean {
  const scope = SCOPES.find((s) => text.startsWith(s) && text.length > s.length);
  return scope !== undefined && /^[A-Za-z0-9_.]+$/.test(text.slice(scope.length));
}

/** The refusal for a variable argument. */
export function variableArgRefused(name: string): string {
  return `variable '${name}' used as an argument: variables as converter arguments are not supported by Switchyard yet`;
}
