/**
 * OpenSSL's X509 verification error ids (X509_V_ERR_*), the numbers HAProxy's `ssl_c_err`,
 * `ssl_c_ca_err` and `ssl_c_verify` return and `crt-ignore-err`/`ca-ignore-err` name. Runtimes
 * report the error by name (Node's authorizationError: "CERT_HAS_EXPIRED"); this maps it back.
 */

const X509_ERRORS: Readonly<Record<string, number>> = {
  UNABLE_TO_GET_ISSUER_CERT: 2,
  UNABLE_TO_GET_CRL: 3,
  UNABLE_TO_DECRYPT_CERT_SIGNATURE: 4,
  UNABLE_TO_DECRYPT_CRL_SIGNATURE: 5,
  UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: 6,
  CERT_SIGNATURE_FAILURE: 7,
  CRL_SIGNATURE_FAILURE: 8,
  CERT_NOT_YET_VALID: 9,
  CERT_HAS_EXPIRED: 10,
  CRL_NOT_YET_VALID: 11,
  CRL_HAS_EXPIRED: 12,
  ERROR_IN_CERT_NOT_BEFORE_FIELD: 13,
  ERROR_IN_CERT_NOT_AFTER_FIELD: 14,
  ERROR_IN_CRL_LAST_UPDATE_FIELD: 15,
  ERROR_IN_CRL_NEXT_UPDATE_FIELD: 16,
  OUT_OF_MEM: 17,
  DEPTH_ZERO_SELF_SIGNED_CERT: 18,
  SELF_SIGNED_CERT_IN_CHAIN: 19,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 20,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 21,
  CERT_CHAIN_TOO_LONG: 22,
  CERT_REVOKED: 23,
  INVALID_CA: 24,
  PATH_LENGTH_EXCEEDED: 25,
  INVALID_PURPOSE: 26,
  CERT_UNTRUSTED: 27,
  CERT_REJECTED: 28,
  HOSTNAME_MISMATCH: 62,
};

/**
 * Errors about a CA of the chain rather than the client's own certificate (HAProxy's depth > 0).
 * UNABLE_TO_GET_ISSUER_CERT is OpenSSL's error for a chain that reached a trusted CA whose own
 * issuer is missing: a CA's (the leaf's missing issuer is UNABLE_TO_GET_ISSUER_CERT_LOCALLY).
 */
const CA_LEVEL = new Set(['UNABLE_TO_GET_ISSUER_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'INVALID_CA', 'PATH_LENGTH_EXCEEDED', 'CERT_CHAIN_TOO_LONG']);

/** The X509_V_ERR id of an error name ("CERT_HAS_EXPIRED" or "X509_V_ERR_CERT_HAS_EXPIRED"); 1 (unspecified) when unknown. */
export function x509ErrorId(name: string): number {
  const bare = name.startsWith('X509_V_ERR_') ? name.slice(11) : name;
  return X509_ERRORS[bare] ?? 1;
}

/** Whether a name is one of the X509 verification errors ("CERT_HAS_EXPIRED"), as node:tls gives them as error codes. */
export function isX509ErrorName(name: string): boolean {
  return X509_ERRORS[name] !== undefined;
}

/** True when the error concerns a CA of the chain (HAProxy's ca-ignore-err / ssl_c_ca_err), not the leaf. */
export function isCaLevelError(name: string): boolean {
  return CA_LEVEL.has(name.startsWith('X509_V_ERR_') ? name.slice(11) : name);
}

/** Parses a `crt-ignore-err`/`ca-ignore-err` list ("all", ids, X509_V_ERR_* names). */
export function parseIgnoreErrors(items: readonly string[]): 'all' | number[] {
  if (items.includes('all')) return 'all';
  return items.map((item) => (/^\d+$/.test(item) ? Number(item) : x509ErrorId(item)));
}
