/**
 * Black-box conformance of `check-ssl`, `check-sni`, `check-alpn` and `addr ADDR:PORT` on a
 * `server` line: the proxy (Node, Bun, Deno) checks a TLS server on loopback whose traffic
 * line is plain (`check-ssl` without `ssl`), the TLS server records the SNI and ALPN each
 * handshake offered, and the "Health check ..." lines reach a UDP syslog receiver. Expected
 * lines are HAProxy 2.6's (tls_health_checks.vtc does the same with VTest):
 *   CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/health-check-ssl.test.js
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { TARGETS, eventually, startProxy } from '../support/http-suite.ts';

const HOST = '127.0.0.1';
const repoRoot = new URL('../../../', import.meta.url).pathname;
const PEM = readFileSync(`${repoRoot}test/fixtures/tls/a.example.pem`, 'latin1');

interface Hello {
  readonly sni: string | undefined;
  readonly alpn: readonly string[];
}

/**
 * A TLS server that records what each ClientHello offered: ALPNCallback sees the SNI and the
 * ALPN list (it runs only when ALPN is offered), SNICallback every SNI.
 */
function tlsServer(port: number, alpnHellos: Hello[], snis: string[]): Promise<TlsServer> {
  const server = createTlsServer(
    {
      key: PEM,
      cert: PEM,
      ALPNCallback: ({ servername, protocols }) => {
        alpnHellos.push({ sni: servername, alpn: protocols });
        return protocols[0];
      },
      SNICallback: (name, done) => {
        snis.push(name);
        done(null, undefined);
      },
    },
    (socket: TLSSocket) => {
      socket.on('error', () => {});
      socket.end();
    },
  );
  return new Promise((resolve) => server.listen(port, HOST, () => resolve(server)));
}

for (const target of TARGETS) {
  describe(`check-ssl, check-sni, check-alpn on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let tls: TlsServer;
    let syslog: UdpSocket;
    const alpnHellos: Hello[] = [];
    const snis: string[] = [];
    const lines: string[] = [];

    before(async () => {
      const [fe, tlsPort] = (await freePorts(2)) as [number, number];
      tls = await tlsServer(tlsPort, alpnHellos, snis);
      syslog = createSocket('udp4');
      syslog.on('message', (m) => lines.push(m.toString('latin1')));
      await new Promise<void>((resolve) => syslog.bind(0, HOST, resolve));
      const port = syslog.address().port;
      proxy = await startProxy(
        target,
        `
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s

frontend fe
    bind ${HOST}:${fe}
    default_backend be_sni

backend be_sni
    option log-health-checks
    log ${HOST}:${port} local0
    server s ${HOST}:${tlsPort} check check-ssl verify none check-sni chk.example check-alpn h2 inter 300ms rise 1 fall 1

backend be_addr
    option log-health-checks
    log ${HOST}:${port} local0
    server s ${HOST}:1 check check-ssl verify none addr ${HOST}:${tlsPort} inter 300ms rise 1 fall 1
`,
      );
    });

    after(async () => {
      await proxy?.stop();
      await new Promise((r) => tls.close(r));
      syslog.close();
    });

    function lineFor(backend: string): string | undefined {
      const line = lines.find((l) => l.includes(`server ${backend}/s `));
      return line?.replace(/^<\d+>.*?\]: /, '').replace(/check duration: \d+ms/, 'check duration: Nms');
    }

    it('a plain server line with check-ssl is checked over TLS: Layer6 check passed', async () => {
      assert.ok(await eventually(() => lineFor('be_sni') !== undefined && lineFor('be_addr') !== undefined, 5000), lines.join(''));
      assert.equal(lineFor('be_sni'), 'Health check for server be_sni/s succeeded, reason: Layer6 check passed, check duration: Nms, status: 1/1 UP.\n');
    });

    it('the handshake offers check-sni and check-alpn; without them no SNI and no ALPN', async () => {
      // Both backends' checks passed over TLS; only be_sni's offered an SNI or ALPN.
      assert.ok(alpnHellos.length > 0 && snis.length > 0);
      assert.deepEqual(new Set(alpnHellos.map((h) => JSON.stringify(h))), new Set([JSON.stringify({ sni: 'chk.example', alpn: ['h2'] })]));
      assert.deepEqual(new Set(snis), new Set(['chk.example']));
    });

    it('`addr ADDR:PORT` without `port` checks that port', () => {
      assert.equal(lineFor('be_addr'), 'Health check for server be_addr/s succeeded, reason: Layer6 check passed, check duration: Nms, status: 1/1 UP.\n');
    });
  });
}
