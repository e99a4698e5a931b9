/**
 * Map files and ACL pattern files read with the configuration (src/rules/pattern-files.ts):
 * each file read once, whatever number of rules name it; its errors reported at the line that
 * names it, in HAProxy 2.6's words (checked with `haproxy -c`); its text carried by the model
 * so that the rules engine compiles the maps without reading anything.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config/errors.ts';
import { parseConfigText } from '../../src/config/load.ts';
import type { ConfigModel } from '../../src/config/model.ts';
import { compileProxyRules, switchingTarget } from '../../src/rules/http-rules.ts';
import { context, get } from '../rules/support.ts';
import { FakeFiles } from '../support/fake-files.ts';
import { cfg, TIMEOUTS } from './support.ts';

const HOSTS_MAP = '# host -> backend\nexample.com be_example\n.test.org be_test\n';

function files(extra: Record<string, string> = {}): FakeFiles {
  return new FakeFiles({ '/etc/haproxy/hosts.map': HOSTS_MAP, '/etc/haproxy/blocked.lst': '10.0.0.0/8\n# comment\n  192.168.1.1\n', ...extra });
}

const frontend = (...lines: string[]): string => cfg('defaults', '  mode http', ...TIMEOUTS, 'frontend fe', '  bind :8080', ...lines);

async function errorsOf(text: string, fs: FakeFiles): Promise<[number, string][]> {
  try {
    await parseConfigText(text, 'h.cfg', { files: fs });
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.diagnostics.map((d) => [d.line, d.message]);
  }
  return assert.fail('expected the configuration to be refused');
}

describe('map files', () => {
  it('are read once, at load, and carried by every proxy model', async () => {
    const fs = files();
    const model: ConfigModel = await parseConfigText(
      frontend(
        '  http-request set-header X-Be %[req.hdr(host),lower,map_dom(/etc/haproxy/hosts.map,none)]',
        '  http-request set-header X-Be2 %[req.hdr(host),map_str(/etc/haproxy/hosts.map)]',
        '  use_backend %[req.hdr(host),lower,map_dom(/etc/haproxy/hosts.map,be_default)]',
        '  default_backend be_default',
        'backend be_default',
        '  server s 127.0.0.1:9000',
      ),
      'h.cfg',
      { files: fs },
    );
    assert.deepEqual(
      fs.reads.filter((p) => p.endsWith('.map')),
      ['/etc/haproxy/hosts.map'],
    );
    assert.deepEqual(model.frontends[0]?.patternFiles, { '/etc/haproxy/hosts.map': HOSTS_MAP });
    assert.deepEqual(model.backends[0]?.patternFiles, { '/etc/haproxy/hosts.map': HOSTS_MAP });
    // The engine compiles them from the model alone.
    const compiled = compileProxyRules(model.frontends[0] as NonNullable<(typeof model.frontends)[0]>, 'frontend');
    assert.equal(compiled.rules?.request.length, 2);
  });

  it('configurations without a map read no pattern file and carry none', async () => {
    const fs = files();
    const model = await parseConfigText(frontend('  http-request set-header X-A %[str(a)]'), 'h.cfg', { files: fs });
    assert.equal(model.frontends[0]?.patternFiles, undefined);
    assert.deepEqual(fs.reads, []);
  });

  it('report a missing file or a bad line at the line naming the map, in HAProxy\u2019s words', async () => {
    const errors = await errorsOf(
      frontend(
        '  http-request set-header X-A %[src,map_ip(/etc/haproxy/none.map)]',
        '  http-request set-header X-B %[src,map_ip(/etc/haproxy/hosts.map)]',
        '  http-request set-header X-C %[str(a),map_str_int(/etc/haproxy/hosts.map)]',
      ),
      files(),
    );
    const prefix = "error detected in frontend 'fe' while parsing 'http-request set-header' rule : failed to parse sample expression";
    assert.deepEqual(errors, [
      [8, `${prefix} <src,map_ip(/etc/haproxy/none.map)]> : invalid args in converter 'map_ip' : failed to open pattern file </etc/haproxy/none.map>.`],
      [9, `${prefix} <src,map_ip(/etc/haproxy/hosts.map)]> : invalid args in converter 'map_ip' : 'example.com' is not a valid IPv4 or IPv6 address at line 2 of file '/etc/haproxy/hosts.map'.`],
      [10, `${prefix} <str(a),map_str_int(/etc/haproxy/hosts.map)]> : invalid args in converter 'map_str_int' : unable to parse 'be_example' at line 2 of file '/etc/haproxy/hosts.map'.`],
    ]);
  });

  it('serve the rules engine: `use_backend` looks the request up in the map', async () => {
    const model = await parseConfigText(
      frontend('  use_backend %[req.hdr(host),lower,map_dom(/etc/haproxy/hosts.map,be_default)]', '  default_backend be_default', 'backend be_default'),
      'h.cfg',
      { files: files() },
    );
    const rules = compileProxyRules(model.frontends[0] as NonNullable<(typeof model.frontends)[0]>, 'frontend').rules;
    assert.ok(rules);
    const target = (host: string): string | undefined => switchingTarget(rules.switching, context(get('/', `Host: ${host}`)));
    assert.equal(target('WWW.Example.COM'), 'be_example');
    assert.equal(target('a.b.test.org'), 'be_test');
    assert.equal(target('other.net'), 'be_default');
  });
});

describe('ACL pattern files', () => {
  it('-f adds the patterns of the file (comments, blank lines and leading blanks skipped)', async () => {
    const model = await parseConfigText(frontend('  acl blocked src -f /etc/haproxy/blocked.lst 127.0.0.1', '  http-request deny if blocked'), 'h.cfg', {
      files: files(),
    });
    assert.deepEqual(model.frontends[0]?.acls?.[0]?.patterns, ['10.0.0.0/8', '192.168.1.1', '127.0.0.1']);
  });

  it('-M reads a map file: its keys are the patterns', async () => {
    const model = await parseConfigText(frontend('  acl known hdr(host) -M -f /etc/haproxy/hosts.map', '  http-request deny if !known'), 'h.cfg', {
      files: files(),
    });
    assert.deepEqual(model.frontends[0]?.acls?.[0]?.patterns, ['example.com', '.test.org']);
  });

  it('report a missing file, a bad pattern (with its line) and -m after -f, as HAProxy does', async () => {
    const errors = await errorsOf(
      frontend(
        '  acl a path -f /etc/haproxy/none.lst',
        '  acl b src -f /etc/haproxy/bad.lst',
        '  acl c path -f /etc/haproxy/blocked.lst -m beg',
        '  acl d req.hdr_val(x) -f /etc/haproxy/ints.lst',
      ),
      files({ '/etc/haproxy/bad.lst': '10.0.0.0/8\n# c\n  192.168.0.1  \n', '/etc/haproxy/ints.lst': '5\nabc\n' }),
    );
    assert.deepEqual(errors, [
      [8, "error detected while parsing ACL 'a' : failed to open pattern file </etc/haproxy/none.lst>."],
      [9, "error detected while parsing ACL 'b' : '192.168.0.1  ' is not a valid IPv4 or IPv6 address at line 3 of file '/etc/haproxy/bad.lst'."],
      [10, "error detected while parsing ACL 'c' : '-m' must only be specified before patterns and files in parsing ACL expression."],
      [11, "error detected while parsing ACL 'd' : 'abc' is not a number at line 2 of file '/etc/haproxy/ints.lst'."],
    ]);
  });
});
