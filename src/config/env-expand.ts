/**
 * HAProxy's env_expand (tools.c), which str2sa_range applies to every address it parses: a `$`
 * followed by letters, digits and underscores (optionally in braces) is replaced by that
 * environment variable, an unset one by nothing. This is why `server s1 ${s1_addr}:${s1_port}`
 * is accepted unquoted (where the line tokenizer leaves `$` alone) and, with both unset, means
 * `:` — the any address, the client's port.
 */
import type { EnvLookup } from './tokenizer.ts';

function isNameChar(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f;
}

export function expandAddressEnv(text: string, env: EnvLookup): string {
  let dollar = text.indexOf('$');
  if (dollar < 0) return text;
  let out = '';
  let from = 0;
  while (dollar >= 0) {
    out += text.slice(from, dollar);
    let nameStart = dollar + 1;
    const braced = text[nameStart] === '{';
    if (braced) nameStart++;
    let nameEnd = nameStart;
    while (nameEnd < text.length && isNameChar(text.charCodeAt(nameEnd))) nameEnd++;
    // As in HAProxy, an empty name still consumes the `$` (and `{`), and only a brace that
    // opened the name is closed.
    out += env(text.slice(nameStart, nameEnd)) ?? '';
    from = braced && text[nameEnd] === '}' ? nameEnd + 1 : nameEnd;
    dollar = text.indexOf('$', from);
  }
  return out + text.slice(from);
}
