/**
 * Black-box conformance of `server ... socks4 ADDR:PORT` and `check-via-socks4` /
 * `tcp-check connect via-socks4`: the proxy runs under Node, Bun and Deno in turn; a fake SOCKS4
 * proxy on loopback records each request (`04 01 PORT IP "HAProxy\0"`) and either tunnels to
 * the destination, refuses (91) or closes. Traffic and checks of a `socks4` server go through
 * it; the check results are read from `option log-health-checks` lines on a UDP syslog
 * receiver, HAProxy 2.6's byte for byte apart from durations:
 *   CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/health-socks4.test.js
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { exchange } from '../support/http-client.ts';
import { TARGETS, eventually, startProxy } from '../support/http-suite.ts';

const HOST = '127.0.0.1';
const PORT_NAMES = ['fe', 'app', 'line', 'tunnel', 'deny', 'mute', 'agent'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

interface SocksRequest {
  readonly bytes: string;
  readonly port: number;
}

/**
 * A SOCKS4 proxy: `tunnel` grants (90) and pipes to the requested address, `deny` answers 91,
 * `mute` closes once the request arrived.
 */
function socksProxy(port: number, mode: 'tunnel' | 'deny' | 'mute', seen: SocksRequest[]): Promise<Server> {
  const server = createServer((socket: Socket) => {
    socket.on('error', () => {});
    let buffered = Buffer.alloc(0);
    const onData = (data: Buffer): void => {
      buffered = Buffer.concat([buffered, data]);
      // VN CD PORT(2) IP(4) USERID NUL
      const nul = buffered.indexOf(0, 8);
      if (buffered.length < 9 || nul < 0) return;
      socket.off('data', onData);
      const request = buffered.subarray(0, nul + 1);
      const rest = buffered.subarray(nul + 1);
      const dstPort = request.readUInt16BE(2);
      seen.push({ bytes: request.toString('hex'), port: dstPort });
      if (mode === 'mute') {
        socket.end();
        return;
      }
      if (mode === 'deny') {
        socket.end(Buffer.from('005b000000000000', 'hex'));
        return;
      }
      const ip = [...request.subarray(4, 8)].join('.');
      const upstream = connect(dstPort, ip, () => {
        socket.write(Buffer.from('005a000000000000', 'hex'));
        if (rest.length > 0) upstream.write(rest);
        socket.pipe(upstream);
        upstream.pipe(socket);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('close', () => upstream.destroy());
    };
    socket.on('data', onData);
  });
  return new Promise((resolve) => server.listen(port, HOST, () => resolve(server)));
}

function configFor(p: Ports, syslog: number): string {
  const logs = `
    option log-health-checks
    log ${HOST}:${syslog} local0`;
  return `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout check 1s

frontend fe
    bind ${HOST}:${p.fe}
    default_backend be_http

backend be_http
    option httpchk GET /health${logs}
    server s ${HOST}:${p.app} socks4 ${HOST}:${p.tunnel} check-via-socks4 check inter 300ms rise 1 fall 1

backend be_deny
    option httpchk${logs}
    server s ${HOST}:${p.app} socks4 ${HOST}:${p.deny} check-via-socks4 check inter 300ms rise 1 fall 1

backend be_mute
    option httpchk${logs}
    server s ${HOST}:${p.app} socks4 ${HOST}:${p.mute} check-via-socks4 check inter 300ms rise 1 fall 1

backend be_tcp
    mode tcp
    option tcp-check${logs}
    tcp-check connect via-socks4
    tcp-check expect string HELLO
    server s ${HOST}:${p.line} socks4 ${HOST}:${p.tunnel} check inter 300ms rise 1 fall 1

backend be_agent
    server s ${HOST}:${p.app} socks4 ${HOST}:${p.tunnel} check-via-socks4 agent-check agent-port ${p.agent} agent-inter 300ms
`;
}

for (const target of TARGETS) {
  describe(`socks4 servers and checks on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let servers: Server[] = [];
    let app: HttpServer | undefined;
    let syslog: UdpSocket;
    let ports: Ports;
    const lines: string[] = [];
    const tunnel: SocksRequest[] = [];
    const denied: SocksRequest[] = [];
    const muted: SocksRequest[] = [];
    const appRequests: string[] = [];

    before(async () => {
      const list = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((n, i) => [n, list[i] as number])) as Ports;
      app = createHttpServer((req, res) => {
        appRequests.push(`${req.method} ${req.url}`);
        res.end('ok');
      });
      await new Promise<void>((resolve) => app?.listen(ports.app, HOST, resolve));
      const line = createServer((socket) => {
        socket.on('error', () => {});
        socket.end('HELLO\r\n');
      });
      await new Promise<void>((resolve) => line.listen(ports.line, HOST, resolve));
      const agent = createServer((socket) => {
        socket.on('error', () => {});
        socket.end('up\n');
      });
      await new Promise<void>((resolve) => agent.listen(ports.agent, HOST, resolve));
      servers = [
        line,
        agent,
        await socksProxy(ports.tunnel, 'tunnel', tunnel),
        await socksProxy(ports.deny, 'deny', denied),
        await socksProxy(ports.mute, 'mute', muted),
      ];
      syslog = createSocket('udp4');
      syslog.on('message', (m) => lines.push(m.toString('latin1')));
      await new Promise<void>((resolve) => syslog.bind(0, HOST, resolve));
      proxy = await startProxy(target, configFor(ports, syslog.address().port));
    });

    after(async () => {
      await proxy?.stop();
      for (const s of servers) await new Promise((r) => s.close(r));
      app?.closeAllConnections();
      await new Promise((r) => app?.close(r));
      syslog.close();
    });

    function lineFor(backend: string): string | undefined {
      const found = lines.find((l) => l.includes(`Health check for server ${backend}/s `));
      return found?.replace(/^<\d+>.*?\]: /, '').replace(/check duration: \d+ms/, 'check duration: Nms');
    }

    it('an HTTP check goes through the proxy with HAProxy\'s SOCKS4 request, and passes', async () => {
      assert.ok(await eventually(() => lineFor('be_http') !== undefined, 5000), lines.join(''));
      assert.equal(lineFor('be_http'), 'Health check for server be_http/s succeeded, reason: Layer7 check passed, code: 200, check duration: Nms, status: 1/1 UP.\n');
      assert.ok(appRequests.includes('GET /health'), appRequests.join());
      const request = tunnel.find((r) => r.port === ports.app);
      const portHex = ports.app.toString(16).padStart(4, '0');
      assert.equal(request?.bytes, `0401${portHex}7f000001${Buffer.from('HAProxy\0').toString('hex')}`);
    });

    it('traffic to a socks4 server goes through the proxy', async () => {
      const before = tunnel.filter((r) => r.port === ports.app).length;
      const { response } = await exchange(ports.fe, 'GET /page HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
      assert.equal(response.status, 200);
      assert.equal(response.body.toString(), 'ok');
      assert.ok(appRequests.includes('GET /page'));
      assert.ok(tunnel.filter((r) => r.port === ports.app).length > before);
    });

    it('tcp-check connect via-socks4 goes through the proxy without check-via-socks4', async () => {
      assert.ok(await eventually(() => lineFor('be_tcp') !== undefined, 5000), lines.join(''));
      assert.equal(lineFor('be_tcp'), 'Health check for server be_tcp/s succeeded, reason: Layer7 check passed, code: 0, info: "(tcp-check)", check duration: Nms, status: 1/1 UP.\n');
      assert.ok(tunnel.some((r) => r.port === ports.line));
    });

    it('an agent check of a check-via-socks4 server goes through the proxy too (its connect is a default one)', async () => {
      assert.ok(await eventually(() => tunnel.some((r) => r.port === ports.agent), 5000), JSON.stringify(tunnel));
    });

    it('a proxy refusing the request fails the check with HAProxy\'s SOCKS4 error', async () => {
      assert.ok(await eventually(() => lineFor('be_deny') !== undefined, 5000), lines.join(''));
      assert.ok(denied.length > 0);
      assert.equal(lineFor('be_deny'), 'Health check for server be_deny/s failed, reason: Socket error, info: "SOCKS4 Proxy deny the request", check duration: Nms, status: 0/1 DOWN.\n');
    });

    it('a proxy closing during the handshake fails the check with HAProxy\'s SOCKS4 error', async () => {
      assert.ok(await eventually(() => lineFor('be_mute') !== undefined, 5000), lines.join(''));
      assert.ok(muted.length > 0);
      assert.equal(lineFor('be_mute'), 'Health check for server be_mute/s failed, reason: Socket error, info: "SOCKS4 Proxy read error during handshake", check duration: Nms, status: 0/1 DOWN.\n');
    });
  });
}
