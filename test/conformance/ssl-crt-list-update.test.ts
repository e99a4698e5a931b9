/**
 * `show/add/del ssl crt-list` on the runtime API through the real proxy: the lines of a
 * crt-list as HAProxy 2.6 shows them, and a line deleted or added changes which certificate a
 * new TLS client gets by SNI (strict-sni), without a reload.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/ssl-crt-list-update.test.js
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { repoRoot } from '../support/runtimes.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { cli } from '../support/cli-client.ts';

const TLS = `${repoRoot}test/fixtures/tls`;
const A = `${TLS}/a.example.pem`;
const B = `${TLS}/b.example.pem`;

/** The subject CN of the certificate a new TLS client gets, or `error: ...`. */
function servedName(port: number, servername: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername }, () => {
      const cn = socket.getPeerCertificate().subject?.CN;
      socket.destroy();
      resolve(String(cn));
    });
    socket.setTimeout(5000, () => socket.destroy(new Error('TLS handshake timed out')));
    socket.on('error', (error) => resolve(`error: ${error.message}`));
  });
}

for (const target of TARGETS) {
  describe(`ssl crt-list commands on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let cliPort: number;
    let strict: number;
    let dir: string;
    let list: string;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'syd-crtlist-'));
      list = join(dir, 'sites.crt-list');
      writeFileSync(list, `${A} a.example\n${B} b.example\n`);
      let plain: number;
      [cliPort, strict, plain] = (await freePorts(3)) as [number, number, number];
      proxy = await startProxy(
        target,
        `
global
    stats socket 127.0.0.1:${cliPort} level admin
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${strict} ssl strict-sni crt-list ${list}
    bind 127.0.0.1:${plain} ssl crt-list ${list}
    default_backend be
backend be
    server s1 127.0.0.1:1
`,
      );
    });

    after(async () => {
      await stopProxy(target, proxy);
      rmSync(dir, { recursive: true, force: true });
    });

    it('shows the lists and their lines', async () => {
      assert.equal(await cli(cliPort, 'show ssl crt-list\n'), `${list}\n\n`);
      assert.equal(await cli(cliPort, `show ssl crt-list ${list}/\n`), `# ${list}\n${A} a.example\n${B} b.example\n\n`);
      assert.equal(await cli(cliPort, `show ssl crt-list -n ${list}\n`), `# ${list}\n${A}:1 a.example\n${B}:2 b.example\n\n`);
      assert.equal(await cli(cliPort, 'show ssl crt-list /nope\n'), "didn't find the specified filename\n\n");
      assert.equal(await servedName(strict, 'b.example'), 'b.example');
    });

    it('del: the line leaves every bind loading the list', async () => {
      assert.equal(await cli(cliPort, `del ssl crt-list ${list} ${B}:7\n`), `Can't delete the entry: found a certificate '${B}' but the line number is incorrect, please specify a correct line number preceded by colons (2)!\n\n`);
      assert.equal(await cli(cliPort, `del ssl crt-list ${list} ${B}\n`), `Entry '${B}' deleted in crtlist '${list}'!\n\n`);
      assert.match(await servedName(strict, 'b.example'), /^error: /);
      assert.equal(await cli(cliPort, `show ssl crt-list -n ${list}\n`), `# ${list}\n${A}:1 a.example\n\n`);
    });

    it('the default certificate of a bind without strict-sni cannot be deleted', async () => {
      assert.match(
        await cli(cliPort, `del ssl crt-list ${list} ${A}:1\n`),
        new RegExp(`^Can't delete the entry: certificate '${A}' cannot be deleted, it is used as default certificate by the following frontends:\n\t- [^\n]+:\\d+\n\n\n$`),
      );
    });

    it('add: a payload line with its filters comes back into every bind', async () => {
      assert.equal(await cli(cliPort, `add ssl crt-list ${list} <<\n${B} b.example\n\n`), `Inserting certificate '${B}' in crt-list '${list}'..\nSuccess!\n\n`);
      assert.equal(await servedName(strict, 'b.example'), 'b.example');
      assert.equal(await cli(cliPort, `show ssl crt-list -n ${list}\n`), `# ${list}\n${A}:1 a.example\n${B}:3 b.example\n\n`);
      assert.equal(await cli(cliPort, `add ssl crt-list ${list} /nope.pem\n`), "Can't edit the crt-list: certificate '/nope.pem' does not exist!\n\n");
      assert.equal(await cli(cliPort, `add ssl crt-list /nope ${A}\n`), "Can't edit the crt-list: crt-list '/nope' does not exist!\n\n");
    });
  });
}
