/**
 * `tcp-request content` rules of a `mode tcp` backend (HAProxy's AN_REQ_INSPECT_BE): they run
 * once the backend is chosen, before any server connection, under the backend's own
 * `tcp-request inspect-delay`, on the bytes the frontend's rules saw and those still coming;
 * a reject there is logged PR; the client's timeout or reset ends the wait (the rules decide
 * once more: PR, else cR / CR); a listen runs its rules once. And `tcp-request content
 * do-resolve(VAR,RESOLVERS,ipv4) EXPR`, in a frontend and in a backend, against a nameserver
 * in the test process: the rules wait for the answer, then `set-dst var(VAR)` sends the
 * connection to a `server 0.0.0.0:PORT` at that address; without an inspect delay the rules
 * do not wait (HAProxy's ACT_OPT_FINAL) and the variable stays unset.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/tcp-backend-content.test.js
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { FakeDnsServer } from '../support/fake-dns-server.ts';
import { TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { echoServer, type TestBackend } from '../support/tcp-backends.ts';
import { delay, dial, readAll } from '../support/tcp-client.ts';

const PORT_NAMES = ['plain', 'slow', 'slowLenient', 'resetLenient', 'withFe', 'listen', 'resolveFe', 'resolveBe', 'resolveNoDelay', 'echo', 'named'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports, dnsPort: number): string {
  return `
global
    maxconn 100

resolvers dns
    nameserver ns1 127.0.0.1:${dnsPort}
    resolve_retries 2
    timeout retry 1s

defaults
    mode tcp
    timeout connect 2s
    timeout client 10s
    timeout server 10s

frontend plain
    bind 127.0.0.1:${p.plain}
    log stdout format raw local0
    log-format "plain %ci:%cp %ts %b/%s x=%[var(sess.x)]"
    default_backend inspecting

frontend slow
    bind 127.0.0.1:${p.slow}
    timeout client 1s
    log stdout format raw local0
    log-format "slow %ci:%cp %ts %b/%s"
    default_backend inspecting

frontend slow_lenient
    bind 127.0.0.1:${p.slowLenient}
    timeout client 1s
    log stdout format raw local0
    log-format "slow %ci:%cp %ts %b/%s"
    default_backend lenient

frontend reset_lenient
    bind 127.0.0.1:${p.resetLenient}
    log stdout format raw local0
    log-format "reset %ci:%cp %ts %b/%s"
    default_backend lenient

backend lenient
    tcp-request inspect-delay 5s
    tcp-request content accept if { req.len ge 4 }
    server echo 127.0.0.1:${p.echo}

frontend with_fe
    bind 127.0.0.1:${p.withFe}
    tcp-request content set-var(sess.fe) str(seen)
    default_backend needs_fe

listen once
    bind 127.0.0.1:${p.listen}
    log stdout format raw local0
    log-format "once %ci:%cp %ts n=%[var(sess.n)]"
    tcp-request content set-var(sess.n) var(sess.n,0),add(1)
    server echo 127.0.0.1:${p.echo}

backend inspecting
    tcp-request inspect-delay 5s
    tcp-request content set-var(sess.x) str(be)
    tcp-request content reject if { req.payload(0,3) -m str BAD }
    tcp-request content accept if { req.payload(0,4) -m str PASS }
    tcp-request content reject
    server echo 127.0.0.1:${p.echo}

backend needs_fe
    tcp-request content reject unless { var(sess.fe) -m str seen }
    server echo 127.0.0.1:${p.echo}

frontend resolve_fe
    bind 127.0.0.1:${p.resolveFe}
    tcp-request inspect-delay 5s
    tcp-request content do-resolve(sess.dstip,dns,ipv4) req.payload(0,0),field(1,:) if { req.payload(0,0) -m sub : }
    tcp-request content set-dst var(sess.dstip)
    default_backend by_dst

frontend resolve_be
    bind 127.0.0.1:${p.resolveBe}
    default_backend resolving

frontend resolve_no_delay
    bind 127.0.0.1:${p.resolveNoDelay}
    tcp-request content do-resolve(sess.dstip,dns,ipv4) str(three.switchyard.test)
    tcp-request content set-dst var(sess.dstip)
    default_backend by_dst

backend by_dst
    server any 0.0.0.0:${p.named}

backend resolving
    tcp-request inspect-delay 5s
    tcp-request content do-resolve(sess.dstip,dns,ipv4) req.payload(0,0),field(1,:) if { req.payload(0,0) -m sub : }
    tcp-request content set-dst var(sess.dstip)
    server any 0.0.0.0:${p.named}
`;
}

/** A server on `host`:port that writes its name, then closes once the client did. */
function namedOn(host: string, port: number, name: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer({ allowHalfOpen: true }, (socket: Socket) => {
      socket.on('error', () => {});
      socket.write(`${name}\n`);
      socket.on('end', () => socket.end());
      socket.resume();
    });
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

/**
 * Sends `parts` (a number: a pause in ms), half-closes once an answer (or the close) came — a
 * FIN earlier would end the inspection (HAProxy's rules then decide at once) — and returns
 * what came back before the close.
 */
async function exchange(port: number, ...parts: (string | number)[]): Promise<{ text: string; clientPort: number }> {
  const socket = await dial(port);
  const clientPort = socket.localPort as number;
  const answered = new Promise<void>((resolve) => {
    socket.once('data', () => resolve());
    socket.once('end', () => resolve());
    socket.once('close', () => resolve());
  });
  const all = readAll(socket, 15_000);
  for (const part of parts) {
    if (typeof part === 'number') await delay(part);
    else socket.write(part);
  }
  await answered;
  socket.end();
  return { text: (await all).toString(), clientPort };
}

for (const target of TARGETS) {
  describe(`tcp-request content in a mode tcp backend, and do-resolve, on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    let echo: TestBackend;
    let dns: FakeDnsServer;
    const named: Server[] = [];

    before(async () => {
      const list = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((n, i) => [n, list[i] as number])) as Ports;
      echo = await echoServer(ports.echo);
      named.push(await namedOn('127.0.0.1', ports.named, 'one'), await namedOn('127.0.0.2', ports.named, 'two'));
      dns = await FakeDnsServer.start();
      dns.set('one.switchyard.test', { records: [{ type: 'A', address: '127.0.0.1' }] });
      dns.set('two.switchyard.test', { records: [{ type: 'A', address: '127.0.0.2' }] });
      dns.set('three.switchyard.test', { records: [{ type: 'A', address: '127.0.0.2' }] });
      proxy = await startProxy(target, configFor(ports, dns.port));
    });

    after(async () => {
      await stopProxy(target, proxy);
      await echo?.close();
      await Promise.all(named.map((s) => new Promise<void>((done) => s.close(() => done()))));
      await dns?.close();
    });

    async function logLine(prefix: string): Promise<string> {
      let found: string | undefined;
      await eventually(() => {
        found = proxy?.stdout.split('\n').find((l) => l.startsWith(prefix));
        return found !== undefined;
      }, 10_000);
      assert.ok(found, `no '${prefix}' line in:\n${proxy?.stdout}\n${proxy?.stderr}`);
      return found;
    }

    it("waits under the backend's inspect delay, then lets the connection through to a server", async () => {
      // The rules cannot decide on "PA": they wait for more, and "SS" comes well within the delay.
      const { text, clientPort } = await exchange(ports.plain, 'PA', 300, 'SS');
      assert.equal(text, 'PASS');
      assert.equal(await logLine(`plain 127.0.0.1:${clientPort} `), `plain 127.0.0.1:${clientPort} -- inspecting/echo x=be`);
    });

    it('a reject in the backend closes the connection before any server is chosen (PR)', async () => {
      const { text, clientPort } = await exchange(ports.plain, 'BAD!');
      assert.equal(text, '');
      assert.equal(await logLine(`plain 127.0.0.1:${clientPort} `), `plain 127.0.0.1:${clientPort} PR inspecting/<NOSRV> x=be`);
    });

    it("the client's read timeout or its reset ends the backend's inspection: the rules' last word (PR), else cR / CR", async () => {
      // The read side shut, the rules decide once more on what came: `reject` at the end.
      let { text, clientPort } = await exchange(ports.slow, 'PA');
      assert.equal(text, '');
      assert.equal(await logLine(`slow 127.0.0.1:${clientPort} `), `slow 127.0.0.1:${clientPort} PR inspecting/<NOSRV>`);
      // The rules let it go on: the stream still ends, on the client's timeout.
      ({ text, clientPort } = await exchange(ports.slowLenient, 'x'));
      assert.equal(text, '');
      assert.equal(await logLine(`slow 127.0.0.1:${clientPort} `), `slow 127.0.0.1:${clientPort} cR lenient/<NOSRV>`);
      // A client gone (reset) likewise: `reject` at the end, or CR where the rules let it go on.
      for (const [port, expected] of [
        [ports.plain, 'PR inspecting/<NOSRV> x=be'],
        [ports.resetLenient, 'CR lenient/<NOSRV>'],
      ] as const) {
        const socket = await dial(port);
        const gonePort = socket.localPort as number;
        socket.on('error', () => {});
        socket.write('PA');
        await delay(200);
        socket.resetAndDestroy();
        const prefix = port === ports.plain ? 'plain' : 'reset';
        assert.equal(await logLine(`${prefix} 127.0.0.1:${gonePort} `), `${prefix} 127.0.0.1:${gonePort} ${expected}`);
      }
    });

    it("the backend's rules see what the frontend's rules set", async () => {
      const { text } = await exchange(ports.withFe, 'hello');
      assert.equal(text, 'hello');
    });

    it('a listen runs its content rules once per connection', async () => {
      const { text, clientPort } = await exchange(ports.listen, 'hi');
      assert.equal(text, 'hi');
      assert.equal(await logLine(`once 127.0.0.1:${clientPort} `), `once 127.0.0.1:${clientPort} -- n=1`);
    });

    it('frontend do-resolve: the rules wait for the answer, set-dst routes the connection to it', async () => {
      assert.equal((await exchange(ports.resolveFe, 'two.switch', 200, 'yard.test:')).text, 'two\n');
      assert.equal((await exchange(ports.resolveFe, 'one.switchyard.test:')).text, 'one\n');
      assert.ok(dns.count('two.switchyard.test') >= 1);
    });

    it('backend do-resolve: the same, once the backend is chosen', async () => {
      assert.equal((await exchange(ports.resolveBe, 'two.switchyard.test:')).text, 'two\n');
    });

    it('without an inspect delay the rules do not wait for the name: the variable stays unset', async () => {
      // set-dst then finds no variable: the server 0.0.0.0 takes the connection's own destination.
      assert.equal((await exchange(ports.resolveNoDelay, 'x')).text, 'one\n');
      // Nothing else resolves the name: HAProxy drops the resolution before asking anything.
      assert.equal(dns.count('three.switchyard.test'), 0);
    });
  });
}
