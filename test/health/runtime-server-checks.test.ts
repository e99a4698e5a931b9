/**
 * The checks of a server `add server` made (createRuntimeServerChecks) on the fake clock: built
 * stopped, a check that inherits neither the server's TLS nor its PROXY header (HAProxy's
 * init_srv_check with SRV_F_DYNAMIC), and an agent whose results `option log-health-checks`
 * reports as HAProxy's set_server_check_status does ("Agent check for server ...").
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServerCheckModel, ServerSsl } from '../../src/config/model.ts';
import { createRuntimeServerChecks, healthLogFor, probeSpecFor } from '../../src/health/health-service.ts';
import { ProxyLogger } from '../../src/log/logger.ts';
import { Backend } from '../../src/proxy/backend.ts';
import { Server } from '../../src/proxy/server.ts';
import type { Socket } from '../../src/runtime.ts';
import { FakeRuntime } from '../support/fake-runtime.ts';
import { backend, server } from '../support/model.ts';

const CHECK: ServerCheckModel = { enabled: true, inter: 100, fastinter: undefined, downinter: undefined, rise: 1, fall: 1, port: undefined, addr: undefined };
const SSL: ServerSsl = { verify: 'none', caPem: undefined, sni: undefined, alpn: undefined };

function advanceUntil(rt: FakeRuntime, done: () => boolean, limitMs: number): void {
  const start = rt.now();
  while (!done()) {
    if (rt.now() - start > limitMs) throw new Error(`condition not reached within ${limitMs} ms`);
    rt.advance(1);
  }
}

/** An agent answering each connection with the next of `replies`. */
async function agentServer(rt: FakeRuntime, port: number, replies: string[]) {
  let next = 0;
  return rt.listen({ host: '127.0.0.1', port }, (socket) => {
    socket.setHandler({ onData() {}, onEnd: (s: Socket) => s.end(), onDrain() {}, onClose() {} });
    socket.write(new TextEncoder().encode(replies[Math.min(next++, replies.length - 1)] as string));
    socket.end();
  });
}

describe('checks of a server added at run time', () => {
  it('inherit neither the TLS nor the PROXY header of the server; check-ssl and check-send-proxy still apply', () => {
    const model = server('d', 8443, { ssl: SSL, sendProxy: { version: 2 }, check: CHECK });
    const plain = probeSpecFor(new Server(model), CHECK, {}, undefined, undefined, true);
    assert.equal(plain.tls, undefined);
    assert.equal(plain.proxyHeader, undefined);
    const configured = probeSpecFor(new Server(model), CHECK, {}, undefined, undefined, false);
    assert.notEqual(configured.tls, undefined, 'a configured server passes its TLS on to its check');
    assert.equal(configured.proxyHeader, 2);
    const explicit = probeSpecFor(new Server({ ...model, checkSsl: SSL, checkSendProxy: true }), CHECK, {}, undefined, undefined, true);
    assert.notEqual(explicit.tls, undefined);
    assert.equal(explicit.proxyHeader, 2);
  });

  it('are built stopped', () => {
    const rt = new FakeRuntime();
    const be = new Backend(backend('be', []));
    const s = new Server(server('d', 8001, { check: CHECK }), 0);
    be.addServer(s);
    const checks = createRuntimeServerChecks(rt, be, s, { port: 9000, addr: undefined, inter: 100, send: undefined }, healthLogFor(rt, be, undefined, false), 'backend');
    assert.equal(checks.check?.running, false);
    rt.advance(1000);
    assert.equal(s.checkState?.status, 'INI', 'no probe ran');
  });

  it("log an agent's results under option log-health-checks, as HAProxy's set_server_check_status", async () => {
    const rt = new FakeRuntime();
    const be = new Backend(backend('be', [], { healthCheck: { kind: 'tcp', http: undefined, logHealthChecks: true } }));
    const s = new Server(server('a', 8001, { weight: 10 }), 0);
    be.addServer(s);
    await agentServer(rt, 9000, ['up\n', 'down # going away\n', 'down # going away\n', '50%\n', 'up\n']);
    const log = healthLogFor(rt, be, new ProxyLogger(rt, [], false), false);
    const { agent } = createRuntimeServerChecks(rt, be, s, { port: 9000, addr: undefined, inter: 100, send: undefined }, log, 'backend');
    agent?.start(0);
    const results = (): string[] => rt.stderr.join('').split('\n').filter((l) => l.includes('Agent check'));
    advanceUntil(rt, () => results().length >= 3, 1000);
    rt.advance(250);
    agent?.stop();
    assert.deepEqual(results().map((l) => l.replace(/duration: \d+ms/, 'duration: Nms')), [
      '[WARNING]  (4242) : Agent check for server be/a succeeded, reason: Layer7 check passed, code: 0, info: "via agent : up", check duration: Nms, status: 1/1 UP.',
      '[WARNING]  (4242) : Agent check for server be/a failed, reason: Layer7 wrong status, code: 0, info: "via agent : down (going away)", check duration: Nms, status: 0/1 DOWN.',
      // The second "down" changes nothing; the weight-only reply is a neutral result, so the next "up" is a change.
      '[WARNING]  (4242) : Agent check for server be/a succeeded, reason: Layer7 check passed, code: 0, info: "via agent : up", check duration: Nms, status: 1/1 UP.',
    ]);
  });
});
