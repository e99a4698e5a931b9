/**
 * DH parameters for DHE suites on node:tls listeners (ListenTlsOptions.dhParams), chosen as
 * HAProxy's ssl_get_tmp_dh does with `tune.ssl.default-dh-param`: as many bits as the
 * certificate's RSA or DSA key (0 for other keys), at most the default, rounded down to 1024,
 * 2048 or 4096. The 2048- and 4096-bit groups are RFC 7919's ffdhe2048 and ffdhe4096
 * (what HAProxy 2.6 uses with OpenSSL 3); the 1024-bit one is a generated safe prime, as
 * HAProxy's own. A certificate's own parameters win, then `ssl-dh-param-file`'s.
 */
import { nodeCrypto } from './node-builtins.ts';
import type { DhParamsOptions, TlsCertificate } from '../../src/runtime.ts';

const DH_1024 = `-----BEGIN DH PARAMETERS-----
MIGHAoGBANazNeoj406Ez8ljokE1U60Aew0Z9B8rqpgJR1DAstgcEzc2WqhZ8mEx
VjXfLINnbMy41YTnc8owb+795caJVkM4W2TcU7Wv1WDRD2ECW7i8Fd1Whgj6oolr
9JcB2CiEzjoz1bfT+OKRc5GJnGX+EXtqmsF1nHAuMhYIYB2fzApnAgEC
-----END DH PARAMETERS-----`;

const FFDHE_2048 = `-----BEGIN DH PARAMETERS-----
MIIBCAKCAQEA//////////+t+FRYortKmq/cViAnPTzx2LnFg84tNpWp4TZBFGQz
+8yTnc4kmz75fS/jY2MMddj2gbICrsRhetPfHtXV/WVhJDP1H18GbtCFY2VVPe0a
87VXE15/V8k1mE8McODmi3fipona8+/och3xWKE2rec1MKzKT0g6eXq8CrGCsyT7
YdEIqUuyyOP7uWrat2DX9GgdT0Kj3jlN9K5W7edjcrsZCwenyO4KbXCeAvzhzffi
7MA0BM0oNC9hkXL+nOmFg/+OTxIy7vKBg8P+OxtMb61zO7X8vC7CIAXFjvGDfRaD
ssbzSibBsu/6iGtCOGEoXJf//////////wIBAg==
-----END DH PARAMETERS-----`;

const FFDHE_4096 = `-----BEGIN DH PARAMETERS-----
MIICCAKCAgEA//////////+t+FRYortKmq/cViAnPTzx2LnFg84tNpWp4TZBFGQz
+8yTnc4kmz75fS/jY2MMddj2gbICrsRhetPfHtXV/WVhJDP1H18GbtCFY2VVPe0a
87VXE15/V8k1mE8McODmi3fipona8+/och3xWKE2rec1MKzKT0g6eXq8CrGCsyT7
YdEIqUuyyOP7uWrat2DX9GgdT0Kj3jlN9K5W7edjcrsZCwenyO4KbXCeAvzhzffi
7MA0BM0oNC9hkXL+nOmFg/+OTxIy7vKBg8P+OxtMb61zO7X8vC7CIAXFjvGDfRaD
ssbzSibBsu/6iGtCOGEfz9zeNVs7ZRkDW7w09N75nAI4YbRvydbmyQd62R0mkff3
7lmMsPrBhtkcrv4TCYUTknC0EwyTvEN5RPT9RFLi103TZPLiHnH1S/9croKrnJ32
nuhtK8UiNjoNq8Uhl5sN6todv5pC1cRITgq80Gv6U93vPBsg7j/VnXwl5B0rZp4e
8W5vUsMWTfT7eTDp5OWIV7asfV9C1p9tGHdjzx1VA0AEh/VbpX4xzHpxNciG77Qx
iu1qHgEtnmgyqQdgCpGBMMRtx3j5ca0AOAkpmaMzy4t6Gh25PXFAADwqTs6p+Y0K
zAqCkc3OyX3Pjsm1Wn+IpGtNtahR9EGC4caKAH5eZV9q//////////8CAQI=
-----END DH PARAMETERS-----`;

/** Bits of an RSA or DSA private key (EVP_PKEY_bits); undefined for other keys (EC) or one that cannot be read. */
function keyBits(keyPem: string): number | undefined {
  try {
    const key = nodeCrypto().createPrivateKey(keyPem);
    if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'dsa') return undefined;
    return key.asymmetricKeyDetails?.modulusLength;
  } catch {
    return undefined;
  }
}

/** node:tls's `dhparam` for a context serving `certificate`; undefined: no DHE. */
export function dhParamFor(certificate: TlsCertificate, options: DhParamsOptions | undefined): string | undefined {
  if (certificate.dhPem !== undefined) return certificate.dhPem;
  if (options?.pem !== undefined) return options.pem;
  const max = options?.defaultBits;
  if (max === undefined) return undefined;
  const bits = Math.min(keyBits(certificate.keyPem) ?? 0, max);
  return bits >= 4096 ? FFDHE_4096 : bits >= 2048 ? FFDHE_2048 : DH_1024;
}
