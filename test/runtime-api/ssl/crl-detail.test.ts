/**
 * The CRL reader behind `show ssl crl-file` (src/util/x509-crl.ts): the lines of HAProxy's
 * show_crl_detail, byte for byte as HAProxy 2.6.12 printed them for the fixture CRL.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { formatCrlDetail, pemCrlsToDers, readCrl } from '../../../src/util/x509-crl.ts';
import { repoRoot } from '../../support/runtimes.ts';

describe('show ssl crl-file details', () => {
  it("prints the fixture CRL as HAProxy's show_crl_detail", () => {
    const ders = pemCrlsToDers(readFileSync(`${repoRoot}test/fixtures/tls/ca-crl.pem`, 'latin1'));
    assert.equal(ders.length, 1);
    const crl = readCrl(ders[0] as Uint8Array);
    assert.ok(crl !== undefined);
    assert.equal(
      formatCrlDetail(crl),
      [
        'Version 1',
        'Signature Algorithm: sha256WithRSAEncryption',
        'Issuer: /CN=Switchyard Test CA',
        'Last Update: Dec  5 12:22:24 2026 GMT',
        'Next Update: Dec  2 12:22:24 2036 GMT',
        'Revoked Certificates:',
        '    Serial Number: 1001',
        '        Revocation Date: Dec  5 12:22:24 2026 GMT',
        '',
      ].join('\n'),
    );
  });

  it('reads every CRL of a file, and none from garbage', () => {
    assert.equal(pemCrlsToDers('no PEM here').length, 0);
    assert.equal(readCrl(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00])), undefined);
  });
});
