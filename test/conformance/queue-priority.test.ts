/**
 * Black-box conformance of the queue priorities (`set-priority-class`, `set-priority-offset`,
 * fetches `prio_class`, `prio_offset`): a server with `maxconn 1` is held busy by one request,
 * requests with different classes and offsets queue one after the other, and once the busy
 * request ends the server receives them lowest class first, then by queue time plus offset.
 * An offset of -524287 ms (the lowest, which -600000 is clamped to) puts the request's time
 * 524287 ms in the past, beyond HAProxy's look-back of 524288 ms as soon as it waited 2 ms:
 * its 20-bit time counts as the far future and it goes last of its class, as in HAProxy.
 * Checked in the backend queue (the balancer found no free server), in the server's own queue
 * (`use-server`), with the priority set by `tcp-request content` rules, and in `mode tcp`. The
 * content rules say `if HTTP`, which waits for the request: Switchyard runs a connection's first
 * content rules on the bytes as they come, where an unconditional fetch of the request finds none.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/queue-priority.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { httpBackend, writeAsync, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, delay, destroyAllClients } from '../support/http-client.ts';
import { statNumbers } from '../support/cli-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { nodeVersionOf, onNode } from '../support/runtimes.ts';

const PORT_NAMES = ['backendQueue', 'serverQueue', 'tcpRules', 'tcpMode', 'cli', 'srvA', 'srvB', 'srvC', 'srvD'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
global
    maxconn 1000
    stats socket 127.0.0.1:${p.cli} level admin
${HTTP_DEFAULTS}
frontend fe_backend_queue
    bind 127.0.0.1:${p.backendQueue}
    http-request set-priority-class url_param(c)
    http-request set-priority-offset url_param(o)
    http-request set-header x-prio %[prio_class]/%[prio_offset]
    default_backend be_backend_queue

frontend fe_server_queue
    bind 127.0.0.1:${p.serverQueue}
    http-request set-priority-class url_param(c)
    http-request set-priority-offset url_param(o)
    http-request set-header x-prio %[prio_class]/%[prio_offset]
    default_backend be_server_queue

frontend fe_tcp_rules
    bind 127.0.0.1:${p.tcpRules}
    tcp-request inspect-delay 5s
    tcp-request content set-priority-class url_param(c) if HTTP
    tcp-request content set-priority-offset url_param(o) if HTTP
    http-request set-header x-prio %[prio_class]/%[prio_offset]
    default_backend be_tcp_rules

backend be_backend_queue
    timeout queue 30s
    timeout server 30s
    server s 127.0.0.1:${p.srvA} maxconn 1

backend be_server_queue
    timeout queue 30s
    timeout server 30s
    use-server s if TRUE
    server s 127.0.0.1:${p.srvB} maxconn 1

backend be_tcp_rules
    timeout queue 30s
    timeout server 30s
    server s 127.0.0.1:${p.srvC} maxconn 1

listen li_tcp_mode
    mode tcp
    bind 127.0.0.1:${p.tcpMode}
    timeout queue 30s
    timeout server 30s
    tcp-request inspect-delay 5s
    tcp-request content set-priority-class url_param(c) if HTTP
    tcp-request content set-priority-offset url_param(o) if HTTP
    server s 127.0.0.1:${p.srvD} maxconn 1
`;
}

/** A server that holds `/hold` until `open` is set and answers the rest at once, noting what it received in order. */
interface OrderServer {
  readonly backend: HttpTestBackend;
  open: boolean;
  holding: boolean;
  /** Each request's target and x-prio header, in arrival order. */
  readonly order: string[];
}

async function orderServer(port: number, name: string): Promise<OrderServer> {
  const state = { open: false, holding: false, order: [] as string[] } as OrderServer;
  const backend = await httpBackend(port, name, async ({ socket, request, record }) => {
    state.order.push(`${request.target} ${/^x-prio: *(.*?)\r?$/im.exec(record.rawHead)?.[1] ?? '-'}`);
    if (request.target === '/hold') {
      state.holding = true;
      while (!state.open && !socket.destroyed) await delay(10);
    }
    if (socket.destroyed) return 'hold';
    // Closed after each answer: a tcp session holds its server slot until its connection ends.
    await writeAsync(socket, `HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: ${request.target.length}\r\n\r\n${request.target}`);
    return 'close';
  });
  return Object.assign(state, { backend });
}

/**
 * Requests in the order they queue, each with the path and x-prio the server must see, listed in
 * the order it must receive them: class -3 first; in class 0, the -100000 ms offset before the
 * plain one, then +100000 ms, then the clamped -600000 (-524287) that wrapped; in class 5,
 * -100000 ms before the plain one; the clamped class 99999 (2047) last.
 */
interface Ordered {
  readonly queued: readonly string[];
  readonly received: readonly string[];
}
const ORDERED: Ordered = {
  queued: ['/q1?c=5', '/q2', '/q3?c=-3', '/q4?o=-100000', '/q5?o=100000', '/q6?o=-600000', '/q7?c=5&o=-100000', '/q8?c=99999'],
  received: [
    '/q3?c=-3 -3/0',
    '/q4?o=-100000 0/-100000',
    '/q2 0/0',
    '/q5?o=100000 0/100000',
    '/q6?o=-600000 0/-524287',
    '/q7?c=5&o=-100000 5/-100000',
    '/q1?c=5 5/0',
    '/q8?c=99999 2047/0',
  ],
};
/**
 * Holds the server with `/hold`, queues `list.queued` one at a time (each seen in `row`'s qcur:
 * BACKEND counts the backend queue only, a server row its own queue), then lets them through
 * and checks the order the server received them in. `http` false: no http-request rule sets
 * x-prio (mode tcp).
 */
async function queueAndRelease(cliPort: number, port: number, backend: string, row: string, server: OrderServer, list: Ordered, http = true): Promise<void> {
  const conns: HttpConnection[] = [];
  const pending: Promise<{ readonly status: number }>[] = [];
  // Each client closes once answered: in mode tcp its session holds the server slot until then.
  const ask = (c: HttpConnection, path: string): void => {
    const answered = c.request('GET', path, {}, undefined, 60_000).then((res) => {
      c.destroy();
      return res;
    });
    // Awaited below; a failed assertion before that must not leave it rejected unhandled.
    answered.catch(() => {});
    pending.push(answered);
  };
  try {
    const holder = await HttpConnection.open(port);
    conns.push(holder);
    ask(holder, '/hold');
    assert.ok(await eventually(() => server.holding, 10_000), 'the first request reached the server');
    for (const [i, path] of list.queued.entries()) {
      const c = await HttpConnection.open(port);
      conns.push(c);
      ask(c, path);
      // Each waits in the queue before the next comes, so their queue times are in this order.
      let queued = -1;
      for (const deadline = performance.now() + 10_000; queued !== i + 1 && performance.now() < deadline; ) {
        await delay(20);
        [queued = -1] = await statNumbers(cliPort, backend, row, ['qcur']);
      }
      assert.equal(queued, i + 1, `${path} queued`);
    }
    server.open = true;
    for (const res of await Promise.all(pending)) assert.equal(res.status, 200);
    const expected = ['/hold 0/0', ...list.received];
    assert.deepEqual(server.order, http ? expected : expected.map((e) => e.replace(/ .*/, ' -')));
  } finally {
    server.open = true;
    for (const c of conns) c.destroy();
  }
}

for (const target of TARGETS) {
  describe(`queue priorities (set-priority-class, set-priority-offset) on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let p: Ports;
    const servers: OrderServer[] = [];

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      servers.push(await orderServer(p.srvA, 'a'), await orderServer(p.srvB, 'b'), await orderServer(p.srvC, 'c'), await orderServer(p.srvD, 'd'));
      proxy = await startProxy(target, configFor(p));
    });

    after(async () => {
      for (const s of servers) s.open = true;
      destroyAllClients();
      await stopProxy(target, proxy);
      await Promise.all(servers.map((s) => s.backend.close()));
    });

    it('the backend queue serves the lowest class first, then the earliest queue time plus offset', async () => {
      await queueAndRelease(p.cli, p.backendQueue, 'be_backend_queue', 'BACKEND', servers[0] as OrderServer, ORDERED);
    });

    it("a server's own queue (use-server) orders its waiters the same way", async () => {
      await queueAndRelease(p.cli, p.serverQueue, 'be_server_queue', 's', servers[1] as OrderServer, ORDERED);
    });

    it('tcp-request content rules set the priority too (the first request of each connection)', async () => {
      await queueAndRelease(p.cli, p.tcpRules, 'be_tcp_rules', 'BACKEND', servers[2] as OrderServer, ORDERED);
    });

    it('mode tcp: tcp-request content rules order the queue of a tcp proxy', async () => {
      await queueAndRelease(p.cli, p.tcpMode, 'li_tcp_mode', 'BACKEND', servers[3] as OrderServer, ORDERED, false);
    });
  });
}

function threadConfigFor(p: ThreadPorts): string {
  return `
global
    nbthread 2
    maxconn 1000
    stats socket 127.0.0.1:${p.cli} level admin
${HTTP_DEFAULTS}
frontend fe_threads
    bind 127.0.0.1:${p.front}
    http-request set-priority-class url_param(c)
    http-request set-priority-offset url_param(o)
    http-request set-header x-prio %[prio_class]/%[prio_offset]
    default_backend be_threads

backend be_threads
    timeout queue 30s
    timeout server 30s
    server s 127.0.0.1:${p.srv} maxconn 1
`;
}

const THREAD_PORT_NAMES = ['front', 'cli', 'srv'] as const;
type ThreadPorts = Record<(typeof THREAD_PORT_NAMES)[number], number>;

function refusesThreads(target: string): boolean {
  if (!onNode(target as never)) return false;
  const [major, minor] = nodeVersionOf(target as 'node' | 'node-system');
  return major < 22 || (major === 22 && minor < 12);
}

for (const target of TARGETS) {
  describe(`queue priorities with nbthread 2 on ${target}`, { skip: refusesThreads(target) ? 'this Node cannot run threads (threads.test.ts)' : false }, () => {
    let proxy: ProxyProcess | undefined;
    let p: ThreadPorts;
    let server: OrderServer;

    before(async () => {
      const n = await freePorts(THREAD_PORT_NAMES.length);
      p = Object.fromEntries(THREAD_PORT_NAMES.map((name, i) => [name, n[i] as number])) as ThreadPorts;
      server = await orderServer(p.srv, 'threads');
      proxy = await startProxy(target, threadConfigFor(p));
    });

    after(async () => {
      server.open = true;
      destroyAllClients();
      await stopProxy(target, proxy);
      await server.backend.close();
    });

    it('the order holds for the process, whichever thread each request waits in', async () => {
      await queueAndRelease(p.cli, p.front, 'be_threads', 'BACKEND', server, ORDERED);
    });
  });
}
