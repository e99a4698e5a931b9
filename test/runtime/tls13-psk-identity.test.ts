import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type tls from 'node:tls';
import { clientHelloPskResumption } from '../../adapters/shared/tls13-psk-identity.ts';
import { TlsSessionStore } from '../../adapters/shared/tls-session-cache.ts';

const u16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];

function extension(type: number, body: number[]): number[] {
  return [...u16(type), ...u16(body.length), ...body];
}

/** A ClientHello record: legacy session id, extensions. */
function clientHello(sessionId: number[], extensions: number[][]): Buffer {
  const exts = extensions.flat();
  const body = [0x03, 0x03, ...new Array<number>(32).fill(7), sessionId.length, ...sessionId, ...u16(2), 0x13, 0x01, 1, 0, ...u16(exts.length), ...exts];
  const handshake = [0x01, 0, ...u16(body.length), ...body];
  return Buffer.from([0x16, 0x03, 0x01, ...u16(handshake.length), ...handshake]);
}

/** pre_shared_key: identities (one identity and its obfuscated age), then binders. */
function preSharedKey(identity: number[]): number[] {
  const identities = [...u16(identity.length), ...identity, 0, 0, 0, 1];
  const binders = [...u16(33), 32, ...new Array<number>(32).fill(9)];
  return extension(41, [...u16(identities.length), ...identities, ...binders]);
}

const LEGACY = new Array<number>(32).fill(0xab);
const IDENTITY = new Array<number>(32).fill(0xcd);

describe('clientHelloPskResumption (TLSv1.3 resumption by stateful ticket on node:tls)', () => {
  it('reads the legacy session id and the first PSK identity', () => {
    const hello = clientHello(LEGACY, [extension(0, [0, 0]), extension(43, [2, 3, 4]), preSharedKey(IDENTITY)]);
    assert.deepEqual(clientHelloPskResumption(hello), { legacySessionId: 'ab'.repeat(32), identity: 'cd'.repeat(32) });
  });

  it("asks for more bytes until the ClientHello is whole, and passes over what is not one", () => {
    const hello = clientHello(LEGACY, [preSharedKey(IDENTITY)]);
    assert.equal(clientHelloPskResumption(hello.subarray(0, 3)), 'short');
    assert.equal(clientHelloPskResumption(hello.subarray(0, hello.length - 1)), 'short');
    assert.equal(clientHelloPskResumption(Buffer.from('GET / HTTP/1.1\r\n')), undefined);
    assert.equal(clientHelloPskResumption(clientHello(LEGACY, [extension(0, [0, 0])])), undefined, 'no pre_shared_key');
    assert.equal(clientHelloPskResumption(clientHello([], [preSharedKey(IDENTITY)])), undefined, 'no legacy session id: node:tls asks for nothing');
  });

  it('refuses an identity running past the extension', () => {
    const hello = clientHello(LEGACY, [extension(41, [...u16(40), ...u16(60), 1, 2, 3])]);
    assert.equal(clientHelloPskResumption(hello), undefined);
  });
});

describe('TlsSessionStore', () => {
  /** The server events node:tls emits, and what 'resumeSession' answers. */
  function served(store: TlsSessionStore): { server: EventEmitter; resume: (id: string) => Buffer | null } {
    const server = new EventEmitter();
    store.attach(server as unknown as tls.Server);
    const resume = (id: string): Buffer | null => {
      let answer: Buffer | null = null;
      server.emit('resumeSession', Buffer.from(id, 'hex'), (_error: Error | null, data: Buffer | null) => (answer = data));
      return answer;
    };
    return { server, resume };
  }

  it("resumes by session id, and by the PSK identity a ClientHello asked for under a random legacy id", () => {
    const store = new TlsSessionStore();
    const { server, resume } = served(store);
    server.emit('newSession', Buffer.from('cd'.repeat(32), 'hex'), Buffer.from('session'), () => {});
    assert.equal(resume('cd'.repeat(32))?.toString(), 'session');
    assert.equal(resume('ab'.repeat(32)), null);
    store.resumeWith('ab'.repeat(32), 'cd'.repeat(32));
    assert.equal(resume('ab'.repeat(32))?.toString(), 'session');
    assert.equal(resume('ab'.repeat(32)), null, 'an alias serves its handshake once');
    store.resumeWith('ab'.repeat(32), 'cd'.repeat(32));
    store.clear();
    assert.equal(resume('ab'.repeat(32)), null);
  });

  it('counts the lookups OpenSSL would make in HAProxy\'s cache (SslCacheLookups, SslCacheMisses)', () => {
    const lookups: boolean[] = [];
    const store = new TlsSessionStore({ onLookup: (found) => lookups.push(found), tls12Only: false });
    const { server, resume } = served(store);
    server.emit('newSession', Buffer.from('cd'.repeat(32), 'hex'), Buffer.from('session'), () => {});
    // A TLSv1.3 client's random legacy id: OpenSSL looks nothing up.
    resume('ab'.repeat(32));
    assert.deepEqual(lookups, []);
    // A TLSv1.2 session id that is there; a stateful TLSv1.3 identity, there then gone.
    resume('cd'.repeat(32));
    store.resumeWith('ab'.repeat(32), 'cd'.repeat(32));
    resume('ab'.repeat(32));
    store.resumeWith('ef'.repeat(32), '01'.repeat(32));
    resume('ef'.repeat(32));
    assert.deepEqual(lookups, [true, true, false]);
  });

  it('counts every session id as a lookup on a listener that speaks TLSv1.2 at most', () => {
    const lookups: boolean[] = [];
    const { resume } = served(new TlsSessionStore({ onLookup: (found) => lookups.push(found), tls12Only: true }));
    resume('ab'.repeat(32));
    assert.deepEqual(lookups, [false]);
  });
});
