/**
 * `show errors` with `nbthread 2`: HAProxy's captures are per proxy, whichever thread took them;
 * Switchyard's other threads post theirs to the main thread, where the runtime API runs. Bad
 * requests on connections of their own (the kernel spreads them over both threads' listeners)
 * are all counted, and the last one is shown with the last event number.
 *
 * Node before 22.12 refuses nbthread (threads.test.ts): skipped there.
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/threads-show-errors.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePorts } from '../support/ports.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { cli } from '../support/cli-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { nodeVersionOf, onNode } from '../support/runtimes.ts';
import { delay, firstLineAfter } from '../support/tcp-client.ts';

const REQUESTS = 12;

function refusesThreads(target: string): boolean {
  if (!onNode(target as never)) return false;
  const [major, minor] = nodeVersionOf(target as 'node' | 'node-system');
  return major < 22 || (major === 22 && minor < 12);
}

function normalised(text: string): string {
  return text.replace(/\[\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d\.\d{3}\]/g, '[DATE]').replace(/src 127\.0\.0\.1:\d+/g, 'src 127.0.0.1:PORT');
}

const LAST = `[DATE] frontend fe (#2): invalid request
  backend <NONE> (#-1), server <NONE> (#-1), event #${REQUESTS - 1}, src 127.0.0.1:PORT
  buffer starts at 0 (including 0 out), 16363 free,
  len 21, wraps at 16336, error at position 16
  H1 connection flags 0x00000100, H1 stream flags 0x00000810
  H1 msg state MSG_HDR_NAME(17), H1 msg flags 0x00001410
  H1 chunk len 0 bytes, H1 body len 0 bytes :
  
  00000  GET / HTTP/1.1\\r\\n
  00016  \\x01\\r\\n
  00019  \\r\\n
`;

for (const target of TARGETS) {
  describe(`show errors with nbthread 2 on ${target}`, { skip: refusesThreads(target) ? 'Node < 22.12 refuses nbthread (threads.test.ts)' : false }, () => {
    let proxy: ProxyProcess | undefined;
    let fe: number;
    let cliPort: number;

    before(async () => {
      [fe, cliPort] = (await freePorts(2)) as [number, number];
      proxy = await startProxy(
        target,
        `
global
    nbthread 2
    stats socket 127.0.0.1:${cliPort} level admin
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${fe}
    http-request return status 200
`,
      );
    });

    after(async () => {
      await stopProxy(target, proxy);
    });

    it("counts every thread's captures and shows the last", async () => {
      for (let i = 0; i < REQUESTS; i++) {
        assert.equal(await firstLineAfter(fe, 'GET / HTTP/1.1\r\n\x01\r\n\r\n'), 'HTTP/1.1 400 Bad request\r');
      }
      // another thread's capture reaches the main thread by a message: asked again until all are in
      let answer = await cli({ port: cliPort }, 'show errors\n');
      const deadline = performance.now() + 10_000;
      while (!answer.includes(`: ${REQUESTS}\n`) && performance.now() < deadline) {
        await delay(50);
        answer = await cli({ port: cliPort }, 'show errors\n');
      }
      assert.equal(normalised(answer), `Total events captured on [DATE] : ${REQUESTS}\n \n${LAST}\n`);
    });
  });
}
