/**
 * Black-box conformance of TCP keep-alive on the proxy's connections (HAProxy's `option
 * clitcpka` / `srvtcpka` / `tcpka` and `*tcpka-idle`): the kernel's view of the proxy's sockets
 * in /proc/net/tcp shows a keep-alive timer (`tr` 2) on an idle connection only when
 * SO_KEEPALIVE is set, due after TCP_KEEPIDLE (the kernel's tcp_keepalive_time when unset).
 * Deno cannot set TCP_KEEPIDLE: `srvtcpka-idle` is refused there, naming the runtime.
 *
 * Linux only (/proc/net/tcp). Run against the real HAProxy:
 * CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/tcp-keepalive.test.js
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import { runCli, writeTempConfig, type ProxyProcess } from '../support/proxy-process.ts';
import { holdingServer, type TestBackend } from '../support/tcp-backends.ts';
import { dial } from '../support/tcp-client.ts';

const KERNEL_IDLE = Number(readFileSync('/proc/sys/net/ipv4/tcp_keepalive_time', 'utf8').trim());

/** The timer of the IPv4 socket from localPort to remotePort: kind (0 none, 1 retransmit, 2 keep-alive...) and seconds left. */
function timerOf(localPort: number, remotePort: number): { kind: number; seconds: number } | undefined {
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1]?.split(':')[1];
    const remote = fields[2]?.split(':')[1];
    if (local === undefined || remote === undefined || parseInt(local, 16) !== localPort || parseInt(remote, 16) !== remotePort) continue;
    const [kind = '0', when = '0'] = (fields[5] ?? '').split(':');
    // tm->when is in clock ticks (USER_HZ, 100 on Linux).
    return { kind: parseInt(kind, 16), seconds: parseInt(when, 16) / 100 };
  }
  return undefined;
}

/**
 * Waits for the socket's timer to settle on an idle connection: a retransmit timer clears once
 * acknowledged, and the proxy may set SO_KEEPALIVE a moment after the kernel completed the
 * handshake (a runtime applies it in its connect callback), so a keep-alive timer is waited for.
 */
async function idleTimer(localPort: number, remotePort: number, expectKeepAlive: boolean): Promise<{ kind: number; seconds: number } | undefined> {
  let timer = timerOf(localPort, remotePort);
  await eventually(() => {
    timer = timerOf(localPort, remotePort);
    return timer !== undefined && (expectKeepAlive ? timer.kind === 2 : timer.kind !== 1);
  }, 5000, 50);
  return timer;
}

function configFor(ready: number, ka: number, kaIdle: number, plain: number, backend: number, withIdle: boolean): string {
  // The first bind is the one the harness probes for readiness: it leads nowhere near the backend.
  return `
defaults
    mode tcp
    timeout connect 1s
    timeout client 30s
    timeout server 30s

frontend ready
    bind 127.0.0.1:${ready}

listen ka
    bind 127.0.0.1:${ka}
    option clitcpka
    option srvtcpka
    server s 127.0.0.1:${backend}

listen ka_idle
    bind 127.0.0.1:${kaIdle}
    option tcpka
${withIdle ? '    clitcpka-idle 300\n    srvtcpka-idle 4m\n' : ''}    server s 127.0.0.1:${backend}

listen plain
    bind 127.0.0.1:${plain}
    server s 127.0.0.1:${backend}
`;
}

type Timer = ReturnType<typeof timerOf>;

/** A client connection through `port` once the backend holds it: the timers of the proxy's two sockets. */
async function timersThrough(port: number, backend: TestBackend, seen: Set<Socket>, expectKeepAlive: boolean): Promise<{ client: Timer; server: Timer }> {
  const client = await dial(port);
  client.on('error', () => {});
  client.resume();
  let upstream: Socket | undefined;
  await eventually(() => {
    upstream = [...backend.open].find((s) => !seen.has(s));
    return upstream !== undefined;
  }, 5000);
  assert.ok(upstream !== undefined, 'the backend got no connection');
  seen.add(upstream);
  try {
    return {
      client: await idleTimer(port, client.localPort as number, expectKeepAlive),
      server: await idleTimer(upstream.remotePort as number, backend.port, expectKeepAlive),
    };
  } finally {
    client.destroy();
  }
}

for (const target of TARGETS) {
  describe(`TCP keep-alive on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let backend: TestBackend | undefined;
    const seen = new Set<Socket>();
    let ports: number[] = [];
    const withIdle = target !== 'deno';

    before(async () => {
      ports = await freePorts(5);
      const [ka, kaIdle, plain, be, ready] = ports as [number, number, number, number, number];
      backend = await holdingServer(be, 's');
      proxy = await startProxy(target, configFor(ready, ka, kaIdle, plain, be, withIdle));
    });

    after(async () => {
      await stopProxy(target, proxy);
      await backend?.close();
    });

    it('sets no keep-alive without the options', async () => {
      const through = await timersThrough(ports[2] as number, backend as TestBackend, seen, false);
      assert.equal(through.client?.kind, 0, `client side: ${JSON.stringify(through.client)}`);
      assert.equal(through.server?.kind, 0, `server side: ${JSON.stringify(through.server)}`);
    });

    it('option clitcpka / srvtcpka: SO_KEEPALIVE with the kernel idle time on both sides', async () => {
      const through = await timersThrough(ports[0] as number, backend as TestBackend, seen, true);
      assert.equal(through.client?.kind, 2, `client side: ${JSON.stringify(through.client)}`);
      assert.equal(through.server?.kind, 2, `server side: ${JSON.stringify(through.server)}`);
      // Due within the kernel's idle time, and not much earlier (a generous margin for a slow machine).
      for (const timer of [through.client, through.server]) {
        assert.ok((timer?.seconds ?? 0) <= KERNEL_IDLE && (timer?.seconds ?? 0) > KERNEL_IDLE - 60, JSON.stringify(timer));
      }
    });

    it(`option tcpka with clitcpka-idle / srvtcpka-idle${withIdle ? '' : ' (refused on Deno)'}`, async () => {
      if (!withIdle) {
        const cfg = writeTempConfig(configFor(ports[4] as number, ports[0] as number, ports[1] as number, ports[2] as number, ports[3] as number, true));
        try {
          const result = await runCli(target, ['-c', '-f', cfg.path]);
          assert.equal(result.code, 1, result.stderr);
          assert.match(result.stderr, /'clitcpka-idle' is not supported on Deno \(its sockets cannot set TCP_KEEPIDLE/);
          assert.match(result.stderr, /'srvtcpka-idle' is not supported on Deno/);
        } finally {
          cfg.cleanup();
        }
        return;
      }
      const through = await timersThrough(ports[1] as number, backend as TestBackend, seen, true);
      assert.equal(through.client?.kind, 2, `client side: ${JSON.stringify(through.client)}`);
      assert.equal(through.server?.kind, 2, `server side: ${JSON.stringify(through.server)}`);
      const client = through.client?.seconds ?? 0;
      const server = through.server?.seconds ?? 0;
      assert.ok(client <= 300 && client > 240, `client idle 300 s: ${client}`);
      assert.ok(server <= 240 && server > 180, `server idle 4m: ${server}`);
    });
  });
}
