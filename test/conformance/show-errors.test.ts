/**
 * `show errors` through the real proxy: a request refused as invalid (400), one let through by
 * `option accept-invalid-http-request` (captured all the same), a server's invalid response
 * (502), the `<px>` and `request|response` filters, then a response and a request whose chunked
 * bodies are refused and a pipelined request, each printed as HAProxy 2.6.12 prints it (proxy.c,
 * mux_h1.c's H1 context, the escaped buffer). Only the dates and the client's ports are normalised.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/show-errors.test.js
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { cannedBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { cli } from '../support/cli-client.ts';
import { delay, dial, firstLineAfter } from '../support/tcp-client.ts';

/** The date of each line and the client's port differ from run to run. */
function normalised(text: string): string {
  return text.replace(/\[\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d\.\d{3}\]/g, '[DATE]').replace(/src 127\.0\.0\.1:\d+/g, 'src 127.0.0.1:PORT');
}

/** Sends `bytes` on a connection of its own and waits for the proxy to close it (bounded). */
async function sendUntilClosed(port: number, bytes: string): Promise<void> {
  const socket = await dial(port);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`port ${port} did not close`)), 10_000);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      socket.on('data', () => {});
      socket.once('end', done);
      socket.once('close', done);
      socket.once('error', done);
      socket.write(bytes);
    });
  } finally {
    socket.destroy();
  }
}

/** `command`'s answer once `count` captures were taken (asked again meanwhile, bounded). */
async function errorsOnceCounted(admin: { path: string }, command: string, count: number): Promise<string> {
  const deadline = performance.now() + 5_000;
  let answer = await cli(admin, command);
  while (!answer.includes(`] : ${count}\n`) && performance.now() < deadline) {
    await delay(50);
    answer = await cli(admin, command);
  }
  return answer;
}

const BAD_REQUEST = `[DATE] frontend fe (#2): invalid request
  backend <NONE> (#-1), server <NONE> (#-1), event #0, src 127.0.0.1:PORT
  buffer starts at 0 (including 0 out), 16354 free,
  len 30, wraps at 16336, error at position 7
  H1 connection flags 0x00000100, H1 stream flags 0x00000810
  H1 msg state MSG_RQVER(6), H1 msg flags 0x00001400
  H1 chunk len 0 bytes, H1 body len 0 bytes :
  
  00000  GET /a b HTTP/1.1\\r\\n
  00019  Host: x\\r\\n
  00028  \\r\\n
`;

const LET_THROUGH = `[DATE] frontend fe2 (#3): invalid request
  backend <NONE> (#-1), server <NONE> (#-1), event #1, src 127.0.0.1:PORT
  buffer starts at 0 (including 0 out), 16343 free,
  len 41, wraps at 16336, error at position 29
  H1 connection flags 0x00000100, H1 stream flags 0x00000010
  H1 msg state MSG_DONE(30), H1 msg flags 0x00001510
  H1 chunk len 0 bytes, H1 body len 0 bytes :
  
  00000  GET /b HTTP/1.1\\r\\n
  00017  Host: x\\r\\n
  00026  Bad[Name: y\\r\\n
  00039  \\r\\n
`;

const BAD_RESPONSE = `[DATE] backend be (#4): invalid response
  frontend fe2 (#3), server s1 (#1), event #2, src 127.0.0.1:PORT
  buffer starts at 0 (including 0 out), 16269 free,
  len 115, wraps at 16336, error at position 20
  H1 connection flags 0x80002200, H1 stream flags 0x00004810
  H1 msg state MSG_HDR_NAME(17), H1 msg flags 0x00001414
  H1 chunk len 0 bytes, H1 body len 0 bytes :
  
  00000  HTTP/1.1 200 OK\\r\\n
  00017  Bad Header: x\\r\\n
  00032  X-Long: \\x01\\x02 01234567890123456789012345678901234567890123456789012
  00096+ 34567890123456789\\r\\n
`;

const BAD_BODY = `[DATE] backend be2 (#6): invalid response
  frontend fe3 (#5), server s2 (#1), event #3, src 127.0.0.1:PORT
  buffer starts at 0 (including 0 out), 16333 free,
  len 51, wraps at 16336, error at position 47
  H1 connection flags 0x80002200, H1 stream flags 0x00004810
  H1 msg state MSG_CHUNK_SIZE(26), H1 msg flags 0x00011716
  H1 chunk len 0 bytes, H1 body len 0 bytes :
  
  00000  HTTP/1.1 200 OK\\r\\n
  00017  Transfer-Encoding: chunked\\r\\n
  00045  \\r\\n
  00047  ZZ\\r\\n
`;

const PIPELINED = `[DATE] frontend fe5 (#7): invalid request
  backend <NONE> (#-1), server <NONE> (#-1), event #4, src 127.0.0.1:PORT
  buffer starts at 0 (including 0 out), 16353 free,
  len 31, wraps at 16259, error at position 19
  H1 connection flags 0x00000100, H1 stream flags 0x00000890
  H1 msg state MSG_HDR_NAME(17), H1 msg flags 0x00001410
  H1 chunk len 0 bytes, H1 body len 0 bytes :
  
  00000  GET / HTTP/1.1\\r\\n
  00016  Bad Name: x\\r\\n
  00029  \\r\\n
`;

const BAD_REQUEST_BODY = `[DATE] frontend fe5 (#7): invalid request
  backend <NONE> (#-1), server <NONE> (#-1), event #5, src 127.0.0.1:PORT
  buffer starts at 0 (including 0 out), 16323 free,
  len 61, wraps at 16336, error at position 57
  H1 connection flags 0x00000100, H1 stream flags 0x00000810
  H1 msg state MSG_CHUNK_SIZE(26), H1 msg flags 0x00011712
  H1 chunk len 0 bytes, H1 body len 0 bytes :
  
  00000  POST /a HTTP/1.1\\r\\n
  00018  Host: x\\r\\n
  00027  Transfer-Encoding: chunked\\r\\n
  00055  \\r\\n
  00057  ZZ\\r\\n
`;

/** The server's answer: a space in a header name, and a long line with control bytes (dump_text_line's 80 columns). */
const RESPONSE = `HTTP/1.1 200 OK\r\nBad Header: x\r\nX-Long: \x01\x02 ${'0123456789'.repeat(7)}\r\n`;

for (const target of TARGETS) {
  describe(`show errors on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let dir: string;
    let admin: { path: string };
    let fe: number;
    let fe2: number;
    let server: HttpTestBackend | undefined;
    let chunkedServer: HttpTestBackend | undefined;
    let fe3: number;
    let fe5: number;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'switchyard-show-errors-'));
      admin = { path: join(dir, 'admin.sock') };
      const [p1, p2, b1, p3, b2, p5] = await freePorts(6);
      fe5 = p5 as number;
      fe = p1 as number;
      fe2 = p2 as number;
      fe3 = p3 as number;
      chunkedServer = await cannedBackend(b2 as number, 's2', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n', 'keep');
      // 'keep': the server does not close, so the response is parsed without an end of stream
      server = await cannedBackend(b1 as number, 's1', RESPONSE, 'keep');
      proxy = await startProxy(
        target,
        `
global
    stats socket ${admin.path} level admin mode 600
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${fe}
    default_backend be
frontend fe2
    bind 127.0.0.1:${fe2}
    option accept-invalid-http-request
    default_backend be
backend be
    server s1 127.0.0.1:${b1}
frontend fe3
    bind 127.0.0.1:${fe3}
    default_backend be2
backend be2
    server s2 127.0.0.1:${b2}
frontend fe5
    bind 127.0.0.1:${fe5}
    http-request return status 200
`,
      );
    });

    after(async () => {
      await stopProxy(target, proxy);
      await server?.close();
      await chunkedServer?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('prints only its header while nothing was captured', async () => {
      assert.equal(normalised(await cli(admin, 'show errors\n')), 'Total events captured on [DATE] : 0\n\n');
    });

    it('captures a refused request, one its option let through, and an invalid response', async () => {
      assert.equal(await firstLineAfter(fe, 'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n'), 'HTTP/1.1 400 Bad request\r');
      assert.equal(normalised(await cli(admin, 'show errors\n')), `Total events captured on [DATE] : 1\n \n${BAD_REQUEST}\n`);
      // let through to the server, whose answer is refused
      assert.equal(await firstLineAfter(fe2, 'GET /b HTTP/1.1\r\nHost: x\r\nBad[Name: y\r\n\r\n'), 'HTTP/1.1 502 Bad Gateway\r');
      assert.equal(normalised(await cli(admin, 'show errors\n')), `Total events captured on [DATE] : 3\n \n${BAD_REQUEST} \n${LET_THROUGH} \n${BAD_RESPONSE}\n`);
    });

    it('filters by proxy (its own captures and those naming it) and by direction', async () => {
      assert.equal(normalised(await cli(admin, 'show errors fe2\n')), `Total events captured on [DATE] : 3\n \n${LET_THROUGH} \n${BAD_RESPONSE}\n`);
      assert.equal(normalised(await cli(admin, 'show errors 2\n')), `Total events captured on [DATE] : 3\n \n${BAD_REQUEST}\n`);
      assert.equal(normalised(await cli(admin, 'show errors be request\n')), 'Total events captured on [DATE] : 3\n\n');
      assert.equal(normalised(await cli(admin, 'show errors -1 response\n')), `Total events captured on [DATE] : 3\n \n${BAD_RESPONSE}\n`);
      assert.equal(normalised(await cli(admin, 'show errors -1 request\n')), `Total events captured on [DATE] : 3\n \n${BAD_REQUEST} \n${LET_THROUGH}\n`);
      assert.equal(await cli(admin, 'show errors nosuch\n'), 'No such proxy.\n\n');
    });

    it('keeps its captures across clear counters all', async () => {
      assert.equal(await cli(admin, 'clear counters all\n'), '\n');
      assert.equal(normalised(await cli(admin, 'show errors be\n')), `Total events captured on [DATE] : 3\n \n${BAD_RESPONSE}\n`);
    });

    it('captures a response whose chunked body is refused, with its head', async () => {
      // HAProxy answers 502 (the whole response is refused before any of it goes out); Switchyard
      // has sent the head on and cuts the connection: only the capture is checked here
      await sendUntilClosed(fe3, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      assert.equal(normalised(await errorsOnceCounted(admin, 'show errors be2\n', 4)), `Total events captured on [DATE] : 4\n \n${BAD_BODY}\n`);
    });

    it('captures a pipelined request where it stands in the buffer (wraps at)', async () => {
      await sendUntilClosed(fe5, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nBad Name: x\r\n\r\n');
      assert.equal(normalised(await errorsOnceCounted(admin, 'show errors fe5\n', 5)), `Total events captured on [DATE] : 5\n \n${PIPELINED}\n`);
    });

    it('captures a request whose chunked body is refused, with its head', async () => {
      assert.equal(await firstLineAfter(fe5, 'POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n'), 'HTTP/1.1 400 Bad request\r');
      assert.equal(normalised(await errorsOnceCounted(admin, 'show errors fe5\n', 6)), `Total events captured on [DATE] : 6\n \n${BAD_REQUEST_BODY}\n`);
    });
  });
}
