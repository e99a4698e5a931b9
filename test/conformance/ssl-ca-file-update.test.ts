/**
 * `set ssl ca-file` / `commit ssl ca-file` and the other CA file commands on the runtime API
 * through the real proxy: a server verified against a CA file that cannot verify it is
 * refused (503) until the file is replaced with the right CA and committed, without a reload
 * (HAProxy 2.6's ssl_ckch.c); `show ssl ca-file` lists and details the files. The server has a
 * `crt`: HAProxy 2.6 links servers to their CA file through their certificate instance, and
 * leaves servers without one out of the commit.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/ssl-ca-file-update.test.js
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { repoRoot } from '../support/runtimes.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { cli } from '../support/cli-client.ts';
import { exchange } from '../support/http-client.ts';

const TLS = `${repoRoot}test/fixtures/tls`;
/** The CA file of the server line: a self-signed certificate that did not sign a.example. */
const WRONG = `${TLS}/selfsigned.example.pem`;

/**
 * `show ssl ca-file` without the `@system-ca` line: HAProxy 2.6.12 lists the system's trust
 * store (its count is the machine's), which Switchyard does not load unless a line names it.
 */
function withoutSystemCa(text: string): string {
  return text.replace(/^@system-ca - \d+ certificate\(s\)\n/m, '');
}

function payload(file: string): string {
  return `${readFileSync(file, 'latin1').trimEnd()}\n\n`;
}

for (const target of TARGETS) {
  describe(`set ssl ca-file on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let cliPort: number;
    let front: number;

    before(async () => {
      const [stats, f, tlsPort] = (await freePorts(3)) as [number, number, number];
      cliPort = stats;
      front = f;
      proxy = await startProxy(
        target,
        `
global
    stats socket 127.0.0.1:${stats} level admin
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${front}
    default_backend be
backend be
    server s1 127.0.0.1:${tlsPort} ssl verify required ca-file ${WRONG} sni str(a.example) crt ${TLS}/client.example.pem
frontend tls
    bind 127.0.0.1:${tlsPort} ssl crt ${TLS}/a.example.pem
    http-request return status 200
`,
      );
    });

    after(async () => {
      await stopProxy(target, proxy);
    });

    async function status(): Promise<number> {
      const { response } = await exchange(front, 'GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
      return response.status;
    }

    it('refuses the server its CA file cannot verify', async () => {
      assert.equal(await status(), 503);
      assert.equal(withoutSystemCa(await cli(cliPort, 'show ssl ca-file\n')), `# filename\n${WRONG} - 1 certificate(s)\n\n`);
    });

    it('a transaction shows, and changes nothing until committed', async () => {
      assert.equal(await cli(cliPort, `set ssl ca-file ${WRONG} <<\n${payload(`${TLS}/ca.pem`)}`), `transaction created for CA ${WRONG}!\n\n`);
      assert.equal(withoutSystemCa(await cli(cliPort, 'show ssl ca-file\n')), `# transaction\n*${WRONG} - 1 certificate(s)\n# filename\n${WRONG} - 1 certificate(s)\n\n`);
      const staged = await cli(cliPort, `show ssl ca-file *${WRONG}\n`);
      assert.match(staged, new RegExp(`^Filename: \\*${WRONG}\nStatus: Unused\n \nCertificate #1:\nSerial: `));
      assert.match(staged, /\nSubject: \/CN=Switchyard Test CA\n/);
      assert.equal(await status(), 503);
    });

    it('commit: the server is verified with the new CA', async () => {
      assert.equal(await cli(cliPort, `commit ssl ca-file ${WRONG}\n`), `Committing ${WRONG}.\nSuccess!\n\n`);
      assert.equal(await status(), 200);
      assert.match(await cli(cliPort, `show ssl ca-file ${WRONG}:1\n`), new RegExp(`^Filename: ${WRONG}\nStatus: Used\n \nCertificate #1:\n[^]*Subject: /CN=Switchyard Test CA\n`));
      assert.equal(await cli(cliPort, `show ssl ca-file ${WRONG}:0\n`), `wrong CA index after colons in '${WRONG}:0'!\n`);
    });

    it('abort, new and del answer as HAProxy', async () => {
      assert.equal(await cli(cliPort, `abort ssl ca-file ${WRONG}\n`), 'No ongoing transaction!\n\n');
      assert.equal(await cli(cliPort, 'set ssl ca-file /nope.pem <<\n' + payload(`${TLS}/ca.pem`)), "Can't replace a CA file which is not referenced by the configuration!\nCan't update /nope.pem!\n\n");
      assert.equal(await cli(cliPort, 'new ssl ca-file added.pem\n'), "New CA file created 'added.pem'!\n\n");
      assert.equal(await cli(cliPort, 'show ssl ca-file added.pem\n'), '\n', 'HAProxy 2.6.12 prints nothing for an empty new file');
      assert.equal(await cli(cliPort, `del ssl ca-file ${WRONG}\n`), `Can't remove the CA file: CA file '${WRONG}' in use, can't be deleted!\n\n\n`);
      assert.equal(await cli(cliPort, 'del ssl ca-file added.pem\n'), "CA file 'added.pem' deleted!\n\n");
      assert.equal(await cli(cliPort, 'show ssl ca-file added.pem\n'), "Can't display the CA file : Not found!\n\n");
    });
  });
}
