/**
 * Black-box conformance of the PROXY protocol around TLS, where the header travels in clear
 * before the handshake: `bind ... ssl crt X accept-proxy` reads it before the ClientHello, and
 * `server ... ssl send-proxy[-v2]` sends it before its own ClientHello (HAProxy's
 * reg-tests/connection/proxy_protocol_send_unique_id_alpn.vtc).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/proxy-protocol-tls.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { repoRoot } from '../support/runtimes.ts';
import { TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { recordingServer, type TestBackend } from '../support/tcp-backends.ts';
import { dial } from '../support/tcp-client.ts';
import { tlsGet } from '../support/tls-get.ts';

const PORT_NAMES = ['tlsIn', 'chain', 'sendRaw', 'rec', 'expect'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  const pem = `${repoRoot}test/fixtures/tls/a.example.pem`;
  return `
global
    maxconn 100

defaults
    mode http
    timeout connect 500ms
    timeout client 2s
    timeout server 5s

frontend tls_in
    bind 127.0.0.1:${p.tlsIn} ssl crt ${pem} alpn XXX,http/1.1 accept-proxy
    log stdout format raw local0
    http-after-response set-header x-src %[src]:%[src_port]
    http-after-response set-header x-ssl %[ssl_fc]
    http-after-response set-header x-sni %[ssl_fc_sni]
    http-after-response set-header x-alpn %[ssl_fc_alpn]
    http-after-response set-header x-uid %[fc_pp_unique_id]
    http-request return status 200

# expect-proxy asks a header of some clients only (here: those sending from 127.0.0.2); the
# others start their handshake at once on the same ssl bind.
frontend tls_expect
    bind 127.0.0.1:${p.expect} ssl crt ${pem} alpn http/1.1
    tcp-request connection expect-proxy layer4 if { src 127.0.0.2 }
    http-after-response set-header x-src %[src]:%[src_port]
    http-after-response set-header x-ssl %[ssl_fc]
    http-after-response set-header x-sni %[ssl_fc_sni]
    http-request return status 200

listen chain
    bind 127.0.0.1:${p.chain}
    unique-id-format TEST-%[req.hdr(in)]
    server tls 127.0.0.1:${p.tlsIn} ssl verify none sni str(chain.example) alpn XXX send-proxy-v2 proxy-v2-options unique-id

listen send_raw
    mode tcp
    bind 127.0.0.1:${p.sendRaw}
    server rec 127.0.0.1:${p.rec} ssl verify none send-proxy
`;
}

function header(response: string, name: string): string | undefined {
  const m = new RegExp(`^${name}: (.*)\\r$`, 'mi').exec(response);
  return m?.[1];
}

/** A plain request on a plain connection: the whole answer. */
async function plainGet(port: number, extra = ''): Promise<string> {
  const socket = await dial(port);
  socket.write(`GET / HTTP/1.1\r\nhost: x\r\n${extra}connection: close\r\n\r\n`);
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve) => {
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => resolve());
    socket.once('end', () => resolve());
    socket.once('close', () => resolve());
  });
  socket.destroy();
  return Buffer.concat(chunks).toString('latin1');
}

for (const target of TARGETS) {
  describe(`PROXY protocol around TLS on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    let rec: TestBackend & { received: () => Buffer };

    before(async () => {
      const list = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((n, i) => [n, list[i] as number])) as Ports;
      rec = await recordingServer(ports.rec);
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      await stopProxy(target, proxy);
      await rec.close();
    });

    it('accept-proxy on an ssl bind: the header in clear, then the handshake; the header addresses are src', async () => {
      const response = await tlsGet(ports.tlsIn, 'pp.example', { preface: 'PROXY TCP4 192.0.2.7 192.0.2.8 4321 443\r\n' });
      assert.match(response, /^HTTP\/1\.1 200 /);
      assert.equal(header(response, 'x-src'), '192.0.2.7:4321');
      assert.equal(header(response, 'x-ssl'), '1');
      assert.equal(header(response, 'x-sni'), 'pp.example');
      assert.equal(header(response, 'x-alpn'), 'http/1.1');
    });

    it('tcp-request connection expect-proxy on an ssl bind: the header before the handshake when the rule asks it, none otherwise', async () => {
      // From 127.0.0.2: the rule asks a header, read in clear before the ClientHello.
      const asked = await tlsGet(ports.expect, 'asked.example', { preface: 'PROXY TCP4 198.51.100.4 192.0.2.8 2222 443\r\n', localAddress: '127.0.0.2' });
      assert.match(asked, /^HTTP\/1\.1 200 /);
      assert.equal(header(asked, 'x-src'), '198.51.100.4:2222');
      assert.equal(header(asked, 'x-sni'), 'asked.example');
      // From 127.0.0.1: no header asked, the handshake starts at once.
      const direct = await tlsGet(ports.expect, 'direct.example');
      assert.match(direct, /^HTTP\/1\.1 200 /);
      assert.match(header(direct, 'x-src') ?? '', /^127\.0\.0\.1:\d+$/);
      assert.equal(header(direct, 'x-ssl'), '1');
      assert.equal(header(direct, 'x-sni'), 'direct.example');
    });

    it('send-proxy-v2 on an ssl server: its unique-id TLV reaches an ssl accept-proxy bind, with SNI and ALPN', async () => {
      const response = await plainGet(ports.chain, 'in: foo\r\n');
      assert.match(response, /^HTTP\/1\.1 200 /);
      assert.equal(header(response, 'x-uid'), 'TEST-foo');
      // The header carries the client's connection to `chain`.
      assert.match(header(response, 'x-src') ?? '', /^127\.0\.0\.1:\d+$/);
      assert.equal(header(response, 'x-ssl'), '1');
      assert.equal(header(response, 'x-sni'), 'chain.example');
      assert.equal(header(response, 'x-alpn'), 'XXX');
    });

    it('send-proxy on an ssl server: the v1 line goes first, in clear, then the ClientHello', async () => {
      const client = await dial(ports.sendRaw);
      try {
        await eventually(() => {
          const got = rec.received();
          const end = got.indexOf('\r\n');
          return end > 0 && got.length > end + 3;
        }, 3000);
        const got = rec.received();
        const end = got.indexOf('\r\n');
        const line = got.subarray(0, end).toString('latin1');
        assert.equal(line, `PROXY TCP4 127.0.0.1 127.0.0.1 ${client.localPort} ${ports.sendRaw}`);
        // A TLS handshake record follows at once.
        assert.equal(got[end + 2], 0x16);
        assert.equal(got[end + 3], 0x03);
      } finally {
        client.destroy();
      }
    });

    it('a header followed by no handshake but garbage is closed unanswered', async () => {
      const socket = await dial(ports.tlsIn);
      socket.write('PROXY TCP4 192.0.2.9 192.0.2.8 1111 443\r\nGET / HTTP/1.1\r\nhost: x\r\n\r\n');
      const chunks: Buffer[] = [];
      await new Promise<void>((resolve) => {
        socket.on('data', (d: Buffer) => chunks.push(d));
        socket.on('error', () => resolve());
        socket.once('end', () => resolve());
        socket.once('close', () => resolve());
      });
      socket.destroy();
      assert.ok(!Buffer.concat(chunks).toString('latin1').includes('HTTP/1.1 200'), 'no HTTP answer to a plain request after the header');
    });
  });
}
