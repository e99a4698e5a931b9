import assert from 'node:assert/strict';
import { X509Certificate, createHash, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { privateKeyNode } from '../../adapters/shared/node-private-key.ts';
import { forgeCertificate, signingCa } from '../../src/proxy/certificate-forge.ts';
import { CertificateGenerator } from '../../src/proxy/generated-certificates.ts';
import { derToPem } from '../../src/util/der-writer.ts';
import { pemToDer } from '../../src/util/x509.ts';
import type { DigestAlgorithm, PrivateKey } from '../../src/runtime.ts';
import { repoRoot } from '../support/runtimes.ts';

const TLS = `${repoRoot}test/fixtures/tls`;
const caPem = readFileSync(`${TLS}/ca.pem`, 'utf8');
const caKey = privateKeyNode(readFileSync(`${TLS}/ca.key`, 'utf8')) as PrivateKey;
const ownKey = privateKeyNode(readFileSync(`${TLS}/a.example.key`, 'utf8')) as PrivateKey;
const digest = (algorithm: DigestAlgorithm, data: Uint8Array): Uint8Array => new Uint8Array(createHash(algorithm).update(data).digest());
const NOW = Date.UTC(2030, 0, 15, 12, 0, 0);
const DAY = 86_400_000;

function forge(name: string, key: PrivateKey = caKey, ca: string = caPem): X509Certificate {
  const der = forgeCertificate(signingCa(pemToDer(ca) as Uint8Array, key), { serverName: name, serial: 4242, nowMs: NOW, publicKeyInfo: ownKey.publicKeyInfo }, digest);
  return new X509Certificate(derToPem(der, 'CERTIFICATE'));
}

describe('forgeCertificate', () => {
  it('is issued by the CA for the name, with the given key, serial and validity', () => {
    const ca = new X509Certificate(caPem);
    const cert = forge('forged.example');
    assert.ok(cert.verify(ca.publicKey));
    assert.equal(cert.checkIssued(ca), true);
    assert.equal(cert.subject, `${ca.subject}\nCN=forged.example`);
    assert.equal(cert.subjectAltName, 'DNS:forged.example');
    assert.equal(cert.serialNumber, (4242).toString(16).toUpperCase());
    assert.equal(Date.parse(cert.validFrom), NOW - DAY);
    assert.equal(Date.parse(cert.validTo), NOW + 365 * DAY);
    assert.equal(cert.ca, false);
    assert.deepEqual(new Uint8Array(cert.publicKey.export({ type: 'spki', format: 'der' })), ownKey.publicKeyInfo);
  });

  it('carries HAProxy extensions: subject key hash, authority key id with the CA issuer and serial', () => {
    const cert = forge('x.example');
    const ca = new X509Certificate(caPem);
    // Node prints no extensions: read the DER, where the values are found as they are written.
    const der = Buffer.from(cert.raw).toString('hex');
    // authorityKeyIdentifier keyid: the CA's subjectKeyIdentifier (4E:D7:7C:...).
    assert.ok(der.includes('80144ed77c4ec4e0cfaa3fd76663ec504e005f6825eb'), 'keyid of the CA');
    // authorityCertSerialNumber: the CA's serial.
    assert.ok(der.includes(`82${(ca.serialNumber.length / 2).toString(16).padStart(2, '0')}${ca.serialNumber.toLowerCase()}`), 'serial of the CA');
    assert.ok(der.includes(Buffer.from('"OpenSSL Generated Certificate"').toString('hex')));
    // keyUsage nonRepudiation, digitalSignature, keyEncipherment.
    assert.ok(der.includes('0603551d0f0404030205e0'));
  });

  it('signs with ecdsa-with-SHA256 for an EC CA', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const key = privateKeyNode(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string) as PrivateKey;
    assert.equal(key.type, 'ec');
    // A CA certificate of that key: a forged certificate of itself serves (its subject and serial are read).
    const der = forgeCertificate(signingCa(pemToDer(caPem) as Uint8Array, key), { serverName: 'ec.example', serial: 7, nowMs: NOW, publicKeyInfo: key.publicKeyInfo }, digest);
    const cert = new X509Certificate(derToPem(der, 'CERTIFICATE'));
    assert.ok(cert.verify(publicKey));
    assert.equal(cert.publicKey.asymmetricKeyType, 'ec');
  });
});

describe('CertificateGenerator', () => {
  const generator = (capacity: number): CertificateGenerator =>
    new CertificateGenerator(signingCa(pemToDer(caPem) as Uint8Array, caKey), caPem, 'KEY', ownKey.publicKeyInfo, { digest, wallClock: () => NOW }, capacity);

  it('keeps the least recently used names up to its capacity', () => {
    const g = generator(2);
    const a = g.certificateFor('a.example');
    const b = g.certificateFor('b.example');
    assert.equal(g.certificateFor('a.example'), a);
    g.certificateFor('c.example');
    assert.equal(g.certificateFor('a.example'), a);
    assert.notEqual(g.certificateFor('b.example'), b);
  });

  it('without a cache forges each time; serials grow', () => {
    const g = generator(0);
    const one = g.certificateFor('a.example');
    const two = g.certificateFor('a.example');
    assert.notEqual(one, two);
    const serial = (pem: string | undefined): bigint => BigInt(`0x${new X509Certificate(pem as string).serialNumber}`);
    assert.equal(serial(two?.certPem), serial(one?.certPem) + 1n);
    // The CA follows the forged certificate, the key is the default certificate's.
    assert.ok(one?.certPem.endsWith(caPem));
    assert.equal(one?.keyPem, 'KEY');
  });

  it('forges nothing for a name longer than a CN may be (64)', () => {
    assert.equal(generator(10).certificateFor(`${'a'.repeat(62)}.ex`), undefined);
    assert.notEqual(generator(10).certificateFor(`${'a'.repeat(61)}.ex`), undefined);
  });
});
