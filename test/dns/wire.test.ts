/**
 * The DNS wire format (src/dns/wire.ts) on hand-built packets: the query HAProxy 2.6's
 * resolv_build_query sends, answers with compression pointers, CNAME chains, SRV records with
 * additional addresses, the statuses resolv_validate_dns_response gives to bad answers, and
 * malformed input (every prefix and byte flip of real answers, pointer loops) that must never
 * throw nor loop.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildQuery,
  DNS_TYPE_A,
  DNS_TYPE_AAAA,
  DNS_TYPE_CNAME,
  DNS_TYPE_SRV,
  encodeName,
  parseResponse,
  readName,
} from '../../src/dns/wire.ts';
import { buildAnswer, labels, readQuery } from '../support/dns-packets.ts';

const NAME = 'app.example.test';

describe('DNS queries', () => {
  it('are HAProxy\'s: RD set, one question of class IN, an EDNS0 OPT record with the payload size', () => {
    const query = buildQuery(0x1234, encodeName(NAME)!, DNS_TYPE_A, 1232);
    const expected = [
      0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1,
      ...labels(NAME),
      0, 1, 0, 1,
      0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0,
    ];
    assert.deepEqual([...query], expected);
    assert.deepEqual(readQuery(query), { id: 0x1234, name: NAME, qtype: 1, payloadSize: 1232 });
  });

  it('refuse names no DNS packet can carry', () => {
    assert.equal(encodeName('a..b'), undefined);
    assert.equal(encodeName(`${'x'.repeat(64)}.test`), undefined);
    assert.equal(encodeName(Array(130).fill('ab').join('.')), undefined);
    assert.deepEqual([...encodeName('Example.test.')!], labels('Example.test'));
  });
});

describe('DNS answers', () => {
  it('A records, owner names compressed, in order, with their TTL', () => {
    const packet = buildAnswer({ id: 7, name: NAME, qtype: DNS_TYPE_A, answers: [{ type: 'A', address: '10.0.0.1', ttl: 60 }, { type: 'A', address: '10.0.0.2' }] });
    const r = parseResponse(packet, NAME, 512);
    assert.equal(r.status, 'valid');
    assert.equal(r.id, 7);
    assert.deepEqual(r.answers, [
      { type: DNS_TYPE_A, name: NAME, ttl: 60, address: '10.0.0.1' },
      { type: DNS_TYPE_A, name: NAME, ttl: 300, address: '10.0.0.2' },
    ]);
  });

  it('AAAA records as RFC 5952 text', () => {
    const packet = buildAnswer({ id: 1, name: NAME, qtype: DNS_TYPE_AAAA, answers: [{ type: 'AAAA', address: '2001:db8::1' }, { type: 'AAAA', address: '::1' }, { type: 'AAAA', address: '2001:db8:0:1:0:0:0:5' }] });
    const r = parseResponse(packet, NAME, 512);
    assert.deepEqual(r.answers.map((a) => ('address' in a ? a.address : '')), ['2001:db8::1', '::1', '2001:db8:0:1::5']);
  });

  it('a CNAME chain is followed to the addresses of its last name', () => {
    const packet = buildAnswer({
      id: 1,
      name: NAME,
      qtype: DNS_TYPE_A,
      answers: [{ type: 'CNAME', target: 'real.example.test' }, { type: 'A', name: 'real.example.test', address: '10.1.1.1' }],
    });
    const r = parseResponse(packet, NAME, 512);
    assert.equal(r.status, 'valid');
    assert.deepEqual(r.answers[0], { type: DNS_TYPE_CNAME, name: NAME, ttl: 300, target: 'real.example.test' });
    assert.deepEqual(r.answers[1], { type: DNS_TYPE_A, name: 'real.example.test', ttl: 300, address: '10.1.1.1' });
  });

  it('a chain ending on a CNAME, or a record of another name after the first, is a CNAME error', () => {
    const last = buildAnswer({ id: 1, name: NAME, qtype: DNS_TYPE_A, answers: [{ type: 'CNAME', target: 'x.test' }] });
    assert.equal(parseResponse(last, NAME, 512).status, 'cname-error');
    const stray = buildAnswer({ id: 1, name: NAME, qtype: DNS_TYPE_A, answers: [{ type: 'A', address: '10.0.0.1' }, { type: 'A', name: 'other.test', address: '10.0.0.2' }] });
    assert.equal(parseResponse(stray, NAME, 512).status, 'cname-error');
    const first = buildAnswer({ id: 1, name: NAME, qtype: DNS_TYPE_A, answers: [{ type: 'A', name: 'other.test', address: '10.0.0.2' }] });
    assert.equal(parseResponse(first, NAME, 512).status, 'invalid');
  });

  it('SRV records with their targets\' addresses from the additional section', () => {
    const srv = '_http._tcp.app.test';
    const packet = buildAnswer({
      id: 9,
      name: srv,
      qtype: DNS_TYPE_SRV,
      answers: [
        { type: 'SRV', priority: 0, weight: 10, port: 8080, target: 'a.app.test' },
        { type: 'SRV', priority: 0, weight: 20, port: 8081, target: 'b.app.test' },
      ],
      additional: [{ type: 'A', name: 'a.app.test', address: '10.0.0.1' }, { type: 'AAAA', name: 'b.app.test', address: 'fd00::2' }],
    });
    const r = parseResponse(packet, srv, 512);
    assert.equal(r.status, 'valid');
    assert.deepEqual(r.answers, [
      { type: DNS_TYPE_SRV, name: srv, ttl: 300, priority: 0, weight: 10, port: 8080, target: 'a.app.test' },
      { type: DNS_TYPE_SRV, name: srv, ttl: 300, priority: 0, weight: 20, port: 8081, target: 'b.app.test' },
    ]);
    assert.deepEqual(r.additional, [
      { type: DNS_TYPE_A, name: 'a.app.test', ttl: 300, address: '10.0.0.1' },
      { type: DNS_TYPE_AAAA, name: 'b.app.test', ttl: 300, address: 'fd00::2' },
    ]);
  });

  it('an SRV target compressed as a label and a pointer into the question', () => {
    const srv = '_http._tcp.app.test';
    const question = buildAnswer({ id: 7, name: srv, qtype: DNS_TYPE_SRV });
    // The question's `app` label: after the header (12), `_http` (6 bytes) and `_tcp` (5).
    const appAt = 12 + 6 + 5;
    const target = [1, 0x61, 0xc0, appAt];
    const record = [0xc0, 0x0c, 0, DNS_TYPE_SRV, 0, 1, 0, 0, 0, 60, 0, 6 + target.length, 0, 1, 0, 2, 0x1f, 0x90, ...target];
    const packet = Uint8Array.from([...question, ...record]);
    packet[7] = 1; // ancount
    const r = parseResponse(packet, srv, 512);
    assert.equal(r.status, 'valid');
    assert.deepEqual(r.answers, [{ type: DNS_TYPE_SRV, name: srv, ttl: 60, priority: 1, weight: 2, port: 8080, target: 'a.app.test' }]);
    // A pointer to itself (not backwards) is refused: the packet is invalid.
    const forward = Uint8Array.from(packet);
    forward[forward.length - 1] = forward.length - 2;
    assert.equal(parseResponse(forward, srv, 512).status, 'invalid');
  });

  it('rcodes, question counts, names and truncation give HAProxy\'s statuses', () => {
    const base = { id: 1, name: NAME, qtype: DNS_TYPE_A };
    assert.equal(parseResponse(buildAnswer({ ...base, rcode: 3 }), NAME, 512).status, 'nx');
    assert.equal(parseResponse(buildAnswer({ ...base, rcode: 5 }), NAME, 512).status, 'refused');
    assert.equal(parseResponse(buildAnswer({ ...base, rcode: 2 }), NAME, 512).status, 'error');
    assert.equal(parseResponse(buildAnswer(base), NAME, 512).status, 'ancount-zero');
    const one = { ...base, answers: [{ type: 'A', address: '10.0.0.1' } as const] };
    assert.equal(parseResponse(buildAnswer(one), 'other.test', 512).status, 'wrong-name');
    assert.equal(parseResponse(buildAnswer({ ...one, truncated: true }), NAME, 512).status, 'truncated');
    // A truncated SRV answer is still used (HAProxy reads what arrived).
    const srv = { id: 1, name: '_x._tcp.test', qtype: DNS_TYPE_SRV, truncated: true, answers: [{ type: 'SRV', priority: 0, weight: 1, port: 80, target: 'a.test' } as const] };
    assert.equal(parseResponse(buildAnswer(srv), '_x._tcp.test', 512).status, 'valid');
    const twoQuestions = buildAnswer(one);
    twoQuestions[5] = 2;
    assert.equal(parseResponse(twoQuestions, NAME, 512).status, 'query-count');
  });

  it('more answers than accepted_payload_size can hold is invalid', () => {
    const answers = Array.from({ length: 32 }, (_, i) => ({ type: 'A', address: `10.0.0.${i}` }) as const);
    const packet = buildAnswer({ id: 1, name: NAME, qtype: DNS_TYPE_A, answers });
    // (512 - 12) / 16 = 31 records at most.
    assert.equal(parseResponse(packet, NAME, 512).status, 'invalid');
    assert.equal(parseResponse(packet, NAME, 1024).status, 'valid');
  });
});

describe('malformed DNS answers', () => {
  it('pointers must point backwards: a loop or a forward pointer is refused', () => {
    const self = Uint8Array.from([0, 0, 0xc0, 0x02]);
    assert.equal(readName(self, 2), undefined);
    const forward = Uint8Array.from([0xc0, 0x02, 1, 0x61, 0]);
    assert.equal(readName(forward, 0), undefined);
    const backward = Uint8Array.from([1, 0x61, 0, 1, 0x62, 0xc0, 0x00]);
    assert.deepEqual(readName(backward, 3), { text: 'b.a', next: 7 });
  });

  it('a name longer than 255 bytes through pointers is refused', () => {
    const bytes: number[] = [];
    // Each step: a 63-byte label then a pointer to the previous step.
    let previous = -1;
    for (let i = 0; i < 6; i++) {
      const at = bytes.length;
      bytes.push(63, ...Array(63).fill(0x61));
      if (previous < 0) bytes.push(0);
      else bytes.push(0xc0 | (previous >> 8), previous & 0xff);
      previous = at;
    }
    assert.equal(readName(Uint8Array.from(bytes), previous), undefined);
  });

  it('every prefix and every single-byte change of real answers parses without throwing', () => {
    const packets = [
      buildAnswer({ id: 1, name: NAME, qtype: DNS_TYPE_A, answers: [{ type: 'CNAME', target: 'r.test' }, { type: 'A', name: 'r.test', address: '10.0.0.1' }] }),
      buildAnswer({
        id: 2,
        name: '_h._tcp.t',
        qtype: DNS_TYPE_SRV,
        answers: [{ type: 'SRV', priority: 1, weight: 2, port: 3, target: 'a.t' }],
        additional: [{ type: 'A', name: 'a.t', address: '10.0.0.2' }],
      }),
    ];
    let parsed = 0;
    for (const packet of packets) {
      const name = packet[12] === 3 ? NAME : '_h._tcp.t';
      for (let n = 0; n <= packet.length; n++) {
        parseResponse(packet.subarray(0, n), name, 512);
        parsed++;
      }
      for (let i = 0; i < packet.length; i++) {
        for (const value of [0x00, 0x3f, 0x40, 0xc0, 0xff, packet[i]! ^ 0x01]) {
          const copy = packet.slice();
          copy[i] = value;
          const r = parseResponse(copy, name, 512);
          assert.ok(typeof r.status === 'string');
          parsed++;
        }
      }
    }
    assert.ok(parsed > 500);
  });
});
