/**
 * `show peers [dict|-] [SECTION]` (peers.c's peers_dump_head / peers_dump_peer): the proxy runs
 * two `peers` sections; in the first it is `sy`, with three remote peers played by this test or
 * absent:
 *
 * - `dialed`: the test listens at its address and accepts the proxy's connection (200);
 * - `caller`: the test connects to the proxy under that name, defines the table as its id 5
 *   and sends one update (id 7);
 * - `ghost`: nothing listens there (the last status stays CONN).
 *
 * The dump is checked line by line for what both HAProxy and Switchyard know (names, states,
 * addresses, statuses, counters, table ids and update ids); addresses of objects (`0x...`),
 * flags and call counts only for their shape.
 */
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { cli, cliReady } from '../support/cli-client.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import { ProxyProcess } from '../support/proxy-process.ts';

const HEARTBEAT = Buffer.from([0, 4]);
// STKT_DEFINE of `/t` as id 5: integer key (2) of 4 bytes, gpc0 (bit 2), no expiry.
const DEFINE = Buffer.from([10, 0x82, 8, 5, 2, 0x2f, 0x74, 2, 4, 4, 0]);
// STKT_UPDATE id 7: key 99, gpc0 3.
const UPDATE = Buffer.from([10, 0x80, 9, 0, 0, 0, 7, 0, 0, 0, 99, 3]);

function config(ports: { cli: number; fe: number; peer: number; dialed: number; caller: number; ghost: number; other: number }): string {
  return `
global
    stats socket ipv4@127.0.0.1:${ports.cli} level admin
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${ports.fe}
    http-request track-sc0 int(42) table P/t
    http-request sc-inc-gpc0(0)
    http-request return status 200 content-type text/plain string ok

peers P
    peer sy 127.0.0.1:${ports.peer}
    peer dialed 127.0.0.1:${ports.dialed}
    peer ghost 127.0.0.1:${ports.ghost}
    peer caller 127.0.0.1:${ports.caller}
    table t type integer size 1k store gpc0

peers Q
    peer sy 127.0.0.1:${ports.other}
    table q type string size 10
`;
}

/** A peer played by the test: it answers heartbeats with its own, so the session stays up. */
class FakePeer {
  readonly received: Buffer[] = [];
  readonly socket: Socket;
  #timer: NodeJS.Timeout | undefined;
  constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.received.push(chunk));
    socket.on('error', () => {});
    this.#timer = setInterval(() => socket.write(HEARTBEAT), 1000);
  }
  get text(): string {
    return Buffer.concat(this.received).toString('latin1');
  }
  close(): void {
    clearInterval(this.#timer);
    this.socket.destroy();
  }
}


/** Connects to the proxy's peers listener as `caller`: the session once the proxy answered 200. */
function callProxy(port: number): Promise<FakePeer> {
  return new Promise<FakePeer>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('error', reject);
    let status = '';
    const onStatus = (chunk: Buffer): void => {
      status += chunk.toString('latin1');
      if (!status.includes('\n')) return;
      socket.off('data', onStatus);
      if (status.split('\n')[0] !== '200') {
        socket.destroy();
        reject(new Error(`the proxy answered ${JSON.stringify(status)}`));
        return;
      }
      resolve(new FakePeer(socket));
    };
    socket.on('data', onStatus);
    socket.once('close', () => reject(new Error('closed before the status')));
    socket.once('connect', () => socket.write('HAProxyS 2.1\nsy\ncaller 1234 1\n'));
  });
}

function block(dump: string, peer: string): string[] {
  const lines = dump.split('\n');
  const start = lines.findIndex((l) => l.includes(`: id=${peer}(`));
  assert.ok(start >= 0, `no peer ${peer} in:\n${dump}`);
  let end = start + 1;
  while (end < lines.length && lines[end]?.startsWith('    ') === true) end++;
  return lines.slice(start, end);
}

for (const target of TARGETS) {
  describe(`show peers on ${target}`, () => {
    let proc: ProxyProcess;
    let ports: Parameters<typeof config>[0];
    let listener: Server;
    const fakes: FakePeer[] = [];
    let dialed: FakePeer | undefined;
    let caller: FakePeer;

    before(async () => {
      const p = await freePorts(7);
      ports = { cli: p[0]!, fe: p[1]!, peer: p[2]!, dialed: p[3]!, caller: p[4]!, ghost: p[5]!, other: p[6]! };
      listener = createServer((socket) => {
        let hello = '';
        const onHello = (chunk: Buffer): void => {
          hello += chunk.toString('latin1');
          if (hello.split('\n').length < 4) return;
          socket.off('data', onHello);
          socket.write('200\n');
          dialed = new FakePeer(socket);
          fakes.push(dialed);
        };
        socket.on('data', onHello);
        socket.on('error', () => {});
      });
      await new Promise<void>((resolve) => listener.listen(ports.dialed, '127.0.0.1', resolve));
      proc = await ProxyProcess.start(target, config(ports), ['-L', 'sy'], 20_000, ports.fe);
      await cliReady(ports.cli);
      // The peers listener may open a moment after the frontend: a refused connection is retried (bounded).
      for (let attempt = 0; ; attempt++) {
        try {
          caller = await callProxy(ports.peer);
          break;
        } catch (error) {
          if (attempt >= 100) throw error;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      fakes.push(caller);
      caller.socket.write(Buffer.concat([DEFINE, UPDATE]));
    });

    after(async () => {
      destroyAllClients();
      for (const fake of fakes) fake.close();
      await proc?.stop();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    });

    /** `show peers ...` until `done` holds of it (bounded), then the last answer. */
    async function showPeers(args: string, done: (dump: string) => boolean): Promise<string> {
      let answer = '';
      for (let i = 0; i < 150; i++) {
        answer = await cli(ports.cli, `show peers${args}\n`).catch((error: Error) => error.message);
        if (done(answer)) return answer;
        await new Promise((r) => setTimeout(r, 100));
      }
      return answer;
    }

    it('an unknown section is refused', async () => {
      assert.equal(await cli(ports.cli, 'show peers nosuch\n'), 'No such peers\n\n');
    });

    it('lists the sections newest first, each peer last declared first, with their sessions', async () => {
      const ready = (d: string): boolean => /id=dialed\(remote,active\).*last_status=ESTA/.test(d) && /id=caller\(remote,active\).*last_status=ESTA/.test(d) && /last_get=7/.test(d);
      const dump = await showPeers('', ready);
      assert.ok(ready(dump), dump);
      const heads = dump.split('\n').filter((l) => l.startsWith('0x'));
      assert.equal(heads.length, 2, dump);
      for (const head of heads) assert.match(head, /^0x[0-9a-f]+: \[\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d\] id=\w+ disabled=0 flags=0x[0-9a-f]+ resync_timeout=\S+ task_calls=\d+$/);
      assert.match(heads[0]!, / id=Q /);
      assert.match(heads[1]!, / id=P /);
      // Sections are separated by an empty line; the answer ends with the CLI's.
      assert.match(dump, /Dictionary cache not dumped \(use "show peers dict"\)\n\n0x[0-9a-f]+: \[[^\n]* id=P /);
      assert.ok(dump.endsWith('")\n\n'), JSON.stringify(dump.slice(-40)));
      const names = [...dump.matchAll(/^ {2}0x[0-9a-f]+: id=(\w+)\(/gm)].map((m) => m[1]);
      assert.deepEqual(names, ['sy', 'caller', 'ghost', 'dialed', 'sy']);

      const local = block(dump.slice(dump.indexOf(' id=P ')), 'sy');
      assert.match(local[0]!, new RegExp(`^ {2}0x[0-9a-f]+: id=sy\\(local,inactive\\) addr=127\\.0\\.0\\.1:${ports.peer} last_status=NONE last_hdshk=<NEVER>$`));
      assert.equal(local[1], '        reconnect=<NEVER> heartbeat=<NEVER> confirm=0 tx_hbt=0 rx_hbt=0 no_hbt=0 new_conn=0 proto_err=0 coll=0');
      assert.equal(local[2], '        flags=0x0');
      assert.equal(local[3], '        shared tables:');
      assert.match(local[4]!, /^ {10}0x[0-9a-f]+ local_id=1 remote_id=0 flags=0x0 remote_data=0x0$/);
      assert.equal(local[5], '              last_acked=0 last_pushed=0 last_get=0 teaching_origin=0 update=0');
      assert.match(local[6]!, /^ {14}table:0x[0-9a-f]+ id=P\/t update=\d+ localupdate=0 commitupdate=0 refcnt=1$/);
      assert.equal(local[7], '        Dictionary cache not dumped (use "show peers dict")');
      assert.equal(local.length, 8);

      const ghost = block(dump, 'ghost');
      assert.match(ghost[0]!, new RegExp(`^ {2}0x[0-9a-f]+: id=ghost\\(remote,(in)?active\\) addr=127\\.0\\.0\\.1:${ports.ghost} last_status=CONN last_hdshk=\\d+s$`));
      assert.match(ghost[1]!, /^ {8}reconnect=\S+ heartbeat=<NEVER> confirm=0 tx_hbt=0 rx_hbt=0 no_hbt=0 new_conn=[1-9]\d* proto_err=0 coll=0$/);

      // The proxy opened this one: HAProxy shows no connection line for it.
      const out = block(dump, 'dialed');
      assert.match(out[0]!, new RegExp(`^ {2}0x[0-9a-f]+: id=dialed\\(remote,active\\) addr=127\\.0\\.0\\.1:${ports.dialed} last_status=ESTA last_hdshk=\\d+s$`));
      // (A session that had to be opened again on a loaded machine counts twice.)
      assert.match(out[1]!, /^ {8}reconnect=\S+ heartbeat=\S+ confirm=0 tx_hbt=\d+ rx_hbt=\d+ no_hbt=\d+ new_conn=[1-9]\d* proto_err=0 coll=0$/);
      assert.match(out[2]!, /^ {8}flags=0x[0-9a-f]+ appctx:0x[0-9a-f]+ st0=7 st1=0 task_calls=\d+ state=EST$/);
      assert.ok(!out.some((l) => l.includes('xprt=')), out.join('\n'));
      assert.ok(out.includes('        shared tables:'), out.join('\n'));

      // The test opened this one: its source is the test's socket, its address the proxy's.
      const inbound = block(dump, 'caller');
      assert.match(inbound[0]!, new RegExp(`^ {2}0x[0-9a-f]+: id=caller\\(remote,active\\) addr=127\\.0\\.0\\.1:${ports.caller} last_status=ESTA last_hdshk=\\d+s$`));
      assert.match(inbound[2]!, /^ {8}flags=0x[0-9a-f]+ appctx:0x[0-9a-f]+ st0=7 st1=0 task_calls=\d+ state=EST$/);
      assert.equal(inbound[3], `        xprt=RAW src=127.0.0.1:${caller.socket.localPort} addr=127.0.0.1:${ports.peer}`);
      assert.match(inbound[4]!, /^ {8}remote_table:0x[0-9a-f]+ id=P\/t local_id=1 remote_id=5$/);
      const shared = inbound.indexOf('        shared tables:');
      assert.ok(shared > 0, inbound.join('\n'));
      assert.match(inbound[shared + 1]!, /^ {10}0x[0-9a-f]+ local_id=1 remote_id=5 flags=0x0 remote_data=0x4$/);
      assert.match(inbound[shared + 2]!, /^ {14}last_acked=7 last_pushed=\d+ last_get=7 teaching_origin=\d+ update=0$/);
      assert.match(inbound[shared + 3]!, /^ {14}table:0x[0-9a-f]+ id=P\/t update=[1-9]\d* localupdate=\d+ commitupdate=\d+ refcnt=1$/);
    });

    it('a local change is pushed: the last local table and the update ids follow', async () => {
      const c = await HttpConnection.open(ports.fe);
      try {
        await c.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
        assert.equal((await c.read('GET', 5000)).status, 200);
      } finally {
        c.destroy();
      }
      const pushed = (d: string): boolean => /last_local_table:0x[0-9a-f]+ id=P\/t local_id=1 remote_id=5/.test(d);
      const dump = await showPeers(' P', pushed);
      assert.ok(pushed(dump), dump);
      assert.equal(dump.split('\n').filter((l) => l.startsWith('0x')).length, 1, dump);
      const inbound = block(dump, 'caller');
      const shared = inbound.indexOf('        shared tables:');
      assert.match(inbound[shared + 2]!, /^ {14}last_acked=7 last_pushed=[1-9]\d* last_get=7 teaching_origin=\d+ update=0$/);
      assert.match(inbound[shared + 3]!, /^ {14}table:0x[0-9a-f]+ id=P\/t update=[1-9]\d* localupdate=[1-9]\d* commitupdate=[1-9]\d* refcnt=1$/);
      // The peer's acknowledgement of our table (local id 1) up to update 1 is its `update`.
      caller.socket.write(Buffer.from([10, 0x84, 5, 1, 0, 0, 0, 1]));
      const acked = (d: string): boolean => / last_get=7 teaching_origin=\d+ update=1\n/.test(d);
      assert.ok(acked(await showPeers(' P', acked)));
    });

    it('`dict` dumps the dictionary caches, and `-` names a section called so', async () => {
      const dump = await cli(ports.cli, 'show peers dict Q\n');
      const lines = dump.split('\n');
      assert.equal(lines.filter((l) => l.startsWith('0x')).length, 1, dump);
      assert.ok(lines.includes('        TX dictionary cache:'), dump);
      const rx = lines.indexOf('        RX dictionary cache:');
      assert.ok(rx > 0, dump);
      assert.equal(lines[rx + 1], '            0 -> -    1 -> -    2 -> -    3 -> -');
      assert.equal(lines[rx + 32], '          124 -> -  125 -> -  126 -> -  127 -> -');
      assert.equal(await cli(ports.cli, 'show peers - dict\n'), 'No such peers\n\n');
      assert.match(await cli(ports.cli, 'show peers - Q\n'), /^0x[0-9a-f]+: \[[^\n]*\] id=Q /);
    });
  });
}
