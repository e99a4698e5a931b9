/**
 * `show ssl cert [<certfile>]` on the runtime API through the real proxy: the certificate files
 * of binds and servers, sorted by path, and one file's details, byte for byte as HAProxy 2.6.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/ssl-runtime-api.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { repoRoot } from '../support/runtimes.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { cli } from '../support/cli-client.ts';

const TLS = `${repoRoot}test/fixtures/tls`;


for (const target of TARGETS) {
  describe(`show ssl cert on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let cliPort: number;

    before(async () => {
      const [stats, front] = (await freePorts(2)) as [number, number];
      cliPort = stats;
      proxy = await startProxy(
        target,
        `
global
    stats socket 127.0.0.1:${stats} level admin
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${front} ssl crt ${TLS}/b.example.pem crt ${TLS}/a.example.pem
    default_backend be
backend be
    server s1 127.0.0.1:1 ssl verify none crt ${TLS}/client.example.pem
`,
      );
    });

    after(async () => {
      await stopProxy(target, proxy);
    });

    it('lists the certificate files of binds and servers, sorted by path', async () => {
      assert.equal(await cli(cliPort, 'show ssl cert\n'), `# filename\n${TLS}/a.example.pem\n${TLS}/b.example.pem\n${TLS}/client.example.pem\n\n`);
    });

    it("shows one file's details", async () => {
      assert.equal(
        await cli(cliPort, `show ssl cert ${TLS}/a.example.pem\n`),
        [
          `Filename: ${TLS}/a.example.pem`,
          'Status: Used',
          'Serial: 58BCCB3C387FBF719BF23AD325D6B8837D33C1F1',
          'notBefore: Nov 24 08:55:49 2026 GMT',
          'notAfter: Nov 21 08:55:49 2036 GMT',
          'Subject Alternative Name: DNS:a.example',
          'Algorithm: RSA2048',
          'SHA1 FingerPrint: 2724B490E1B9CE6315A15ED677DB5BE7736BD041',
          'Subject: /CN=a.example',
          'Issuer: /CN=Switchyard Test CA',
          'OCSP Response Key: ',
          '',
          '',
        ].join('\n'),
      );
    });

    it('answers an unknown file with HAProxy error', async () => {
      assert.equal(await cli(cliPort, 'show ssl cert /nope.pem\n'), "Can't display the certificate: Not found or the certificate is a bundle!\n\n");
    });

    it('is refused at the user level as HAProxy does', async () => {
      assert.equal(await cli(cliPort, 'user\nshow ssl cert\n'), "\nCan't allocate memory!\n\n", '`user` answers an empty line first');
    });
  });
}
