/**
 * Black-box conformance of `ssl-load-extra-files` (HAProxy 2.6's default is `all`): which files a
 * `crt` does not name are looked for. With `none` (or a list without `ocsp`), a `.ocsp` file
 * beside the certificate is not read, so nothing is stapled (and Bun and Deno, which refuse to
 * start with one they cannot staple, start); without `key`, a certificate whose key sits in
 * `FILE.key` is refused; without `bundle`, a `crt` path that is not there is not a bundle of
 * `.rsa`/`.ecdsa`/`.dsa` files.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/ssl-load-extra-files.test.js
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stapledResponse } from '../support/tls-ocsp.ts';
import { freePorts } from '../support/ports.ts';
import { repoRoot } from '../support/runtimes.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { runCli, type ProxyProcess } from '../support/proxy-process.ts';

const TLS = `${repoRoot}test/fixtures/tls`;

const staples = (target: string): boolean => target !== 'bun' && target !== 'deno';

for (const target of TARGETS) {
  describe(`ssl-load-extra-files on ${target}`, () => {
    let dir: string;

    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'switchyard-extra-files-'));
      // A certificate with its chain (the OCSP response's issuer) and a response beside it.
      writeFileSync(join(dir, 'a.pem'), `${readFileSync(`${TLS}/a.example.pem`, 'utf8')}\n${readFileSync(`${TLS}/ca.pem`, 'utf8')}`);
      writeFileSync(join(dir, 'a.pem.ocsp'), readFileSync(`${TLS}/a.example.ocsp.der`));
      // A certificate whose key is in its .key companion.
      writeFileSync(join(dir, 'site.pem'), readFileSync(`${TLS}/a.example.crt`));
      writeFileSync(join(dir, 'site.pem.key'), readFileSync(`${TLS}/a.example.key`));
      // A bundle: bundle.pem is not there, bundle.pem.rsa is.
      writeFileSync(join(dir, 'bundle.pem.rsa'), readFileSync(`${TLS}/a.example.pem`));
    });

    after(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    async function check(global: string, crt: string): Promise<{ code: number | null; stderr: string }> {
      const path = join(dir, `check-${Math.random().toString(36).slice(2)}.cfg`);
      writeFileSync(path, `global\n${global}\n${HTTP_DEFAULTS}\nfrontend fe\n    bind 127.0.0.1:1 ssl crt ${join(dir, crt)}\n    http-request return status 200\n`);
      return runCli(target, ['-c', '-f', path]);
    }

    it('without ocsp the .ocsp file is not read: nothing is stapled, on every runtime', async () => {
      for (const words of ['none', 'key issuer sctl bundle']) {
        const [port] = (await freePorts(1)) as [number];
        let proxy: ProxyProcess | undefined;
        try {
          proxy = await startProxy(target, `global\n    ssl-load-extra-files ${words}\n${HTTP_DEFAULTS}\nfrontend fe\n    bind 127.0.0.1:${port} ssl crt ${join(dir, 'a.pem')}\n    http-request return status 200\n`);
          assert.equal(await stapledResponse(port, true), null, `ssl-load-extra-files ${words}`);
        } finally {
          await stopProxy(target, proxy);
        }
      }
    });

    it('with ocsp the response is stapled', { skip: !staples(target) && 'this runtime cannot staple' }, async () => {
      const [port] = (await freePorts(1)) as [number];
      let proxy: ProxyProcess | undefined;
      try {
        proxy = await startProxy(target, `global\n    ssl-load-extra-files ocsp\n${HTTP_DEFAULTS}\nfrontend fe\n    bind 127.0.0.1:${port} ssl crt ${join(dir, 'a.pem')}\n    http-request return status 200\n`);
        assert.deepEqual(await stapledResponse(port, true), readFileSync(`${TLS}/a.example.ocsp.der`));
      } finally {
        await stopProxy(target, proxy);
      }
    });

    it('without key, FILE.key is not looked for: the certificate is refused', async () => {
      const refused = await check('    ssl-load-extra-files none', 'site.pem');
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /[Nn]o [Pp]rivate [Kk]ey found in '[^']*site\.pem'/);
      assert.equal((await check('    ssl-load-extra-files key', 'site.pem')).code, 0);
      assert.equal((await check('    ssl-load-extra-files all', 'site.pem')).code, 0);
    });

    it('without bundle, a crt that is not there is not a bundle', async () => {
      const refused = await check('    ssl-load-extra-files key ocsp issuer', 'bundle.pem');
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /bundle\.pem/);
      assert.equal((await check('    ssl-load-extra-files bundle', 'bundle.pem')).code, 0);
    });

    it("HAProxy's errors for a bad list", async () => {
      const empty = await check('    ssl-load-extra-files', 'site.pem');
      assert.notEqual(empty.code, 0);
      assert.match(empty.stderr, /'ssl-load-extra-files' expects one or multiple arguments \(none, all, bundle, sctl, ocsp, issuer\)\./);
      const alone = await check('    ssl-load-extra-files ocsp none', 'site.pem');
      assert.notEqual(alone.code, 0);
      assert.match(alone.stderr, /'ssl-load-extra-files' 'none' and 'all' can be only used alone/);
    });
  });
}
