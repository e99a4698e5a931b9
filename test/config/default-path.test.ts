/**
 * Global `default-path` (src/config/default-path.ts, keywords/default-path.ts): the directory
 * relative file names are read from while parsing, per file and from its line on, without any
 * chdir; HAProxy 2.6.12's messages (checked with `haproxy -c`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultDirectory, resolveFrom } from '../../src/config/default-path.ts';
import { ConfigError } from '../../src/config/errors.ts';
import { parseConfigSources } from '../../src/config/load.ts';
import type { ConfigModel } from '../../src/config/model.ts';
import { FakeFiles } from '../support/fake-files.ts';
import { cfg, errors, TIMEOUTS } from './support.ts';

const ERRORFILE = 'HTTP/1.0 503 Service Unavailable\r\ncontent-type: text/plain\r\n\r\nsorry\n';

async function load(sources: { file: string; text: string }[], fs: FakeFiles): Promise<ConfigModel> {
  return parseConfigSources(sources, { files: fs });
}

async function refusal(sources: { file: string; text: string }[], fs: FakeFiles): Promise<[string, number, string][]> {
  try {
    await load(sources, fs);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.diagnostics.map((d) => [d.file, d.line, d.message]);
  }
  return assert.fail('expected the configuration to be refused');
}

describe('default-path directories', () => {
  it('config: the file name up to its last slash; none (the process directory) without one', () => {
    assert.equal(defaultDirectory('config', 'conf/sub/h.cfg', ''), 'conf/sub');
    assert.equal(defaultDirectory('config', '/etc/haproxy/h.cfg', ''), '/etc/haproxy');
    assert.equal(defaultDirectory('config', 'h.cfg', ''), '');
    // HAProxy's rule: a file at the root has an empty part before its slash.
    assert.equal(defaultDirectory('config', '/h.cfg', ''), '');
  });

  it('parent: `..` appended; `..` alone without a slash', () => {
    assert.equal(defaultDirectory('parent', 'conf/h.cfg', ''), 'conf/..');
    assert.equal(defaultDirectory('parent', 'h.cfg', ''), '..');
  });

  it('current and origin', () => {
    assert.equal(defaultDirectory('current', 'conf/h.cfg', '/srv'), '');
    assert.equal(defaultDirectory('origin', 'conf/h.cfg', '/srv'), '/srv');
  });

  it('absolute names are kept; relative ones joined', () => {
    assert.equal(resolveFrom('conf', 'errors/503.http'), 'conf/errors/503.http');
    assert.equal(resolveFrom('/srv/', 'a.map'), '/srv/a.map');
    assert.equal(resolveFrom('conf', '/etc/a.map'), '/etc/a.map');
    assert.equal(resolveFrom('', 'a.map'), 'a.map');
  });
});

describe('default-path keyword', () => {
  const frontend = (...lines: string[]): string[] => ['defaults', '  mode http', ...TIMEOUTS, 'frontend fe', '  bind :8080', ...lines];

  it('applies from its line on, and to each following file from its start', async () => {
    const fs = new FakeFiles({
      'errors/503.http': ERRORFILE,
      'conf/errors/404.http': ERRORFILE.replace('503 Service Unavailable', '404 Not Found'),
      'other/errors/403.http': ERRORFILE.replace('503 Service Unavailable', '403 Forbidden'),
    });
    await load(
      [
        { file: 'conf/a.cfg', text: cfg(...frontend('  errorfile 503 errors/503.http'), 'global', '  default-path config', 'frontend fe2', '  bind :8081', '  errorfile 404 errors/404.http') },
        { file: 'other/b.cfg', text: cfg('frontend fe3', '  bind :8082', '  errorfile 403 errors/403.http') },
      ],
      fs,
    );
    assert.deepEqual(fs.reads, ['errors/503.http', 'conf/errors/404.http', 'other/errors/403.http']);
  });

  it('parent, origin, then current again', async () => {
    // Names are joined, not normalised (the runtime's file system resolves `..`).
    const fs = new FakeFiles({ 'conf/../x.http': ERRORFILE, '/srv/y.http': ERRORFILE, 'z.http': ERRORFILE, 'conf/../p.txt': 'p', 'conf/../p.lf': 'lf' }, { directories: ['/srv'] });
    await load(
      [
        {
          file: 'conf/a.cfg',
          text: cfg(
            'global', '  default-path parent',
            ...frontend(
              '  errorfile 503 x.http',
              '  http-request return status 200 content-type text/plain file p.txt if { path /p }',
              '  http-request return status 200 content-type text/plain lf-file p.lf if { path /lf }',
            ),
            'global', '  default-path origin /srv',
            'frontend fe2', '  bind :8081', '  errorfile 503 y.http',
            'global', '  default-path current',
            'frontend fe3', '  bind :8082', '  errorfile 503 z.http',
          ),
        },
      ],
      fs,
    );
    assert.deepEqual(fs.reads, ['conf/../x.http', 'conf/../p.txt', 'conf/../p.lf', '/srv/y.http', 'z.http']);
  });

  it('an errorfile is known by its name: the first content read stays, as in HAProxy', async () => {
    // /srv/e.http does not exist: the name is already loaded, so nothing is reported.
    const fs = new FakeFiles({ 'a/e.http': ERRORFILE }, { directories: ['/srv'] });
    const model = await load(
      [{ file: 'a/h.cfg', text: cfg('global', '  default-path config', ...frontend('  errorfile 503 e.http'), 'global', '  default-path origin /srv', 'backend be', '  errorfile 503 e.http') }],
      fs,
    );
    const reply = model.backends[0]?.errorReplies?.find((e) => e.status === 503)?.reply;
    assert.deepEqual(reply?.body, { kind: 'errorfile', path: 'e.http', content: ERRORFILE });
  });

  it('map and ACL pattern files: read from the directory, known by the name written', async () => {
    const fs = new FakeFiles({ 'conf/hosts.map': 'example.com be1\n', 'conf/blocked.lst': '10.0.0.0/8\n' });
    const model = await load(
      [
        {
          file: 'conf/h.cfg',
          text: cfg(
            'global', '  default-path config',
            ...frontend('  http-request set-header x-be %[req.hdr(host),map_str(hosts.map,none)]', '  http-request deny if { src -f blocked.lst }'),
          ),
        },
      ],
      fs,
    );
    assert.deepEqual(fs.reads.slice().sort(), ['conf/blocked.lst', 'conf/hosts.map']);
    assert.deepEqual(model.frontends[0]?.patternFiles, { 'hosts.map': 'example.com be1\n', 'blocked.lst': '10.0.0.0/8\n' });
  });

  it('crt and ca-file names are joined after crt-base / ca-base', async () => {
    const fs = new FakeFiles({});
    const found = await refusal(
      [{ file: 'conf/h.cfg', text: cfg('global', '  default-path config', '  crt-base certs', ...frontend().slice(0, -1), '  bind :8443 ssl crt site.pem') }],
      fs,
    );
    assert.ok(fs.reads.includes('conf/certs/site.pem'), fs.reads.join(', '));
    assert.equal(found.length > 0, true);
  });

  it('a crt-list and the names inside it are read from the directory of its line', async () => {
    const fs = new FakeFiles({ 'conf/list.txt': 'site.pem example.com\nsite.pem [ca-file ca.pem] example.org\n' });
    await refusal(
      [{ file: 'conf/h.cfg', text: cfg('global', '  default-path config', ...frontend().slice(0, -1), '  bind :8443 ssl crt-list list.txt') }],
      fs,
    );
    // (site.pem is missing: then looked for as a bundle, site.pem.rsa...)
    assert.deepEqual(fs.reads.filter((p) => !p.startsWith('conf/site.pem.')), ['conf/list.txt', 'conf/site.pem', 'conf/ca.pem']);
  });

  it('HAProxy 2.6.12’s errors for a bad mode or a missing origin', async () => {
    assert.deepEqual(await errors(cfg('global', '  default-path')), [
      [2, 3, 'default-path', "missing default-path mode '' for 'default-path', supported modes include 'current', 'config', 'parent', and 'origin'."],
    ]);
    assert.deepEqual(await errors(cfg('global', '  default-path foo')), [
      [2, 16, 'default-path', "unsupported default-path mode 'foo' for 'default-path', supported modes include 'current', 'config', 'parent', and 'origin'."],
    ]);
    assert.deepEqual(await errors(cfg('global', '  default-path origin')), [[2, 3, 'default-path', "'default-path origin' expects a directory as an argument."]]);
  });

  it('an origin that is no directory is refused at its line', async () => {
    const found = await refusal([{ file: 'h.cfg', text: cfg('global', '  default-path origin /nonexistent') }], new FakeFiles({}));
    assert.deepEqual(found, [
      ['h.cfg', 2, "couldn't set 'default-path' to origin '/nonexistent': Impossible to change to directory '/nonexistent': No such file or directory."],
    ]);
  });
});
