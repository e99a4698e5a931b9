/**
 * `show ssl ocsp-response [ID]`, `set ssl ocsp-response` and the OCSP parts of `show ssl cert`
 * and `set ssl cert NAME.ocsp` (HAProxy 2.6's ssl_sock.c and ssl_ckch.c): a bind serves
 * a.example (its chain carries the CA that issued it) with a.example's good response in
 * `a.pem.ocsp`. The list shows its CertID, the details are OpenSSL's text of the response
 * (test/fixtures/tls/a.example.ocsp*.txt are `openssl ocsp -respin F -resp_text -noverify`,
 * HAProxy putting a space on empty lines), `set` replaces what the next handshakes staple (the
 * revoked response), and refuses a response about another certificate.
 *
 * Bun and Deno cannot staple: they refuse a `.ocsp` file (ssl-ocsp-stapling.test.ts); without
 * one, both commands answer as HAProxy with no OCSP response loaded, which is checked on every
 * target.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stapledResponse } from '../support/tls-ocsp.ts';
import { cli, cliReady } from '../support/cli-client.ts';
import { HTTP_DEFAULTS, TARGETS } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import { ProxyProcess } from '../support/proxy-process.ts';
import { repoRoot } from '../support/runtimes.ts';

const TLS = `${repoRoot}test/fixtures/tls`;
const GOOD = readFileSync(`${TLS}/a.example.ocsp.der`);
const REVOKED = readFileSync(`${TLS}/a.example.ocsp-revoked.der`);
const OTHER = readFileSync(`${TLS}/b.example.ocsp.der`);
const KEY = '304d300906052b0e03021a05000414122744f5d8dc06aaae311423b05ecd0fe40d697004144ed77c4ec4e0cfaa3fd76663ec504e005f6825eb021458bccb3c387fbf719bf23ad325d6b8837d33c1f1';
const LISTED =
  '# Certificate IDs\n' +
  `Certificate ID key : ${KEY}\n` +
  ' Certificate ID:\n' +
  '   Issuer Name Hash: 122744F5D8DC06AAAE311423B05ECD0FE40D6970\n' +
  '   Issuer Key Hash: 4ED77C4EC4E0CFAA3FD76663EC504E005F6825EB\n' +
  '   Serial Number: 58BCCB3C387FBF719BF23AD325D6B8837D33C1F1\n' +
  '\n';

/** What `show ssl ocsp-response KEY` answers: OpenSSL's text, a space on its empty lines, then the CLI's empty line. */
function detail(fixture: string): string {
  return `${readFileSync(`${TLS}/${fixture}`, 'latin1').replace(/\n(?=\n)/g, '\n ')}\n`;
}



const staples = (target: string): boolean => target !== 'bun' && target !== 'deno';

for (const target of TARGETS) {
  describe(`show/set ssl ocsp-response on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: { fe: number; cli: number };
    let dir: string;
    let pem: string;

    before(async () => {
      const [fe, cliPort] = (await freePorts(2)) as [number, number];
      ports = { fe, cli: cliPort };
      dir = mkdtempSync(join(tmpdir(), 'switchyard-ocsp-cli-'));
      pem = join(dir, 'a.pem');
      writeFileSync(pem, `${readFileSync(`${TLS}/a.example.pem`, 'utf8')}\n${readFileSync(`${TLS}/ca.pem`, 'utf8')}`);
      // Where the runtime cannot staple, the commands are seen without any response loaded.
      if (staples(target)) writeFileSync(`${pem}.ocsp`, GOOD);
      const config = `
global
    stats socket ipv4@127.0.0.1:${ports.cli} level admin
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${ports.fe} ssl crt ${pem}
    http-request return status 200
`;
      proxy = await ProxyProcess.start(target, config, [], 20_000, ports.fe);
      await cliReady(ports.cli);
    });

    after(async () => {
      await proxy?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    const command = (line: string): Promise<string> => cli(ports.cli, `${line}\n`);

    it('refuses what is no response about a loaded certificate, with HAProxy messages', async () => {
      assert.equal(await command('set ssl ocsp-response'), "'set ssl ocsp-response' expects response in base64 encoding.\n\n");
      assert.equal(await command('set ssl ocsp-response A'), "'set ssl ocsp-response' received invalid base64 encoded response.\n\n");
      assert.equal(await command('set ssl ocsp-response AAAA'), 'Unable to parse OCSP response.\n\n');
      assert.equal(await command(`set ssl ocsp-response ${OTHER.toString('base64')}`), 'OCSP single response: Certificate ID does not match any certificate or issuer.\n\n');
      assert.equal(await command('show ssl ocsp-response 3030'), 'Certificate ID does not match any certificate.\n\n');
      assert.equal(await command(`show ssl ocsp-response ${'ab'.repeat(129)}`), "'show ssl ocsp-response' received a too big key.\n\n");
    });

    it('without a .ocsp file the list is empty and the certificate has no response key', { skip: staples(target) && 'this runtime staples: see the tests below' }, async () => {
      assert.equal(await command('show ssl ocsp-response'), '# Certificate IDs\n\n');
      assert.match(await command(`show ssl cert ${pem}`), /\nOCSP Response Key: \n\n$/);
    });

    it('lists the CertID of the .ocsp response and prints the response as OpenSSL', { skip: !staples(target) && 'this runtime cannot staple' }, async () => {
      assert.equal(await command('show ssl ocsp-response'), LISTED);
      assert.equal(await command(`show ssl ocsp-response ${KEY}`), detail('a.example.ocsp.txt'));
      // HAProxy compares the key padded with zeros: upper case and trailing zero bytes match too.
      assert.equal(await command(`show ssl ocsp-response ${KEY.toUpperCase()}0000`), detail('a.example.ocsp.txt'));
      assert.match(await command(`show ssl cert ${pem}`), new RegExp(`\nOCSP Response Key: ${KEY}\n\n$`));
      assert.equal(await command(`show ssl cert ${pem}.ocsp`), detail('a.example.ocsp.txt'));
    });

    it('set ssl ocsp-response replaces the response stapled on the next handshakes', { skip: !staples(target) && 'this runtime cannot staple' }, async () => {
      assert.deepEqual(await stapledResponse(ports.fe), GOOD);
      const base64 = REVOKED.toString('base64').replace(/.{64}/g, '$&\n');
      assert.equal(await command(`set ssl ocsp-response <<\n${base64}\n`), 'OCSP Response updated!\n\n');
      assert.equal(await command(`show ssl ocsp-response ${KEY}`), detail('a.example.ocsp-revoked.txt'));
      assert.deepEqual(await stapledResponse(ports.fe), REVOKED);
      // `show ssl cert NAME.ocsp` shows the response stapled now.
      assert.equal(await command(`show ssl cert ${pem}.ocsp`), detail('a.example.ocsp-revoked.txt'));
    });

    it('set ssl cert NAME.ocsp stages a response; its commit staples it', { skip: !staples(target) && 'this runtime cannot staple' }, async () => {
      const base64 = GOOD.toString('base64').replace(/.{64}/g, '$&\n');
      assert.match(await command(`set ssl cert ${pem}.ocsp <<\n${base64}\n`), /^Transaction created for certificate .*a\.pem!\n\n$/);
      // The transaction's own response, while the process still staples the revoked one.
      assert.equal(await command(`show ssl cert *${pem}.ocsp`), detail('a.example.ocsp.txt'));
      assert.equal(await command(`show ssl ocsp-response ${KEY}`), detail('a.example.ocsp-revoked.txt'));
      assert.match(await command(`commit ssl cert ${pem}`), /\nSuccess!\n\n$/);
      assert.equal(await command(`show ssl ocsp-response ${KEY}`), detail('a.example.ocsp.txt'));
      assert.deepEqual(await stapledResponse(ports.fe), GOOD);
    });
  });
}
