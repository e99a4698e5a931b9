/**
 * Black-box conformance of the MQTT converters in tcp mode, after HAProxy 2.6's reg-test
 * converter/mqtt: `tcp-request content` rules wait for a whole CONNECT (`mqtt_is_valid` on a
 * buffer that may still grow says "more data"), reject an invalid packet, and route on the
 * client identifier (`mqtt_field_value(connect,client_identifier)`); `tcp-response content` rules
 * check the broker's CONNACK the same way and read its fields.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/mqtt-converters.test.js
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { delay, dial, readAll } from '../support/tcp-client.ts';

const hex = (h: string): string => Buffer.from(h, 'hex').toString('latin1');

function mqttString(s: string): string {
  return String.fromCharCode(s.length >> 8, s.length & 0xff) + s;
}

/** An MQTT 3.1.1 CONNECT (clean session), with a username when given; remaining length under 128. */
function connect(clientId: string, username?: string): string {
  const flags = 0x02 | (username === undefined ? 0 : 0x80);
  const body = `${mqttString('MQTT')}\x04${String.fromCharCode(flags)}\x00\x3c${mqttString(clientId)}${username === undefined ? '' : mqttString(username)}`;
  return `\x10${String.fromCharCode(body.length)}${body}`;
}

// reg-test converter/mqtt: the complex MQTT 5.0 CONNACK (maximum QoS 1), a 3.1.1 one, an invalid one.
const CONNACK_50 = hex('20250000221100000078217fff24012501270000ffff22000a2600016100016226000163000164');
const CONNACK_311 = hex('20020000');
const CONNACK_BAD_FLAGS = hex('21020000');
const CONNACK_REFUSED = hex('20020005');

/** A broker stand-in: answers the first bytes it receives with `reply`, half-closes when the client does. */
function broker(port: number, reply: string): Promise<{ close(): Promise<void> }> {
  const open = new Set<Socket>();
  return new Promise((resolve, reject) => {
    const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => {});
      socket.once('data', () => socket.write(Buffer.from(reply, 'latin1')));
      socket.on('end', () => socket.end());
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () =>
      resolve({
        close: () =>
          new Promise<void>((done) => {
            for (const s of open) s.destroy();
            server.close(() => done());
          }),
      }),
    );
  });
}

function configFor(front: number, main: number, sensors: number, bad: number, refusing: number): string {
  return `
defaults
    mode tcp
    timeout connect 500ms
    timeout client 5s
    timeout server 5s

frontend mqtt
    bind 127.0.0.1:${front}
    tcp-request inspect-delay 2s
    tcp-request content reject unless { req.payload(0,0),mqtt_is_valid }
    tcp-request content reject if { req.payload(0,0),mqtt_field_value(connect,username) -m str intruder }
    tcp-request content set-var(sess.cid) req.payload(0,0),mqtt_field_value(connect,client_identifier)
    use_backend sensors if { var(sess.cid) -m beg sensor_ }
    use_backend bad if { var(sess.cid) -m beg bad_ }
    use_backend refusing if { var(sess.cid) -m beg refused_ }
    default_backend main

backend main
    tcp-response inspect-delay 2s
    tcp-response content reject unless { res.payload(0,0),mqtt_is_valid }
    tcp-response content set-var(res.maxqos) res.payload(0,0),mqtt_field_value(connack,36)
    tcp-response content reject unless { var(res.maxqos) -m str 1 }
    server s1 127.0.0.1:${main}

backend sensors
    tcp-response inspect-delay 2s
    tcp-response content reject unless { res.payload(0,0),mqtt_is_valid }
    server s1 127.0.0.1:${sensors}

backend bad
    tcp-response inspect-delay 2s
    tcp-response content reject unless { res.payload(0,0),mqtt_is_valid }
    server s1 127.0.0.1:${bad}

backend refusing
    tcp-response inspect-delay 2s
    tcp-response content reject if { res.payload(0,0),mqtt_field_value(connack,reason_code) -m str 5 }
    server s1 127.0.0.1:${refusing}
`;
}

for (const target of TARGETS) {
  describe(`MQTT converters on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let front: number;
    const brokers: { close(): Promise<void> }[] = [];

    before(async () => {
      const ports = (await freePorts(5)) as [number, number, number, number, number];
      front = ports[0];
      brokers.push(
        await broker(ports[1], CONNACK_50),
        await broker(ports[2], CONNACK_311),
        await broker(ports[3], CONNACK_BAD_FLAGS),
        await broker(ports[4], CONNACK_REFUSED),
      );
      proxy = await startProxy(target, configFor(...ports));
    });

    after(async () => {
      await stopProxy(target, proxy);
      for (const b of brokers) await b.close();
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

    it('a valid CONNECT is routed on its client identifier, also when it arrives in pieces', async () => {
      assert.equal(await exchange([connect('test_sub')]), CONNACK_50);
      assert.equal(await exchange([connect('sensor_42', 'alice')]), CONNACK_311);
      const packet = connect('sensor_7');
      assert.equal(await exchange([packet.slice(0, 1), packet.slice(1, 9), packet.slice(9)]), CONNACK_311, 'the rules wait for the rest');
      assert.equal(await exchange([hex('102400064d514973647003c200000008746573745f7375620004746573740006706173737764')]), CONNACK_50, 'MQTT 3.1');
      assert.equal(await exchange([hex('101400044d515454040a003c0008746573745f737562')]), CONNACK_50, 'one Will QoS bit without Will passes HAProxy');
    });

    it('an invalid or unwanted CONNECT is rejected', async () => {
      assert.equal(await exchange([hex('d000')]), '', 'PINGREQ');
      assert.equal(await exchange([hex('111400044d5154540402003c0008746573745f737562')]), '', 'fixed-header flags');
      assert.equal(await exchange([hex('10ffffffff1400044d5154540402003c0008746573745f737562')]), '', 'remaining length over 4 bytes');
      assert.equal(await exchange([hex('101800044d5154540402003c0008746573745f737562ffffffff')]), '', 'remaining length not matching');
      assert.equal(await exchange([connect('test_sub', 'intruder')]), '', 'a username the rules refuse');
      assert.equal(await exchange([hex('101400044d515454041a003c0008746573745f737562')]), '', 'both Will QoS bits without Will');
    });

    it('the response rules check the CONNACK and read its fields', async () => {
      assert.equal(await exchange([connect('bad_1')]), '', 'CONNACK with wrong fixed-header flags');
      assert.equal(await exchange([connect('refused_1')]), '', 'reason code 5');
    });
  });
}
