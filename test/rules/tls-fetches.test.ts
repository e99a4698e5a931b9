/**
 * The X.509 reader behind the certificate fetches (util/x509.ts) and the TLS fetches on a
 * connection's TlsInfo (rules/fetches-tls.ts), compared with what openssl reports for the
 * fixtures and with HAProxy's formats.
 */
import assert from 'node:assert/strict';
import { X509Certificate, createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { TlsInfo } from '../../src/runtime.ts';
import { compileSampleFetch, type SampleContext } from '../../src/rules/sample-fetch.ts';
import { formatAsn1Time, formatDnLdap, formatDnOneline, pemToDer, readX509 } from '../../src/util/x509.ts';
import { x509ErrorId } from '../../src/util/x509-errors.ts';
import { fixture } from '../support/fake-files.ts';

const CLIENT = fixture('tls/client.example.pem');
const A = fixture('tls/a.example.pem');

function derOf(pem: string): Uint8Array {
  return new Uint8Array(new X509Certificate(pem).raw);
}

const runtime = {
  wallClock: () => 0,
  env: () => undefined,
  digest: (algorithm: string, data: Uint8Array) => new Uint8Array(createHash(algorithm).update(data).digest()),
} as unknown as SampleContext['runtime'];

function fetch(expression: string, tls: Partial<TlsInfo> | undefined): string | undefined {
  const compiled = compileSampleFetch(expression, { direction: 'request' });
  assert.ok(compiled.ok, compiled.ok ? '' : compiled.message);
  const ctx = {
    clientAddress: '127.0.0.1',
    clientTls: tls === undefined ? undefined : ({ sni: undefined, alpn: undefined, protocol: 'TLSv1.3', ...tls } as TlsInfo),
    runtime,
  } as unknown as SampleContext;
  return compiled.fetch.fetch(ctx);
}

describe('X.509 reader', () => {
  it('reads what openssl reads', () => {
    const facts = readX509(derOf(CLIENT));
    assert.ok(facts);
    assert.equal(facts.version, 3);
    assert.deepEqual([...facts.serial], [0x10, 0x00]);
    assert.equal(formatDnOneline(facts.subject), '/CN=client.example/O=Switchyard Test/C=FR');
    assert.equal(formatDnLdap(facts.subject), 'C=FR,O=Switchyard Test,CN=client.example');
    assert.equal(formatDnOneline(facts.issuer), '/CN=Switchyard Test CA');
    assert.equal(facts.signatureAlgorithm, 'RSA-SHA256');
    assert.equal(facts.keyAlgorithm, 'rsaEncryption');
    assert.match(facts.notBefore, /^\d{12}Z$/);
  });

  it('drops the sign-padding zero of serials, and decodes PEM as node:crypto does', () => {
    const der = pemToDer(A) as Uint8Array;
    assert.deepEqual(der, derOf(A));
    const serial = Buffer.from(readX509(der)?.serial ?? []).toString('hex').toUpperCase();
    assert.equal(serial, new X509Certificate(A).serialNumber);
  });

  it('refuses what is not a certificate', () => {
    assert.equal(readX509(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01])), undefined);
    assert.equal(readX509(new Uint8Array([0x30, 0x85])), undefined);
  });

  it('formats ASN.1 times as ASN1_TIME_print; reads key sizes and SANs', () => {
    assert.equal(formatAsn1Time('180116230238Z'), 'Jan 16 23:02:38 2018 GMT');
    assert.equal(formatAsn1Time('20500105010203Z'), 'Jan  5 01:02:03 2050 GMT');
    const a = readX509(derOf(A));
    assert.equal(a?.keyDescription, 'RSA2048');
    assert.deepEqual(a?.subjectAltNames, ['DNS:a.example']);
  });

  it('maps verify error names to X509_V_ERR ids', () => {
    assert.equal(x509ErrorId('CERT_HAS_EXPIRED'), 10);
    assert.equal(x509ErrorId('X509_V_ERR_CERT_REVOKED'), 23);
    assert.equal(x509ErrorId('DEPTH_ZERO_SELF_SIGNED_CERT'), 18);
  });
});

describe('TLS fetches', () => {
  const withCert = { peerCertificate: derOf(CLIENT), localCertificatePem: A, cipher: 'TLS_AES_256_GCM_SHA384', sessionReused: true };

  it('ssl_c_* read the client certificate; absent without one', () => {
    assert.equal(fetch('ssl_c_used', withCert), '1');
    assert.equal(fetch('ssl_c_s_dn', withCert), '/CN=client.example/O=Switchyard Test/C=FR');
    assert.equal(fetch('ssl_c_s_dn(CN)', withCert), 'client.example');
    assert.equal(fetch('ssl_c_s_dn(O,1,rfc2253)', withCert), 'Switchyard Test');
    assert.equal(fetch('ssl_c_s_dn(,0,rfc2253)', withCert), 'C=FR,O=Switchyard Test,CN=client.example');
    assert.equal(fetch('ssl_c_i_dn', withCert), '/CN=Switchyard Test CA');
    assert.equal(fetch('ssl_c_serial,hex', withCert), '1000');
    assert.equal(fetch('ssl_c_sha1,hex', withCert), new X509Certificate(CLIENT).fingerprint.replaceAll(':', ''));
    assert.equal(fetch('ssl_c_version', withCert), '3');
    assert.equal(fetch('ssl_c_used', {}), '0');
    assert.equal(fetch('ssl_c_s_dn', {}), undefined);
    assert.equal(fetch('ssl_c_used', undefined), undefined, 'no sample on a clear connection, as HAProxy');
  });

  it('ssl_c_verify, ssl_c_err and ssl_c_ca_err split the verify error by level', () => {
    assert.equal(fetch('ssl_c_verify', { ...withCert, peerVerifyError: 'CERT_REVOKED' }), '23');
    assert.equal(fetch('ssl_c_err', { ...withCert, peerVerifyError: 'CERT_REVOKED' }), '23');
    assert.equal(fetch('ssl_c_ca_err', { ...withCert, peerVerifyError: 'CERT_REVOKED' }), '0');
    assert.equal(fetch('ssl_c_ca_err', { ...withCert, peerVerifyError: 'SELF_SIGNED_CERT_IN_CHAIN' }), '19');
    assert.equal(fetch('ssl_c_verify', withCert), '0');
  });

  it('ssl_f_* read the served certificate; ssl_fc_* the connection', () => {
    assert.equal(fetch('ssl_f_s_dn', withCert), '/CN=a.example');
    assert.equal(fetch('ssl_f_serial,hex', withCert), '58BCCB3C387FBF719BF23AD325D6B8837D33C1F1');
    assert.equal(fetch('ssl_fc_cipher', withCert), 'TLS_AES_256_GCM_SHA384');
    assert.equal(fetch('ssl_fc_is_resumed', withCert), '1');
    assert.equal(fetch('ssl_fc_has_crt', withCert), '1');
    assert.equal(fetch('ssl_fc_has_sni', withCert), '0');
  });

  it('ssl_c_notbefore/notafter: a UTCTime as written, a GeneralizedTime (years from 2050) without its century', () => {
    const far = { peerCertificate: derOf(fixture('tls/far.example.crt')) };
    assert.equal(fetch('ssl_c_notbefore', far), '261205180537Z');
    assert.equal(fetch('ssl_c_notafter', far), '510727180537Z');
  });

  it('ssl_c_chain_der: what the client sent after its own certificate; no sample without it', () => {
    const ca = derOf(fixture('tls/ca.pem'));
    const hex = Buffer.from(ca).toString('hex').toUpperCase();
    assert.equal(fetch('ssl_c_chain_der,hex', { ...withCert, peerCertificateChain: [derOf(CLIENT), ca] }), hex);
    assert.equal(fetch('ssl_c_chain_der,hex', { ...withCert, peerCertificateChain: [derOf(CLIENT)] }), undefined);
    assert.equal(fetch('ssl_c_chain_der,hex', withCert), undefined);
  });

  it('refuses a DN format other than rfc2253', () => {
    const compiled = compileSampleFetch('ssl_c_s_dn(CN,1,ldap)', { direction: 'request' });
    assert.equal(compiled.ok, false);
  });
});
