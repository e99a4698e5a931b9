/**
 * Black-box conformance of `tcp-check` rule sequences, protocol checks and
 * `option log-health-checks`: the proxy runs under Node, Bun and Deno in turn against fake
 * servers on loopback speaking a small line protocol (and Redis' PING), and sends its
 * "Health check for server ..." lines to a UDP syslog receiver. The expected lines are HAProxy
 * 2.6's, byte for byte apart from the durations and the program name:
 *   CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/health-tcp-check.test.js
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';

const HOST = '127.0.0.1';
const PORT_NAMES = ['fe', 'good', 'bad', 'redis', 'closed'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

/** Greets with a banner, then answers each `PING` line with `reply`. */
function lineServer(port: number, reply: string): Promise<Server> {
  const server = createServer((socket: Socket) => {
    socket.on('error', () => {});
    socket.write('HELLO v1\r\n');
    socket.on('data', (data) => {
      if (data.toString('latin1').includes('PING\r\n')) socket.write(reply);
    });
  });
  return new Promise((resolve) => server.listen(port, HOST, () => resolve(server)));
}

/** Answers Redis' inline `PING` command (as sent by option redis-check) with +PONG. */
function redisServer(port: number): Promise<Server> {
  const server = createServer((socket: Socket) => {
    socket.on('error', () => {});
    let seen = '';
    socket.on('data', (data) => {
      seen += data.toString('latin1');
      if (seen === '*1\r\n$4\r\nPING\r\n') socket.write('+PONG\r\n');
    });
  });
  return new Promise((resolve) => server.listen(port, HOST, () => resolve(server)));
}

function configFor(p: Ports, syslog: number): string {
  const rules = `
    option tcp-check
    option log-health-checks
    log ${HOST}:${syslog} local0
    tcp-check connect
    tcp-check expect string HELLO
    tcp-check comment "pong check"
    tcp-check send "PING\\r\\n"
    tcp-check expect rstring "^PONG"`;
  return `
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout check 1s

frontend fe
    bind ${HOST}:${p.fe}
    default_backend be_good

backend be_good${rules}
    server s ${HOST}:${p.good} check inter 200ms rise 1 fall 1

# Without min-recv a mismatch waits for more data: the check times out at the expect's step.
backend be_wait${rules}
    server s ${HOST}:${p.bad} check inter 200ms rise 1 fall 1

# With min-recv what arrived is conclusive.
backend be_bad
    option tcp-check
    option log-health-checks
    log ${HOST}:${syslog} local0
    tcp-check connect
    tcp-check expect string HELLO
    tcp-check send "PING\\r\\n"
    tcp-check expect min-recv 4 rstring "^PONG" comment "pong check"
    server s ${HOST}:${p.bad} check inter 200ms rise 1 fall 1

backend be_redis
    option redis-check
    option log-health-checks
    log ${HOST}:${syslog} local0
    server s ${HOST}:${p.redis} check inter 200ms rise 1 fall 1

backend be_port
    option tcp-check
    option log-health-checks
    log ${HOST}:${syslog} local0
    tcp-check connect port ${p.good}
    tcp-check connect port ${p.closed}
    server s ${HOST}:${p.good} check inter 200ms rise 1 fall 1

# set-var / unset-var lines are rules: they take step numbers, and a leading one keeps the
# first connect the first rule (no implicit connect).
backend be_vars
    option tcp-check
    option log-health-checks
    log ${HOST}:${syslog} local0
    tcp-check set-var(check.port) int(1)
    tcp-check connect port ${p.good}
    tcp-check unset-var(check.port)
    tcp-check connect port ${p.closed}
    server s ${HOST}:${p.good} check inter 200ms rise 1 fall 1
`;
}

for (const target of TARGETS) {
  describe(`tcp-check rules and log-health-checks on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let servers: Server[] = [];
    let syslog: UdpSocket;
    const lines: string[] = [];

    before(async () => {
      const list = await freePorts(PORT_NAMES.length);
      const p = Object.fromEntries(PORT_NAMES.map((n, i) => [n, list[i] as number])) as Ports;
      servers = [await lineServer(p.good, 'PONG ok\r\n'), await lineServer(p.bad, 'ERR nope\r\n'), await redisServer(p.redis)];
      syslog = createSocket('udp4');
      syslog.on('message', (m) => lines.push(m.toString('latin1')));
      await new Promise<void>((resolve) => syslog.bind(0, HOST, resolve));
      proxy = await startProxy(target, configFor(p, syslog.address().port));
    });

    after(async () => {
      // The failing backends make HAProxy warn on stderr, which stopProxy would count against it.
      await proxy?.stop();
      for (const s of servers) await new Promise((r) => s.close(r));
      syslog.close();
    });

    /** The first line about `be/s`, without the syslog header, the duration masked. */
    function lineFor(backend: string): string | undefined {
      const line = lines.find((l) => l.includes(`server ${backend}/s `));
      return line?.replace(/^<\d+>.*?\]: /, '').replace(/check duration: \d+ms/, 'check duration: Nms');
    }

    it('a passing send/expect sequence is Layer7 check passed, "(tcp-check)", at notice (local0: <133>)', async () => {
      assert.ok(await eventually(() => lineFor('be_good') !== undefined, 5000), lines.join(''));
      assert.equal(lineFor('be_good'), 'Health check for server be_good/s succeeded, reason: Layer7 check passed, code: 0, info: "(tcp-check)", check duration: Nms, status: 1/1 UP.\n');
      assert.match(lines.find((l) => l.includes('be_good/s')) ?? '', /^<133>/);
    });

    it('a mismatch without min-recv waits: Layer7 timeout at the step of the expect', async () => {
      assert.ok(await eventually(() => lineFor('be_wait') !== undefined, 5000), lines.join(''));
      // A comment line names the rule right after it (the send), not the expect that follows.
      assert.equal(lineFor('be_wait'), 'Health check for server be_wait/s failed, reason: Layer7 timeout, info: " at step 5 of tcp-check (expect regex)", check duration: Nms, status: 0/1 DOWN.\n');
    });

    it('a failing expect with min-recv names its pattern kind, step and comment', async () => {
      assert.ok(await eventually(() => lineFor('be_bad') !== undefined, 5000), lines.join(''));
      assert.equal(
        lineFor('be_bad'),
        'Health check for server be_bad/s failed, reason: Layer7 invalid response, info: "TCPCHK did not match content (regex) at step 4 comment: pong check", check duration: Nms, status: 0/1 DOWN.\n',
      );
    });

    it('option redis-check sends PING and reports "Redis server is ok"', async () => {
      assert.ok(await eventually(() => lineFor('be_redis') !== undefined, 5000), lines.join(''));
      assert.equal(lineFor('be_redis'), 'Health check for server be_redis/s succeeded, reason: Layer7 check passed, code: 0, info: "Redis server is ok", check duration: Nms, status: 1/1 UP.\n');
    });

    it('tcp-check set-var / unset-var lines count as steps', async () => {
      assert.ok(await eventually(() => lineFor('be_vars') !== undefined, 5000), lines.join(''));
      assert.match(
        lineFor('be_vars') ?? '',
        /^Health check for server be_vars\/s failed, reason: Layer4 connection problem, info: "Connection refused at step 4 of tcp-check \(connect port \d+\)", check duration: Nms, status: 0\/1 DOWN\.\n$/,
      );
    });

    it('a refused second connect names its step and port', async () => {
      assert.ok(await eventually(() => lineFor('be_port') !== undefined, 5000), lines.join(''));
      assert.match(
        lineFor('be_port') ?? '',
        /^Health check for server be_port\/s failed, reason: Layer4 connection problem, info: "Connection refused at step 2 of tcp-check \(connect port \d+\)", check duration: Nms, status: 0\/1 DOWN\.\n$/,
      );
    });
  });
}
