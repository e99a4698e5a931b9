/**
 * Black-box conformance of the FIX converters in tcp mode, after HAProxy 2.6's reg-test
 * converter/fix: `tcp-request content` rules wait for a whole FIX message (`fix_is_valid` on a
 * buffer that may still grow says "more data"), reject an invalid one, and read its tags into
 * variables (`fix_tag_value` by name or number); `tcp-response content` rules do the same on the
 * server's answer (an echo server: the client's message comes back) with `res` variables.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/fix-converters.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { echoServer, type TestBackend } from '../support/tcp-backends.ts';
import { delay, dial, readAll } from '../support/tcp-client.ts';

/** A FIX message with its BodyLength and CheckSum computed. */
function fix(fields: readonly string[]): string {
  const body = fields.map((f) => `${f}\x01`).join('');
  const head = `8=FIX.4.4\x019=${body.length}\x01`;
  let sum = 0;
  for (const c of head + body) sum += c.charCodeAt(0);
  return `${head}${body}10=${String(sum & 0xff).padStart(3, '0')}\x01`;
}

const LOGON = fix(['35=A', '49=CLIENT1', '56=EXECUTOR', '34=1', '98=0', '108=30']);

function configFor(front: number, echo: number): string {
  return `
defaults
    mode tcp
    timeout connect 500ms
    timeout client 5s
    timeout server 5s

listen fix
    bind 127.0.0.1:${front}
    tcp-request inspect-delay 2s
    tcp-request content reject unless { req.payload(0,0),fix_is_valid }
    tcp-request content set-var(req.fix_type) req.payload(0,0),fix_tag_value(MsgType)
    tcp-request content set-var(req.fix_sender) req.payload(0,0),fix_tag_value(49)
    tcp-request content reject if ! { var(req.fix_type) -m str A } || ! { var(req.fix_sender) -m str CLIENT1 }
    tcp-response inspect-delay 2s
    tcp-response content reject unless { res.payload(0,0),fix_is_valid }
    tcp-response content set-var(res.fix_target) res.payload(0,0),fix_tag_value(TargetCompID)
    tcp-response content reject unless { var(res.fix_target) -m str EXECUTOR }
    server echo 127.0.0.1:${echo}
`;
}

for (const target of TARGETS) {
  describe(`FIX converters on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let front: number;
    let echo: TestBackend;

    before(async () => {
      const ports = await freePorts(2);
      front = ports[0] as number;
      echo = await echoServer(ports[1] as number);
      proxy = await startProxy(target, configFor(front, ports[1] as number));
    });

    after(async () => {
      await stopProxy(target, proxy);
      await echo.close();
    });

    /** Sends `parts` (with a pause between them), then half-closes; returns what came back. */
    async function exchange(parts: readonly string[]): Promise<string> {
      const socket = await dial(front);
      const result = readAll(socket, 5000);
      for (const [i, part] of parts.entries()) {
        if (i > 0) await delay(150);
        socket.write(Buffer.from(part, 'latin1'));
      }
      await delay(300);
      socket.end();
      return (await result).toString('latin1');
    }

    it('a valid message passes both ways, also when it arrives in pieces', async () => {
      assert.equal(await exchange([LOGON]), LOGON);
      assert.equal(await exchange([LOGON.slice(0, 20), LOGON.slice(20)]), LOGON, 'the rules wait for the rest');
    });

    it('an invalid message is rejected: wrong checksum, wrong body length, wrong tag values', async () => {
      assert.equal(await exchange([`${LOGON.slice(0, -4)}999\x01`]), '');
      assert.equal(await exchange([LOGON.replace('9=', '9=1')]), '');
      assert.equal(await exchange([fix(['35=D', '49=CLIENT1', '56=EXECUTOR'])]), '', 'MsgType is not A');
      assert.equal(await exchange([fix(['35=A', '49=CLIENT1', '56=OTHER'])]), '', 'the response rule reads TargetCompID');
    });
  });
}
