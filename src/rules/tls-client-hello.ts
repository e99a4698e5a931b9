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
