/**
 * An in-memory file system implementing the file part of Runtime (readTextFile, readFile,
 * readDir, isDirectory) plus env(), for configuration loader tests. Directories exist
 * implicitly as prefixes of file paths, or explicitly via `directories`. A file is given as
 * text (stored as its UTF-8 bytes) or as bytes.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { ConfigLoaderRuntime } from '../../src/config/load.ts';

export class FakeFiles implements ConfigLoaderRuntime {
  readonly #files: Map<string, string | Uint8Array>;
  readonly #directories: Set<string>;
  readonly #env: Record<string, string>;
  /** Every path passed to readTextFile or readFile, in order. */
  readonly reads: string[] = [];

  constructor(files: Record<string, string | Uint8Array>, options: { env?: Record<string, string>; directories?: string[] } = {}) {
    this.#files = new Map(Object.entries(files));
    this.#env = options.env ?? {};
    this.#directories = new Set((options.directories ?? []).map((d) => d.replace(/\/+$/, '')));
    for (const path of this.#files.keys()) {
      const parts = path.split('/');
      for (let i = 1; i < parts.length; i++) this.#directories.add(parts.slice(0, i).join('/') || '/');
    }
  }

  async readTextFile(path: string): Promise<string> {
    this.reads.push(path);
    const content = this.#content(path);
    return typeof content === 'string' ? content : new TextDecoder().decode(content);
  }

  async readFile(path: string): Promise<Uint8Array> {
    this.reads.push(path);
    const content = this.#content(path);
    return typeof content === 'string' ? new TextEncoder().encode(content) : content.slice();
  }

  #content(path: string): string | Uint8Array {
    const content = this.#files.get(path);
    if (content !== undefined) return content;
    if (this.#directories.has(path)) throw new Error(`EISDIR: illegal operation on a directory, read '${path}'`);
    throw new Error(`ENOENT: no such file or directory, open '${path}'`);
  }

  async readDir(path: string): Promise<string[]> {
    const dir = path.replace(/\/+$/, '');
    if (!this.#directories.has(dir)) throw new Error(`ENOENT: no such file or directory, scandir '${path}'`);
    const names = new Set<string>();
    const prefix = dir === '/' ? '/' : `${dir}/`;
    for (const candidate of [...this.#files.keys(), ...this.#directories]) {
      if (candidate.startsWith(prefix) && candidate.length > prefix.length) {
        names.add(candidate.slice(prefix.length).split('/')[0] as string);
      }
    }
    // Unsorted on purpose: real readdir order is arbitrary, the loader must sort.
    return [...names].reverse();
  }

  async isDirectory(path: string): Promise<boolean> {
    return this.#directories.has(path.replace(/\/+$/, '') || '/');
  }

  env(name: string): string | undefined {
    return this.#env[name];
  }
}

/** A binary file of test/fixtures (a DER file). */
export function fixtureBytes(relativePath: string): Uint8Array {
  return new Uint8Array(readFileSync(fixtureUrl(relativePath)));
}

function fixtureUrl(relativePath: string): URL {
  const candidates = [
    new URL(`../fixtures/${relativePath}`, import.meta.url),
    new URL(`../../../test/fixtures/${relativePath}`, import.meta.url),
  ];
  return candidates.find((url) => existsSync(url)) ?? (candidates[1] as URL);
}

/** A file of test/fixtures (read from the repository, whichever directory the tests run from). */
export function fixture(relativePath: string): string {
  // Run from source (bun, deno: test/support) or compiled (node: dist/test/support); the
  // fixtures stay in test/fixtures either way.
  const candidates = [
    new URL(`../fixtures/${relativePath}`, import.meta.url),
    new URL(`../../../test/fixtures/${relativePath}`, import.meta.url),
  ];
  const found = candidates.find((url) => existsSync(url)) ?? (candidates[1] as URL);
  return readFileSync(found, 'utf8');
}
