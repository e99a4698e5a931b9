/**
 * `bind fd@N` and `stats socket fd@N`: the proxy accepts on listening sockets its parent opened
 * and bound (as VTest starts HAProxy). The TCP log, written once the connection ended (`%B`),
 * names the address and port the client reached (`%fi:%fp`, those of the inherited socket) and
 * the client's (`%ci:%cp`): HAProxy's reg-test log/wrong_ip_port_logging. In master-worker mode
 * (`-W`) the worker serves the inherited socket.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/bind-inherited-fd.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cli } from '../support/cli-client.ts';
import { eventually, TARGETS } from '../support/http-suite.ts';
import { inheritableListener } from '../support/inheritable-listener.ts';
import { freePorts } from '../support/ports.ts';
import { ProxyProcess } from '../support/proxy-process.ts';
import { udpSyslogReceiver, type UdpSyslogReceiver } from '../support/syslog-receiver.ts';
import { tcpServer, type TestBackend } from '../support/tcp-backends.ts';
import { dial, readAll } from '../support/tcp-client.ts';

function config(syslogPort: number, statsFd: number, frontFd: number, backendPort: number, httpFd: number): string {
  return `
global
    log 127.0.0.1:${syslogPort} local0
    stats socket fd@${statsFd} level admin

defaults
    log global
    mode tcp
    timeout connect 5s
    timeout client 5s
    timeout server 5s

frontend fe1
    bind fd@${frontFd}
    log-format "dip=%fi dport=%fp cip=%ci cport=%cp ts=%ts bytes=%B"
    default_backend be_app

backend be_app
    server app1 127.0.0.1:${backendPort}

frontend fe_http
    mode http
    bind fd@${httpFd} name inherited
    http-request return status 200 content-type text/plain lf-string "so_name=%[so_name] so_id=%[so_id]"
`;
}

/** Starts the proxy on two inherited sockets; the test's copies stop accepting at once. */
async function startOnInheritedSockets(
  target: (typeof TARGETS)[number],
  syslog: UdpSyslogReceiver,
  backend: TestBackend,
  extraArgs: readonly string[],
): Promise<{ proxy: ProxyProcess; frontPort: number; statsPort: number; httpPort: number }> {
  const front = await inheritableListener();
  const stats = await inheritableListener();
  const http = await inheritableListener();
  // The socket is listening already: a connection to it waits in its queue until the proxy
  // accepts, so it is ready for the clients as soon as it runs.
  const text = config(syslog.port, stats.fd, front.fd, backend.port, http.fd);
  const starting = ProxyProcess.startInheriting(target, text, [stats.fd, front.fd, http.fd], extraArgs, front.port);
  front.server.close();
  stats.server.close();
  http.server.close();
  return { proxy: await starting, frontPort: front.port, statsPort: stats.port, httpPort: http.port };
}

for (const mode of ['single process', 'master-worker (-W)'] as const) {
  for (const target of TARGETS) {
    describe(`bind and stats socket on inherited descriptors (fd@N), ${mode}, on ${target}`, () => {
      let proxy: ProxyProcess | undefined;
      let syslog: UdpSyslogReceiver;
      let backend: TestBackend;
      let frontPort = 0;
      let statsPort = 0;
      let httpPort = 0;

      before(async () => {
        const [backendPort] = (await freePorts(1)) as [number];
        syslog = await udpSyslogReceiver();
        backend = await tcpServer(backendPort, (socket) => {
          socket.once('data', () => socket.end('pong\n'));
          socket.on('end', () => socket.end());
        });
        ({ proxy, frontPort, statsPort, httpPort } = await startOnInheritedSockets(target, syslog, backend, mode === 'single process' ? [] : ['-W']));
      });

      after(async () => {
        if (proxy !== undefined) {
          // HAProxy's master (-W) ends with its worker's status; only Switchyard's is checked.
          const code = await proxy.stop();
          if (target !== 'haproxy' && mode === 'single process') assert.equal(code, 0, proxy.stderr);
        }
        await backend?.close();
        syslog?.socket.close();
      });

      it('relays a connection accepted on the inherited socket and logs both ends of it', async () => {
        const client = await dial(frontPort);
        const clientPort = client.localPort as number;
        client.end('ping\n');
        assert.equal((await readAll(client)).toString(), 'pong\n');
        const mine = (): string | undefined => syslog.lines.find((l) => l.includes(` cport=${clientPort} `));
        assert.ok(await eventually(() => mine() !== undefined, 10_000), `no log line for the client\n${syslog.lines.join('\n')}\n${proxy?.stderr ?? ''}`);
        assert.match(mine() as string, new RegExp(`: dip=127\\.0\\.0\\.1 dport=${frontPort} cip=127\\.0\\.0\\.1 cport=${clientPort} ts=-- bytes=5\n?$`));
      });

      it('so_name and so_id name the bind that accepted on the inherited socket', async () => {
        const client = await dial(httpPort);
        client.end('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
        const response = (await readAll(client)).toString('latin1');
        assert.match(response, /^HTTP\/1\.1 200 /);
        assert.ok(response.endsWith('\r\n\r\nso_name=inherited so_id=1'), response);
      });

      it('answers the runtime API on the inherited stats socket', async () => {
        const info = await cli(statsPort, 'show info\n');
        assert.match(info, /^Pid: \d+$/m);
      });
    });
  }
}
