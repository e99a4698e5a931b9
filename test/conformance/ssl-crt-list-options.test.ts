/**
 * crt-list lines with options in brackets (HAProxy 2.6's per-entry ssl_conf) through the real
 * proxy: read from the list file or added with `add ssl crt-list`, shown by `show ssl crt-list`
 * in HAProxy's order, and applied to the handshakes SNI gives the line: `ssl-min-ver`, and the
 * `ca-file` client certificates are then verified against, which may be one `new ssl ca-file`
 * made on the runtime API (in use, it cannot be deleted).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/ssl-crt-list-options.test.js
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type ConnectionOptions } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { repoRoot } from '../support/runtimes.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { cli } from '../support/cli-client.ts';

const TLS = `${repoRoot}test/fixtures/tls`;
const A = `${TLS}/a.example.pem`;
const B = `${TLS}/b.example.pem`;
/** The bind's CA file: it did not sign client.example. */
const WRONG = `${TLS}/selfsigned.example.pem`;
const CA = `${TLS}/ca.pem`;
const CLIENT = readFileSync(`${TLS}/client.example.pem`, 'utf8');

/** The body of a GET over TLS with this SNI (the proxy answers ssl_c_verify), or `error: ...`. */
function verifyResult(port: number, servername: string, options: ConnectionOptions = {}): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    let secure = false;
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername, ...options }, () => {
      secure = true;
      socket.write(`GET / HTTP/1.1\r\nhost: ${servername}\r\nconnection: close\r\n\r\n`);
    });
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(secure ? text.slice(text.indexOf('\r\n\r\n') + 4) : 'error: closed during the handshake'));
    socket.setTimeout(5000, () => socket.destroy(new Error('timed out')));
    socket.on('error', (error) => resolve(`error: ${error.message}`));
  });
}

function payload(file: string): string {
  return `${readFileSync(file, 'latin1').trimEnd()}\n\n`;
}

for (const target of TARGETS) {
  // Deno's TLS listener cannot ask for client certificates (docs/runtimes.md).
  const clientCerts = target === 'deno' ? 'client certificates are refused on Deno' : false;
  describe(`crt-list options on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let cliPort: number;
    let front: number;
    let dir: string;
    let list: string;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'syd-crtlistopt-'));
      list = join(dir, 'sites.crt-list');
      writeFileSync(list, `${A} a.example\n${B} [ssl-min-ver TLSv1.3 ca-file ${CA}] b.example\n`);
      [cliPort, front] = (await freePorts(2)) as [number, number];
      const verify = clientCerts === false ? ` ca-file ${WRONG} verify optional crt-ignore-err all` : '';
      proxy = await startProxy(
        target,
        `
global
    stats socket 127.0.0.1:${cliPort} level admin
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${front} ssl strict-sni crt-list ${list}${verify}
    http-request return status 200 content-type text/plain lf-string "%[ssl_c_verify]"
`,
      );
    });

    after(async () => {
      await stopProxy(target, proxy);
      rmSync(dir, { recursive: true, force: true });
    });

    it('shows the options of a line in HAProxy\'s order', async () => {
      assert.equal(await cli(cliPort, `show ssl crt-list -n ${list}\n`), `# ${list}\n${A}:1 a.example\n${B}:2 [ca-file ${CA} ssl-min-ver TLSv1.3] b.example\n\n`);
    });

    it('ssl-min-ver applies to the line\'s names only', async () => {
      // HAProxy and Node fail the handshake; Bun, whose SNI callback cannot tell the version,
      // closes the connection right after it: either way nothing is served.
      assert.match(await verifyResult(front, 'b.example', { maxVersion: 'TLSv1.2' }), target === 'bun' ? /^(error: .*)?$/ : /^error: /);
      assert.equal(await verifyResult(front, 'b.example'), '0');
      assert.equal(await verifyResult(front, 'a.example', { maxVersion: 'TLSv1.2' }), '0');
    });

    it('ca-file: the line\'s names verify client certificates with its CA file', { skip: clientCerts }, async () => {
      assert.equal(await verifyResult(front, 'b.example', { cert: CLIENT, key: CLIENT }), '0');
      assert.notEqual(await verifyResult(front, 'a.example', { cert: CLIENT, key: CLIENT }), '0');
    });

    it('add ssl crt-list: options are checked and shown', async () => {
      assert.equal(await cli(cliPort, `add ssl crt-list ${list} <<\n${A} [ca-file /nope.crt] c.example\n\n`), "Can't edit the crt-list: 'ca-file' : unable to load /nope.crt\n\n");
      assert.equal(await cli(cliPort, `add ssl crt-list ${list} <<\n${A} [bogus] c.example\n\n`), "Can't edit the crt-list: parsing [CLI:1]: unknown ssl keyword bogus\n\n");
      assert.equal(await cli(cliPort, `add ssl crt-list ${list} <<\n${A} [ssl-min-ver SSLv3 verify none allow-0rtt] d.example !x.example\n\n`), `Inserting certificate '${A}' in crt-list '${list}'.\nSuccess!\n\n`);
      assert.equal(
        await cli(cliPort, `show ssl crt-list -n ${list}\n`),
        `# ${list}\n${A}:1 a.example\n${B}:2 [ca-file ${CA} ssl-min-ver TLSv1.3] b.example\n${A}:3 [verify none allow-0rtt ssl-min-ver SSLv3] d.example !x.example\n\n`,
      );
      assert.equal(await verifyResult(front, 'd.example'), '0');
    });

    it('a new CA file named by an added line verifies its names, and is in use until the line goes', { skip: clientCerts }, async () => {
      assert.equal(await cli(cliPort, 'new ssl ca-file added.crt\n'), "New CA file created 'added.crt'!\n\n");
      assert.equal(await cli(cliPort, `set ssl ca-file added.crt <<\n${payload(CA)}`), 'transaction created for CA added.crt!\n\n');
      assert.equal(await cli(cliPort, 'commit ssl ca-file added.crt\n'), 'Committing added.crt\nSuccess!\n\n');
      assert.equal(await cli(cliPort, `add ssl crt-list ${list} <<\n${A} [ca-file added.crt] c.example\n\n`), `Inserting certificate '${A}' in crt-list '${list}'.\nSuccess!\n\n`);
      assert.equal(await verifyResult(front, 'c.example', { cert: CLIENT, key: CLIENT }), '0');
      assert.equal(await cli(cliPort, 'del ssl ca-file added.crt\n'), "Can't remove the CA file: CA file 'added.crt' in use, can't be deleted!\n\n\n");
      assert.equal(await cli(cliPort, `del ssl crt-list ${list} ${A}:4\n`), `Entry '${A}' deleted in crtlist '${list}'!\n\n`);
      assert.match(await verifyResult(front, 'c.example'), /^error: /);
      assert.equal(await cli(cliPort, 'del ssl ca-file added.crt\n'), "CA file 'added.crt' deleted!\n\n");
    });
  });
}
