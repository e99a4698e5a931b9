/**
 * Black-box conformance of the certificate chain fetches (`ssl_c_chain_der`, `ssl_s_chain_der`)
 * and of ECDSA and RSA certificates for the same server name (a `crt-list`, a bundle, two `crt`; HAProxy
 * 2.6's ssl_sock_switchctx_cbk: the first certificate of each key kind among the exact names,
 * then the wildcards; ECDSA to clients that can use it, else RSA) on Node, Bun and Deno.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/ssl-chains.test.js
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ConnectionOptions } from 'node:tls';
import { freePorts } from '../support/ports.ts';
import { repoRoot } from '../support/runtimes.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy, type Target } from '../support/http-suite.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';

const TLS = `${repoRoot}test/fixtures/tls`;
const pem = (name: string): string => readFileSync(`${TLS}/${name}`, 'utf8');
const derHex = (certPem: string): string => Buffer.from(new X509Certificate(certPem).raw).toString('hex').toUpperCase();

/** The leading certificate block of a PEM file. */
function firstCertificate(text: string): string {
  const end = text.indexOf('-----END CERTIFICATE-----') + '-----END CERTIFICATE-----'.length;
  return `${text.slice(text.indexOf('-----BEGIN CERTIFICATE-----'), end)}\n`;
}

const PORT_NAMES = ['client', 'chained', 'server', 'kinds', 'reuse', 'noreuse', 'bundle', 'pair'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

/** Deno refuses client certificates (docs/runtimes.md). */
const clientCertificates = (target: Target): boolean => target !== 'deno';

function configFor(target: Target, p: Ports, dir: string): string {
  const echo = (format: string): string => `    http-request return status 200 content-type text/plain lf-string "${format}"`;
  const sections = [
    // The server certificate is sent with its CA after it.
    `frontend fe_chained\n    bind 127.0.0.1:${p.chained} ssl crt ${join(dir, 'a-with-ca.pem')}\n${echo('ok')}\n`,
    `frontend fe_server\n    bind 127.0.0.1:${p.server}\n    default_backend be_chained\n`,
    `backend be_chained\n    server s1 127.0.0.1:${p.chained} ssl verify none sni str(a.example)\n    http-response set-header x-chain "%[ssl_s_chain_der,hex]"\n    http-response set-header x-der "%[ssl_s_der,hex]"\n`,
    // Each request on its own server connection: the second resumes the first one's session.
    `frontend fe_reuse\n    bind 127.0.0.1:${p.reuse}\n    default_backend be_reuse\n`,
    `backend be_reuse\n    option httpclose\n    server s1 127.0.0.1:${p.chained} ssl verify none sni str(a.example)\n    http-response set-header x-resumed "%[ssl_bc_is_resumed]"\n`,
    `frontend fe_noreuse\n    bind 127.0.0.1:${p.noreuse}\n    default_backend be_noreuse\n`,
    `backend be_noreuse\n    option httpclose\n    server s1 127.0.0.1:${p.chained} ssl verify none sni str(a.example) no-ssl-reuse\n    http-response set-header x-resumed "%[ssl_bc_is_resumed]"\n`,
    `frontend fe_kinds\n    bind 127.0.0.1:${p.kinds} ssl ssl-max-ver TLSv1.2 crt-list ${join(dir, 'kinds.crt-list')}\n${echo('%[ssl_f_s_dn]')}\n`,
    // Both certificates answer *.ek.test: a bundle (dual.pem.ecdsa, dual.pem.rsa), and two crt.
    `frontend fe_bundle\n    bind 127.0.0.1:${p.bundle} ssl ssl-max-ver TLSv1.2 crt ${join(dir, 'dual.pem')}\n${echo('%[ssl_f_s_dn]')}\n`,
    `frontend fe_pair\n    bind 127.0.0.1:${p.pair} ssl ssl-max-ver TLSv1.2 crt ${TLS}/rsa-ek.example.pem crt ${TLS}/ecdsa.example.pem\n${echo('%[ssl_f_s_dn]')}\n`,
  ];
  if (clientCertificates(target)) {
    sections.push(`frontend fe_client\n    bind 127.0.0.1:${p.client} ssl crt ${TLS}/a.example.pem ca-file ${TLS}/ca.pem verify optional\n${echo('%[ssl_c_used] [%[ssl_c_chain_der,hex]]')}\n`);
  }
  // HAProxy keeps a server's last session per thread: one thread, so the next connection finds it.
  return `global\n    nbthread 1\n${HTTP_DEFAULTS}\n${sections.join('\n')}`;
}

async function body(port: number, tlsOptions: ConnectionOptions = {}, servername = 'a.example'): Promise<string> {
  const conn = await HttpConnection.open(port, { tls: true, servername, tlsOptions });
  try {
    const res = await conn.request('GET', '/');
    assert.equal(res.status, 200);
    return res.body.toString('utf8');
  } finally {
    conn.destroy();
  }
}

/** The handshake fails, or the connection closes before any answer. */
async function refused(port: number, tlsOptions: ConnectionOptions, servername: string): Promise<void> {
  let conn: HttpConnection;
  try {
    conn = await HttpConnection.open(port, { tls: true, servername, tlsOptions });
  } catch {
    return;
  }
  try {
    await assert.rejects(conn.request('GET', '/', {}, undefined, 2000));
  } finally {
    conn.destroy();
  }
}

const ECDSA_ONLY: ConnectionOptions = { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' };
const RSA_ONLY: ConnectionOptions = { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' };

for (const target of TARGETS) {
  describe(`certificate chains and key kinds on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let p: Ports;
    let dir: string;

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      dir = mkdtempSync(join(tmpdir(), 'switchyard-chains-'));
      writeFileSync(join(dir, 'a-with-ca.pem'), `${pem('a.example.pem')}\n${pem('ca.pem')}`);
      // rec.kt.test: the ECDSA certificate by its exact name, the RSA one by its wildcard;
      // only.kt.test: the RSA one alone (the ECDSA line excludes nothing, it just lacks the name);
      // ecdsa.kt.test: the ECDSA one alone, the RSA line's `!ecdsa.kt.test` excluding its wildcard.
      writeFileSync(join(dir, 'kinds.crt-list'), `${TLS}/a.example.pem *.kt.test !ecdsa.kt.test\n${TLS}/ecdsa.example.pem rec.kt.test ecdsa.kt.test\n`);
      writeFileSync(join(dir, 'dual.pem.ecdsa'), pem('ecdsa.example.pem'));
      writeFileSync(join(dir, 'dual.pem.rsa'), pem('rsa-ek.example.pem'));
      proxy = await startProxy(target, configFor(target, p, dir));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      rmSync(dir, { recursive: true, force: true });
    });

    const noChain = target === 'bun' && 'Bun does not give the chain the peer sent (docs/runtimes.md)';

    it('ssl_c_chain_der: the certificates the client sent after its own', { skip: (!clientCertificates(target) && 'client certificates are refused on this runtime') || noChain }, async () => {
      const client = pem('client.example.pem');
      const withCa = { cert: `${firstCertificate(client)}${pem('ca.pem')}`, key: client };
      assert.equal(await body(p.client, withCa), `1 [${derHex(pem('ca.pem'))}]`);
      // Only its own certificate: nothing after it, no sample.
      assert.equal(await body(p.client, { cert: client, key: client }), '1 []');
    });

    it(
      'ssl_s_chain_der: the certificates the server sent, its own first',
      { skip: noChain },
      async () => {
        const conn = await HttpConnection.open(p.server);
        const res = await conn.request('GET', '/');
        conn.destroy();
        assert.equal(res.status, 200);
        const leaf = derHex(pem('a.example.pem'));
        assert.equal(res.header('x-der'), leaf);
        assert.equal(res.header('x-chain'), `${leaf}${derHex(pem('ca.pem'))}`);
      },
    );

    /** ssl_bc_is_resumed of one request on a fresh client (and server) connection. */
    async function resumed(port: number): Promise<string | undefined> {
      const conn = await HttpConnection.open(port);
      try {
        const res = await conn.request('GET', '/');
        assert.equal(res.status, 200);
        return res.header('x-resumed');
      } finally {
        conn.destroy();
      }
    }

    it(
      'server connections resume the TLS session the server handed out last; no-ssl-reuse never does',
      { skip: target === 'bun' && 'Bun.connect (a server line without TLS options) is not given the session (docs/runtimes.md)' },
      async () => {
        assert.equal(await resumed(p.reuse), '0');
        assert.equal(await resumed(p.reuse), '1');
        assert.equal(await resumed(p.reuse), '1');
        assert.equal(await resumed(p.noreuse), '0');
        assert.equal(await resumed(p.noreuse), '0');
      },
    );

    // The listener reads the ClientHello and picks one certificate, as HAProxy (on Deno, whose
    // SNI callback cannot tell the connection, through a node:tls server per client key kinds).
    it('crt-list: an ECDSA and an RSA certificate for one name, each served to the clients that can use it', async () => {
      assert.equal(await body(p.kinds, ECDSA_ONLY, 'rec.kt.test'), '/CN=ecdsa.example');
      assert.equal(await body(p.kinds, RSA_ONLY, 'rec.kt.test'), '/CN=a.example');
      // A client that can use both gets the ECDSA one.
      assert.equal(await body(p.kinds, {}, 'rec.kt.test'), '/CN=ecdsa.example');
    });

    it('a bundle and two crt of both key kinds for one name: ECDSA to the clients that can use it, else RSA', async () => {
      for (const port of [p.bundle, p.pair]) {
        assert.equal(await body(port, ECDSA_ONLY, 'x.ek.test'), '/CN=ecdsa.example');
        assert.equal(await body(port, RSA_ONLY, 'x.ek.test'), '/CN=rsa.ek.example');
        assert.equal(await body(port, {}, 'x.ek.test'), '/CN=ecdsa.example');
      }
    });

    it('crt-list: a name only one key kind answers gets that certificate', async () => {
      assert.equal(await body(p.kinds, {}, 'only.kt.test'), '/CN=a.example');
      assert.equal(await body(p.kinds, ECDSA_ONLY, 'ecdsa.kt.test'), '/CN=ecdsa.example');
    });

    it(
      'crt-list: a client that cannot use the only certificate of its name fails the handshake',
      { skip: (target === 'node' || target === 'node-system') && "node:tls applies an SNI context's certificate beside the default one's (Node 20), so the RSA default still answers (docs/runtimes.md)" },
      async () => {
        await refused(p.kinds, RSA_ONLY, 'ecdsa.kt.test');
      },
    );
  });
}
