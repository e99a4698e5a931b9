/**
 * Reading a TLS ClientHello from the first bytes of a connection without terminating TLS, as
 * HAProxy's payload.c does for `req.ssl_hello_type`, `req.ssl_sni`, `req.ssl_alpn` and `req.ssl_ver`: the same
 * checks in the same order, so the same bytes give the same answer. Each returns 'short' when
 * more bytes are needed to decide, undefined when the bytes are not what it looks for.
 */
import { latin1String } from '../http/codec/chars.ts';

type Short = 'short';

/** smp_fetch_ssl_hello_type: the handshake type of the first record, once the whole handshake message is there. */
export function helloType(data: Uint8Array): number | Short | undefined {
  const left = data.byteLength;
  if (left === 0) return 'short';
  const first = data[0] as number;
  if (!((first >= 0x14 && first <= 0x17) || first === 0xff)) return undefined;
  if (left < 9) return 'short';
  if (((data[1] as number) << 16) + (data[2] as number) < 0x00030000) return undefined;
  if (((data[3] as number) << 8) + (data[4] as number) < 4) return undefined;
  const type = data[5] as number;
  const length = ((data[6] as number) << 16) + ((data[7] as number) << 8) + (data[8] as number);
  if (left < 9 + length) return 'short';
  return type;
}

/** Where a complete ClientHello's extension list is: the checks smp_fetch_ssl_hello_sni and _alpn share. */
function clientHelloExtensions(bytes: Uint8Array): { readonly at: number; readonly length: number } | Short | undefined {
  let left = bytes.byteLength;
  if (left === 0) return 'short';
  if (bytes[0] !== 0x16) return undefined;
  if (left < 3) return 'short';
  if ((bytes[1] as number) < 0x03) return undefined;
  if (left < 5) return 'short';
  let length = ((bytes[3] as number) << 8) + (bytes[4] as number);
  if (length < 1 + 3 + 2 + 32 + 1 + 2 + 2 + 1 + 1 + 2 + 2) return undefined;
  let at = 5;
  left -= 5;
  if (left < 1) return 'short';
  if (bytes[at] !== 0x01) return undefined;
  if (left < 4) return 'short';
  length = ((bytes[at + 1] as number) << 16) + ((bytes[at + 2] as number) << 8) + (bytes[at + 3] as number);
  if (length < 2 + 32 + 1 + 2 + 2 + 1 + 1 + 2 + 2) return undefined;
  // HAProxy compares with the handshake length without its 4-byte header.
  if (left < length) return 'short';
  at += 4;
  const b = (i: number): number => (at + i < bytes.byteLength ? (bytes[at + i] as number) : 0);
  if (b(0) < 0x03 || b(1) < 0x01) return undefined;
  let ext = b(34);
  if (ext > 32 || ext > length - 35) return undefined;
  length -= 35 + ext;
  at += 35 + ext;
  if (length < 4) return undefined;
  ext = (b(0) << 8) + b(1);
  if (ext < 2 || ext > length) return undefined;
  length -= 2 + ext;
  at += 2 + ext;
  if (length < 2 || b(0) < 1 || b(0) > length) return undefined;
  const methods = b(0);
  length -= 1 + methods;
  at += 1 + methods;
  if (length < 2) return undefined;
  ext = (b(0) << 8) + b(1);
  if (ext > length - 2) return undefined;
  return { at: at + 2, length: ext };
}

/** smp_fetch_ssl_hello_sni: the host_name of the server_name extension of a complete ClientHello. */
export function clientHelloSni(bytes: Uint8Array): string | Short | undefined {
  const list = clientHelloExtensions(bytes);
  if (list === undefined || list === 'short') return list;
  let { at, length } = list;
  const b = (i: number): number => (at + i < bytes.byteLength ? (bytes[at + i] as number) : 0);
  while (length >= 4) {
    const type = (b(0) << 8) + b(1);
    const extLength = (b(2) << 8) + b(3);
    if (extLength > length - 4) return undefined;
    if (type === 0) {
      if (extLength < 2) return undefined;
      const listLength = (b(4) << 8) + b(5);
      if (listLength < 4 || listLength > length - 6) return undefined;
      if (b(6) === 0) {
        const nameLength = (b(7) << 8) + b(8);
        const start = at + 9;
        return latin1String(bytes, start, Math.min(start + nameLength, bytes.byteLength));
      }
    }
    length -= 4 + extLength;
    at += 4 + extLength;
  }
  return undefined;
}

/**
 * smp_fetch_ssl_hello_alpn: the protocol names of the ALPN extension of a complete ClientHello,
 * in the client's order (HAProxy returns them one by one, an ACL matching any).
 */
export function clientHelloAlpn(bytes: Uint8Array): string[] | Short | undefined {
  const list = clientHelloExtensions(bytes);
  if (list === undefined || list === 'short') return list;
  let { at, length } = list;
  const b = (i: number): number => (at + i < bytes.byteLength ? (bytes[at + i] as number) : 0);
  while (length >= 4) {
    const type = (b(0) << 8) + b(1);
    const extLength = (b(2) << 8) + b(3);
    if (extLength > length - 4) return undefined;
    if (type === 16) {
      // One list length (uint16) and at least one name length (uint8).
      if (extLength < 3) return undefined;
      const names: string[] = [];
      // Offsets from the extension's type, as HAProxy's name cursor: names start after the list length.
      let offset = 6;
      for (;;) {
        const nameLength = b(offset);
        if (nameLength + offset - 3 > extLength) return names.length === 0 ? undefined : names;
        const start = at + offset + 1;
        names.push(latin1String(bytes, start, Math.min(start + nameLength, bytes.byteLength)));
        if (nameLength + offset - 3 >= extLength) return names;
        offset += nameLength + 1;
      }
    }
    length -= 4 + extLength;
    at += 4 + extLength;
  }
  return undefined;
}

/** smp_fetch_req_ssl_ver: the ClientHello's version (SSLv3+ record, or an SSLv2 hello), once the message is there. */
export function clientHelloVersion(bytes: Uint8Array): number | Short | undefined {
  let left = bytes.byteLength;
  if (left === 0) return 'short';
  let at = 0;
  const b = (i: number): number => (at + i < bytes.byteLength ? (bytes[at + i] as number) : 0);
  let version: number;
  let messageLength: number;
  const first = b(0);
  if ((first >= 0x14 && first <= 0x17) || first === 0xff) {
    if (left < 11) return 'short';
    version = (b(1) << 16) + b(2);
    messageLength = (b(3) << 8) + b(4);
    if (version < 0x00030000) return undefined;
    if (messageLength < 6 || messageLength > (1 << 14) + 2048) return undefined;
    left -= 5;
    at += 5;
    version = (b(4) << 16) + b(5);
  } else {
    let recordLength: number;
    let padding: number;
    if (first & 0x80) {
      if (left < 3) return 'short';
      recordLength = ((b(0) & 0x7f) << 8) | b(1);
      padding = 0;
      left -= 2;
      at += 2;
    } else {
      if (left < 4) return 'short';
      recordLength = ((b(0) & 0x3f) << 8) | b(1);
      padding = b(2);
      left -= 3;
      at += 3;
    }
    if (b(0) !== 0x01) return undefined;
    left--;
    at++;
    if (left < 8) return 'short';
    version = (b(0) << 16) + b(1);
    const ciphers = (b(2) << 8) + b(3);
    const session = (b(4) << 8) + b(5);
    const challenge = (b(6) << 8) + b(7);
    left -= 8;
    at += 8;
    if (ciphers % 3 !== 0) return undefined;
    if (session !== 0 && session !== 16) return undefined;
    if (challenge < 16 || challenge > 32) return undefined;
    if (recordLength !== 9 + ciphers + session + challenge) return undefined;
    messageLength = ciphers + session + challenge + padding;
  }
  // A message longer than the buffer can hold is judged on what fits (channel_recv_limit).
  messageLength = Math.min(messageLength, 16384 - 1024 - at);
  if (left < messageLength) return 'short';
  return version;
}

/**
 * TLS 1.2 cipher suites authenticated by ECDSA (SSL_CIPHER_get_auth_nid == NID_auth_ecdsa): the
 * ECDHE_ECDSA suites of RFC 4492, 5289, 6209, 6367, 7251 and 7905. TLS 1.3's suites
 * authenticate with any key and do not count, as in HAProxy.
 */
const ECDSA_SUITES: ReadonlySet<number> = new Set([
  0xc006, 0xc007, 0xc008, 0xc009, 0xc00a, 0xc023, 0xc024, 0xc02b, 0xc02c, 0xc048, 0xc049, 0xc05c, 0xc05d, 0xc072, 0xc073, 0xc086,
  0xc087, 0xc0ac, 0xc0ad, 0xc0ae, 0xc0af, 0xcca9,
]);

/** What kinds of server keys a client can verify, as HAProxy's certificate switch reads its ClientHello. */
export interface ClientKeyKinds {
  readonly rsa: boolean;
  readonly ecdsa: boolean;
}

/**
 * ssl_sock_switchctx_cbk's has_rsa_sig / has_ecdsa_sig: a signature_algorithms entry signing with
 * RSA (1) or ECDSA (3), RSA alone without the extension (before TLS 1.2), and ECDSA only with an
 * ECDSA cipher suite offered. 'short' until the first record holds the whole ClientHello;
 * undefined for bytes that are not one (the TLS library then refuses them itself).
 */
export function clientHelloKeyKinds(bytes: Uint8Array): ClientKeyKinds | Short | undefined {
  const hello = clientHelloLayout(bytes);
  if (hello === undefined || hello === 'short') return hello;
  const { helloEnd, suitesAt, suitesLength, extensionsEnd } = hello;
  if (suitesLength % 2 !== 0) return undefined;
  const u8 = (at: number): number => (at < helloEnd ? (bytes[at] as number) : 0);
  const u16 = (at: number): number => (u8(at) << 8) | u8(at + 1);
  let rsa = false;
  let ecdsa = false;
  let sigalgs = false;
  let at = hello.extensionsAt;
  while (at + 4 <= extensionsEnd) {
    const type = u16(at);
    const length = u16(at + 2);
    if (type === 13) {
      sigalgs = true;
      const listEnd = Math.min(at + 6 + u16(at + 4), at + 4 + length);
      for (let i = at + 6; i + 1 < listEnd && !(rsa && ecdsa); i += 2) {
        const sign = u8(i + 1);
        if (sign === 1) rsa = true;
        else if (sign === 3) ecdsa = true;
      }
    }
    at += 4 + length;
  }
  if (!sigalgs) rsa = true;
  if (ecdsa) {
    ecdsa = false;
    for (let i = suitesAt; i + 1 < suitesAt + suitesLength; i += 2) {
      if (ECDSA_SUITES.has(u16(i))) {
        ecdsa = true;
        break;
      }
    }
  }
  return { rsa, ecdsa };
}

/** Where the parts of a ClientHello held whole in its first record are (offsets into the bytes). */
export interface ClientHelloLayout {
  /** The end of the handshake message. */
  readonly helloEnd: number;
  readonly sessionIdAt: number;
  readonly sessionIdLength: number;
  readonly suitesAt: number;
  readonly suitesLength: number;
  /** The first extension, and the end of the list (never past helloEnd). */
  readonly extensionsAt: number;
  readonly extensionsEnd: number;
}

/**
 * The layout of the ClientHello the connection starts with, for the listeners that read it
 * before the TLS library does (the certificate kind, the TLSv1.3 session asked for): 'short'
 * until the first record holds the whole message; undefined for bytes that are not one, or a
 * ClientHello split over several records (left to the TLS library alone).
 */
export function clientHelloLayout(bytes: Uint8Array): ClientHelloLayout | Short | undefined {
  const size = bytes.byteLength;
  if (size < 5) return size > 0 && bytes[0] !== 0x16 ? undefined : 'short';
  if (bytes[0] !== 0x16) return undefined;
  const recordEnd = 5 + (((bytes[3] as number) << 8) | (bytes[4] as number));
  if (size < 9) return 'short';
  if (bytes[5] !== 0x01) return undefined;
  const helloEnd = 9 + (((bytes[6] as number) << 16) | ((bytes[7] as number) << 8) | (bytes[8] as number));
  if (helloEnd > recordEnd) return undefined;
  if (size < helloEnd) return 'short';
  const u8 = (at: number): number => (at < helloEnd ? (bytes[at] as number) : 0);
  const u16 = (at: number): number => (u8(at) << 8) | u8(at + 1);
  const sessionIdAt = 9 + 2 + 32 + 1; // version, random, the id's length
  const sessionIdLength = u8(sessionIdAt - 1);
  const suitesAt = sessionIdAt + sessionIdLength + 2;
  const suitesLength = u16(suitesAt - 2);
  let at = suitesAt + suitesLength;
  at += 1 + u8(at); // compression methods
  if (at > helloEnd) return undefined;
  return { helloEnd, sessionIdAt, sessionIdLength, suitesAt, suitesLength, extensionsAt: at + 2, extensionsEnd: Math.min(helloEnd, at + 2 + u16(at)) };
}
