/**
 * Black-box conformance of OCSP stapling from `<crt>.ocsp` files (HAProxy 2.6 loads the file
 * beside a certificate by default): a client asking for the certificate status (status_request)
 * gets the file's response, byte for byte; a client not asking gets none. On Bun and Deno, whose
 * node:tls cannot staple, the proxy refuses to start, naming the file (docs/runtimes.md).
 *
 * The response (test/fixtures/tls/a.example.ocsp.der) was made from the fixtures with OpenSSL:
 *   openssl ocsp -issuer ca.pem -cert a.example.pem -no_nonce -reqout req.der
 *   openssl ocsp -index index.txt -rsigner ca.pem -rkey ca.key -CA ca.pem -reqin req.der -respout a.example.ocsp.der -ndays 3650
 * (index.txt: a.example's serial, status V).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/ssl-ocsp-stapling.test.js
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
const RESPONSE = readFileSync(`${TLS}/a.example.ocsp.der`);


const staples = (target: string): boolean => target !== 'bun' && target !== 'deno';

for (const target of TARGETS) {
  describe(`OCSP stapling on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let port: number;
    let dir: string;
    let config: string;

    before(async () => {
      [port] = (await freePorts(1)) as [number];
      dir = mkdtempSync(join(tmpdir(), 'switchyard-ocsp-'));
      // HAProxy checks the response against the certificate's issuer: the chain carries it.
      writeFileSync(join(dir, 'a.pem'), `${readFileSync(`${TLS}/a.example.pem`, 'utf8')}\n${readFileSync(`${TLS}/ca.pem`, 'utf8')}`);
      writeFileSync(join(dir, 'a.pem.ocsp'), RESPONSE);
      config = `${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${port} ssl crt ${join(dir, 'a.pem')}
    http-request return status 200
`;
      if (staples(target)) proxy = await startProxy(target, config);
    });

    after(async () => {
      await stopProxy(target, proxy);
      rmSync(dir, { recursive: true, force: true });
    });

    it('a client asking for the status gets the .ocsp response; one not asking gets none', { skip: !staples(target) && 'this runtime cannot staple' }, async () => {
      assert.deepEqual(await stapledResponse(port, true), RESPONSE);
      assert.equal(await stapledResponse(port, false), null);
    });

    it('a runtime that cannot staple refuses to start with the .ocsp file', { skip: staples(target) && 'this runtime staples' }, async () => {
      const path = join(dir, 'refused.cfg');
      writeFileSync(path, config);
      const result = await runCli(target as 'bun' | 'deno', ['-f', path]);
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /OCSP stapling \('.*a\.pem\.ocsp'\) is not supported on (Bun|Deno)/);
    });
  });
}
