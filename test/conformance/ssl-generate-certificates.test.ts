/**
 * Black-box conformance of `bind ... ssl generate-certificates ca-sign-file F` (HAProxy 2.6's
 * ssl_sock_generate_certificate) on Node, Bun and Deno: a client whose SNI no certificate
 * answers for gets a certificate forged for that name, issued by the CA of F (it verifies
 * against that CA and carries the name), with the key of the bind's default certificate; the
 * same name gets the same certificate again (the LRU); names a certificate carries, and
 * clients without SNI, get that certificate as without the option.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/ssl-generate-certificates.test.js
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ConnectionOptions, PeerCertificate, TLSSocket } from 'node:tls';
import { freePorts } from '../support/ports.ts';
import { repoRoot } from '../support/runtimes.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';

const TLS = `${repoRoot}test/fixtures/tls`;
const pem = (name: string): string => readFileSync(`${TLS}/${name}`, 'utf8');

interface Served {
  readonly certificate: X509Certificate;
  /** The certificates after it (the CA). */
  readonly chain: readonly X509Certificate[];
  readonly body: string;
}

/** The certificate (and chain) served to a client sending `servername` (none: no SNI), and the answer. */
async function served(port: number, servername: string | undefined, tlsOptions: ConnectionOptions = {}): Promise<Served> {
  const conn = await HttpConnection.open(port, { tls: true, ...(servername !== undefined ? { servername } : {}), tlsOptions });
  try {
    const peer = (conn.socket as TLSSocket).getPeerCertificate(true);
    const chain: X509Certificate[] = [];
    let issuer: PeerCertificate | undefined = (peer as { issuerCertificate?: PeerCertificate }).issuerCertificate;
    // A self-issued CA points at itself.
    while (issuer !== undefined && chain.length < 4 && !(chain.length > 0 && issuer.fingerprint256 === chain[chain.length - 1]?.fingerprint256)) {
      chain.push(new X509Certificate(issuer.raw));
      issuer = (issuer as { issuerCertificate?: PeerCertificate }).issuerCertificate;
    }
    const res = await conn.request('GET', '/');
    assert.equal(res.status, 200);
    return { certificate: new X509Certificate(peer.raw), chain, body: res.body.toString('utf8') };
  } finally {
    conn.destroy();
  }
}

for (const target of TARGETS) {
  describe(`generate-certificates on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let port: number;
    let dir: string;
    const ca = new X509Certificate(pem('ca.pem'));
    const own = new X509Certificate(pem('a.example.pem'));

    before(async () => {
      [port] = (await freePorts(1)) as [number];
      dir = mkdtempSync(join(tmpdir(), 'switchyard-gencert-'));
      // The CA certificate and its key in one file, as ca-sign-file takes them.
      writeFileSync(join(dir, 'ca-sign.pem'), `${pem('ca.pem')}\n${pem('ca.key')}`);
      // HAProxy 2.6 on OpenSSL 3 gives a forged certificate's context DH parameters of
      // tune.ssl.default-dh-param, and fails the connection when they are below 2048 bits.
      const config = `global
    tune.ssl.default-dh-param 2048
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${port} ssl generate-certificates crt ${TLS}/a.example.pem crt ${TLS}/b.example.pem ca-sign-file ${join(dir, 'ca-sign.pem')}
    http-request return status 200 content-type text/plain lf-string "%[ssl_fc_sni]"
`;
      proxy = await startProxy(target, config);
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      rmSync(dir, { recursive: true, force: true });
    });

    it('an unknown SNI gets a certificate for that name, issued by the CA, with the default certificate key', async () => {
      // Verified as a client would: against the CA, for the name asked.
      const got = await served(port, 'forged.example', { ca: pem('ca.pem'), rejectUnauthorized: true });
      assert.equal(got.body, 'forged.example');
      const cert = got.certificate;
      assert.ok(cert.verify(ca.publicKey), 'signed by the CA key');
      assert.equal(cert.checkIssued(ca), true);
      assert.equal(cert.issuer, ca.subject);
      // The CA's subject, then CN=<name> (HAProxy adds the CN after the CA's own entries).
      assert.equal(cert.subject, `${ca.subject}\nCN=forged.example`);
      assert.equal(cert.subjectAltName, 'DNS:forged.example');
      assert.equal(cert.publicKey.export({ type: 'spki', format: 'der' }).toString('hex'), own.publicKey.export({ type: 'spki', format: 'der' }).toString('hex'));
      assert.equal(cert.ca, false);
      // The CA follows it.
      assert.equal(got.chain[0]?.fingerprint256, ca.fingerprint256);
    });

    it('the same name gets the same certificate again; another name another one', async () => {
      const first = await served(port, 'again.example');
      const second = await served(port, 'again.example');
      assert.equal(second.certificate.fingerprint256, first.certificate.fingerprint256);
      const other = await served(port, 'other.example');
      assert.notEqual(other.certificate.serialNumber, first.certificate.serialNumber);
      assert.equal(other.certificate.subjectAltName, 'DNS:other.example');
    });

    it('a name a certificate carries, and a client without SNI, get that certificate', async () => {
      assert.equal((await served(port, 'b.example')).certificate.fingerprint256, new X509Certificate(pem('b.example.pem')).fingerprint256);
      assert.equal((await served(port, 'a.example')).certificate.fingerprint256, own.fingerprint256);
      assert.equal((await served(port, undefined)).certificate.fingerprint256, own.fingerprint256);
    });
  });
}
