/**
 * Black-box conformance of the client certificate a `server ... ssl crt FILE` presents: the
 * certificate file's own chain, never one completed from the CAs of the server's `ca-file`
 * (HAProxy gives OpenSSL an empty chain so that it builds none from its verify store). A bind
 * trusting another CA then cannot find the client certificate's issuer: `ssl_c_err` is 20
 * (X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, the first error), `ssl_c_verify` 21
 * (UNABLE_TO_VERIFY_LEAF_SIGNATURE, the last: OpenSSL went on), as reg-tests/ssl/set_ssl_cafile.vtc
 * expects ("20|21").
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/ssl-server-client-chain.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePorts } from '../support/ports.ts';
import { repoRoot } from '../support/runtimes.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';

const TLS = `${repoRoot}test/fixtures/tls`;

for (const target of TARGETS) {
  // Deno refuses client certificates (docs/runtimes.md).
  const skip = target === 'deno' && 'client certificates are refused on Deno';
  describe(`the client certificate a server line presents on ${target}`, { skip }, () => {
    let proxy: ProxyProcess | undefined;
    let relay = 0;

    before(async () => {
      const [clear, tlsPort] = await freePorts(2);
      relay = clear as number;
      proxy = await startProxy(
        target,
        `
${HTTP_DEFAULTS}
frontend fe_clear
    bind 127.0.0.1:${relay}
    default_backend be_tls

backend be_tls
    server s1 127.0.0.1:${tlsPort} ssl crt ${TLS}/client.example.pem ca-file ${TLS}/ca.pem verify none

frontend fe_tls
    bind 127.0.0.1:${tlsPort} ssl crt ${TLS}/a.example.pem ca-file ${TLS}/selfsigned.example.pem verify required crt-ignore-err all ca-ignore-err all
    http-request return status 200 content-type text/plain lf-string "%[ssl_c_used] %[ssl_c_err] %[ssl_c_verify]"
`,
      );
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
    });

    it("is sent without its issuer from the server's ca-file: the bind cannot find it (ssl_c_err 20, ssl_c_verify 21)", async () => {
      const conn = await HttpConnection.open(relay);
      try {
        const res = await conn.request('GET', '/');
        assert.equal(res.status, 200);
        assert.equal(res.body.toString(), '1 20 21');
      } finally {
        conn.destroy();
      }
    });
  });
}
