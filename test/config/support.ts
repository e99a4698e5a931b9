/** Helpers shared by the config tests: parse a text, collect errors and warnings. */

import assert from 'node:assert/strict';
import { ConfigError } from '../../src/config/errors.ts';
import { parseConfigText } from '../../src/config/load.ts';
import type { BackendModel, ConfigModel } from '../../src/config/model.ts';

/** Lines joined into a file. */
export const cfg = (...lines: string[]): string => `${lines.join('\n')}\n`;

export const TIMEOUTS = ['  timeout connect 5s', '  timeout client 30s', '  timeout server 30s'];

export function parse(text: string): Promise<ConfigModel> {
  return parseConfigText(text, 't.cfg');
}

/** [line, column, keyword, message] of every error of a refused configuration. */
export async function errors(text: string): Promise<[number, number, string, string][]> {
  try {
    await parse(text);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.diagnostics.map((d) => [d.line, d.column, d.keyword, d.message]);
  }
  assert.fail('expected the configuration to be refused');
}

/** [line, keyword, message] of every warning. */
export function warnings(model: ConfigModel): [number, string, string][] {
  return model.warnings.map((w) => [w.line, w.keyword, w.message]);
}

/** Backend `b` (mode http, timeouts set in defaults) with `lines`, after line 5. */
export async function httpBackend(...lines: string[]): Promise<BackendModel> {
  const model = await parse(cfg('defaults', '  mode http', ...TIMEOUTS, 'backend b', ...lines));
  const backend = model.backends[0];
  assert.ok(backend);
  return backend;
}

/** The errors of `backend b` holding `lines` (the first at line 2). */
export const backendErrors = (...lines: string[]): Promise<[number, number, string, string][]> => errors(cfg('backend b', ...lines));
