/**
 * Black-box conformance of passive health observation (`observe`, `error-limit`, `on-error`):
 * the real proxy CLI runs under Node, Bun and Deno in turn.
 *
 *   - `observe layer7 error-limit 3 on-error mark-down` in front of a server answering 500 to
 *     traffic (and 200 to its checks): the third 500 takes the server DOWN with HAProxy's
 *     "Health analyze" line, and `fastinter` brings the checks (and the server) back quickly;
 *   - servers that close without answering, or never answer (`timeout server`): "Close from
 *     server (http)" / "Read timeout (http)", reported once the session left the server
 *     ("0 sessions active", as HAProxy);
 *   - `observe layer4` in tcp mode in front of a port nobody listens on (checks go to another
 *     port and pass): the third failed connection attempt takes the server DOWN, and the next
 *     client finds no server.
 *
 * The expected lines were checked against HAProxy 2.6:
 *   CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/health-observe.test.js
 */
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { connect, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { refusesThreads, TARGETS } from '../support/runtimes.ts';

const HOST = '127.0.0.1';
/** Scheduling slack on a loaded CI machine running three runtimes' suites. */
const SLACK = 3000;

const PORT_NAMES = ['fe7', 'fe4', 'feClose', 'feSilent', 'app', 'dead', 'closer', 'silent'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
defaults
    timeout connect 100ms
    timeout client 10s
    timeout server 10s
    retries 3

frontend fe7
    mode http
    bind ${HOST}:${p.fe7}
    default_backend be7

backend be7
    mode http
    option httpchk GET /health
    server s1 ${HOST}:${p.app} check inter 20s fastinter 100ms observe layer7 error-limit 3 on-error mark-down

frontend fe_close
    mode http
    bind ${HOST}:${p.feClose}
    default_backend be_close

backend be_close
    mode http
    option httpchk GET /health
    server s1 ${HOST}:${p.closer} check inter 20s observe layer7 error-limit 2 on-error mark-down

frontend fe_silent
    mode http
    bind ${HOST}:${p.feSilent}
    default_backend be_silent

backend be_silent
    mode http
    timeout server 200ms
    option httpchk GET /health
    server s1 ${HOST}:${p.silent} check inter 20s observe layer7 error-limit 2 on-error mark-down

frontend fe4
    mode tcp
    bind ${HOST}:${p.fe4}
    default_backend be4

backend be4
    mode tcp
    server s1 ${HOST}:${p.dead} check port ${p.app} inter 20s observe layer4 error-limit 3 on-error mark-down
`;
}

/** `/health` answers 200; anything else 500 (a sick application behind a healthy check). */
function startApp(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    }
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('broken');
  });
  return new Promise((resolve) => server.listen(port, HOST, () => resolve(server)));
}

const openSockets = new Set<Socket>();

/** Answers its checks, but closes (or, `silent`, never answers) any other request. */
function startMisbehaving(port: number, silent: boolean): Promise<NetServer> {
  const server = createNetServer((socket) => {
    openSockets.add(socket);
    socket.on('close', () => openSockets.delete(socket));
    socket.on('error', () => undefined);
    socket.once('data', (data: Buffer) => {
      if (data.toString('latin1').startsWith('GET /health ')) socket.end('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok');
      else if (!silent) socket.end();
    });
  });
  return new Promise((resolve) => server.listen(port, HOST, () => resolve(server)));
}

function get(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: HOST, port, path: '/', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('client timeout')));
    req.end();
  });
}

/** A tcp client that sends a line and waits for the proxy to close: resolves with what it read. */
function tcpExchange(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: HOST, port });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (data += d));
    socket.on('close', () => resolve(data));
    socket.on('error', () => undefined);
    socket.setTimeout(8000, () => {
      socket.destroy();
      reject(new Error('tcp client timeout'));
    });
    socket.write('hello\n');
  });
}

async function waitFor(what: string, condition: () => boolean, timeoutMs: number, proxy: ProxyProcess): Promise<void> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms\n${proxy.stderr}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

for (const target of TARGETS) {
  describe(`passive health observation on ${target}`, () => {
    let proxy: ProxyProcess;
    let p: Ports;
    let app: Server;
    let misbehaving: NetServer[] = [];

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((k, i) => [k, n[i] as number])) as Ports;
      app = await startApp(p.app);
      misbehaving = [await startMisbehaving(p.closer, false), await startMisbehaving(p.silent, true)];
      proxy = await ProxyProcess.start(target, configFor(p));
    });

    after(async () => {
      const code = await proxy?.stop();
      await new Promise((r) => app?.close(r));
      for (const socket of openSockets) socket.destroy();
      for (const server of misbehaving) await new Promise((r) => server.close(r));
      if (target !== 'haproxy') assert.equal(code, 0, `proxy exit code\n${proxy?.stderr}`);
    });

    it('observe layer7 error-limit 3 on-error mark-down: the third 500 marks the server DOWN; fastinter checks bring it back', async () => {
      assert.equal(await get(p.fe7), 500);
      assert.equal(await get(p.fe7), 500);
      assert.doesNotMatch(proxy.stderr, /be7\/s1 is DOWN/);
      assert.equal(await get(p.fe7), 500, 'the response that reached the limit is still delivered');
      await waitFor('s1 DOWN', () => proxy.stderr.includes('Server be7/s1 is DOWN'), SLACK, proxy);
      assert.match(
        proxy.stderr,
        /\[WARNING\] {2}\(\d+\) : Server be7\/s1 is DOWN, reason: Health analyze, info: "Detected 3 consecutive errors, last one was: Wrong http response"\. 0 active and 0 backup servers left\. 1 sessions active, 0 requeued, 0 remaining in queue\.\n/,
      );
      assert.match(proxy.stderr, /\[ALERT\] {4}\(\d+\) : backend 'be7' has no server available!\n/);
      // inter is 20s: only the fastinter the error forced brings the checks (and the server) back this soon.
      await waitFor('s1 UP', () => proxy.stderr.includes('Server be7/s1 is UP'), SLACK, proxy);
      assert.match(
        proxy.stderr,
        /\[WARNING\] {2}\(\d+\) : Server be7\/s1 is UP, reason: Layer7 check passed, code: 200, check duration: \d+ms\. 1 active and 0 backup servers online\. 0 sessions requeued, 0 total in queue\.\n/,
      );
    });

    it('a server closing without a response: Close from server (http), once the session left the server', async () => {
      assert.equal(await get(p.feClose), 502);
      assert.equal(await get(p.feClose), 502);
      await waitFor('be_close/s1 DOWN', () => proxy.stderr.includes('Server be_close/s1 is DOWN'), SLACK, proxy);
      assert.match(
        proxy.stderr,
        /\[WARNING\] {2}\(\d+\) : Server be_close\/s1 is DOWN, reason: Health analyze, info: "Detected 2 consecutive errors, last one was: Close from server \(http\)"\. 0 active and 0 backup servers left\. 0 sessions active, 0 requeued, 0 remaining in queue\.\n/,
      );
    });

    it('a server that never answers: Read timeout (http) after timeout server', async () => {
      assert.equal(await get(p.feSilent), 504);
      assert.equal(await get(p.feSilent), 504);
      await waitFor('be_silent/s1 DOWN', () => proxy.stderr.includes('Server be_silent/s1 is DOWN'), SLACK, proxy);
      assert.match(
        proxy.stderr,
        /\[WARNING\] {2}\(\d+\) : Server be_silent\/s1 is DOWN, reason: Health analyze, info: "Detected 2 consecutive errors, last one was: Read timeout \(http\)"\. 0 active and 0 backup servers left\. 0 sessions active, 0 requeued, 0 remaining in queue\.\n/,
      );
    });

    it('observe layer4 in tcp mode: the third refused connection attempt marks the server DOWN; the next client finds no server', async () => {
      assert.equal(await tcpExchange(p.fe4), '', 'refused 4 times (retries 3): the proxy closes');
      await waitFor('be4/s1 DOWN', () => proxy.stderr.includes('Server be4/s1 is DOWN'), SLACK, proxy);
      assert.match(
        proxy.stderr,
        /\[WARNING\] {2}\(\d+\) : Server be4\/s1 is DOWN, reason: Health analyze, info: "Detected 3 consecutive errors, last one was: L4 unsuccessful connection"\. 0 active and 0 backup servers left\. 1 sessions active, 0 requeued, 0 remaining in queue\.\n/,
      );
      assert.match(proxy.stderr, /\[ALERT\] {4}\(\d+\) : backend 'be4' has no server available!\n/);
      // One line per transition: the fourth failed attempt of the same session changed nothing.
      assert.equal(proxy.stderr.split('Server be4/s1 is DOWN').length, 2);
      const started = performance.now();
      assert.equal(await tcpExchange(p.fe4), '');
      assert.ok(performance.now() - started < 1000, 'no server: closed at once, no connection attempts');
    });
  });
}

/** A GET on a new connection: its status and the thread that served it (x-thread). */
function getWithThread(port: number): Promise<{ status: number; thread: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: HOST, port, path: '/', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, thread: res.headers['x-thread'] as string | undefined }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('client timeout')));
    req.end();
  });
}

for (const target of TARGETS) {
  // HAProxy counts a server's consecutive errors for the process: so must two threads.
  describe(`passive health observation with nbthread 2 on ${target}`, { skip: refusesThreads(target) ? 'no threads on this Node' : false }, () => {
    let proxy: ProxyProcess;
    let fe: number;
    let app: Server;

    before(async () => {
      const [fePort, appPort] = (await freePorts(2)) as [number, number];
      fe = fePort;
      app = await startApp(appPort);
      proxy = await ProxyProcess.start(
        target,
        `
global
    nbthread 2
defaults
    mode http
    timeout connect 1s
    timeout client 10s
    timeout server 10s

frontend fe
    bind ${HOST}:${fe}
    http-response set-header x-thread %[thread]
    default_backend be

backend be
    option httpchk GET /health
    server s1 ${HOST}:${appPort} check inter 20s observe layer7 error-limit 12 on-error mark-down
`,
      );
    });

    after(async () => {
      const code = await proxy?.stop();
      await new Promise((r) => app?.close(r));
      if (target !== 'haproxy') assert.equal(code, 0, `proxy exit code\n${proxy?.stderr}`);
    });

    it('the errors of both threads add up: the twelfth 500, whichever thread saw it, marks the server DOWN', async () => {
      const threads = new Set<string | undefined>();
      for (let i = 0; i < 12; i++) {
        const res = await getWithThread(fe);
        assert.equal(res.status, 500);
        threads.add(res.thread);
      }
      await waitFor('be/s1 DOWN', () => proxy.stderr.includes('Server be/s1 is DOWN'), SLACK, proxy);
      assert.match(proxy.stderr, /Server be\/s1 is DOWN, reason: Health analyze, info: "Detected 12 consecutive errors, last one was: Wrong http response"/);
      // Served by the two threads (the kernel spreads new connections: all twelve on one is 1 in 2048).
      assert.deepEqual([...threads].sort(), ['0', '1']);
    });
  });
}
