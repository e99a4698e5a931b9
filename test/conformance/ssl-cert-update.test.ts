/**
 * `set ssl cert` / `commit ssl cert` / `abort ssl cert` on the runtime API through the real
 * proxy: the transaction shows in `show ssl cert`, and once committed new TLS clients of every
 * bind serving the file get the new certificate, without a reload (HAProxy 2.6's ssl_ckch.c).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/ssl-cert-update.test.js
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { repoRoot } from '../support/runtimes.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { cli } from '../support/cli-client.ts';

const TLS = `${repoRoot}test/fixtures/tls`;
const A = `${TLS}/a.example.pem`;

/** The subject CN of the certificate a new TLS client gets (`servername` undefined: no SNI). */
function servedName(port: number, servername: string | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...(servername !== undefined ? { servername } : {}) }, () => {
      const cn = socket.getPeerCertificate().subject?.CN;
      socket.destroy();
      resolve(String(cn));
    });
    socket.setTimeout(5000, () => socket.destroy(new Error('TLS handshake timed out')));
    socket.on('error', (error) => resolve(`error: ${error.message}`));
    void reject;
  });
}

/** A payload: the PEM lines, then the empty line ending it. */
function payload(file: string): string {
  return `${readFileSync(file, 'latin1').trimEnd()}\n\n`;
}

for (const target of TARGETS) {
  describe(`set ssl cert on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let cliPort: number;
    let plain: number;
    let strict: number;

    before(async () => {
      [cliPort, plain, strict] = (await freePorts(3)) as [number, number, number];
      proxy = await startProxy(
        target,
        `
global
    stats socket 127.0.0.1:${cliPort} level admin
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${plain} ssl crt ${A}
    bind 127.0.0.1:${strict} ssl crt ${A} strict-sni
    default_backend be
backend be
    server s1 127.0.0.1:1
`,
      );
    });

    after(async () => {
      await stopProxy(target, proxy);
    });

    it('serves the configured certificate first', async () => {
      assert.equal(await servedName(plain, undefined), 'a.example');
      assert.equal(await servedName(strict, 'a.example'), 'a.example');
    });

    it('keeps serving it while the transaction is open, and lists the transaction', async () => {
      assert.equal(await cli(cliPort, `set ssl cert ${A} <<\n${payload(`${TLS}/b.example.pem`)}`), `Transaction created for certificate ${A}!\n\n`);
      assert.equal(await cli(cliPort, 'show ssl cert\n'), `# transaction\n*${A}\n# filename\n${A}\n\n`);
      const staged = await cli(cliPort, `show ssl cert *${A}\n`);
      assert.match(staged, new RegExp(`^Filename: \\*${A}\nStatus: Unused\n`));
      assert.match(staged, /\nSubject: \/CN=b\.example\n/);
      assert.match(await cli(cliPort, `show ssl cert ${A}\n`), /\nSubject: \/CN=a\.example\n/);
      assert.equal(await servedName(plain, undefined), 'a.example');
    });

    it('refuses to commit another file', async () => {
      assert.equal(
        await cli(cliPort, `commit ssl cert ${TLS}/other.pem\n`),
        `The ongoing transaction is about '${A}' but you are trying to set '${TLS}/other.pem'\nCan't commit ${TLS}/other.pem!\n\n`,
      );
    });

    it('commits: new clients of every bind using the file get the new certificate', async () => {
      assert.equal(await cli(cliPort, `commit ssl cert ${A}\n`), `Committing ${A}..\nSuccess!\n\n`);
      assert.equal(await servedName(plain, undefined), 'b.example');
      assert.equal(await servedName(plain, 'a.example'), 'b.example');
      // strict-sni: the names are the new certificate's.
      assert.equal(await servedName(strict, 'b.example'), 'b.example');
      assert.match(await servedName(strict, 'a.example'), /^error: /);
      assert.match(await cli(cliPort, `show ssl cert ${A}\n`), new RegExp(`^Filename: ${A}\nStatus: Used\n[^]*\nSubject: /CN=b\\.example\n`));
      assert.equal(await cli(cliPort, 'show ssl cert\n'), `# filename\n${A}\n\n`);
    });

    it('abort drops the transaction and changes nothing', async () => {
      assert.equal(await cli(cliPort, `set ssl cert ${A} <<\n${payload(A)}`), `Transaction created for certificate ${A}!\n\n`);
      assert.equal(await cli(cliPort, `abort ssl cert ${A}\n`), `Transaction aborted for certificate '${A}'!\n\n`);
      assert.equal(await cli(cliPort, `abort ssl cert ${A}\n`), 'No ongoing transaction!\n\n');
      assert.equal(await servedName(plain, undefined), 'b.example');
    });

    it('a certificate without its key cannot be committed', async () => {
      assert.equal(await cli(cliPort, `set ssl cert ${A} <<\n${payload(`${TLS}/a.example.crt`)}`), `Transaction created for certificate ${A}!\n\n`);
      assert.equal(await cli(cliPort, `commit ssl cert ${A}\n`), `The transaction must contain at least a certificate and a private key!\nCan't commit ${A}!\n\n`);
      // The key alone completes it (a `.key` name loads only the key).
      assert.equal(await cli(cliPort, `set ssl cert ${A}.key <<\n${payload(`${TLS}/a.example.key`)}`), `Transaction updated for certificate ${A}!\n\n`);
      assert.equal(await cli(cliPort, `commit ssl cert ${A}\n`), `Committing ${A}..\nSuccess!\n\n`);
      assert.equal(await servedName(plain, undefined), 'a.example');
      assert.equal(await servedName(strict, 'a.example'), 'a.example');
    });

    it('answers unknown files and empty payloads as HAProxy', async () => {
      assert.equal(
        await cli(cliPort, `set ssl cert /nope.pem <<\n${payload(A)}`),
        "Can't replace a certificate which is not referenced by the configuration!\nCan't update /nope.pem!\n\n",
      );
      assert.equal(await cli(cliPort, `set ssl cert ${A}\n`), "'set ssl cert expects a filename and a certificate as a payload\n\n");
      assert.equal(await cli(cliPort, `set ssl cert ${A} <<\nnot a certificate\n\n`), `unable to load certificate from file '${A}'.\nCan't load the payload\nCan't update ${A}!\n\n`);
    });

    it('new ssl cert adds an empty entry; del ssl cert removes unused ones only', async () => {
      const added = `${TLS}/new.pem`;
      assert.equal(await cli(cliPort, `new ssl cert ${added}\n`), `New empty certificate store '${added}'!\n\n`);
      assert.equal(await cli(cliPort, `new ssl cert ${added}\n`), `Certificate '${added}' already exists!\n\n`);
      assert.equal(await cli(cliPort, 'show ssl cert\n'), `# filename\n${A}\n${added}\n\n`);
      assert.equal(await cli(cliPort, `show ssl cert ${added}\n`), `Filename: ${added}\nStatus: Empty\nOCSP Response Key: \n\n`);
      assert.equal(await cli(cliPort, `del ssl cert ${A}\n`), `Can't remove the certificate: certificate '${A}' in use, can't be deleted!\n\n\n`);
      assert.equal(await cli(cliPort, `del ssl cert ${added}\n`), `Certificate '${added}' deleted!\n\n`);
      assert.equal(await cli(cliPort, `del ssl cert ${added}\n`), `Can't remove the certificate: certificate '${added}' doesn't exist!\n\n\n`);
    });
  });
}
