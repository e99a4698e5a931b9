/**
 * Proxy and server names may only contain letters, digits, '-', '_', '.' and ':'
 * (HAProxy's invalid_char()). Returns the first offending character, if any.
 */
export function invalidNameCharacter(name: string): string | undefined {
  const match = /[^A-Za-z0-9_.:-]/.exec(name);
  return match?.[0];
}
