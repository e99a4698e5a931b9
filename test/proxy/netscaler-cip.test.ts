/**
 * NetScaler Client IP insertion headers (conn_recv_netscaler_cip): both layouts, IPv4 and IPv6,
 * HAProxy's errors, and what is left for the session after the header.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NetscalerCipError, parseNetscalerCip } from '../../src/proxy/netscaler-cip.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(s.replace(/\s+/g, '').match(/../g) ?? [], (h) => parseInt(h, 16));
const MAGIC = 0x1234abcd;
/** IPv4 header (20 bytes, TCP) from 192.0.2.10 to 198.51.100.5, then a TCP header 54321 -> 443. */
const IPV4_TCP = '45000028 00004000 4006 0000 c000020a c6336405' + 'd431 01bb' + '00'.repeat(16);
/** IPv6 header (40 bytes, next header TCP) from 2001:db8::1 to 2001:db8::2, then TCP 40000 -> 8443. */
const IPV6_TCP = '60000000 0014 06 40' + '20010db8000000000000000000000001' + '20010db8000000000000000000000002' + '9c40 20fb' + '00'.repeat(16);
const legacy = (ip: string, len = ip.replace(/\s+/g, '').length / 2): string => `1234abcd ${len.toString(16).padStart(8, '0')} ${ip}`;
const standard = (ip: string, len = ip.replace(/\s+/g, '').length / 2): string => `1234abcd 00000000 0001 ${len.toString(16).padStart(4, '0')} ${ip}`;

describe('NetScaler CIP header', () => {
  it('reads the legacy layout (IPv4): client and destination addresses and ports, then the payload stays', () => {
    const r = parseNetscalerCip(hex(`${legacy(IPV4_TCP)} 474554`), MAGIC);
    assert.deepEqual(r, { kind: 'header', length: 48, addresses: { source: '192.0.2.10', sourcePort: 54321, destination: '198.51.100.5', destinationPort: 443 } });
  });

  it('reads the standard layout (IPv4 and IPv6)', () => {
    assert.deepEqual(parseNetscalerCip(hex(standard(IPV4_TCP)), MAGIC), {
      kind: 'header', length: 52, addresses: { source: '192.0.2.10', sourcePort: 54321, destination: '198.51.100.5', destinationPort: 443 },
    });
    assert.deepEqual(parseNetscalerCip(hex(standard(IPV6_TCP)), MAGIC), {
      kind: 'header', length: 72, addresses: { source: '2001:db8::1', sourcePort: 40000, destination: '2001:db8::2', destinationPort: 8443 },
    });
  });

  it('consumes what the header length says, as HAProxy does (a shorter length leaves bytes to the session)', () => {
    const r = parseNetscalerCip(hex(legacy(IPV4_TCP, 20)), MAGIC);
    assert.equal(r.kind, 'header');
    assert.equal(r.kind === 'header' ? r.length : 0, 28);
  });

  it('waits for a header that is not all there', () => {
    const whole = hex(standard(IPV4_TCP));
    for (const n of [0, 5, 11, 12, 19, 39, 51]) assert.deepEqual(parseNetscalerCip(whole.subarray(0, n), MAGIC), { kind: 'missing' }, `${n} bytes`);
  });

  it("refuses another magic number, an unknown layout, a protocol other than TCP, an IP version other than 4 or 6", () => {
    const bad = (s: string): unknown => {
      const r = parseNetscalerCip(hex(s), MAGIC);
      return r.kind === 'invalid' ? r.error : r.kind;
    };
    assert.equal(bad(legacy(IPV4_TCP).replace('1234abcd', '1234abce')), NetscalerCipError.badMagic);
    assert.equal(bad(`1234abcd 00000000 0201 0028 ${IPV4_TCP}`), NetscalerCipError.badProtocol);
    assert.equal(bad(legacy(IPV4_TCP.replace('4006', '4011'))), NetscalerCipError.badProtocol);
    assert.equal(bad(legacy(IPV6_TCP.replace('0014 06 40', '0014 11 40'))), NetscalerCipError.badProtocol);
    assert.equal(bad(`1234abcd 00000000 0001 0028 ${IPV4_TCP.replace(/^45/, '55')}`), NetscalerCipError.badProtocol);
  });

  it('calls a header longer than HAProxy peeks at (16 KiB) truncated, rather than wait for it', () => {
    const r = parseNetscalerCip(hex(legacy(IPV4_TCP, 20000)), MAGIC);
    assert.deepEqual(r, { kind: 'invalid', error: NetscalerCipError.truncated });
  });
});
