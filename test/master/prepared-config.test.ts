/**
 * A spare's configuration parsed ahead of the reload (src/master/prepared-config.ts): taken at
 * the go only when every file it read (the configuration, a map it names, a directory's
 * listing) reads the same bytes again; any difference means a new parse.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prepareConfig, preparedIfUnchanged } from '../../src/master/prepared-config.ts';
import type { Runtime } from '../../src/runtime.ts';

class FakeFiles {
  readonly files = new Map<string, string>();
  readonly dirs = new Map<string, string[]>();
  readonly runtime = {
    name: 'node',
    env: () => undefined,
    readTextFile: (path: string) => this.#text(path),
    readFile: async (path: string) => new TextEncoder().encode(await this.#text(path)),
    readDir: (path: string) => {
      const names = this.dirs.get(path);
      return names === undefined ? Promise.reject(new Error(`ENOENT: ${path}`)) : Promise.resolve([...names]);
    },
    isDirectory: (path: string) => Promise.resolve(this.dirs.has(path)),
  } as unknown as Runtime;
  #text(path: string): Promise<string> {
    const text = this.files.get(path);
    return text === undefined ? Promise.reject(new Error(`ENOENT: no such file '${path}'`)) : Promise.resolve(text);
  }
}

const config = (answer: string): string => `defaults
    mode http
    timeout connect 1s
    timeout client 1s
    timeout server 1s
frontend fe
    bind 127.0.0.1:8080
    http-request return status 200 content-type text/plain string "${answer}" if { path,map(/etc/x.map) -m found }
`;

describe('prepared configuration', () => {
  it('unchanged files: the prepared model, without a parse', async () => {
    const fake = new FakeFiles();
    fake.files.set('/etc/a.cfg', config('one'));
    fake.files.set('/etc/x.map', '/a 1\n');
    const prepared = await prepareConfig(fake.runtime, ['/etc/a.cfg']);
    assert.ok(prepared !== undefined);
    assert.ok(prepared.reads.some((r) => r.path === '/etc/x.map'), 'the map file is one of the reads');
    assert.equal(await preparedIfUnchanged(fake.runtime, prepared), prepared.model);
  });

  it('one byte changed in the configuration or in a file it names: a new parse', async () => {
    const fake = new FakeFiles();
    fake.files.set('/etc/a.cfg', config('one'));
    fake.files.set('/etc/x.map', '/a 1\n');
    const prepared = await prepareConfig(fake.runtime, ['/etc/a.cfg']);
    assert.ok(prepared !== undefined);
    fake.files.set('/etc/a.cfg', config('two'));
    assert.equal(await preparedIfUnchanged(fake.runtime, prepared), undefined);
    fake.files.set('/etc/a.cfg', config('one'));
    fake.files.set('/etc/x.map', '/a 2\n');
    assert.equal(await preparedIfUnchanged(fake.runtime, prepared), undefined);
    fake.files.delete('/etc/x.map');
    assert.equal(await preparedIfUnchanged(fake.runtime, prepared), undefined);
  });

  it('a directory: a file added to it means a new parse', async () => {
    const fake = new FakeFiles();
    fake.dirs.set('/etc/conf.d', ['a.cfg']);
    fake.files.set('/etc/conf.d/a.cfg', config('one'));
    fake.files.set('/etc/x.map', '/a 1\n');
    const prepared = await prepareConfig(fake.runtime, ['/etc/conf.d']);
    assert.ok(prepared !== undefined);
    assert.equal(await preparedIfUnchanged(fake.runtime, prepared), prepared.model);
    fake.dirs.set('/etc/conf.d', ['a.cfg', 'b.cfg']);
    fake.files.set('/etc/conf.d/b.cfg', 'backend b\n');
    assert.equal(await preparedIfUnchanged(fake.runtime, prepared), undefined);
  });

  it('files that do not load: nothing prepared (the go parses and reports)', async () => {
    const fake = new FakeFiles();
    fake.files.set('/etc/a.cfg', 'frontend fe\n    no-such-keyword\n');
    assert.equal(await prepareConfig(fake.runtime, ['/etc/a.cfg']), undefined);
    assert.equal(await prepareConfig(fake.runtime, ['/etc/missing.cfg']), undefined);
  });
});
