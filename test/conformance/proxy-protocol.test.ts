/**
 * Black-box conformance of the PROXY protocol: `bind ... accept-proxy` (v1 and v2 headers in
 * front of HTTP and tcp traffic; their addresses in fetches, ACLs and log lines; the v2 TLVs in
 * `fc_pp_authority` / `fc_pp_unique_id`; malformed headers closing the connection with
 * HAProxy's log line), and `server ... send-proxy | send-proxy-v2 [proxy-v2-options]` (the
 * bytes a server receives first).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/proxy-protocol.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { echoServer, recordingServer, type TestBackend } from '../support/tcp-backends.ts';
import { delay, dial, readToEnd } from '../support/tcp-client.ts';

const PORT_NAMES = ['httpIn', 'tcpIn', 'sendV1', 'sendV2', 'chain', 'echo', 'rec1', 'rec2'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
global
    maxconn 100

defaults
    mode http
    timeout connect 500ms
    timeout client 2s
    timeout server 5s

frontend http_in
    bind 127.0.0.1:${p.httpIn} accept-proxy
    log stdout format raw local0
    log-format "httpin %ci:%cp %fi:%fp auth=%[fc_pp_authority] uid=%[fc_pp_unique_id]"
    http-request deny if { src 10.66.0.0/16 }
    http-after-response set-header x-src %[src]:%[src_port]
    http-after-response set-header x-dst %[dst]:%[dst_port]
    http-after-response set-header x-fc %[fc_src]:%[fc_src_port]>%[fc_dst]:%[fc_dst_port]
    http-request return status 200

listen tcp_in
    mode tcp
    bind 127.0.0.1:${p.tcpIn} accept-proxy
    log stdout format raw local0
    log-format "tcpin %ci:%cp %fi:%fp %[src] %[dst_port]"
    server echo 127.0.0.1:${p.echo}

listen send_v1
    mode tcp
    bind 127.0.0.1:${p.sendV1}
    server rec 127.0.0.1:${p.rec1} send-proxy

listen send_v2
    mode tcp
    bind 127.0.0.1:${p.sendV2}
    server rec 127.0.0.1:${p.rec2} send-proxy-v2

listen chain
    bind 127.0.0.1:${p.chain}
    unique-id-format TEST-%[req.hdr(in)]
    http-request set-src hdr(x-set-src) if { req.hdr(x-set-src) -m found }
    server pp 127.0.0.1:${p.httpIn} send-proxy-v2 proxy-v2-options unique-id
`;
}

const SIG = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');

function v2Header(src: [number, number, number, number], sport: number, dst: [number, number, number, number], dport: number, tlvs: Buffer = Buffer.alloc(0)): Buffer {
  const addr = Buffer.alloc(12);
  Buffer.from(src).copy(addr, 0);
  Buffer.from(dst).copy(addr, 4);
  addr.writeUInt16BE(sport, 8);
  addr.writeUInt16BE(dport, 10);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(12 + tlvs.length);
  return Buffer.concat([SIG, Buffer.from([0x21, 0x11]), len, addr, tlvs]);
}

function tlv(type: number, value: string): Buffer {
  const head = Buffer.from([type, 0, 0]);
  head.writeUInt16BE(value.length, 1);
  return Buffer.concat([head, Buffer.from(value, 'latin1')]);
}

/** Sends `parts` (one write each, a pause between them) then reads the whole answer (the request asks the connection to close). */
async function exchange(port: number, ...parts: (Buffer | string)[]): Promise<string> {
  const socket = await dial(port);
  for (const [i, part] of parts.entries()) {
    if (i > 0) await delay(50);
    socket.write(part);
  }
  return (await readToEnd(socket)).toString('latin1');
}

const GET = 'GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n';

function header(response: string, name: string): string | undefined {
  const m = new RegExp(`^${name}: (.*)\\r$`, 'mi').exec(response);
  return m?.[1];
}

for (const target of TARGETS) {
  describe(`PROXY protocol on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    let echo: TestBackend;
    let rec1: TestBackend & { received: () => Buffer };
    let rec2: TestBackend & { received: () => Buffer };

    before(async () => {
      const list = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((n, i) => [n, list[i] as number])) as Ports;
      echo = await echoServer(ports.echo);
      rec1 = await recordingServer(ports.rec1);
      rec2 = await recordingServer(ports.rec2);
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      await stopProxy(target, proxy);
      await echo.close();
      await rec1.close();
      await rec2.close();
    });

    async function logLine(prefix: string, filter: (line: string) => boolean = () => true): Promise<string> {
      let found: string | undefined;
      await eventually(() => {
        found = proxy?.stdout.split('\n').find((l) => l.startsWith(prefix) && filter(l));
        return found !== undefined;
      }, 3000);
      assert.ok(found, `no '${prefix}' line in:\n${proxy?.stdout}\n${proxy?.stderr}`);
      return found;
    }

    it('v1 in front of HTTP: the header addresses are src/dst in fetches and %ci %cp %fi %fp in the log', async () => {
      const res = await exchange(ports.httpIn, `PROXY TCP4 192.0.2.7 198.51.100.9 4321 8443\r\n${GET}`);
      assert.match(res, /^HTTP\/1.1 200 /);
      assert.equal(header(res, 'x-src'), '192.0.2.7:4321');
      assert.equal(header(res, 'x-dst'), '198.51.100.9:8443');
      // The connection's own addresses are the socket's: the header moves the session's only (HAProxy 2.5+).
      assert.match(header(res, 'x-fc') ?? '', new RegExp(`^127\\.0\\.0\\.1:\\d+>127\\.0\\.0\\.1:${ports.httpIn}$`));
      assert.equal(await logLine('httpin 192.0.2.7'), 'httpin 192.0.2.7:4321 198.51.100.9:8443 auth=- uid=-');
    });

    it('v1 TCP6', async () => {
      const res = await exchange(ports.httpIn, `PROXY TCP6 2001:db8::5 2001:db8::6 1000 2000\r\n${GET}`);
      assert.equal(header(res, 'x-src'), '2001:db8::5:1000');
      assert.equal(header(res, 'x-dst'), '2001:db8::6:2000');
    });

    const peeks = 'HAProxy reads the header with one recv(MSG_PEEK): a header split across TCP segments fails as truncated';
    it('a header split over several writes (Switchyard waits for the rest)', { skip: target === 'haproxy' ? peeks : false }, async () => {
      const res = await exchange(ports.httpIn, 'PROXY TCP6 2001:db8::', '5 2001:db8::6 1000 ', `2000\r\n${GET}`);
      assert.equal(header(res, 'x-src'), '2001:db8::5:1000');
      assert.equal(header(res, 'x-dst'), '2001:db8::6:2000');
    });

    it('v2 with authority and unique-id TLVs: fc_pp_authority and fc_pp_unique_id', async () => {
      const pp = v2Header([203, 0, 113, 5], 5555, [203, 0, 113, 6], 6666, Buffer.concat([tlv(0x02, 'example.com'), tlv(0x05, 'uid-42')]));
      const res = await exchange(ports.httpIn, pp, GET);
      assert.match(res, /^HTTP\/1.1 200 /);
      assert.equal(header(res, 'x-src'), '203.0.113.5:5555');
      assert.equal(await logLine('httpin 203.0.113.5'), 'httpin 203.0.113.5:5555 203.0.113.6:6666 auth=example.com uid=uid-42');
    });

    it('v2 LOCAL keeps the connection addresses', async () => {
      const local = Buffer.concat([SIG, Buffer.from([0x20, 0x00, 0x00, 0x00])]);
      const res = await exchange(ports.httpIn, local, GET);
      assert.match(res, /^HTTP\/1.1 200 /);
      assert.match(header(res, 'x-src') ?? '', /^127\.0\.0\.1:\d+$/);
      assert.equal(header(res, 'x-dst'), `127.0.0.1:${ports.httpIn}`);
    });

    it('an ACL on src sees the address from the header', async () => {
      const res = await exchange(ports.httpIn, `PROXY TCP4 10.66.1.1 127.0.0.1 1 2\r\n${GET}`);
      assert.match(res, /^HTTP\/1.1 403 /);
    });

    it('a connection without a header is closed unanswered and logged with HAProxy\'s words', async () => {
      const socket = await dial(ports.httpIn);
      const port = socket.localPort;
      socket.write(GET);
      assert.equal((await readToEnd(socket, 5000)).length, 0);
      const line = await logLine(`127.0.0.1:${port} [`);
      assert.match(line, new RegExp(`^127\\.0\\.0\\.1:${port} \\[\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\] http_in/1: Received something which does not look like a PROXY protocol header$`));
    });

    it('an invalid v2 header (a TLV past its end) is closed unanswered', async () => {
      const pp = v2Header([127, 0, 0, 1], 42, [127, 0, 0, 1], 1337, tlv(0x02, '12345'));
      pp.writeUInt16BE(6, pp.length - 7); // the TLV now claims 6 bytes of a 5-byte remainder
      const socket = await dial(ports.httpIn);
      socket.write(Buffer.concat([pp, Buffer.from(GET)]));
      assert.equal((await readToEnd(socket, 5000)).length, 0);
      // HAProxy has taken the header's addresses before it reads the TLVs: the line names them.
      assert.match(await logLine('127.0.0.1:42 ['), /http_in\/1: Received an invalid PROXY protocol header$/);
    });

    it('a client that stays silent is closed at timeout client', async () => {
      const socket = await dial(ports.httpIn);
      const port = socket.localPort;
      const started = performance.now();
      assert.equal((await readToEnd(socket)).length, 0);
      const elapsed = performance.now() - started;
      assert.ok(elapsed > 1500 && elapsed < 4000, `closed after ${elapsed} ms`);
      assert.match(await logLine(`127.0.0.1:${port} [`), /http_in\/1: Timeout while waiting for PROXY protocol header$/);
    });

    it('in front of tcp traffic: bytes after the header reach the server, the log has the header addresses', async () => {
      const socket = await dial(ports.tcpIn);
      socket.write('PROXY TCP4 192.0.2.44 192.0.2.45 7000 7001\r\nping');
      const got = await new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString())));
      assert.equal(got, 'ping');
      socket.end();
      await readToEnd(socket);
      assert.equal(await logLine('tcpin 192.0.2.44'), 'tcpin 192.0.2.44:7000 192.0.2.45:7001 192.0.2.44 7001');
    });

    it('send-proxy: a v1 line with the client connection\'s addresses goes first', async () => {
      const socket = await dial(ports.sendV1);
      const port = socket.localPort;
      socket.write('hello');
      await eventually(() => rec1.received().includes('hello'), 3000);
      socket.destroy();
      assert.equal(rec1.received().toString('latin1'), `PROXY TCP4 127.0.0.1 127.0.0.1 ${port} ${ports.sendV1}\r\nhello`);
    });

    it('send-proxy-v2: the binary header goes first', async () => {
      const socket = await dial(ports.sendV2);
      const port = socket.localPort as number;
      socket.write('hello');
      await eventually(() => rec2.received().includes('hello'), 3000);
      socket.destroy();
      assert.deepEqual(rec2.received(), Buffer.concat([v2Header([127, 0, 0, 1], port, [127, 0, 0, 1], ports.sendV2), Buffer.from('hello')]));
    });

    it('send-proxy-v2 with proxy-v2-options unique-id, read back by accept-proxy', async () => {
      const socket = await dial(ports.chain);
      const port = socket.localPort;
      socket.write('GET / HTTP/1.1\r\nhost: x\r\nin: foo\r\nconnection: close\r\n\r\n');
      const res = (await readToEnd(socket, 5000)).toString('latin1');
      assert.match(res, /^HTTP\/1.1 200 /);
      assert.equal(header(res, 'x-src'), `127.0.0.1:${port}`);
      assert.equal(header(res, 'x-dst'), `127.0.0.1:${ports.chain}`);
      assert.equal(await logLine(`httpin 127.0.0.1:${port}`), `httpin 127.0.0.1:${port} 127.0.0.1:${ports.chain} auth=- uid=TEST-foo`);
    });

    it('send-proxy carries the stream\'s source once http-request set-src moved it', async () => {
      const socket = await dial(ports.chain);
      const port = socket.localPort;
      socket.write('GET / HTTP/1.1\r\nhost: x\r\nin: moved\r\nx-set-src: 192.0.2.44\r\nconnection: close\r\n\r\n');
      const res = (await readToEnd(socket, 5000)).toString('latin1');
      assert.match(res, /^HTTP\/1.1 200 /);
      assert.equal(header(res, 'x-src'), `192.0.2.44:${port}`);
    });
  });
}
