/**
 * PROXY protocol v1/v2 reading (conn_recv_proxy's results and errors) and writing
 * (make_proxy_line_v1/v2), byte for byte.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProxyHeader, proxyHeaderV2, proxyLineV1, ProxyHeaderError, PROXY_V2_MAX } from '../../src/proxy/proxy-protocol.ts';

const text = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const hex = (s: string): Uint8Array => Uint8Array.from(s.replace(/\s+/g, '').match(/../g) ?? [], (h) => parseInt(h, 16));
const SIG = '0d0a0d0a000d0a515549540a';
/** The outcome without the addresses an invalid v2 header may still carry (checked apart). */
const verdict = (r: ReturnType<typeof parseProxyHeader>): unknown => (r.kind === 'invalid' ? { kind: r.kind, error: r.error } : r);

describe('PROXY v1', () => {
  it('reads TCP4 and the bytes after the line stay unread', () => {
    const r = parseProxyHeader(text('PROXY TCP4 192.168.0.1 10.0.0.2 56324 443\r\nGET / HTTP/1.1\r\n'));
    assert.equal(r.kind, 'header');
    if (r.kind !== 'header') return;
    assert.equal(r.length, 'PROXY TCP4 192.168.0.1 10.0.0.2 56324 443\r\n'.length);
    assert.deepEqual(r.header.addresses, { source: '192.168.0.1', sourcePort: 56324, destination: '10.0.0.2', destinationPort: 443 });
  });

  it('reads TCP6 (compressed text) and UNKNOWN (no addresses)', () => {
    const r = parseProxyHeader(text('PROXY TCP6 2001:DB8::0001 ::1 1 2\r\n'));
    assert.equal(r.kind, 'header');
    if (r.kind === 'header') assert.deepEqual(r.header.addresses, { source: '2001:db8::1', sourcePort: 1, destination: '::1', destinationPort: 2 });
    const u = parseProxyHeader(text('PROXY UNKNOWN\r\n'));
    assert.equal(u.kind, 'header');
    if (u.kind === 'header') assert.equal(u.header.addresses, undefined);
  });

  it('waits while the line is incomplete', () => {
    assert.equal(parseProxyHeader(text('PROX')).kind, 'missing');
    assert.equal(parseProxyHeader(text('PROXY TCP4 1.2.3.4 5.6.7.8 1 2')).kind, 'missing');
    assert.equal(parseProxyHeader(new Uint8Array(0)).kind, 'missing');
  });

  it('refuses what is not a header, bad addresses, bad protocols and overlong lines', () => {
    assert.deepEqual(verdict(parseProxyHeader(text('GET / HTTP/1.1\r\n'))), { kind: 'invalid', error: ProxyHeaderError.notHeader });
    assert.deepEqual(verdict(parseProxyHeader(text('PROXZ'))), { kind: 'invalid', error: ProxyHeaderError.notHeader });
    assert.deepEqual(verdict(parseProxyHeader(text('PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n'))), { kind: 'invalid', error: ProxyHeaderError.badProtocol });
    assert.deepEqual(verdict(parseProxyHeader(text('PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n'))), { kind: 'invalid', error: ProxyHeaderError.badHeader });
    assert.deepEqual(verdict(parseProxyHeader(text('PROXY TCP4 1.2.3.4 5.6.7.8 x 2\r\n'))), { kind: 'invalid', error: ProxyHeaderError.badHeader });
    assert.deepEqual(verdict(parseProxyHeader(text('PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n'))), { kind: 'invalid', error: ProxyHeaderError.badHeader });
    assert.deepEqual(verdict(parseProxyHeader(text('PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n'))), { kind: 'invalid', error: ProxyHeaderError.badHeader });
    assert.deepEqual(verdict(parseProxyHeader(text(`PROXY TCP4 ${'1'.repeat(120)}`))), { kind: 'invalid', error: ProxyHeaderError.badHeader });
  });

  it('writes TCP4, TCP6 (IPv4 ends mapped) and UNKNOWN lines', () => {
    const dec = (b: Uint8Array): string => String.fromCharCode(...b);
    assert.equal(dec(proxyLineV1({ clientAddress: '1.2.3.4', clientPort: 5, localAddress: '6.7.8.9', localPort: 10 })), 'PROXY TCP4 1.2.3.4 6.7.8.9 5 10\r\n');
    assert.equal(dec(proxyLineV1({ clientAddress: '::1', clientPort: 5, localAddress: '6.7.8.9', localPort: 10 })), 'PROXY TCP6 ::1 ::ffff:6.7.8.9 5 10\r\n');
    assert.equal(dec(proxyLineV1({ clientAddress: '::ffff:1.2.3.4', clientPort: 5, localAddress: '6.7.8.9', localPort: 10 })), 'PROXY TCP4 1.2.3.4 6.7.8.9 5 10\r\n');
    assert.equal(dec(proxyLineV1(undefined)), 'PROXY UNKNOWN\r\n');
  });
});

describe('PROXY v2', () => {
  // The reg-test proxy_protocol_tlv_validation's valid header: 127.0.0.1:42 -> 127.0.0.1:1337, authority "12345".
  const valid = hex(`${SIG} 21 11 0014 7f000001 7f000001 002a 0539 02 0005 3132333435`);

  it('reads TCPv4 with an authority TLV, and leaves what follows', () => {
    const withMore = new Uint8Array([...valid, 0x47, 0x45, 0x54]);
    const r = parseProxyHeader(withMore);
    assert.equal(r.kind, 'header');
    if (r.kind !== 'header') return;
    assert.equal(r.length, valid.length);
    assert.deepEqual(r.header.addresses, { source: '127.0.0.1', sourcePort: 42, destination: '127.0.0.1', destinationPort: 1337 });
    assert.equal(r.header.authority, '12345');
    assert.equal(r.header.uniqueId, undefined);
  });

  it('reads TCPv6, the unique-id TLV, and LOCAL (no addresses)', () => {
    const v6 = hex(`${SIG} 21 21 002c 20010db8000000000000000000000001 00000000000000000000000000000001 0001 0002 05 0005 6162636465`);
    const r = parseProxyHeader(v6);
    assert.equal(r.kind, 'header');
    if (r.kind === 'header') {
      assert.deepEqual(r.header.addresses, { source: '2001:db8::1', sourcePort: 1, destination: '::1', destinationPort: 2 });
      assert.equal(r.header.uniqueId, 'abcde');
    }
    const local = parseProxyHeader(hex(`${SIG} 20 00 0000`));
    assert.equal(local.kind, 'header');
    if (local.kind === 'header') assert.equal(local.header.addresses, undefined);
  });

  it('waits for the announced length, byte by byte', () => {
    for (let n = 1; n < valid.length; n++) assert.equal(parseProxyHeader(valid.subarray(0, n)).kind, 'missing', `${n} bytes`);
  });

  it('refuses a TLV running past the header, a short address block, a bad version or command, and oversized headers', () => {
    // The reg-test's third case: a TLV length beyond the header's.
    const over = hex(`${SIG} 21 11 0014 7f000001 7f000001 002a 0539 02 0006 3132333435`);
    // A 5-byte TLV announced within a 4-byte remainder (length 0x13).
    const short = hex(`${SIG} 21 11 0013 7f000001 7f000001 002a 0539 02 0005 31323334`);
    assert.deepEqual(verdict(parseProxyHeader(short)), { kind: 'invalid', error: ProxyHeaderError.badHeader });
    assert.deepEqual(verdict(parseProxyHeader(over)), { kind: 'invalid', error: ProxyHeaderError.badHeader });
    assert.deepEqual(verdict(parseProxyHeader(hex(`${SIG} 21 11 0008 7f000001 7f000001`))), { kind: 'invalid', error: ProxyHeaderError.badHeader });
    assert.deepEqual(verdict(parseProxyHeader(hex(`${SIG} 11 11 0000`))), { kind: 'invalid', error: ProxyHeaderError.notHeader });
    assert.deepEqual(verdict(parseProxyHeader(hex(`${SIG} 22 11 0000`))), { kind: 'invalid', error: ProxyHeaderError.badHeader });
    assert.deepEqual(verdict(parseProxyHeader(hex(`0d0a0d0a000d0a5155495400 21 11 0000`))), { kind: 'invalid', error: ProxyHeaderError.notHeader });
    const len = PROXY_V2_MAX - 16 + 1;
    assert.deepEqual(verdict(parseProxyHeader(hex(`${SIG} 21 11 ${len.toString(16).padStart(4, '0')}`))), { kind: 'invalid', error: ProxyHeaderError.badHeader });
  });

  it('refuses an authority longer than 255 bytes', () => {
    const value = 'a'.repeat(256);
    const body = 12 + 3 + value.length;
    const bytes = hex(`${SIG} 21 11 ${body.toString(16).padStart(4, '0')} 7f000001 7f000001 0001 0002 02 0100 ${'61'.repeat(256)}`);
    assert.deepEqual(verdict(parseProxyHeader(bytes)), { kind: 'invalid', error: ProxyHeaderError.badHeader });
  });

  it('writes what it reads: addresses, authority, unique-id, and a CRC32C it verifies', () => {
    const written = proxyHeaderV2(
      { clientAddress: '10.1.2.3', clientPort: 4000, localAddress: '10.9.9.9', localPort: 443 },
      { authority: true, uniqueId: true, crc32c: true },
      { authority: 'example.com', uniqueId: 'id-1' },
    );
    const r = parseProxyHeader(written);
    assert.equal(r.kind, 'header');
    if (r.kind !== 'header') return;
    assert.equal(r.length, written.length);
    assert.deepEqual(r.header.addresses, { source: '10.1.2.3', sourcePort: 4000, destination: '10.9.9.9', destinationPort: 443 });
    assert.equal(r.header.authority, 'example.com');
    assert.equal(r.header.uniqueId, 'id-1');
    // A flipped byte fails the checksum.
    const corrupt = Uint8Array.from(written);
    corrupt[17] = (corrupt[17] as number) ^ 1;
    assert.deepEqual(verdict(parseProxyHeader(corrupt)), { kind: 'invalid', error: ProxyHeaderError.badHeader });
  });

  it('writes the exact bytes HAProxy does for TCPv4, and LOCAL without a connection', () => {
    const written = proxyHeaderV2({ clientAddress: '127.0.0.1', clientPort: 42, localAddress: '127.0.0.1', localPort: 1337 }, {}, {});
    assert.deepEqual(written, hex(`${SIG} 21 11 000c 7f000001 7f000001 002a 0539`));
    assert.deepEqual(proxyHeaderV2(undefined, {}, {}), hex(`${SIG} 20 00 0000`));
  });
});
