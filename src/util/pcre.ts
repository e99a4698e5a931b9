/**
 * HAProxy compiles regular expressions with PCRE2; Switchyard with the JavaScript engine, whose
 * syntax is mostly the same. The common PCRE idiom JavaScript lacks is a leading option setting,
 * `(?i)^/admin` (case-insensitive from there on): it is turned into the RegExp's flags.
 */

export type RegexCompile = { readonly ok: true; readonly regex: RegExp } | { readonly ok: false; readonly message: string };

const LEADING_OPTIONS = /^\(\?([imsx]+)\)/;

/** Compiles a PCRE-style `pattern` with the extra JavaScript `flags` ('i', 'g'). */
export function compileRegex(pattern: string, flags = ''): RegexCompile {
  let source = pattern;
  let all = flags;
  for (let m = LEADING_OPTIONS.exec(source); m !== null; m = LEADING_OPTIONS.exec(source)) {
    for (const option of m[1] as string) {
      if (option === 'x') return { ok: false, message: `regex '${pattern}' is invalid (the (?x) option is not supported)` };
      if (!all.includes(option)) all += option;
    }
    source = source.slice(m[0].length);
  }
  try {
    return { ok: true, regex: new RegExp(source, all) };
  } catch (error) {
    return { ok: false, message: `regex '${pattern}' is invalid (${error instanceof Error ? error.message : String(error)})` };
  }
}
