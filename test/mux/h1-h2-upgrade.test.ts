/**
 * HAProxy's H1-to-H2 upgrade on the client side: a first request that is the HTTP/2 preface
 * makes the connection an HTTP/2 one (one session, counted once), a split preface waits for
 * its end, and anything else — or the preface where the upgrade is off — stays HTTP/1.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FrontendModel } from '../../src/config/model.ts';
import { prefaceAt } from '../../src/mux/http-upgrade.ts';
import { Proxy } from '../../src/proxy/proxy.ts';
import { FakeRuntime, type FakeSocket } from '../support/fake-runtime.ts';
import { backend, config, frontend, server } from '../support/model.ts';

const enc = new TextEncoder();
const PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';
/** An empty SETTINGS frame. */
const SETTINGS = String.fromCharCode(0, 0, 0, 4, 0, 0, 0, 0, 0);

async function start(rt: FakeRuntime, extra: Partial<FrontendModel> = {}): Promise<Proxy> {
  const proxy = new Proxy(rt, config([frontend('fe', 8080, 'be', { mode: 'http', ...extra })], [backend('be', [server('s1', 9001)], { mode: 'http' })]));
  await proxy.start();
  return proxy;
}

function send(client: FakeSocket, rt: FakeRuntime, text: string): void {
  client.write(enc.encode(text));
  rt.flush();
}

/** Whether the proxy's first bytes are a SETTINGS frame (an HTTP/2 server's first frame). */
function answeredWithSettings(client: FakeSocket): boolean {
  const bytes = client.text();
  return bytes.length >= 9 && bytes.charCodeAt(3) === 4 && bytes.charCodeAt(4) === 0;
}

describe('prefaceAt', () => {
  it('tells a whole preface, a beginning of it and something else apart', () => {
    const p = enc.encode(PREFACE + 'more');
    assert.equal(prefaceAt(p, 0), 'match');
    assert.equal(prefaceAt(p.subarray(0, 10), 0), 'partial');
    assert.equal(prefaceAt(enc.encode('xxPRI * HT'), 2), 'partial');
    assert.equal(prefaceAt(enc.encode('PRI / HTTP/1.1\r\n'), 0), 'mismatch');
    assert.equal(prefaceAt(enc.encode('GET / HTTP/1.1\r\n'), 0), 'mismatch');
  });
});

describe('H1 client connection turning HTTP/2 on the preface', () => {
  it('answers the preface as an HTTP/2 server, in one session counted once', async () => {
    const rt = new FakeRuntime();
    const proxy = await start(rt);
    const client = rt.dial('127.0.0.1', 8080);
    send(client, rt, PREFACE + SETTINGS);
    assert.ok(answeredWithSettings(client), JSON.stringify(client.text()));
    const counters = proxy.frontends[0]!.counters;
    assert.equal(counters.stot, 1);
    assert.equal(counters.scur, 1);
    assert.equal(counters.bin, PREFACE.length + SETTINGS.length);
    client.destroy();
    rt.flush();
    assert.equal(counters.scur, 0);
  });

  it('waits for the end of a preface that comes in pieces', async () => {
    const rt = new FakeRuntime();
    await start(rt);
    const client = rt.dial('127.0.0.1', 8080);
    send(client, rt, PREFACE.slice(0, 7));
    assert.equal(client.text(), '');
    send(client, rt, PREFACE.slice(7) + SETTINGS);
    assert.ok(answeredWithSettings(client), JSON.stringify(client.text()));
  });

  it('option disable-h2-upgrade: the preface is an HTTP/1 request (400)', async () => {
    const rt = new FakeRuntime();
    await start(rt, { options: { tcplog: false, dontlognull: false, disableH2Upgrade: true } });
    const client = rt.dial('127.0.0.1', 8080);
    send(client, rt, PREFACE);
    assert.match(client.text(), /^HTTP\/1\.1 400 /);
  });
});
