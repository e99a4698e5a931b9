/**
 * Black-box conformance of the NetScaler Client IP insertion protocol: `bind ...
 * accept-netscaler-cip MAGIC` and `tcp-request connection expect-netscaler-cip layer4` (legacy
 * and standard headers, IPv4 and IPv6; their addresses in fetches and log lines; a CIP header
 * then a PROXY header on one bind; bad headers and silent clients closed with HAProxy's log
 * line), and the bind option's configuration checks.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/netscaler-cip.test.js
 */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { checkConfig, type ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { dial, readToEnd } from '../support/tcp-client.ts';
import { repoRoot } from '../support/runtimes.ts';
import { tlsGet } from '../support/tls-get.ts';

const PORT_NAMES = ['cip', 'both', 'rule', 'tls'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;
/** 0x12345678. */
const MAGIC = 305419896;

function configFor(p: Ports): string {
  const pem = `${repoRoot}test/fixtures/tls/a.example.pem`;
  return `
defaults
    mode http
    timeout connect 500ms
    timeout client 2s
    timeout server 5s

frontend cip_in
    bind 127.0.0.1:${p.cip} accept-netscaler-cip ${MAGIC}
    log stdout format raw local0
    log-format "cipin %ci:%cp %fi:%fp"
    http-after-response set-header x-src %[src]:%[src_port]
    http-after-response set-header x-dst %[dst]:%[dst_port]
    http-after-response set-header x-fc %[fc_src]:%[fc_src_port]
    http-request return status 200

frontend both_in
    bind 127.0.0.1:${p.both} accept-netscaler-cip ${MAGIC} accept-proxy
    http-after-response set-header x-src %[src]:%[src_port]
    http-request return status 200

frontend rule_in
    bind 127.0.0.1:${p.rule}
    tcp-request connection expect-netscaler-cip layer4 if { src 127.0.0.1 }
    http-after-response set-header x-src %[src]:%[src_port]
    http-request return status 200

frontend tls_in
    bind 127.0.0.1:${p.tls} ssl crt ${pem} alpn http/1.1 accept-netscaler-cip ${MAGIC}
    http-after-response set-header x-src %[src]:%[src_port]
    http-after-response set-header x-ssl %[ssl_fc]
    http-request return status 200
`;
}

/** An IPv4 header (TCP) from 192.0.2.10 to 198.51.100.5, then a TCP header 54321 -> 443. */
const IPV4_TCP = Buffer.concat([
  Buffer.from('4500002800004000400600 00c000020ac6336405'.replace(/ /g, ''), 'hex'),
  Buffer.from('d43101bb', 'hex'),
  Buffer.alloc(16),
]);
/** An IPv6 header (next header TCP) from 2001:db8::1 to 2001:db8::2, then TCP 40000 -> 8443. */
const IPV6_TCP = Buffer.concat([
  Buffer.from('600000000014064020010db800000000000000000000000120010db8000000000000000000000002', 'hex'),
  Buffer.from('9c4020fb', 'hex'),
  Buffer.alloc(16),
]);

function legacy(magic: number, ip: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(magic, 0);
  head.writeUInt32BE(ip.length, 4);
  return Buffer.concat([head, ip]);
}

function standard(magic: number, ip: Buffer): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt32BE(magic, 0);
  head.writeUInt32BE(12 + ip.length, 4);
  head.writeUInt16BE(1, 8);
  head.writeUInt16BE(ip.length, 10);
  return Buffer.concat([head, ip]);
}

const GET = 'GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n';

/** Everything the proxy sent before hanging up, as text. */
async function readText(socket: Socket): Promise<string> {
  return (await readToEnd(socket)).toString('latin1');
}

/** Sends the header and the request in one write, as a NetScaler's first segment and what follows. */
async function exchange(port: number, ...parts: (Buffer | string)[]): Promise<string> {
  const socket = await dial(port);
  socket.write(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p))));
  return readText(socket);
}

function header(response: string, name: string): string | undefined {
  return new RegExp(`^${name}: (.*)\\r$`, 'mi').exec(response)?.[1];
}

for (const target of TARGETS) {
  describe(`NetScaler CIP on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;

    before(async () => {
      const list = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((n, i) => [n, list[i] as number])) as Ports;
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      await stopProxy(target, proxy);
    });

    async function logLine(prefix: string): Promise<string> {
      let found: string | undefined;
      await eventually(() => {
        found = proxy?.stdout.split('\n').find((l) => l.startsWith(prefix));
        return found !== undefined;
      }, 3000);
      assert.ok(found, `no '${prefix}' line in:\n${proxy?.stdout}\n${proxy?.stderr}`);
      return found;
    }

    it('a legacy header (IPv4): its addresses are src/dst in fetches and %ci %cp %fi %fp in the log; fc_src stays the socket', async () => {
      const res = await exchange(ports.cip, legacy(MAGIC, IPV4_TCP), GET);
      assert.match(res, /^HTTP\/1.1 200 /);
      assert.equal(header(res, 'x-src'), '192.0.2.10:54321');
      assert.equal(header(res, 'x-dst'), '198.51.100.5:443');
      assert.match(header(res, 'x-fc') ?? '', /^127\.0\.0\.1:\d+$/);
      assert.equal(await logLine('cipin 192.0.2.10'), 'cipin 192.0.2.10:54321 198.51.100.5:443');
    });

    it('a standard header (IPv6)', async () => {
      const res = await exchange(ports.cip, standard(MAGIC, IPV6_TCP), GET);
      assert.match(res, /^HTTP\/1.1 200 /);
      assert.equal(header(res, 'x-src'), '2001:db8::1:40000');
      assert.equal(header(res, 'x-dst'), '2001:db8::2:8443');
    });

    it('a bind with accept-netscaler-cip and accept-proxy reads the CIP header first, then the PROXY header (whose addresses win)', async () => {
      const res = await exchange(ports.both, standard(MAGIC, IPV4_TCP), 'PROXY TCP4 203.0.113.7 203.0.113.8 1111 2222\r\n', GET);
      assert.match(res, /^HTTP\/1.1 200 /);
      assert.equal(header(res, 'x-src'), '203.0.113.7:1111');
      // A PROXY header first is not a CIP header: the magic number does not match.
      assert.equal(await exchange(ports.both, 'PROXY TCP4 203.0.113.7 203.0.113.8 1111 2222\r\n', standard(MAGIC, IPV4_TCP), GET), '');
    });

    it('expect-netscaler-cip on a bind without a magic number expects 0', async () => {
      const res = await exchange(ports.rule, legacy(0, IPV4_TCP), GET);
      assert.match(res, /^HTTP\/1.1 200 /);
      assert.equal(header(res, 'x-src'), '192.0.2.10:54321');
      assert.equal(await exchange(ports.rule, legacy(MAGIC, IPV4_TCP), GET), '');
    });

    it('on an ssl bind the header comes in clear before the ClientHello', async () => {
      const res = await tlsGet(ports.tls, 'cip.example', { preface: legacy(MAGIC, IPV4_TCP) });
      assert.match(res, /^HTTP\/1.1 200 /);
      assert.equal(header(res, 'x-src'), '192.0.2.10:54321');
      assert.equal(header(res, 'x-ssl'), '1');
    });

    it("another magic number: closed unanswered, logged with HAProxy's words", async () => {
      const socket = await dial(ports.cip);
      const port = socket.localPort;
      socket.write(Buffer.concat([legacy(MAGIC + 1, IPV4_TCP), Buffer.from(GET)]));
      assert.equal(await readText(socket), '');
      assert.match(await logLine(`127.0.0.1:${port} [`), new RegExp(`^127\\.0\\.0\\.1:${port} \\[\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\] cip_in/1: Received an invalid NetScaler Client IP magic number$`));
    });

    it('a protocol other than TCP in the header: closed, logged', async () => {
      const udp = Buffer.from(IPV4_TCP);
      udp[9] = 17;
      const socket = await dial(ports.cip);
      const port = socket.localPort;
      socket.write(Buffer.concat([standard(MAGIC, udp), Buffer.from(GET)]));
      assert.equal(await readText(socket), '');
      assert.match(await logLine(`127.0.0.1:${port} [`), /cip_in\/1: Received an unhandled protocol in the NetScaler Client IP header$/);
    });

    it('a client that stays silent is closed at timeout client', async () => {
      const socket = await dial(ports.cip);
      const port = socket.localPort;
      const started = performance.now();
      assert.equal(await readText(socket), '');
      const elapsed = performance.now() - started;
      assert.ok(elapsed > 1500 && elapsed < 4000, `closed after ${elapsed} ms`);
      assert.match(await logLine(`127.0.0.1:${port} [`), /cip_in\/1: Timeout while waiting for a NetScaler Client IP header$/);
    });
  });

  describe(`'accept-netscaler-cip' configuration checks on ${target}`, () => {
    const check = (text: string): ReturnType<typeof checkConfig> => checkConfig(target, text);

    it("0, or no number, is refused with HAProxy's message; what atol() reads as a number is taken", async () => {
      const text = `${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:8001 accept-netscaler-cip 0
    bind 127.0.0.1:8002 accept-netscaler-cip abc
    http-request return status 200
`;
      const bad = await check(text);
      assert.equal(bad.code, 1, bad.stderr);
      const lines = text.split('\n');
      for (const address of ['127.0.0.1:8001', '127.0.0.1:8002']) {
        const line = lines.findIndex((l) => l.includes(`bind ${address}`)) + 1;
        const message = `:${line}] : 'bind ${address}' in section 'frontend' : 'accept-netscaler-cip' : invalid value 0, must be >= 0\n`;
        assert.ok(bad.stderr.includes(message), `${message}\n${bad.stderr}`);
      }
      const good = await check(`${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:8001 accept-netscaler-cip 12abc
    bind 127.0.0.1:8002 accept-netscaler-cip -1
    tcp-request connection expect-netscaler-cip layer4
    http-request return status 200
`);
      assert.equal(good.code, 0, good.stderr);
    });
  });
}
