/**
 * Black-box conformance of `option nolinger` (HAProxy: SO_LINGER 0 on the proxy's sockets): when
 * `timeout client` ends an idle tcp session, the proxy aborts both connections with a TCP reset,
 * so the kernel drops the client's and the server's sockets at once (they leave /proc/net/tcp
 * while the test still holds them open); without it they are closed with a FIN and stay, in
 * CLOSE_WAIT, until their owner closes them. Deno cannot send a reset: refused there.
 *
 * Linux only (/proc/net/tcp). Run against the real HAProxy:
 * CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/nolinger.test.js
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import { runCli, writeTempConfig, type ProxyProcess } from '../support/proxy-process.ts';
import { dial } from '../support/tcp-client.ts';

/** Whether the kernel still has the IPv4 socket from localPort to remotePort. */
function present(localPort: number, remotePort: number): boolean {
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1]?.split(':')[1];
    const remote = fields[2]?.split(':')[1];
    if (local !== undefined && remote !== undefined && parseInt(local, 16) === localPort && parseInt(remote, 16) === remotePort) return true;
  }
  return false;
}

function configFor(ready: number, noLinger: number, plain: number, backend: number): string {
  // The first bind is the one the harness probes for readiness: it leads nowhere near the backend.
  return `
defaults
    mode tcp
    timeout connect 1s
    timeout client 1s
    timeout server 30s

frontend ready
    bind 127.0.0.1:${ready}

listen nolinger
    bind 127.0.0.1:${noLinger}
    option nolinger
    server s 127.0.0.1:${backend}

listen plain
    bind 127.0.0.1:${plain}
    server s 127.0.0.1:${backend}
`;
}

/** A backend that accepts, reads, never answers, and closes nothing itself. */
function silentBackend(port: number): Promise<{ server: Server; sockets: Socket[]; ended: Set<Socket> }> {
  const sockets: Socket[] = [];
  const ended = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.push(socket);
    socket.on('error', () => ended.add(socket));
    socket.on('end', () => ended.add(socket));
    socket.resume();
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve({ server, sockets, ended })));
}

for (const target of TARGETS) {
  describe(`option nolinger on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let backend: Awaited<ReturnType<typeof silentBackend>> | undefined;
    let ports: number[] = [];
    const refused = target === 'deno';

    before(async () => {
      ports = await freePorts(4);
      const [ready, noLinger, plain, be] = ports as [number, number, number, number];
      backend = await silentBackend(be);
      if (!refused) proxy = await startProxy(target, configFor(ready, noLinger, plain, be));
    });

    after(async () => {
      await stopProxy(target, proxy);
      for (const s of backend?.sockets ?? []) s.destroy();
      await new Promise((r) => backend?.server.close(r));
    });

    /** An idle session through `port`: the client and the backend's end of the server connection, once established. */
    async function idleSession(port: number): Promise<{ client: Socket; upstream: Socket }> {
      const count = backend?.sockets.length ?? 0;
      const client = await dial(port);
      client.on('error', () => {});
      client.resume();
      assert.ok(await eventually(() => (backend?.sockets.length ?? 0) > count, 5000), 'the backend got no connection');
      return { client, upstream: backend?.sockets[count] as Socket };
    }

    if (refused) {
      it('is refused on Deno, which cannot close with a reset', async () => {
        const cfg = writeTempConfig(configFor(ports[0] as number, ports[1] as number, ports[2] as number, ports[3] as number));
        try {
          const result = await runCli(target, ['-c', '-f', cfg.path]);
          assert.equal(result.code, 1, result.stderr);
          assert.match(result.stderr, /'option nolinger' is not supported on Deno \(its sockets cannot close with a TCP reset\)/);
        } finally {
          cfg.cleanup();
        }
      });
      return;
    }

    it('a session ended by timeout client is reset on both sides', async () => {
      const { client, upstream } = await idleSession(ports[1] as number);
      const clientPort = client.localPort as number;
      const upstreamPort = upstream.localPort as number;
      const proxyPort = upstream.remotePort as number;
      try {
        // timeout client is 1 s; a generous bound for a loaded machine.
        const gone = await eventually(() => !present(clientPort, ports[1] as number) && !present(upstreamPort, proxyPort), 8000, 50);
        assert.ok(gone, `client socket present: ${present(clientPort, ports[1] as number)}, server socket present: ${present(upstreamPort, proxyPort)}`);
      } finally {
        client.destroy();
      }
    });

    it('without it the server connection is closed with a FIN, not reset', async () => {
      const { client, upstream } = await idleSession(ports[2] as number);
      try {
        assert.ok(await eventually(() => backend?.ended.has(upstream) === true, 8000, 50), 'the proxy did not close the server connection');
        // A reset would have removed the socket already; a FIN leaves it in CLOSE_WAIT until we close it.
        await new Promise((r) => setTimeout(r, 200));
        assert.ok(present(upstream.localPort as number, upstream.remotePort as number), 'the server connection was reset');
      } finally {
        client.destroy();
      }
    });
  });
}
