import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readPemBlocks } from '../../src/config/certificates.ts';
import { ConfigError } from '../../src/config/errors.ts';
import { loadConfig, parseConfigText } from '../../src/config/load.ts';
import { FakeFiles, fixture } from '../support/fake-files.ts';

const cfg = (...lines: string[]): string => `${lines.join('\n')}\n`;
const TIMEOUTS = ['  timeout connect 5s', '  timeout client 30s', '  timeout server 30s'];

const A_PEM = fixture('tls/a.example.pem');
const B_PEM = fixture('tls/b.example.pem');
const A_CRT = fixture('tls/a.example.crt');
const A_KEY = fixture('tls/a.example.key');
const CA_PEM = fixture('tls/ca.pem');

async function refusedLoad(paths: string[], files: FakeFiles): Promise<[string, number, number, string][]> {
  try {
    await loadConfig(paths, files);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.diagnostics.map((d) => [d.file, d.line, d.column, d.message]);
  }
  assert.fail('expected loadConfig to fail');
}

describe('loadConfig: files and directories', () => {
  it('reads one file', async () => {
    const files = new FakeFiles({ '/etc/sy/haproxy.cfg': cfg('frontend f', '  bind :80') });
    const model = await loadConfig(['/etc/sy/haproxy.cfg'], files);
    assert.deepEqual(model.frontends[0]?.source, { file: '/etc/sy/haproxy.cfg', line: 1 });
  });

  it('reads the *.cfg files of a directory in lexical order, skipping hidden files, others and subdirectories', async () => {
    const files = new FakeFiles({
      '/conf/20-backends.cfg': cfg('backend b', '  server s 10.0.0.1:80'),
      '/conf/10-front.cfg': cfg('frontend f', '  bind :80', '  default_backend b'),
      '/conf/.30-hidden.cfg': cfg('this is not read'),
      '/conf/notes.txt': 'not a config',
      '/conf/sub.cfg/x.cfg': 'not read either',
    });
    const model = await loadConfig(['/conf'], files);
    assert.deepEqual(files.reads, ['/conf/10-front.cfg', '/conf/20-backends.cfg']);
    assert.deepEqual(
      model.frontends.map((f) => [f.name, f.source.file]),
      [['f', '/conf/10-front.cfg']],
    );
    assert.deepEqual(
      model.backends.map((b) => [b.name, b.source.file]),
      [['b', '/conf/20-backends.cfg']],
    );
  });

  it('treats several paths as one configuration: defaults carry over, sections do not', async () => {
    const files = new FakeFiles({
      '/a.cfg': cfg('defaults', '  mode http', ...TIMEOUTS, 'backend b', '  server s 10.0.0.1:80'),
      '/b.cfg': cfg('  retries 5', 'frontend f', '  bind :80', '  default_backend b'),
    });
    const errors = await refusedLoad(['/a.cfg', '/b.cfg'], files);
    // HAProxy starts each file outside any section.
    assert.deepEqual(errors, [['/b.cfg', 1, 3, "unknown keyword 'retries' out of section."]]);

    const ok = new FakeFiles({
      '/a.cfg': cfg('defaults', '  mode http', ...TIMEOUTS, 'backend b', '  server s 10.0.0.1:80'),
      '/b.cfg': cfg('frontend f', '  bind :80', '  default_backend b'),
    });
    const model = await loadConfig(['/a.cfg', '/b.cfg'], ok);
    assert.equal(model.frontends[0]?.mode, 'http', 'defaults from the first file apply to the second');
    assert.deepEqual(model.warnings, []);
  });

  it('keeps .if blocks per file', async () => {
    const files = new FakeFiles({ '/a.cfg': cfg('.if 1'), '/b.cfg': cfg('.endif') });
    assert.deepEqual(await refusedLoad(['/a.cfg', '/b.cfg'], files), [
      ['/a.cfg', 1, 1, "non-terminated '.if' block."],
      ['/b.cfg', 1, 1, "lone '.endif' with no matching '.if'."],
    ]);
  });

  it('reports files and directories that cannot be read', async () => {
    const files = new FakeFiles({ '/a.cfg': cfg('global') }, { directories: ['/empty'] });
    assert.deepEqual(await refusedLoad(['/missing.cfg'], files), [
      ['/missing.cfg', 0, 0, "Could not open configuration file /missing.cfg : ENOENT: no such file or directory, open '/missing.cfg'"],
    ]);
    assert.deepEqual(await refusedLoad(['/empty'], files), [
      ['/empty', 0, 0, 'no configuration file found (a directory contributes only its *.cfg files).'],
    ]);
    assert.deepEqual(await refusedLoad([], files), [['', 0, 0, 'no configuration file given.']]);
  });

  it('expands environment variables from the runtime', async () => {
    const files = new FakeFiles({ '/a.cfg': cfg('frontend f', '  bind "${ADDR}:${PORT-8080}"') }, { env: { ADDR: '127.0.0.2' } });
    const model = await loadConfig(['/a.cfg'], files);
    assert.deepEqual([model.frontends[0]?.binds[0]?.host, model.frontends[0]?.binds[0]?.port], ['127.0.0.2', 8080]);
  });
});

describe('loadConfig: certificates', () => {
  it('loads a PEM file holding certificate and key', async () => {
    const files = new FakeFiles({ '/c.cfg': cfg('frontend f', '  bind :443 ssl crt /tls/a.pem alpn h2,http/1.1'), '/tls/a.pem': A_PEM });
    const model = await loadConfig(['/c.cfg'], files);
    const bind = model.frontends[0]?.binds[0];
    assert.deepEqual(bind?.alpn, ['h2', 'http/1.1']);
    const certificates = bind?.ssl?.certificates ?? [];
    assert.equal(certificates.length, 1);
    assert.equal(certificates[0]?.path, '/tls/a.pem');
    assert.equal(certificates[0]?.certPem, A_CRT.trim());
    assert.equal(certificates[0]?.keyPem, A_KEY.trim());
  });

  it('loads the key from FILE.key when the PEM file has none', async () => {
    const files = new FakeFiles({
      '/c.cfg': cfg('frontend f', '  bind :443 ssl crt /tls/site.crt'),
      '/tls/site.crt': A_CRT,
      '/tls/site.crt.key': A_KEY,
    });
    const model = await loadConfig(['/c.cfg'], files);
    assert.equal(model.frontends[0]?.binds[0]?.ssl?.certificates[0]?.keyPem, A_KEY.trim());
  });

  it('loads every certificate of a crt directory in lexical order, skipping companion files', async () => {
    const files = new FakeFiles({
      '/c.cfg': cfg('frontend f', '  bind :443 ssl crt /tls/'),
      '/tls/b.example.pem': B_PEM,
      '/tls/a.example.crt': A_CRT,
      '/tls/a.example.crt.key': A_KEY,
      '/tls/a.example.crt.ocsp': 'binary ocsp',
      '/tls/a.example.crt.issuer': CA_PEM,
      '/tls/a.example.crt.sctl': 'sctl',
      '/tls/old/ignored.pem': 'not a certificate',
    });
    const model = await loadConfig(['/c.cfg'], files);
    assert.deepEqual(
      model.frontends[0]?.binds[0]?.ssl?.certificates.map((c) => c.path),
      ['/tls/a.example.crt', '/tls/b.example.pem'],
    );
  });

  it('resolves relative crt paths against crt-base, and keeps several crt in order', async () => {
    const files = new FakeFiles({
      '/c.cfg': cfg('global', '  crt-base /etc/ssl/sy', 'frontend f', '  bind :443,:8443 ssl crt b.pem crt /abs/a.pem'),
      '/etc/ssl/sy/b.pem': B_PEM,
      '/abs/a.pem': A_PEM,
    });
    const model = await loadConfig(['/c.cfg'], files);
    const binds = model.frontends[0]?.binds ?? [];
    assert.equal(binds.length, 2);
    for (const bind of binds) {
      assert.deepEqual(
        bind.ssl?.certificates.map((c) => c.path),
        ['/etc/ssl/sy/b.pem', '/abs/a.pem'],
      );
    }
  });

  it('reports unreadable and incomplete certificate files at the crt argument', async () => {
    const files = new FakeFiles(
      {
        '/c.cfg': cfg(
          'frontend f',
          '  bind :443 ssl crt /tls/missing.pem',
          '  bind :444 ssl crt /tls/nokey.crt',
          '  bind :445 ssl crt /tls/key-only.pem',
          '  bind :446 ssl crt /tls/empty',
          '  bind :447 ssl crt /tls/enc.pem',
        ),
        '/tls/nokey.crt': A_CRT,
        '/tls/key-only.pem': A_KEY,
        '/tls/enc.pem': `${A_CRT}-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n`,
      },
      { directories: ['/tls/empty'] },
    );
    assert.deepEqual(await refusedLoad(['/c.cfg'], files), [
      ['/c.cfg', 2, 21, "'bind' : unable to load SSL certificate file '/tls/missing.pem': ENOENT: no such file or directory, open '/tls/missing.pem'."],
      ['/c.cfg', 3, 21, "'bind' : no private key found in '/tls/nokey.crt' nor in '/tls/nokey.crt.key'."],
      ['/c.cfg', 4, 21, "'bind' : no certificate found in '/tls/key-only.pem' (expected a PEM 'BEGIN CERTIFICATE' block)."],
      ['/c.cfg', 5, 21, "'bind' : no certificate file found in directory '/tls/empty'."],
      ['/c.cfg', 6, 21, "'bind' : the private key in '/tls/enc.pem' is encrypted; passphrase-protected keys are not supported."],
    ]);
  });

  it('reads each certificate path once even when several binds use it', async () => {
    const files = new FakeFiles({ '/c.cfg': cfg('frontend f', '  bind :443 ssl crt /a.pem', '  bind :444 ssl crt /a.pem'), '/a.pem': A_PEM });
    await loadConfig(['/c.cfg'], files);
    assert.deepEqual(
      files.reads.filter((p) => p === '/a.pem'),
      ['/a.pem'],
    );
  });

  it('splits PEM text into certificates and keys', () => {
    const blocks = readPemBlocks(`junk\n${A_CRT}\n${CA_PEM}\n${A_KEY}`);
    assert.equal(blocks.certificates.length, 2);
    assert.equal(blocks.keys.length, 1);
    assert.equal(blocks.encryptedKey, false);
  });
});

describe('parseConfigText', () => {
  it('parses text without any file access', async () => {
    const model = await parseConfigText(cfg('listen l', '  bind :80'), 'inline.cfg');
    assert.equal(model.frontends[0]?.source.file, 'inline.cfg');
  });

  it('reads certificates through the given file reader', async () => {
    const files = new FakeFiles({ '/a.pem': A_PEM });
    const model = await parseConfigText(cfg('frontend f', '  bind :443 ssl crt /a.pem'), 'x.cfg', { files });
    assert.equal(model.frontends[0]?.binds[0]?.ssl?.certificates.length, 1);
  });
});

describe('large configurations', () => {
  // How fast this parses is measured in bench/ (`npm run bench -- micro config-parse`), never
  // asserted here: a timed assertion fails on a loaded machine without any regression.
  it('parses a 1,000-server configuration into every backend and server', async () => {
    const lines = ['global', '  maxconn 50000', 'defaults', '  mode http', ...TIMEOUTS, 'frontend f', '  bind :80', '  default_backend b'];
    for (let b = 0; b < 10; b++) {
      lines.push(`backend b${b === 0 ? '' : b}`, '  balance roundrobin');
      for (let s = 0; s < 100; s++) lines.push(`  server s${s} 10.0.${b}.${s}:8080 weight ${1 + (s % 5)} maxconn 100`);
    }
    const model = await parseConfigText(cfg(...lines));
    assert.equal(model.backends.length, 10);
    assert.equal(model.backends.reduce((n, b) => n + b.servers.length, 0), 1000);
    const last = model.backends[9]?.servers[99];
    assert.equal(last?.name, 's99');
    assert.equal(last?.weight, 5);
    assert.equal(last?.maxconn, 100);
  });
});
