/**
 * How a tcp check leaves the server: HAProxy 2.6 closes its check connections with a reset
 * (SO_LINGER 0: its FD_LINGER_RISK) unless the `tcp-check connect` rule says `linger`, which
 * closes them with a FIN. The servers below greet, and record how each check connection ended.
 * Deno's sockets cannot reset (Deno.Conn has no SO_LINGER): there every check ends with a FIN.
 *   CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/health-check-close.test.js
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';

const HOST = '127.0.0.1';

/** Greets each connection and records how it ended: 'reset' or 'fin'. */
function greetingServer(port: number, ends: string[]): Promise<Server> {
  const server = createServer((socket) => {
    let ended = false;
    const record = (how: string) => {
      if (ended) return;
      ended = true;
      ends.push(how);
    };
    socket.on('error', (error: NodeJS.ErrnoException) => record(error.code === 'ECONNRESET' ? 'reset' : `error ${error.code}`));
    socket.on('end', () => record('fin'));
    socket.write('HELLO\r\n');
  });
  return new Promise((resolve) => server.listen(port, HOST, () => resolve(server)));
}

for (const target of TARGETS) {
  describe(`how a tcp check closes, on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    const servers: Server[] = [];
    const plain: string[] = [];
    const lingering: string[] = [];

    before(async () => {
      const [fe, a, b] = (await freePorts(3)) as [number, number, number];
      servers.push(await greetingServer(a, plain), await greetingServer(b, lingering));
      proxy = await startProxy(
        target,
        `
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind ${HOST}:${fe}
    default_backend plain
backend plain
    option tcp-check
    tcp-check connect
    tcp-check expect string HELLO
    server s1 ${HOST}:${a} check inter 200ms
backend lingering
    option tcp-check
    tcp-check connect linger
    tcp-check expect string HELLO
    server s1 ${HOST}:${b} check inter 200ms
`,
      );
      // Generous: three checks of each server at least, on a loaded machine.
      assert.ok(await eventually(() => plain.length >= 3 && lingering.length >= 3, 15_000), `plain ${plain.join(',')} lingering ${lingering.join(',')}`);
    });

    after(async () => {
      await stopProxy(target, proxy);
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    });

    it('a check ends its connection with a reset, or with a FIN where the runtime cannot reset', () => {
      const expected = target === 'deno' ? 'fin' : 'reset';
      assert.deepEqual(new Set(plain), new Set([expected]), plain.join(','));
    });

    it("a check whose connect rule says 'linger' ends its connection with a FIN", () => {
      assert.deepEqual(new Set(lingering), new Set(['fin']), lingering.join(','));
    });
  });
}
