/**
 * The runtime API's certificate store on its own (src/runtime-api/ssl/): what a `set ssl cert`
 * payload changes according to the name's extension, and what a commit hands to the listeners
 * and servers using the file (and that a refusal changes nothing).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { CertificateFile, ServerSsl } from '../../../src/config/model.ts';
import type { Backend } from '../../../src/proxy/backend.ts';
import type { Frontend } from '../../../src/proxy/frontend.ts';
import type { Listener, TlsCertificate } from '../../../src/runtime.ts';
import { loadPayload, payloadTarget } from '../../../src/runtime-api/ssl/certificate-payload.ts';
import { CertificateStore } from '../../../src/runtime-api/ssl/certificate-store.ts';
import { repoRoot } from '../../support/runtimes.ts';

const TLS = `${repoRoot}test/fixtures/tls`;
const A_CRT = readFileSync(`${TLS}/a.example.crt`, 'latin1');
const A_KEY = readFileSync(`${TLS}/a.example.key`, 'latin1');
const B_CRT = readFileSync(`${TLS}/b.example.crt`, 'latin1');
const B_KEY = readFileSync(`${TLS}/b.example.key`, 'latin1');
const EMPTY = { certPem: undefined, keyPem: undefined };

describe('set ssl cert payloads', () => {
  it('takes the loader from the extension, as HAProxy cert_exts', () => {
    assert.deepEqual(payloadTarget('/x/site.pem'), { path: '/x/site.pem', kind: 'pem', stripped: false });
    assert.deepEqual(payloadTarget('/x/site.pem.key'), { path: '/x/site.pem', kind: 'key', stripped: true });
    assert.deepEqual(payloadTarget('/x/site.crt'), { path: '/x/site', kind: 'pem', stripped: true });
    assert.deepEqual(payloadTarget('/x/site.pem.ocsp'), { path: '/x/site.pem', kind: 'ocsp', stripped: true });
    assert.deepEqual(payloadTarget('/x.d/site'), { path: '/x.d/site', kind: 'pem', stripped: false });
  });

  it('a PEM payload replaces the certificate, chain and key; without a key there is none', () => {
    const both = loadPayload(payloadTarget('/s.pem'), `${B_CRT}${B_KEY}`, { certPem: A_CRT, keyPem: A_KEY });
    assert.ok(both.ok);
    assert.equal(both.data.certPem, B_CRT.trimEnd());
    assert.equal(both.data.keyPem, B_KEY.trimEnd());
    const certOnly = loadPayload(payloadTarget('/s.pem'), B_CRT, { certPem: A_CRT, keyPem: A_KEY });
    assert.ok(certOnly.ok);
    assert.equal(certOnly.data.keyPem, undefined);
  });

  it('a .key payload replaces the key only', () => {
    const result = loadPayload(payloadTarget('/s.pem.key'), B_KEY, { certPem: A_CRT, keyPem: A_KEY });
    assert.ok(result.ok);
    assert.equal(result.data.certPem, A_CRT);
    assert.equal(result.data.keyPem, B_KEY.trimEnd());
  });

  it("answers HAProxy's messages for payloads without what they must hold", () => {
    assert.deepEqual(loadPayload(payloadTarget('/s.pem'), B_KEY, EMPTY), { ok: false, message: "unable to load certificate from file '/s.pem'.\n" });
    assert.deepEqual(loadPayload(payloadTarget('/s.pem.key'), B_CRT, EMPTY), { ok: false, message: "unable to load private key from file '/s.pem'.\n" });
    assert.deepEqual(loadPayload(payloadTarget('/s.pem.ocsp'), 'A', EMPTY), { ok: false, message: 'Error reading OCSP response in base64 format' });
    // Any bytes are taken into the transaction: the commit checks them.
    assert.deepEqual(loadPayload(payloadTarget('/s.pem.ocsp'), 'AA\nAA\r\n', EMPTY), { ok: true, data: { ...EMPTY, ocspResponse: Uint8Array.of(0, 0, 0) } });
    assert.equal(loadPayload(payloadTarget('/s.pem.sctl'), 'AAAA', EMPTY).ok, false);
  });
});

/** A listener recording the certificate lists it is given; `refuse` makes it throw as a mismatched key does. */
class RecordingListener implements Listener {
  readonly host = '127.0.0.1';
  readonly port = 1;
  readonly given: (readonly TlsCertificate[])[] = [];
  refuse = false;
  close(): Promise<void> {
    return Promise.resolve();
  }
  setCertificates(certificates: readonly TlsCertificate[]): void {
    if (this.refuse) throw new Error('key values mismatch');
    this.given.push(certificates);
  }
}

function file(path: string, serverNames?: string[], line?: number): CertificateFile {
  return { path, certPem: A_CRT, keyPem: A_KEY, ...(serverNames !== undefined ? { serverNames } : {}), ...(line !== undefined ? { crtList: { path: '/l', line } } : {}) };
}

/** One frontend with two TLS binds and a plain one, one backend with a server presenting `/a.pem`. */
function fixture(): { store: CertificateStore; listeners: RecordingListener[]; server: { ssl: ServerSsl | undefined } } {
  const listeners = [new RecordingListener(), new RecordingListener(), new RecordingListener()];
  const binds = [
    { ssl: { certificates: [file('/a.pem'), file('/b.pem')] }, source: { file: 'cfg', line: 2 } },
    { ssl: undefined, source: { file: 'cfg', line: 3 } },
    { ssl: { certificates: [file('/a.pem', ['!*'], 1), file('/a.pem', ['www.a.example'], 2)] }, source: { file: 'cfg', line: 4 } },
  ];
  const frontend = { name: 'fe', model: { binds }, listeners, listenerOf: (i: number) => listeners[i] } as unknown as Frontend;
  const server = { ssl: { verify: 'none', certificate: { certPem: A_CRT, keyPem: A_KEY, path: '/a.pem' } } as unknown as ServerSsl };
  const backend = { servers: [server] } as unknown as Backend;
  return { store: new CertificateStore([frontend], [backend]), listeners, server };
}

describe('the certificate store', () => {
  it('lists every file once, sorted by path, used by a bind or a server', () => {
    const { store } = fixture();
    assert.deepEqual(store.paths(), ['/a.pem', '/b.pem']);
    assert.equal(store.used('/a.pem'), true);
  });

  it('a commit gives every bind using the file its whole list, and the server its new certificate', () => {
    const { store, listeners, server } = fixture();
    const before = server.ssl;
    store.stage('/a.pem', { certPem: B_CRT, keyPem: B_KEY });
    const result = store.commit();
    assert.deepEqual(result, { ok: true, instances: 4 });
    const [first, , third] = listeners as [RecordingListener, RecordingListener, RecordingListener];
    assert.deepEqual(
      first.given[0]?.map((c) => [c.source, c.certPem === B_CRT]),
      [
        ['/a.pem', true],
        ['/b.pem', false],
      ],
    );
    assert.deepEqual(
      third.given[0]?.map((c) => [c.certPem === B_CRT, c.serverNames]),
      [
        [true, ['!*']],
        [true, ['www.a.example']],
      ],
    );
    assert.equal(listeners[1]?.given.length, 0);
    assert.notEqual(server.ssl, before, 'a new ServerSsl, so the per-server TLS caches follow');
    assert.equal(server.ssl?.certificate?.certPem, B_CRT);
    assert.equal(store.get('/a.pem')?.certPem, B_CRT);
    assert.equal(store.transaction, undefined);
  });

  it('a listener that refuses stops the commit before the store or the servers change', () => {
    const { store, listeners, server } = fixture();
    (listeners[0] as RecordingListener).refuse = true;
    store.stage('/a.pem', { certPem: B_CRT, keyPem: A_KEY });
    const result = store.commit();
    assert.equal(result.ok, false);
    assert.equal(store.get('/a.pem')?.certPem, A_CRT);
    assert.equal(server.ssl?.certificate?.certPem, A_CRT);
    assert.notEqual(store.transaction, undefined, 'the transaction stays, to be fixed or aborted');
  });

  it('a listener refusing after another accepted: the first gets the old certificates back', () => {
    const { store, listeners } = fixture();
    const [first, , third] = listeners as [RecordingListener, RecordingListener, RecordingListener];
    third.refuse = true;
    store.stage('/a.pem', { certPem: B_CRT, keyPem: A_KEY });
    assert.equal(store.commit().ok, false);
    assert.deepEqual(
      first.given.map((list) => list[0]?.certPem === B_CRT),
      [true, false],
    );
  });

  it('new entries are empty and may be deleted; used ones may not', () => {
    const { store } = fixture();
    assert.equal(store.create('/n.pem'), true);
    assert.equal(store.create('/n.pem'), false);
    assert.deepEqual(store.get('/n.pem'), EMPTY);
    assert.equal(store.delete('/a.pem'), 'used');
    assert.equal(store.delete('/n.pem'), 'deleted');
    assert.equal(store.delete('/n.pem'), 'missing');
  });

  it('crt-list lines: the default one is named with its bind; del and add change the binds loading the list', () => {
    const { store, listeners } = fixture();
    const third = listeners[2] as RecordingListener;
    assert.deepEqual(store.crtListPaths(), ['/l']);
    const [first, second] = store.crtList('/l') as [CertificateFile, CertificateFile];
    assert.deepEqual(store.defaultOf(first), [{ file: 'cfg', line: 4 }]);
    assert.deepEqual(store.defaultOf(second), []);
    assert.deepEqual(store.deleteCrtListEntry('/l', second), { ok: true, instances: 1 });
    assert.deepEqual(third.given[0]?.map((c) => c.serverNames), [['!*']]);
    assert.equal(store.addCrtListEntry('/l', { path: '/b.pem', certPem: B_CRT, keyPem: B_KEY, serverNames: ['b.example'] }).ok, true);
    assert.deepEqual(third.given[1]?.map((c) => c.serverNames), [['!*'], ['b.example']]);
    assert.deepEqual(
      store.crtList('/l')?.map((e) => [e.path, e.crtList?.line]),
      [
        ['/a.pem', 1],
        ['/b.pem', 3],
      ],
      'numbered after the last line read, not reusing a deleted one',
    );
    assert.equal(listeners[0]?.given.length, 0, 'a bind not loading the list is left alone');
  });
});
