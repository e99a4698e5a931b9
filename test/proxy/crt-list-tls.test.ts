import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CertificateFile } from '../../src/config/model.ts';
import { crtListTlsCertificate } from '../../src/proxy/crt-list-tls.ts';

const PEM = { certPem: 'CERT', keyPem: 'KEY' };

function line(extra: Partial<CertificateFile>): CertificateFile {
  return { path: '/c.pem', ...PEM, ...extra };
}

describe('crtListTlsCertificate', () => {
  it('a line without options is the certificate and its filters only', () => {
    assert.deepEqual(crtListTlsCertificate(line({ serverNames: ['a.example'] }), PEM, undefined, undefined), {
      certPem: 'CERT',
      keyPem: 'KEY',
      source: '/c.pem',
      serverNames: ['a.example'],
    });
  });

  it('versions and ciphers replace the bind\'s; SSLv3 starts the range at TLSv1.0', () => {
    const bind = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', ciphers: 'B', tickets: false } as const;
    const cert = crtListTlsCertificate(line({ sslConf: { minVersion: 'SSLv3', ciphers: 'L', ecdhe: 'prime256v1' } }), PEM, bind, undefined);
    assert.deepEqual(cert.settings, { minVersion: 'TLSv1.0', maxVersion: 'TLSv1.3', ciphers: 'L', curves: 'prime256v1', tickets: false });
    const defaults = crtListTlsCertificate(line({ sslConf: { maxVersion: 'TLSv1.2' } }), PEM, undefined, undefined);
    assert.deepEqual(defaults.settings, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', tickets: true });
  });

  it('options that change no handshake setting leave the listener\'s', () => {
    const cert = crtListTlsCertificate(line({ sslConf: { verify: 'none', allow0rtt: true, alpn: 'h2' } }), PEM, undefined, undefined);
    assert.equal(cert.settings, undefined);
    assert.equal(cert.clientAuth, undefined);
  });

  it('ca-file, ca-verify-file and crl-file each replace the bind\'s own', () => {
    const bind = { caFilePem: 'BIND-CA', caVerifyFilePem: 'BIND-ROOT', crlPem: 'BIND-CRL' };
    const files = [
      { path: 'ca.crt', pem: 'LINE-CA' },
      { path: 'crl.pem', pem: 'LINE-CRL' },
    ];
    assert.deepEqual(crtListTlsCertificate(line({ sslConf: { caFile: 'ca.crt' }, sslConfFiles: files }), PEM, undefined, bind).clientAuth, {
      caPem: 'LINE-CA\nBIND-ROOT',
      crlPem: 'BIND-CRL',
    });
    assert.deepEqual(crtListTlsCertificate(line({ sslConf: { crlFile: 'crl.pem' }, sslConfFiles: files }), PEM, undefined, bind).clientAuth, {
      caPem: 'BIND-CA\nBIND-ROOT',
      crlPem: 'LINE-CRL',
    });
    // A `new ssl ca-file` not filled yet verifies nothing.
    assert.deepEqual(crtListTlsCertificate(line({ sslConf: { caFile: 'new.crt' }, sslConfFiles: [{ path: 'new.crt', pem: '' }] }), PEM, undefined, undefined).clientAuth, {
      caPem: undefined,
    });
  });
});
