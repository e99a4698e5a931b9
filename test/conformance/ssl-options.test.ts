/**
 * Black-box conformance of HAProxy's TLS settings and TLS fetches on Node, Bun and Deno:
 * global `ssl-default-bind-options`, bind `ssl-min-ver`/`ssl-max-ver`/`force-*`, `ciphers`,
 * `ciphersuites`, `curves`, client certificates (`ca-file`, `verify optional|required`,
 * `crl-file`, `crt-ignore-err`) with the `ssl_c_*` fetches, `crt-list` SNI filters with
 * `strict-sni`, the `ssl_f_*` fetches, and server `crt` / `ssl-max-ver` towards a TLS server.
 * Options a runtime cannot honour are refused there at their line (docs/runtimes.md); those
 * cases check the refusal instead.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/ssl-options.test.js
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { runCli, writeTempConfig, type ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { repoRoot } from '../support/runtimes.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy, type Target } from '../support/http-suite.ts';

const TLS = `${repoRoot}test/fixtures/tls`;
const pem = (name: string): string => readFileSync(`${TLS}/${name}`, 'utf8');

const PORT_NAMES = ['max12', 'min13', 'ciphers', 'suites', 'curves', 'optional', 'required', 'ignore', 'strict', 'list', 'server', 'srvfe', 'bc', 'resumed', 'crl', 'slog', 'be'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

/** What each target cannot do (refused there; see docs/runtimes.md). */
const UNSUPPORTED: Readonly<Record<Target, ReadonlySet<string>>> = {
  node: new Set(),
  'node-system': new Set(),
  haproxy: new Set(),
  bun: new Set(['ciphersuites']),
  deno: new Set(['ciphers', 'ciphersuites', 'curves', 'client-certificates', 'server-crl-file']),
};

const supports = (target: Target, feature: string): boolean => !UNSUPPORTED[target].has(feature);

const CERT_FACTS = '%[ssl_c_used] %[ssl_c_verify] %[ssl_c_err] %[ssl_fc_has_crt] s=%[ssl_c_s_dn] i=%[ssl_c_i_dn] cn=%[ssl_c_s_dn(CN)] serial=%[ssl_c_serial,hex]';

function configFor(target: Target, p: Ports, listFile: string): string {
  const a = `${TLS}/a.example.pem`;
  const echo = (format: string): string => `    http-request return status 200 content-type text/plain lf-string "${format}"`;
  const fe = (name: string, port: number, options: string, format = '%[ssl_fc_protocol] %[ssl_fc_cipher]'): string =>
    `frontend fe_${name}\n    bind 127.0.0.1:${port} ssl crt ${a} ${options}\n${echo(format)}\n`;
  const sections = [
    fe('max12', p.max12, 'ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.2', '%[ssl_fc_protocol] %[ssl_f_s_dn] %[ssl_f_serial,hex] %[ssl_f_sig_alg] %[ssl_f_key_alg] %[ssl_f_version] %[ssl_f_sha1,hex]'),
    // The global minimum (TLSv1.3) applies to this bind, which sets none of its own.
    fe('min13', p.min13, ''),
    fe('resumed', p.resumed, '', '%[ssl_fc_is_resumed]'),
  ];
  if (supports(target, 'ciphers')) sections.push(fe('ciphers', p.ciphers, 'ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.2 ciphers ECDHE-RSA-AES256-GCM-SHA384'));
  if (supports(target, 'ciphersuites')) sections.push(fe('suites', p.suites, 'ciphersuites TLS_CHACHA20_POLY1305_SHA256'));
  if (supports(target, 'curves')) sections.push(fe('curves', p.curves, 'curves P-384'));
  if (supports(target, 'client-certificates')) {
    sections.push(
      fe('optional', p.optional, `ca-file ${TLS}/ca.pem verify optional`, CERT_FACTS),
      fe('required', p.required, `ca-file ${TLS}/ca.pem verify required`, CERT_FACTS),
      fe('ignore', p.ignore, `ca-file ${TLS}/ca.pem verify optional crl-file ${TLS}/ca-crl.pem crt-ignore-err all`, CERT_FACTS),
      `frontend fe_srvfe\n    bind 127.0.0.1:${p.srvfe} ssl crt ${a} ssl-min-ver TLSv1.2 ca-file ${TLS}/ca.pem verify required\n${echo(`%[ssl_fc_protocol] ${CERT_FACTS}`)}\n`,
      `frontend fe_server\n    bind 127.0.0.1:${p.server}\n    default_backend be_tls\n`,
      `backend be_tls\n    server s1 127.0.0.1:${p.srvfe} ssl verify none crt ${TLS}/client.example.pem ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.2\n`,
    );
  }
  if (supports(target, 'server-crl-file')) {
    sections.push(
      `frontend fe_crl\n    bind 127.0.0.1:${p.crl}\n    default_backend be_crl\n`,
      `backend be_crl\n    server s1 127.0.0.1:${p.max12} ssl verify required ca-file ${TLS}/ca.pem crl-file ${TLS}/ca-crl-a.example.pem sni str(a.example)\n`,
    );
  }
  sections.push(
    `frontend fe_slog\n    bind 127.0.0.1:${p.slog} ssl crt ${a} ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.2\n    log stdout format raw local0\n    option httpslog\n    default_backend be_app\n`,
    `backend be_app\n    server s1 127.0.0.1:${p.be}\n`,
    `frontend fe_bc\n    bind 127.0.0.1:${p.bc}\n    default_backend be_bc\n`,
    `backend be_bc\n    server s1 127.0.0.1:${p.max12} ssl verify none sni str(a.example)\n    http-response set-header x-bc "%[ssl_bc] %[ssl_bc_protocol] %[ssl_s_s_dn] %[ssl_s_serial,hex] %[ssl_bc_is_resumed]"\n`,
    `frontend fe_strict\n    bind 127.0.0.1:${p.strict} ssl strict-sni crt-list ${listFile}\n${echo('%[ssl_fc_sni] %[ssl_f_s_dn]')}\n`,
    `frontend fe_list\n    bind 127.0.0.1:${p.list} ssl crt-list ${listFile}\n${echo('%[ssl_fc_sni] %[ssl_f_s_dn]')}\n`,
  );
  return `
global
    ssl-default-bind-options ssl-min-ver TLSv1.3
    tune.ssl.default-dh-param 2048
${HTTP_DEFAULTS}
${sections.join('\n')}`;
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

/** The handshake fails, or the connection closes before any answer (HAProxy fails TLSv1.3 client-certificate checks after the client's Finished). */
async function refused(port: number, tlsOptions: ConnectionOptions = {}, servername = 'a.example'): Promise<void> {
  let conn: HttpConnection;
  try {
    // '' sends no SNI.
    conn = await HttpConnection.open(port, { tls: true, ...(servername !== '' ? { servername } : {}), tlsOptions });
  } catch {
    return;
  }
  try {
    await assert.rejects(conn.request('GET', '/', {}, undefined, 2000));
  } finally {
    conn.destroy();
  }
}

const CLIENT = { cert: pem('client.example.pem'), key: pem('client.example.pem') };

for (const target of TARGETS) {
  describe(`TLS settings and fetches on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let p: Ports;
    let be: HttpTestBackend;
    let dir: string;

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      be = await appBackend(p.be, 'app');
      dir = mkdtempSync(join(tmpdir(), 'switchyard-crtlist-'));
      const listFile = join(dir, 'certs.crt-list');
      // a.example answers its own name and is the default; b.example answers *.b.test but not no.b.test.
      writeFileSync(listFile, `# comment\n${TLS}/a.example.pem\n\n${TLS}/b.example.pem *.b.test !no.b.test\n`);
      proxy = await startProxy(target, configFor(target, p, listFile));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await be.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('ssl-max-ver TLSv1.2 caps the version; the ssl_f_* fetches read the served certificate', async () => {
      const [protocol, dn, serial, sigAlg, keyAlg, version, sha1] = (await body(p.max12)).split(' ');
      assert.equal(protocol, 'TLSv1.2');
      assert.equal(dn, '/CN=a.example');
      assert.equal(serial, '58BCCB3C387FBF719BF23AD325D6B8837D33C1F1');
      assert.equal(sigAlg, 'RSA-SHA256');
      assert.equal(keyAlg, 'rsaEncryption');
      assert.equal(version, '3');
      assert.equal(sha1, '2724B490E1B9CE6315A15ED677DB5BE7736BD041');
      await refused(p.max12, { minVersion: 'TLSv1.3' });
    });

    it('ssl-default-bind-options ssl-min-ver TLSv1.3 applies to a bind without its own', async () => {
      assert.match(await body(p.min13), /^TLSv1\.3 TLS_/);
      await refused(p.min13, { maxVersion: 'TLSv1.2' });
    });

    it('ciphers picks the TLSv1.2 cipher (ssl_fc_cipher)', { skip: !supports(target, 'ciphers') && 'refused on this runtime' }, async () => {
      assert.equal(await body(p.ciphers), 'TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384');
      await refused(p.ciphers, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' });
    });

    it('ciphersuites picks the TLSv1.3 suite', { skip: !supports(target, 'ciphersuites') && 'refused on this runtime' }, async () => {
      assert.equal(await body(p.suites), 'TLSv1.3 TLS_CHACHA20_POLY1305_SHA256');
    });

    it('curves limits the key exchange groups', { skip: !supports(target, 'curves') && 'refused on this runtime' }, async () => {
      assert.match(await body(p.curves, { ecdhCurve: 'P-384' }), /^TLSv1\.3/);
      await refused(p.curves, { ecdhCurve: 'P-256' });
    });

    const clientCerts = !supports(target, 'client-certificates') && 'refused on this runtime';

    it('verify optional: without a certificate ssl_c_used is 0; with one, the ssl_c_* fetches read it', { skip: clientCerts }, async () => {
      assert.equal(await body(p.optional), '0 0 0 0 s= i= cn= serial=');
      assert.equal(
        await body(p.optional, CLIENT),
        '1 0 0 1 s=/CN=client.example/O=Switchyard Test/C=FR i=/CN=Switchyard Test CA cn=client.example serial=1000',
      );
    });

    it('verify optional: a certificate that fails verification is refused', { skip: clientCerts }, async () => {
      await refused(p.optional, { cert: pem('selfsigned.example.pem'), key: pem('selfsigned.example.pem') });
    });

    it('verify required: no certificate, no service; a valid one is served', { skip: clientCerts }, async () => {
      await refused(p.required);
      assert.match(await body(p.required, CLIENT), /^1 0 0 1 s=\/CN=client\.example/);
    });

    it('crl-file with crt-ignore-err all: a revoked certificate is let through with ssl_c_verify/ssl_c_err 23', { skip: clientCerts }, async () => {
      assert.match(await body(p.ignore, { cert: pem('revoked.example.pem'), key: pem('revoked.example.pem') }), /^1 23 23 1 s=\/CN=revoked\.example/);
      assert.match(await body(p.ignore, CLIENT), /^1 0 0 1 /);
    });

    it('server crt and ssl-max-ver: the proxy presents its client certificate over TLSv1.2', { skip: clientCerts }, async () => {
      const conn = await HttpConnection.open(p.server);
      const res = await conn.request('GET', '/');
      conn.destroy();
      assert.equal(res.status, 200);
      assert.match(res.body.toString('utf8'), /^TLSv1\.2 1 0 0 1 s=\/CN=client\.example/);
    });

    it('ssl_bc* and ssl_s_* read the server connection in response rules', async () => {
      const conn = await HttpConnection.open(p.bc);
      const res = await conn.request('GET', '/');
      conn.destroy();
      assert.equal(res.status, 200);
      assert.equal(res.header('x-bc'), '1 TLSv1.2 /CN=a.example 58BCCB3C387FBF719BF23AD325D6B8837D33C1F1 0');
    });

    it('server crl-file: a revoked server certificate fails the connection (503)', { skip: !supports(target, 'server-crl-file') && 'refused on this runtime' }, async () => {
      const conn = await HttpConnection.open(p.crl);
      const res = await conn.request('GET', '/');
      conn.destroy();
      assert.equal(res.status, 503);
    });

    it('option httpslog: httplog then fc_err/ssl_fc_err/ssl_c_err/ssl_c_ca_err/resumed SNI/version/cipher', async () => {
      assert.match(await body(p.slog), /^GET \/ HTTP\/1\.1/);
      let line: string | undefined;
      for (let i = 0; i < 50 && line === undefined; i++) {
        line = proxy?.stdout.split('\n').find((l) => l.includes(' fe_slog~ '));
        if (line === undefined) await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(line, proxy?.stdout);
      assert.match(line, /^127\.0\.0\.1:\d+ \[[^\]]+\] fe_slog~ be_app\/s1 \d+\/\d+\/\d+\/\d+\/\d+ 200 \d+ - - ---- \d+\/\d+\/0\/0\/0 0\/0 "GET \/ HTTP\/1\.1" 0\/0000000000000000\/0\/0\/0 a\.example\/TLSv1\.2\/ECDHE-RSA-AES(128-GCM-SHA256|256-GCM-SHA384)$/, "the cipher is the first of the runtime's default list (Node: AES128, HAProxy's OpenSSL: AES256)");
    });

    it('ssl_fc_is_resumed: a client resuming its TLS session is told apart', async () => {
      const first = await HttpConnection.open(p.resumed, { tls: true, servername: 'a.example' });
      await first.request('GET', '/');
      const session = (first.socket as TLSSocket).getSession();
      first.destroy();
      assert.ok(session !== undefined);
      assert.equal(await body(p.resumed, { session }), '1');
      assert.equal(await body(p.resumed), '0');
    });

    it('crt-list: SNI filters choose the certificate, the first line is the default', async () => {
      assert.equal(await body(p.list, {}, 'a.example'), 'a.example /CN=a.example');
      assert.equal(await body(p.list, {}, 'x.b.test'), 'x.b.test /CN=b.example');
      // `!no.b.test` keeps b.example from answering it: the default certificate does.
      assert.equal(await body(p.list, {}, 'no.b.test'), 'no.b.test /CN=a.example');
    });

    it('strict-sni: a name no certificate answers, or no SNI, fails the handshake', async () => {
      assert.equal(await body(p.strict, {}, 'x.b.test'), 'x.b.test /CN=b.example');
      await refused(p.strict, {}, 'no.b.test');
      await refused(p.strict, {}, 'other.example');
      await refused(p.strict, {}, '');
    });
  });
}

/** The options a runtime cannot honour are refused at their line, naming the runtime. */
for (const target of TARGETS.filter((t) => t === 'bun' || t === 'deno')) {
  describe(`TLS options refused on ${target}`, () => {
    const cases: Array<[string, string, string]> = [
      ['ciphersuites', `    bind 127.0.0.1:1 ssl crt ${TLS}/a.example.pem ciphersuites TLS_AES_128_GCM_SHA256`, "'bind 127.0.0.1:1' : 'ciphersuites' is not supported on"],
      ['ciphersuites', '    ssl-default-server-ciphersuites TLS_AES_128_GCM_SHA256', "'ssl-default-server-ciphersuites' is not supported on"],
      ['ciphers', `    bind 127.0.0.1:1 ssl crt ${TLS}/a.example.pem ciphers ECDHE-RSA-AES128-GCM-SHA256`, "'bind 127.0.0.1:1' : 'ciphers' is not supported on"],
      ['curves', `    bind 127.0.0.1:1 ssl crt ${TLS}/a.example.pem curves P-256`, "'bind 127.0.0.1:1' : 'curves' is not supported on"],
      ['client-certificates', `    bind 127.0.0.1:1 ssl crt ${TLS}/a.example.pem ca-file ${TLS}/ca.pem verify optional`, "'bind 127.0.0.1:1' : 'verify' is not supported on"],
      ['server-crl-file', `    server s1 127.0.0.1:1 ssl verify required ca-file ${TLS}/ca.pem crl-file ${TLS}/ca-crl.pem`, "'server s1' : 'crl-file' is not supported on"],
    ];
    for (const [feature, line, message] of cases.filter(([f]) => !supports(target, f))) {
      it(`${feature}: ${line.trim().slice(0, 60)}`, async () => {
        const global = line.includes('ssl-default') ? `global\n${line}\n` : '';
        const proxyLine = line.includes('ssl-default') ? '' : line;
        const text = `${global}${HTTP_DEFAULTS}\nlisten fe\n${proxyLine}\n    bind 127.0.0.1:2\n`;
        const lineNo = text.split('\n').indexOf(line) + 1;
        const cfg = writeTempConfig(text);
        try {
          const result = await runCli(target, ['-c', '-f', cfg.path]);
          assert.equal(result.code, 1, result.stderr);
          assert.ok(result.stderr.includes(`[${cfg.path}:${lineNo}] : ${message} ${target === 'bun' ? 'Bun' : 'Deno'} (`), result.stderr);
        } finally {
          cfg.cleanup();
        }
      });
    }
  });
}
