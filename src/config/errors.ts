/**
 * Configuration errors. Parsing collects every problem of a configuration before failing, so
 * one run shows them all; each carries the file, line and column it is about, and prints the
 * way HAProxy prints its own:
 *
 *   [ALERT] config : parsing [/etc/haproxy/haproxy.cfg:12] : unknown keyword 'balnce' in 'backend' section; did you mean 'balance'?
 */

import type { ConfigDiagnostic } from './model.ts';

export type DiagnosticLevel = 'ALERT' | 'WARNING' | 'NOTICE';

/** One diagnostic as HAProxy would print it (without a trailing newline). */
export function formatDiagnostic(diagnostic: ConfigDiagnostic, level: DiagnosticLevel = 'ALERT'): string {
  return `[${level}] ${describeDiagnostic(diagnostic)}`;
}

/** The diagnostic without its level tag: `config : parsing [FILE:LINE] : message`. */
export function describeDiagnostic(diagnostic: ConfigDiagnostic): string {
  // Line 0 means "no line": the source is not a haproxy.cfg (e.g. a defineConfig() object).
  const where =
    diagnostic.line > 0 ? `parsing [${diagnostic.file}:${diagnostic.line}] : ` : `${diagnostic.file} : `;
  return `config : ${where}${diagnostic.message}`;
}

/** Thrown by loadConfig(), parseConfigText() and defineConfig() when a configuration is invalid. */
export class ConfigError extends Error {
  /** Stable code for programmatic checks (`err.code === ConfigError.code`). */
  static readonly code = 'ERR_SWITCHYARD_CONFIG';
  readonly code = ConfigError.code;
  /** Every error found, in file order. Never empty. */
  readonly diagnostics: readonly ConfigDiagnostic[];
  /** Warnings found before the configuration was refused (printed alongside the errors). */
  readonly warnings: readonly ConfigDiagnostic[];
  /** The configuration says `quiet`: HAProxy prints none of this while starting (src/cli.ts). */
  readonly quiet: boolean;
  /** Notices found before the configuration was refused (`.notice`: HAProxy prints them as it reads). */
  readonly notices: readonly ConfigDiagnostic[];

  constructor(diagnostics: readonly ConfigDiagnostic[], warnings: readonly ConfigDiagnostic[] = [], quiet = false, notices: readonly ConfigDiagnostic[] = []) {
    const count = diagnostics.length;
    super(
      [
        ...diagnostics.map((d) => formatDiagnostic(d, 'ALERT')),
        `[ALERT] config : Fatal errors found in configuration (${count} error${count === 1 ? '' : 's'}).`,
      ].join('\n'),
    );
    this.name = 'ConfigError';
    this.diagnostics = diagnostics;
    this.warnings = warnings;
    this.quiet = quiet;
    this.notices = notices;
  }
}

/** Accumulates errors and warnings while a configuration is read. */
export class DiagnosticList {
  readonly errors: ConfigDiagnostic[] = [];
  readonly warnings: ConfigDiagnostic[] = [];
  /** HAProxy's [NOTICE]s: printed (unless quiet), never counted as warnings (`zero-warning`, "Warnings were found."). */
  readonly notices: ConfigDiagnostic[] = [];
  /** The configuration read says `quiet` (carried by the ConfigError). */
  quiet = false;

  error(diagnostic: ConfigDiagnostic): void {
    this.errors.push(diagnostic);
  }

  warning(diagnostic: ConfigDiagnostic): void {
    this.warnings.push(diagnostic);
  }

  notice(diagnostic: ConfigDiagnostic): void {
    this.notices.push(diagnostic);
  }

  get failed(): boolean {
    return this.errors.length > 0;
  }

  /** Throws a ConfigError carrying every error (and the warnings so far) if there is any error. */
  throwIfFailed(): void {
    if (this.errors.length > 0) throw new ConfigError(this.errors, this.warnings, this.quiet, this.notices);
  }
}
