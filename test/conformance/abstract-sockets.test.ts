/**
 * `abns@NAME`: binds and servers on Linux's abstract UNIX namespace, named as HAProxy 2.6 names
 * them (the name padded with NULs to the whole 108-byte sun_path, which is what `ss -xl` shows
 * as `@NAME@@@...` for an HAProxy socket): a frontend chained to another through an abstract
 * socket with the PROXY protocol, as real configurations do; a peer outside the proxy reaches
 * its abstract bind, and its server reaches a peer's, by that padded name; a reload in
 * master-worker mode keeps serving the abstract bind. Bun's sockets cannot take such a name:
 * the configuration is refused there.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/abstract-sockets.test.js
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli, cliReady, masterCommand, workerPids } from '../support/cli-client.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import { ProxyProcess, runCli, writeTempConfig } from '../support/proxy-process.ts';

/** The socket path HAProxy binds and dials for `abns@NAME`. */
const abstractPath = (name: string): string => `\0${name}`.padEnd(108, '\0');

/** One request over a UNIX socket path; the response's text. */
function requestOver(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path }, () => socket.end('GET / HTTP/1.0\r\nhost: x\r\n\r\n'));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (text += d));
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
  });
}

/** Runs `probe` until `done()` (bounded); whether it got there. */
async function pollUntil(probe: () => Promise<unknown>, done: () => boolean, timeoutMs: number, stepMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    await probe();
    if (done()) return true;
    if (performance.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

function configFor(fe: number, viaPeer: number, tag: string, generation = 0, stats?: number): string {
  return `${stats === undefined ? '' : `\nglobal\n    stats socket ipv4@127.0.0.1:${stats} level admin\n`}
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${fe}
    default_backend chained
backend chained
    server inner abns@sy-${tag}-inner send-proxy-v2
frontend inner
    bind abns@sy-${tag}-inner accept-proxy
    bind abns@sy-${tag}-public
    http-request return status 200 content-type text/plain lf-string "generation ${generation} from %[src]"
frontend to_peer
    bind 127.0.0.1:${viaPeer}
    default_backend peer
backend peer
    server p abns@sy-${tag}-peer
`;
}

for (const target of TARGETS) {
  describe(`abstract UNIX sockets (abns@) on ${target}`, () => {
    const tag = `${target}-${process.pid}`;
    let ports: number[] = [];
    let proxy: ProxyProcess | undefined;
    let peer: NetServer | undefined;
    const peerSockets = new Set<Socket>();

    before(async () => {
      ports = await freePorts(3);
      if (target === 'bun') return;
      // A peer outside the proxy, listening where HAProxy would put abns@sy-TAG-peer.
      peer = createServer((socket) => {
        peerSockets.add(socket);
        socket.on('close', () => peerSockets.delete(socket));
        socket.on('error', () => {});
        socket.end('HTTP/1.1 200 OK\r\ncontent-length: 4\r\nconnection: close\r\n\r\npeer');
      });
      await new Promise<void>((resolve) => peer?.listen({ path: abstractPath(`sy-${tag}-peer`) }, resolve));
      proxy = await startProxy(target, configFor(ports[0] as number, ports[1] as number, tag, 0, ports[2] as number));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      for (const socket of peerSockets) socket.destroy();
      await new Promise((r) => (peer === undefined ? r(undefined) : peer.close(r)));
    });

    if (target === 'bun') {
      it('is refused on Bun, whose UNIX sockets cannot take a whole-sun_path name', async () => {
        const cfg = writeTempConfig(configFor(ports[0] as number, ports[1] as number, tag));
        try {
          const result = await runCli(target, ['-c', '-f', cfg.path]);
          assert.equal(result.code, 1, result.stderr);
          assert.match(result.stderr, /'bind abns@' is not supported on Bun/);
          assert.match(result.stderr, /'server abns@' is not supported on Bun/);
        } finally {
          cfg.cleanup();
        }
      });
      return;
    }

    it('chains a frontend to another through an abstract socket, with the PROXY protocol', async () => {
      const conn = await HttpConnection.open(ports[0] as number);
      const res = await conn.request('GET', '/', { connection: 'close' });
      assert.equal(res.status, 200);
      assert.equal(res.text, 'generation 0 from 127.0.0.1');
    });

    it('names the socket as HAProxy does: a peer reaches the bind, the server reaches a peer', async () => {
      // An abstract socket's client has no address: src is empty.
      assert.match(await requestOver(abstractPath(`sy-${tag}-public`)), /^HTTP\/1\.1 200 [^]*\r\n\r\ngeneration 0 from $/);
      const conn = await HttpConnection.open(ports[1] as number);
      const res = await conn.request('GET', '/', { connection: 'close' });
      assert.equal(res.status, 200);
      assert.equal(res.text, 'peer');
    });

    it('show servers state gives a UNIX socket server no address, as HAProxy', async () => {
      await cliReady(ports[2] as number);
      const state = await cli(ports[2] as number, 'show servers state chained\n');
      assert.match(state, /^\d+ chained 1 inner - 2 /m, state);
    });
  });

  describe(`abns@ across a master-worker reload on ${target}`, { skip: target === 'bun' ? 'abns@ is refused on Bun' : false }, () => {
    const tag = `${target}-${process.pid}-mw`;
    let dir: string;
    let cfg: string;
    let master: string;
    let ports: number[] = [];
    let proxy: ProxyProcess | undefined;

    before(async () => {
      ports = await freePorts(2);
      dir = mkdtempSync(join(tmpdir(), 'switchyard-abns-'));
      cfg = join(dir, 'main.cfg');
      master = join(dir, 'master.sock');
      writeFileSync(cfg, configFor(ports[0] as number, ports[1] as number, tag, 0));
      proxy = await ProxyProcess.start(target, 'global\n', ['-f', cfg, '-W', '-S', master], 20_000, ports[0] as number);
    });

    after(async () => {
      destroyAllClients();
      await proxy?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('the new worker takes the abstract socket over: the chained frontend answers from the new generation', async () => {
      const generation = async (): Promise<string> => {
        try {
          const conn = await HttpConnection.open(ports[0] as number);
          const res = await conn.request('GET', '/', { connection: 'close' });
          conn.destroy();
          return res.text;
        } catch (error) {
          return (error as Error).message;
        }
      };
      assert.equal(await generation(), 'generation 0 from 127.0.0.1');
      writeFileSync(cfg, configFor(ports[0] as number, ports[1] as number, tag, 1));
      await masterCommand(master, 'reload\n');
      let last = '';
      const answered = await pollUntil(async () => (last = await generation()), () => last === 'generation 1 from 127.0.0.1', 15_000, 50);
      assert.ok(answered, `${last}\n${proxy?.stderr}`);
      // Once the old worker is gone, the new one still serves it.
      let proc = '';
      const settled = () => workerPids(proc).old.length === 0 && workerPids(proc).current.length === 1;
      assert.ok(await pollUntil(async () => (proc = await cli(master, 'show proc\n').catch(() => '')), settled, 15_000, 100), proc);
      assert.equal(await generation(), 'generation 1 from 127.0.0.1');
    });
  });
}
