/**
 * OCSP responses: decoding, OpenSSL's text (the fixtures' `.txt` are `openssl ocsp -respin F
 * -resp_text -noverify` of OpenSSL 3.0, which HAProxy 2.6 prints), the CertID of a certificate
 * and its issuer, HAProxy's checks, and the store `set ssl ocsp-response` updates.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { OcspResponses } from '../../src/proxy/ocsp-responses.ts';
import { checkOcspResponse, issuedBy, ocspCertIdOf, readOcspResponse } from '../../src/util/ocsp-response.ts';
import { haproxyOcspResponseText, ocspResponseText } from '../../src/util/ocsp-text.ts';
import { sha1 } from '../../src/util/sha1.ts';
import { pemToDers } from '../../src/util/x509.ts';
import { fixture, fixtureBytes } from '../support/fake-files.ts';

const der = (name: string): Uint8Array => fixtureBytes(`tls/${name}`);
const text = (name: string): string => fixture(`tls/${name}`);
const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

const A = pemToDers(text('a.example.pem'))[0] as Uint8Array;
const B = pemToDers(text('b.example.pem'))[0] as Uint8Array;
const CA = pemToDers(text('ca.pem'))[0] as Uint8Array;
const GOOD = der('a.example.ocsp.der');
const REVOKED = der('a.example.ocsp-revoked.der');
// Both responses are valid from December 2026 for ten years.
const NOW = Date.UTC(2027, 0, 1);

describe('SHA-1', () => {
  it('matches node:crypto at every padding boundary', () => {
    for (const length of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000]) {
      const data = new Uint8Array(length).map((_, i) => (i * 7 + length) & 0xff);
      assert.equal(hex(sha1(data)), createHash('sha1').update(data).digest('hex'), `length ${length}`);
    }
  });
});

describe('OCSP responses', () => {
  it('are printed as OpenSSL prints them, certificates included', () => {
    assert.equal(ocspResponseText(readOcspResponse(GOOD)!, base64), text('a.example.ocsp.txt'));
    assert.equal(ocspResponseText(readOcspResponse(REVOKED)!, base64), text('a.example.ocsp-revoked.txt'));
  });

  it("HAProxy puts a space on the empty lines, and says so when the bytes are no response", () => {
    const shown = haproxyOcspResponseText(readOcspResponse(GOOD), base64);
    assert.ok(!shown.includes('\n\n'));
    assert.ok(shown.includes('GMT\n \n    Signature Algorithm'), shown);
    assert.equal(readOcspResponse(Uint8Array.of(1, 2, 3)), undefined);
    assert.equal(haproxyOcspResponseText(undefined, base64), '');
  });

  it("the CertID of a certificate and its issuer is the one OpenSSL put in the response", () => {
    assert.ok(issuedBy(A, CA));
    assert.ok(!issuedBy(CA, A));
    const id = ocspCertIdOf(A, CA)!;
    const single = readOcspResponse(GOOD)!.basic!.responses[0]!;
    assert.equal(hex(id.der), hex(single.certId.der));
    assert.equal(hex(id.der).slice(0, 22), '304d300906052b0e03021a');
  });

  it("are checked as HAProxy checks them", () => {
    const idA = ocspCertIdOf(A, CA)!;
    const idB = ocspCertIdOf(B, CA)!;
    assert.equal(checkOcspResponse(GOOD, idA, NOW).ok, true);
    assert.equal(checkOcspResponse(REVOKED, idA, NOW).ok, true);
    assert.deepEqual(checkOcspResponse(GOOD, idB, NOW), { ok: false, message: 'OCSP single response: Certificate ID does not match certificate and issuer' });
    assert.deepEqual(checkOcspResponse(GOOD, idA, Date.UTC(2040, 0, 1)), { ok: false, message: 'OCSP single response: no longer valid.' });
    assert.deepEqual(checkOcspResponse(GOOD, idA, Date.UTC(2020, 0, 1)), { ok: false, message: 'OCSP single response: no longer valid.' });
    assert.deepEqual(checkOcspResponse(Uint8Array.of(0x30, 0x03, 0x0a, 0x01, 0x01), idA, NOW), { ok: false, message: 'OCSP response status not successful' });
    assert.deepEqual(checkOcspResponse(Uint8Array.of(1), idA, NOW), { ok: false, message: 'Unable to parse OCSP response' });
  });
});

describe('the OCSP store', () => {
  const caPem = text('ca.pem');
  const chain = `${text('a.example.pem')}\n${caPem}`;

  it('keys an entry by CertID, staples its response until its next update, and replaces it', () => {
    let now = NOW;
    const store = new OcspResponses(() => now);
    const entry = store.load(chain, undefined, GOOD)!;
    assert.equal(entry.key, hex(ocspCertIdOf(A, CA)!.der));
    assert.equal(entry.current(), GOOD);
    assert.equal(store.update(REVOKED), undefined);
    assert.equal(entry.current(), REVOKED);
    assert.equal(store.update(der('b.example.ocsp.der')), 'OCSP single response: Certificate ID does not match any certificate or issuer');
    assert.equal(entry.current(), REVOKED);
    // The same certificate loaded again (a commit) shares the entry and reloads its response.
    assert.equal(store.load(chain, undefined, GOOD), entry);
    assert.equal(entry.current(), GOOD);
    now = Date.UTC(2040, 0, 1);
    assert.equal(entry.current(), undefined);
  });

  it('finds the issuer in the .issuer file when the chain has none, and needs one', () => {
    const store = new OcspResponses(() => NOW);
    assert.equal(store.load(text('a.example.pem'), undefined, GOOD), undefined);
    assert.equal(store.load(text('a.example.pem'), caPem, GOOD)?.current(), GOOD);
  });

  it('keeps an entry without response when the file fails the checks', () => {
    const store = new OcspResponses(() => NOW);
    const entry = store.load(`${text('b.example.pem')}\n${caPem}`, undefined, GOOD)!;
    assert.equal(entry.current(), undefined);
    assert.equal(store.entries().length, 1);
  });
});
