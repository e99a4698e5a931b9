/**
 * Black-box conformance of TLS handshake errors and DH parameters on Node, Bun and Deno:
 * a failed handshake is logged (error-log-format, or HAProxy's fixed line), with `fc_err`,
 * `fc_err_str`, `ssl_fc_err`, `ssl_fc_err_str`, `ssl_c_err`; server connection errors show in
 * `bc_err`, `bc_err_str`, `ssl_bc_err`, `ssl_bc_err_str`; DHE suites get the DH parameters of
 * `tune.ssl.default-dh-param` and `ssl-dh-param-file`. What a runtime cannot do is refused at
 * its line there (docs/runtimes.md); those cases check the refusal.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/ssl-errors.test.js
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createConnection, createServer, type AddressInfo, type Server } from 'node:net';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { runCli, writeTempConfig, type ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { repoRoot } from '../support/runtimes.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy, stopProxy, type Target } from '../support/http-suite.ts';

const TLS = `${repoRoot}test/fixtures/tls`;
const pem = (name: string): string => readFileSync(`${TLS}/${name}`, 'utf8');

const PORT_NAMES = ['cipher', 'legacy', 'required', 'dhdflt', 'bcfe', 'bcself', 'bc', 'be', 'eof', 'hsclose', 'hsreset'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

/** OpenSSL 3's reason mask (ERR_GET_REASON): the library in the top bits differs between OpenSSL and BoringSSL. */
const REASON_MASK = 0x7fffff;

/** TLS features a target cannot do (refused at their line there). */
const UNSUPPORTED: Readonly<Record<Target, ReadonlySet<string>>> = {
  node: new Set(),
  'node-system': new Set(),
  haproxy: new Set(),
  bun: new Set(['dh']),
  deno: new Set(['dh', 'ciphers', 'client-certificates']),
};
const supports = (target: Target, feature: string): boolean => !UNSUPPORTED[target].has(feature);

const ERROR_FORMAT = 'ERR %ft %[fc_err] %{+Q}[fc_err_str] %[ssl_fc_err,and(8388607)] %{+Q}[ssl_fc_err_str] %[ssl_c_err]/%[ssl_c_ca_err] %[ssl_fc_sni]/%sslv/%sslc';
const BC_FORMAT = 'BC %b %[bc_err] %{+Q}[bc_err_str] %[ssl_bc_err,and(8388607)] %{+Q}[ssl_bc_err_str]';

function configFor(target: Target, p: Ports): string {
  const a = `${TLS}/a.example.pem`;
  const sections: string[] = [];
  const fe = (name: string, port: number, options: string, extra = ''): string =>
    `frontend ${name}\n    bind 127.0.0.1:${port} ssl crt ${a} ${options}\n    log stdout format raw local0\n${extra}    http-request return status 200\n`;
  if (supports(target, 'ciphers')) {
    sections.push(
      fe('fe_cipher', p.cipher, 'ssl-max-ver TLSv1.2 ciphers ECDHE-RSA-AES256-GCM-SHA384', `    error-log-format "${ERROR_FORMAT}"\n`),
      fe('fe_legacy', p.legacy, 'ssl-max-ver TLSv1.2 ciphers ECDHE-RSA-AES256-GCM-SHA384', '    option httplog\n'),
    );
  }
  if (supports(target, 'client-certificates')) {
    sections.push(fe('fe_required', p.required, `ssl-max-ver TLSv1.2 ca-file ${TLS}/ca.pem verify required`, `    error-log-format "${ERROR_FORMAT}"\n`));
  }
  if (supports(target, 'dh')) {
    sections.push(fe('fe_dhdflt', p.dhdflt, 'ssl-max-ver TLSv1.2 ciphers DHE-RSA-AES256-GCM-SHA384'));
  }
  // The client's port starts the line: the test finds its own connection's.
  sections.push(fe('fe_eof', p.eof, '', '    error-log-format "EOF %cp %[fc_err] %{+Q}[fc_err_str] %[ssl_fc_err] %[ssl_fc_sni] %sslv %sslc"\n'));
  sections.push(
    `frontend fe_bcself\n    bind 127.0.0.1:${p.bcself} ssl crt ${TLS}/selfsigned.example.pem\n    http-request return status 200\n`,
    `frontend fe_bcfe\n    bind 127.0.0.1:${p.bcfe} ssl crt ${a}\n    http-request return status 200\n`,
    `frontend fe_bc\n    bind 127.0.0.1:${p.bc}\n    log stdout format raw local0\n    log-format "${BC_FORMAT}"\n    use_backend be_mismatch if { path /mismatch }\n    use_backend be_sni if { path /sni }\n    use_backend be_untrusted if { path /untrusted }\n    use_backend be_hsclose if { path /hsclose }\n    use_backend be_hsreset if { path /hsreset }\n    default_backend be_ok\n`,
    `backend be_ok\n    server s1 127.0.0.1:${p.bcfe} ssl verify required ca-file ${TLS}/ca.pem sni str(a.example)\n`,
    `backend be_mismatch\n    server s1 127.0.0.1:${p.bcfe} ssl verify required ca-file ${TLS}/ca.pem verifyhost other.example\n`,
    // The name sent as SNI is checked, not verifyhost's.
    `backend be_sni\n    server s1 127.0.0.1:${p.bcfe} ssl verify required ca-file ${TLS}/ca.pem sni str(a.example) verifyhost other.example\n`,
    `backend be_untrusted\n    server s1 127.0.0.1:${p.bcself} ssl verify required ca-file ${TLS}/ca.pem sni str(selfsigned.example)\n`,
    `backend be_hsclose\n    server s1 127.0.0.1:${p.hsclose} ssl verify none\n`,
    `backend be_hsreset\n    server s1 127.0.0.1:${p.hsreset} ssl verify none\n`,
  );
  return `
global
    tune.ssl.default-dh-param 2048
${HTTP_DEFAULTS}
    retries 0
${sections.join('\n')}`;
}

/** A plain server that reads the ClientHello and then closes the connection (FIN), or resets it. */
function handshakeQuitter(port: number, how: 'close' | 'reset'): Promise<Server> {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => (how === 'close' ? socket.end() : socket.resetAndDestroy()));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** A TLS handshake to `port` that must fail. */
function failedHandshake(port: number, options: ConnectionOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'a.example', rejectUnauthorized: false, ...options });
    socket.once('secureConnect', () => {
      // TLSv1.2 client certificate checks fail before the client's handshake completes; a
      // connection that completes must at least be closed without an answer.
      socket.write('GET / HTTP/1.1\r\nhost: a\r\n\r\n');
      socket.once('data', () => reject(new Error('answered')));
      socket.once('close', () => resolve());
    });
    socket.once('error', () => {
      socket.destroy();
      resolve();
    });
  });
}

/** The first bytes a TLS client sends (its ClientHello, SNI a.example), read by a plain server. */
function clientHello(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      socket.once('data', (hello: Buffer) => {
        socket.destroy();
        server.close();
        resolve(hello);
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const client = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, servername: 'a.example', rejectUnauthorized: false });
      client.on('error', () => {});
      client.on('close', () => client.destroy());
    });
    server.on('error', reject);
  });
}

/** A plain connection that sends `bytes` then closes its side (FIN); resolves with its local port once the proxy closed too. */
function leaveDuringHandshake(port: number, bytes: Buffer | undefined): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let localPort = 0;
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      localPort = socket.localPort as number;
      if (bytes !== undefined) socket.end(bytes);
      else socket.end();
    });
    socket.on('data', () => {});
    let failed: Error | undefined;
    // The proxy may answer the FIN with a reset (as HAProxy does where data is left unread).
    socket.once('error', (error) => (failed = localPort === 0 ? error : undefined));
    socket.once('close', () => (failed !== undefined ? reject(failed) : resolve(localPort)));
    socket.setTimeout(10_000, () => socket.destroy(new Error('the proxy kept the connection 10 s')));
  });
}

/** A TLSv1.3 client that does not trust the proxy's certificate and leaves; resolves with its local port once closed. */
function refuseCertificate(port: number): Promise<number> {
  return new Promise<number>((resolve) => {
    let localPort = 0;
    const socket = connect({ host: '127.0.0.1', port, servername: 'a.example', rejectUnauthorized: true, minVersion: 'TLSv1.3' });
    socket.once('connect', () => (localPort = socket.localPort as number));
    socket.on('error', () => {});
    socket.once('close', () => resolve(localPort));
  });
}

/** The DH key size a DHE handshake used. */
function dhBits(port: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'a.example', rejectUnauthorized: false, maxVersion: 'TLSv1.2' });
    socket.once('secureConnect', () => {
      const info = (socket as TLSSocket).getEphemeralKeyInfo() as { type?: string; size?: number } | null;
      socket.destroy();
      resolve(info?.type === 'DH' ? info.size : undefined);
    });
    socket.once('error', reject);
  });
}

for (const target of TARGETS) {
  describe(`TLS handshake errors on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let p: Ports;
    let be: HttpTestBackend;
    const quitters: Server[] = [];

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      be = await appBackend(p.be, 'app');
      quitters.push(await handshakeQuitter(p.hsclose, 'close'), await handshakeQuitter(p.hsreset, 'reset'));
      proxy = await startProxy(target, configFor(target, p));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await be.close();
      await Promise.all(quitters.map((server) => new Promise((resolve) => server.close(resolve))));
    });

    async function logLine(match: (line: string) => boolean): Promise<string> {
      let found: string | undefined;
      await eventually(() => (found = proxy?.stdout.split('\n').find(match)) !== undefined, 3000);
      assert.ok(found, proxy?.stdout);
      return found;
    }

    it('no shared cipher: logged with error-log-format, fc_err 34, ssl_fc_err the library reason', { skip: !supports(target, 'ciphers') && 'ciphers refused on this runtime' }, async () => {
      await failedHandshake(p.cipher, { ciphers: 'ECDHE-RSA-AES128-GCM-SHA256', maxVersion: 'TLSv1.2' });
      // (The readiness probe's empty connection is logged first, as CO_ER_SSL_EMPTY.)
      const line = await logLine((l) => l.startsWith('ERR fe_cipher~ 34 '));
      // BoringSSL (Bun) numbers its reasons its own way and names the function OPENSSL_internal.
      const reason = target === 'bun' ? '184 "error:100000b8:SSL routines:OPENSSL_internal:NO_SHARED_CIPHER"' : `${0xc1 & REASON_MASK} "error:0A0000C1:SSL routines::no shared cipher"`;
      assert.equal(line, `ERR fe_cipher~ 34 "SSL handshake failure" ${reason} 0/0 a.example/TLSv1.2/(NONE)`);
    });

    it("no shared cipher without error-log-format: HAProxy's fixed line", { skip: !supports(target, 'ciphers') && 'ciphers refused on this runtime' }, async () => {
      await failedHandshake(p.legacy, { ciphers: 'ECDHE-RSA-AES128-GCM-SHA256', maxVersion: 'TLSv1.2' });
      const line = await logLine((l) => l.includes(' fe_legacy/'));
      assert.match(line, /^127\.0\.0\.1:\d+ \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d\.\d{3}\] fe_legacy\/1: SSL handshake failure$/);
    });

    it('verify required: an untrusted client certificate is CO_ER_SSL_CRT_FAIL (31) with ssl_c_err', { skip: !supports(target, 'client-certificates') && 'client certificates refused on this runtime' }, async () => {
      const self = pem('selfsigned.example.pem');
      await failedHandshake(p.required, { cert: self, key: self, maxVersion: 'TLSv1.2' });
      const line = await logLine((l) => l.startsWith('ERR fe_required~ 31 '));
      const reason = target === 'bun' ? '134 "error:10000086:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED"' : '134 "error:0A000086:SSL routines::certificate verify failed"';
      assert.equal(line, `ERR fe_required~ 31 "SSL client certificate not trusted" ${reason} 18/0 a.example/TLSv1.2/(NONE)`);
    });

    it('bc_err / ssl_bc_err: 0 when connected, 34 for an untrusted server, 32 for a name verifyhost asks missing (the SNI is checked first)', async () => {
      const status = async (path: string): Promise<number> => {
        const conn = await HttpConnection.open(p.bc);
        try {
          return (await conn.request('GET', path)).status;
        } finally {
          conn.destroy();
        }
      };
      assert.equal(await status('/'), 200);
      assert.equal(await logLine((l) => l.startsWith('BC be_ok ')), 'BC be_ok 0 "Success" 0 ""');
      assert.equal(await status('/sni'), 200);
      assert.equal(await logLine((l) => l.startsWith('BC be_sni ')), 'BC be_sni 0 "Success" 0 ""');
      assert.equal(await status('/untrusted'), 503);
      const verifyFailed = target === 'bun' ? '"error:10000086:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED"' : target === 'deno' ? '""' : '"error:0A000086:SSL routines::certificate verify failed"';
      const code = target === 'deno' ? '0' : '134';
      assert.equal(await logLine((l) => l.startsWith('BC be_untrusted ')), `BC be_untrusted 34 "SSL handshake failure" ${code} ${verifyFailed}`);
      assert.equal(await status('/mismatch'), 503);
      assert.equal(await logLine((l) => l.startsWith('BC be_mismatch ')), `BC be_mismatch 32 "Server presented an SSL certificate different from the configured one" ${code} ${verifyFailed}`);
    });

    it('bc_err / ssl_bc_err: a TLS server closing or resetting during the handshake is a handshake failure (34) without library error', async () => {
      for (const path of ['/hsclose', '/hsreset']) {
        const conn = await HttpConnection.open(p.bc);
        try {
          assert.equal((await conn.request('GET', path)).status, 503);
        } finally {
          conn.destroy();
        }
        const name = `be_${path.slice(1)}`;
        assert.equal(await logLine((l) => l.startsWith(`BC ${name} `)), `BC ${name} 34 "SSL handshake failure" 0 ""`);
      }
    });

    // Bun's node:tls reports such a client as a handshake failure even before any byte, and
    // Deno's TLS stack tells nothing of a ClientHello whose handshake failed (docs/runtimes.md).
    const leavingSkip = target === 'bun' ? "Bun's node:tls does not tell an empty handshake" : target === 'deno' ? "Deno's TLS stack does not tell whether the ClientHello was answered" : false;
    it('a client leaving during the handshake is logged at once: closed (24) before the server answered its ClientHello, a handshake failure (34) after', { skip: leavingSkip }, async () => {
      const silent = await leaveDuringHandshake(p.eof, undefined);
      assert.equal(await logLine((l) => l.startsWith(`EOF ${silent} `)), `EOF ${silent} 24 "Connection closed during SSL handshake" 0 - TLSv1.3 (NONE)`);
      const greeted = await leaveDuringHandshake(p.eof, await clientHello());
      // The server chose TLSv1.3 and its cipher with its ServerHello: both are logged.
      assert.equal(await logLine((l) => l.startsWith(`EOF ${greeted} `)), `EOF ${greeted} 34 "SSL handshake failure" 0 a.example TLSv1.3 TLS_AES_256_GCM_SHA384`);
    });

    // Deno's node:tls emits no 'keylog': the version and cipher are gone with the failed socket;
    // Bun's listener does not report this failure at all.
    const refusedSkip = target === 'deno' ? "Deno's node:tls keeps nothing of a failed handshake" : target === 'bun' && "Bun's listener does not report a client that leaves after the ServerHello";
    it('a TLSv1.3 client refusing the certificate: the version and cipher the handshake chose are logged', { skip: refusedSkip }, async () => {
      const refused = await refuseCertificate(p.eof);
      assert.equal(await logLine((l) => l.startsWith(`EOF ${refused} `)), `EOF ${refused} 34 "SSL handshake failure" 0 a.example TLSv1.3 TLS_AES_256_GCM_SHA384`);
    });

    it('tune.ssl.default-dh-param: DHE with as many bits as the RSA key, at most the default', { skip: !supports(target, 'dh') && 'no DHE on this runtime' }, async () => {
      assert.equal(await dhBits(p.dhdflt), 2048);
    });
  });
}

describe('ssl-dh-param-file', () => {
  for (const target of TARGETS) {
    it(`${target}: DHE uses the file's parameters, or the line is refused where there is no DHE`, async () => {
      const [port] = await freePorts(1);
      const text = `global\n    ssl-dh-param-file ${TLS}/dh3072.pem\n${HTTP_DEFAULTS}\nfrontend fe\n    bind 127.0.0.1:${port} ssl crt ${TLS}/a.example.pem ssl-max-ver TLSv1.2${supports(target, 'ciphers') ? ' ciphers DHE-RSA-AES256-GCM-SHA384' : ''}\n    http-request return status 200\n`;
      if (!supports(target, 'dh')) {
        const cfg = writeTempConfig(text);
        try {
          const result = await runCli(target, ['-c', '-f', cfg.path]);
          assert.equal(result.code, 1, result.stderr);
          assert.ok(result.stderr.includes(`[${cfg.path}:2] : 'ssl-dh-param-file' is not supported on ${target === 'bun' ? 'Bun' : 'Deno'} (`), result.stderr);
        } finally {
          cfg.cleanup();
        }
        return;
      }
      const proxy = await startProxy(target, text);
      try {
        assert.equal(await dhBits(port as number), 3072);
      } finally {
        await stopProxy(target, proxy);
      }
    });
  }
});
