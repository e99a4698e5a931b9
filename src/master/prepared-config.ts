/**
 * A spare's parse of the configuration ahead of the reload (src/master/standby.ts): it parses
 * the files as they are while it stands by and keeps the model with every read that made it
 * (files, certificates, maps, directory listings, failures included). At the go it does those
 * reads again: when every one gives the same bytes, the model is the one a parse would give
 * now (the parse depends on nothing else: the environment and the runtime are the spare's own
 * and fixed) and the reload skips it; any difference, even one byte of a map file, and the
 * files are parsed again. Contents are compared, not dates: a file rewritten within the same
 * second as the spare read it is seen.
 */
import type { ConfigFileReader } from '../config/certificates.ts';
import { loadConfig, type ConfigLoaderRuntime } from '../config/load.ts';
import type { ConfigModel } from '../config/model.ts';
import type { Runtime } from '../runtime.ts';
import { bytesEqual } from '../util/bytes.ts';

type ReadResult = { readonly value: string | boolean | Uint8Array | readonly string[] } | { readonly failure: string };

interface Read {
  readonly kind: keyof ConfigFileReader;
  readonly path: string;
  readonly result: ReadResult;
}

export interface PreparedConfig {
  readonly model: ConfigModel;
  readonly reads: readonly Read[];
}

function failureOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function read(files: ConfigFileReader, kind: keyof ConfigFileReader, path: string): Promise<ReadResult> {
  try {
    return { value: await files[kind](path) };
  } catch (error) {
    return { failure: failureOf(error) };
  }
}

function sameResult(a: ReadResult, b: ReadResult): boolean {
  if ('failure' in a || 'failure' in b) return 'failure' in a && 'failure' in b && a.failure === b.failure;
  const [x, y] = [a.value, b.value];
  if (x instanceof Uint8Array || y instanceof Uint8Array) return x instanceof Uint8Array && y instanceof Uint8Array && bytesEqual(x, y);
  if (Array.isArray(x) || Array.isArray(y)) return Array.isArray(x) && Array.isArray(y) && x.length === y.length && x.every((v, i) => v === y[i]);
  return x === y;
}

/** The runtime as the configuration loader sees it, its file reads recorded into `reads`. */
function recordingLoader(runtime: Runtime, reads: Read[]): ConfigLoaderRuntime {
  const recorded =
    <K extends keyof ConfigFileReader>(kind: K) =>
    async (path: string): Promise<Awaited<ReturnType<ConfigFileReader[K]>>> => {
      const result = await read(runtime, kind, path);
      reads.push({ kind, path, result });
      if ('failure' in result) throw new Error(result.failure);
      return result.value as Awaited<ReturnType<ConfigFileReader[K]>>;
    };
  return {
    readTextFile: recorded('readTextFile'),
    readFile: recorded('readFile'),
    readDir: recorded('readDir'),
    isDirectory: recorded('isDirectory'),
    env: (name) => runtime.env(name),
    name: runtime.name,
    tlsUnsupported: runtime.tlsUnsupported,
    tlsLibrary: runtime.tlsLibrary,
    socketUnsupported: runtime.socketUnsupported,
  };
}

/** Parses `paths` as the worker would; undefined when they do not load (the go's parse reports why). */
export async function prepareConfig(runtime: Runtime, paths: readonly string[]): Promise<PreparedConfig | undefined> {
  const reads: Read[] = [];
  try {
    return { model: await loadConfig([...paths], recordingLoader(runtime, reads), { checkModel: false }), reads };
  } catch {
    return undefined;
  }
}

/** The prepared model when every read gives what it gave then; undefined as soon as one differs. */
export async function preparedIfUnchanged(runtime: Runtime, prepared: PreparedConfig): Promise<ConfigModel | undefined> {
  for (const { kind, path, result } of prepared.reads) {
    if (!sameResult(result, await read(runtime, kind, path))) return undefined;
  }
  return prepared.model;
}
