/**
 * Log-format strings as HTTP rule values (header values, redirect locations, `return` bodies,
 * dynamic `use_backend` names): the log-format compiler of src/log/log-format.ts with HAProxy's
 * options for header values (LOG_OPT_HTTP). Text is kept as written (the config tokenizer
 * already applied quotes and escapes), an absent value gives an empty string, sample values are
 * %-encoded where a header value cannot hold them and never quoted, and variables read the
 * message the rule runs on (`%HM`, `%HU`, `%HP`, `%HQ` the request line as received, HAProxy's
 * txn->uri, not as `set-path` and friends rewrote it). Compiled once; a format without
 * variables evaluates to its constant text (no allocation).
 */
import { compileFormat, type CompiledFormat } from '../log/log-format.ts';
import { CompileSink } from './compile-sink.ts';
import type { SampleDirection } from './sample-fetch.ts';

export type LogFormat = CompiledFormat;

export type LogFormatCompile = { readonly ok: true; readonly format: LogFormat } | { readonly ok: false; readonly message: string };

/**
 * Compiles `text` for use in `direction` rules: sample expressions and variables reading a
 * message that is not available there are errors (as in HAProxy). `constantOnly`: sample
 * expressions may read nothing but constants (the global `set-var-fmt`, evaluated without a
 * connection, on HAProxy's dummy session of a non-HTTP proxy: HTTP variables are "reserved for
 * HTTP mode", connection variables such as `%ci` read as absent).
 */
export function compileLogFormat(text: string, direction: SampleDirection, constantOnly = false): LogFormatCompile {
  const compiled = compileFormat(text, { kind: 'rule', direction, constantOnly });
  if (compiled.ok && compiled.format.waitsForBytes) formatsWaitingForEnd.note();
  return compiled;
}

/** Hears of each rule value compiled with a variable final only at the end of the stream. */
const formatsWaitingForEnd = new CompileSink<[]>();

/**
 * Runs a proxy's rule compilation, and tells whether a value among them has a variable final
 * only at the end of the stream (`%B`, `%Tt`...): HAProxy then sets LW_BYTES in the proxy's
 * to_log, which decides whether such variables in rule values get a '+' (LogRecord.plusUnfinished).
 */
export function compilingProxyFormats<T>(compile: () => T): { readonly compiled: T; readonly waitsForEnd: boolean } {
  let waitsForEnd = false;
  const compiled = formatsWaitingForEnd.collect(compile, () => {
    waitsForEnd = true;
  });
  return { compiled, waitsForEnd };
}
