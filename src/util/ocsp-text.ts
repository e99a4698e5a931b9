/**
 * OpenSSL's OCSP_RESPONSE_print (crypto/ocsp/ocsp_prn.c), which HAProxy's `show ssl
 * ocsp-response ID` prints: the response data, each single response, the extensions, the
 * signature, then each certificate the responder included (X509_print, then its PEM).
 */
import { asn1IntegerHex, asn1StringHex, asn1Time, extensionsText, nameOneline, objectName, signatureText } from './openssl-text.ts';
import { OCSP_BASIC, type OcspCertId, type OcspResponse } from './ocsp-response.ts';
import { certificateText } from './x509-text.ts';
import { derName } from './x509.ts';

const RESPONSE_STATUS: Readonly<Record<number, string>> = {
  0: 'successful',
  1: 'malformedrequest',
  2: 'internalerror',
  3: 'trylater',
  5: 'sigrequired',
  6: 'unauthorized',
};

const CRL_REASONS: Readonly<Record<number, string>> = {
  0: 'unspecified',
  1: 'keyCompromise',
  2: 'cACompromise',
  3: 'affiliationChanged',
  4: 'superseded',
  5: 'cessationOfOperation',
  6: 'certificateHold',
  8: 'removeFromCRL',
};

/** ocsp_certid_print at `indent`: the hash algorithm only with OpenSSL's own (HAProxy's list leaves it out). */
export function certIdText(id: OcspCertId, indent: number, withAlgorithm: boolean): string {
  const pad = ' '.repeat(indent + 2);
  let out = `${' '.repeat(indent)}Certificate ID:\n`;
  if (withAlgorithm) out += `${pad}Hash Algorithm: ${objectName(id.hashAlgorithm)}\n`;
  out += `${pad}Issuer Name Hash: ${asn1StringHex(id.issuerNameHash)}\n`;
  out += `${pad}Issuer Key Hash: ${asn1StringHex(id.issuerKeyHash)}\n`;
  out += `${pad}Serial Number: ${asn1IntegerHex(id.serial)}\n`;
  return out;
}

/** OCSP_RESPONSE_print's text of a decoded response. */
export function ocspResponseText(response: OcspResponse, base64: (der: Uint8Array) => string): string {
  let out = 'OCSP Response Data:\n';
  out += `    OCSP Response Status: ${RESPONSE_STATUS[response.status] ?? '(UNKNOWN)'} (0x${response.status.toString(16)})\n`;
  if (response.responseType === undefined) return out;
  out += `    Response Type: ${objectName(response.responseType)}`;
  const basic = response.basic;
  if (response.responseType !== OCSP_BASIC || basic === undefined) return `${out} (unknown response type)\n`;
  out += `\n    Version: ${basic.version + 1} (0x${basic.version.toString(16)})\n`;
  out += '    Responder Id: ';
  if (basic.responderName !== undefined) out += nameOneline(basic.responderName);
  else if (basic.responderKeyHash !== undefined) out += asn1StringHex(basic.responderKeyHash);
  out += `\n    Produced At: ${asn1Time(basic.producedAt)}\n    Responses:\n`;
  for (const single of basic.responses) {
    out += certIdText(single.certId, 4, true);
    out += `    Cert Status: ${single.status}`;
    if (single.status === 'revoked' && single.revocationTime !== undefined) {
      out += `\n    Revocation Time: ${asn1Time(single.revocationTime)}`;
      if (single.revocationReason !== undefined) out += `\n    Revocation Reason: ${CRL_REASONS[single.revocationReason] ?? '(UNKNOWN)'} (0x${single.revocationReason.toString(16)})`;
    }
    out += `\n    This Update: ${asn1Time(single.thisUpdate)}`;
    if (single.nextUpdate !== undefined) out += `\n    Next Update: ${asn1Time(single.nextUpdate)}`;
    out += '\n';
    out += extensionsText('Response Single Extensions', single.extensions, 8, derName);
    out += '\n';
  }
  out += extensionsText('Response Extensions', basic.extensions, 4, derName);
  out += signatureText(basic.signatureAlgorithm, basic.signature);
  for (const certificate of basic.certificates) out += certificateText(certificate, base64);
  return out;
}

/**
 * HAProxy's ssl_ocsp_response_print: OpenSSL's text with a space on each empty line (an empty
 * line would end the CLI's answer). Bytes that are no response print nothing: HAProxy's
 * "Unable to parse OCSP response" goes to a buffer its CLI handlers then drop.
 */
export function haproxyOcspResponseText(response: OcspResponse | undefined, base64: (der: Uint8Array) => string): string {
  if (response === undefined) return '';
  return ocspResponseText(response, base64).replace(/\n(?=\n)/g, '\n ');
}
