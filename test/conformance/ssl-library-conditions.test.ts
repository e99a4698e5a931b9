/**
 * `.if ssllib_name_startswith()`, `openssl_version_atleast()` and `openssl_version_before()`
 * ask the TLS library under each runtime (HAProxy asks the OpenSSL it runs with): Node's
 * OpenSSL, Bun's BoringSSL (which answers to OpenSSL 1.1.1), Deno's rustls (no OpenSSL
 * version: the version predicates are an error there, as on an HAProxy built without OpenSSL).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/ssl-library-conditions.test.js
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli, writeTempConfig } from '../support/proxy-process.ts';
import { HTTP_DEFAULTS, TARGETS } from '../support/http-suite.ts';

const CONFIG = `
.if ssllib_name_startswith(OpenSSL)
.notice "library=OpenSSL"
.elif ssllib_name_startswith(BoringSSL)
.notice "library=BoringSSL"
.else
.notice "library=other"
.endif
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:1
.if openssl_version_atleast(1.1.1) && openssl_version_before(9.0.0)
    http-request return status 200
.else
    http-request deny
.endif
`;

/** The library each target's TLS runs on. */
const LIBRARY: Readonly<Record<string, string>> = { node: 'OpenSSL', 'node-system': 'OpenSSL', haproxy: 'OpenSSL', bun: 'BoringSSL', deno: 'other' };

for (const target of TARGETS) {
  describe(`TLS library conditions on ${target}`, () => {
    it('name and OpenSSL version of the runtime TLS library', async () => {
      const cfg = writeTempConfig(CONFIG);
      try {
        const result = await runCli(target, ['-c', '-f', cfg.path]);
        assert.ok(result.stderr.includes(`library=${LIBRARY[target] ?? '?'}`), result.stderr);
        if (target === 'deno') {
          assert.equal(result.code, 1, result.stderr);
          assert.match(result.stderr, /predicate 'openssl_version_atleast' : the runtime's TLS library \(rustls\) has no OpenSSL version to compare/);
        } else {
          assert.equal(result.code, 0, result.stderr);
        }
      } finally {
        cfg.cleanup();
      }
    });
  });
}
