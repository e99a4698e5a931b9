import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeaderList, HpackDecoder, HpackEncoder, HpackError, huffmanDecode, huffmanEncode, huffmanLength } from '../../../src/http/h2/index.ts';
import { staticNameOfBytes, staticPairIndex } from '../../../src/http/h2/hpack-static-table.ts';

function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}
function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
function decode(d: HpackDecoder, block: Uint8Array): [string, string][] {
  const out = new HeaderList();
  d.decode(block, 0, block.length, out);
  const fields: [string, string][] = [];
  for (let i = 0; i < out.count; i++) fields.push([out.names[i]!, out.values[i]!]);
  return fields;
}
function table(d: { table: { length: number; name(i: number): string; value(i: number): string } }): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < d.table.length; i++) out.push([d.table.name(i), d.table.value(i)]);
  return out;
}
function encode(e: HpackEncoder, fields: [string, string][]): string {
  e.begin();
  for (const [n, v] of fields) e.add(n, v);
  return toHex(e.bytes);
}

// RFC 7541 Appendix C.3 / C.4 (requests) and C.5 / C.6 (responses, 256-octet table).
const REQ1: [string, string][] = [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']];
const REQ2: [string, string][] = [...REQ1, ['cache-control', 'no-cache']];
const REQ3: [string, string][] = [[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value']];
const REQ_TABLES: { table: [string, string][]; size: number }[] = [
  { table: [[':authority', 'www.example.com']], size: 57 },
  { table: [['cache-control', 'no-cache'], [':authority', 'www.example.com']], size: 110 },
  { table: [['custom-key', 'custom-value'], ['cache-control', 'no-cache'], [':authority', 'www.example.com']], size: 164 },
];
const C3 = ['8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d', '8286 84be 5808 6e6f 2d63 6163 6865', '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65'];
const C4 = ['8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff', '8286 84be 5886 a8eb 1064 9cbf', '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf'];

const DATE1 = 'Mon, 21 Oct 2013 20:13:21 GMT';
const DATE2 = 'Mon, 21 Oct 2013 20:13:22 GMT';
const LOC = 'https://www.example.com';
const COOKIE = 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1';
const RES: [string, string][][] = [
  [[':status', '302'], ['cache-control', 'private'], ['date', DATE1], ['location', LOC]],
  [[':status', '307'], ['cache-control', 'private'], ['date', DATE1], ['location', LOC]],
  [[':status', '200'], ['cache-control', 'private'], ['date', DATE2], ['location', LOC], ['content-encoding', 'gzip'], ['set-cookie', COOKIE]],
];
const RES_TABLES: { table: [string, string][]; size: number }[] = [
  { table: [['location', LOC], ['date', DATE1], ['cache-control', 'private'], [':status', '302']], size: 222 },
  { table: [[':status', '307'], ['location', LOC], ['date', DATE1], ['cache-control', 'private']], size: 222 },
  { table: [['set-cookie', COOKIE], ['content-encoding', 'gzip'], ['date', DATE2]], size: 215 },
];
const C5 = [
  '4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
  '4803 3330 37c1 c0bf',
  '88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31',
];
const C6 = [
  '4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3',
  '4883 640e ffc1 c0bf',
  '88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07',
];

describe('HPACK decoder (RFC 7541 Appendix C)', () => {
  it('C.2.1 literal with indexing adds to the table', () => {
    const d = new HpackDecoder();
    assert.deepEqual(decode(d, hex('400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572')), [['custom-key', 'custom-header']]);
    assert.deepEqual(table(d), [['custom-key', 'custom-header']]);
    assert.equal(d.table.size, 55);
  });
  it('C.2.2 literal without indexing, C.2.3 never indexed, C.2.4 indexed leave the table empty', () => {
    const d = new HpackDecoder();
    assert.deepEqual(decode(d, hex('040c 2f73 616d 706c 652f 7061 7468')), [[':path', '/sample/path']]);
    assert.deepEqual(decode(d, hex('1008 7061 7373 776f 7264 0673 6563 7265 74')), [['password', 'secret']]);
    assert.deepEqual(decode(d, hex('82')), [[':method', 'GET']]);
    assert.equal(d.table.length, 0);
  });
  for (const [name, vectors] of [['C.3 (plain)', C3], ['C.4 (Huffman)', C4]] as const) {
    it(`${name} requests on one connection`, () => {
      const d = new HpackDecoder();
      [REQ1, REQ2, REQ3].forEach((want, i) => {
        assert.deepEqual(decode(d, hex(vectors[i]!)), want);
        assert.deepEqual(table(d), REQ_TABLES[i]!.table);
        assert.equal(d.table.size, REQ_TABLES[i]!.size);
      });
    });
  }
  for (const [name, vectors] of [['C.5 (plain)', C5], ['C.6 (Huffman)', C6]] as const) {
    it(`${name} responses with evictions in a 256-octet table`, () => {
      const d = new HpackDecoder({ maxTableSize: 256 });
      RES.forEach((want, i) => {
        assert.deepEqual(decode(d, hex(vectors[i]!)), want);
        assert.deepEqual(table(d), RES_TABLES[i]!.table);
        assert.equal(d.table.size, RES_TABLES[i]!.size);
      });
    });
  }
});

describe('HPACK encoder reproduces Appendix C', () => {
  it('C.3 and C.4 (indexing, with and without Huffman)', () => {
    for (const [huffman, vectors] of [[false, C3], [true, C4]] as const) {
      const e = new HpackEncoder({ indexing: true, huffman });
      [REQ1, REQ2, REQ3].forEach((fields, i) => assert.equal(encode(e, fields), toHex(hex(vectors[i]!))));
      assert.equal(e.table.size, 164);
    }
  });
  it('C.5 and C.6 (256-octet table, evictions)', () => {
    for (const [huffman, vectors] of [[false, C5], [true, C6]] as const) {
      const e = new HpackEncoder({ indexing: true, huffman, tableSize: 256 });
      RES.forEach((fields, i) => assert.equal(encode(e, fields), toHex(hex(vectors[i]!))));
      assert.equal(e.table.size, 215);
    }
  });
  it('without indexing: static pairs are one byte, the rest literal, and a decoder reads it back', () => {
    const e = new HpackEncoder();
    e.begin();
    e.addIndexed(8);
    e.add('content-type', 'text/plain');
    e.add('x-custom', 'v');
    const d = new HpackDecoder();
    assert.equal(e.bytes[0], 0x88);
    assert.deepEqual(decode(d, e.bytes), [[':status', '200'], ['content-type', 'text/plain'], ['x-custom', 'v']]);
    assert.equal(d.table.length, 0);
  });
  it('announces a smaller peer table at the start of the next block', () => {
    const e = new HpackEncoder({ indexing: true });
    e.setMaxTableSize(0);
    assert.equal(encode(e, [['a', 'b']]).slice(0, 2), '20');
    const d = new HpackDecoder();
    e.setMaxTableSize(100);
    e.begin();
    e.add('x', 'y');
    assert.deepEqual(decode(d, e.bytes), [['x', 'y']]);
    assert.equal(d.table.maxSize, 100);
  });
});

describe('HPACK decoder: literal values remembered per static name', () => {
  // `server` is static index 54: a literal without indexing is 0f 27, then the value.
  const server = (value: string): string => '0f27' + value;
  const raw = (text: string): string => toHex(new Uint8Array([text.length, ...Array.from(text, (c) => c.charCodeAt(0))]));
  const huff = (text: string): string => {
    const bytes = new Uint8Array(huffmanLength(text));
    huffmanEncode(text, bytes, 0);
    return toHex(new Uint8Array([0x80 | bytes.length, ...bytes]));
  };

  it('reads a repeated value, a changed one of the same length, and the same text Huffman-coded', () => {
    const d = new HpackDecoder();
    assert.deepEqual(decode(d, hex(server(raw('nginx')))), [['server', 'nginx']]);
    assert.deepEqual(decode(d, hex(server(raw('nginx')))), [['server', 'nginx']]);
    assert.deepEqual(decode(d, hex(server(raw('nginy')))), [['server', 'nginy']]);
    assert.deepEqual(decode(d, hex(server(huff('nginy')))), [['server', 'nginy']]);
    assert.deepEqual(decode(d, hex(server(raw('nginy')))), [['server', 'nginy']]);
    // A longer value, then a shorter one sharing its first bytes.
    assert.deepEqual(decode(d, hex(server(raw('nginx/1.22.1')))), [['server', 'nginx/1.22.1']]);
    assert.deepEqual(decode(d, hex(server(raw('nginx/1.2')))), [['server', 'nginx/1.2']]);
  });

  it('keeps one value per name, in one block and across blocks', () => {
    const d = new HpackDecoder();
    // content-type (31) and server (54), each twice with different values in turn.
    const block = (ct: string, sv: string): Uint8Array => hex('0f10' + raw(ct) + server(raw(sv)));
    assert.deepEqual(decode(d, block('text/plain', 'a')), [['content-type', 'text/plain'], ['server', 'a']]);
    assert.deepEqual(decode(d, block('text/plain', 'b')), [['content-type', 'text/plain'], ['server', 'b']]);
    assert.deepEqual(decode(d, block('text/html', 'b')), [['content-type', 'text/html'], ['server', 'b']]);
  });

  it('decodes values too long to remember every time', () => {
    const d = new HpackDecoder();
    const long = 'x'.repeat(60);
    const other = 'x'.repeat(59) + 'y';
    assert.deepEqual(decode(d, hex(server(raw(long)))), [['server', long]]);
    assert.deepEqual(decode(d, hex(server(raw(other)))), [['server', other]]);
    assert.deepEqual(decode(d, hex(server(raw(long)))), [['server', long]]);
  });

  it('refuses a block cut inside a value it remembers', () => {
    const d = new HpackDecoder();
    decode(d, hex(server(raw('nginx'))));
    assert.throws(() => decode(d, hex(server(raw('nginx')).slice(0, -2))), HpackError);
  });
});

describe('HPACK errors and limits', () => {
  const bad = (block: string, opts = {}) => assert.throws(() => decode(new HpackDecoder(opts), hex(block)), HpackError);
  it('index 0 and indexes beyond the tables', () => {
    bad('80');
    bad('be'); // 62: dynamic table empty
    bad('7f00'); // literal name index 63+0
  });
  it('truncated integers and strings', () => {
    bad('ff');
    bad('0f');
    bad('4005 6162');
    bad('00');
  });
  it('integers beyond 2^28 are refused', () => bad('ff ffff ffff 7f'));
  it('a size update after a field, or above the announced size', () => {
    bad('82 20');
    bad('3fe21f'); // 4097
    assert.deepEqual(decode(new HpackDecoder(), hex('3fe11f 20 82')), [[':method', 'GET']]); // 4096, then 0
  });
  it('Huffman: EOS inside, padding longer than 7 bits, padding not all ones', () => {
    bad('0081 ff 00'); // name huffman 0xff... incomplete
    bad('0082 ffff 00');
    bad('0081 00 00'); // '0' symbol then 3 zero bits of padding
  });
  it('a header list past the limit is decoded (the table stays in step) but flagged and not kept', () => {
    const d = new HpackDecoder({ maxListSize: 100 });
    const out = new HeaderList();
    const block = hex('400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572 400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572');
    d.decode(block, 0, block.length, out);
    assert.equal(out.tooLarge, true);
    assert.equal(out.count, 1);
    assert.equal(d.table.length, 2);
  });
});

describe('Huffman', () => {
  it('round-trips every byte value', () => {
    let s = '';
    for (let i = 0; i < 256; i++) s += String.fromCharCode(i);
    s += s.split('').reverse().join('');
    const buf = new Uint8Array(huffmanLength(s));
    assert.equal(huffmanEncode(s, buf, 0), buf.length);
    const out = new Uint8Array(buf.length * 2);
    const n = huffmanDecode(buf, 0, buf.length, out, 0);
    assert.equal(n, s.length);
    assert.equal(String.fromCharCode(...out.subarray(0, n)), s);
  });

  it('encodes runs of long codes (25 to 30 bits) after any number of pending bits', () => {
    // Every byte value after each of the eight alignments a short code can leave.
    for (let lead = 0; lead < 8; lead++) {
      let s = 'e'.repeat(lead); // 'e' is a 5-bit code
      for (let i = 0; i < 256; i++) s += String.fromCharCode(i, 0, 255 - i);
      const buf = new Uint8Array(huffmanLength(s));
      assert.equal(huffmanEncode(s, buf, 0), buf.length);
      const out = new Uint8Array(buf.length * 2);
      const n = huffmanDecode(buf, 0, buf.length, out, 0);
      assert.equal(String.fromCharCode(...out.subarray(0, n)), s);
    }
  });
});

describe('HpackEncoder.addBytes', () => {
  const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
  const cases: [string, string][] = [
    ['server', 'nginx/1.22.1'],
    ['date', 'Sun, 06 Dec 2026 20:00:00 GMT'],
    ['content-length', '6'],
    ['x-custom', ''],
    ['x-binary', '\x01\x7f\x80\xfe\xff'],
    ['x-long', 'v'.repeat(300)],
    ['accept-encoding', 'gzip, deflate'], // a static pair: one indexed byte
    [':status', '204'],
  ];
  for (const opts of [{}, { huffman: false }, { indexing: true }]) {
    it(`writes what add() writes for the same value as a string (${JSON.stringify(opts)})`, () => {
      const byString = new HpackEncoder(opts);
      const byBytes = new HpackEncoder(opts);
      for (let round = 0; round < 2; round++) {
        byString.begin();
        byBytes.begin();
        for (const [name, value] of cases) {
          byString.add(name, value);
          const raw = latin1(`<<${value}>>`);
          byBytes.addBytes(name, raw, 2, raw.length - 2);
        }
        assert.equal(toHex(byBytes.bytes), toHex(byString.bytes));
      }
    });
  }
});

describe('static table lookups', () => {
  it('staticPairIndex finds valued entries by name and value, and nothing for other pairs', () => {
    assert.equal(staticPairIndex(':method', 'GET'), 2);
    assert.equal(staticPairIndex(':status', '404'), 13);
    assert.equal(staticPairIndex('accept-encoding', 'gzip, deflate'), 16);
    assert.equal(staticPairIndex('accept-encoding', 'gzip'), 0);
    assert.equal(staticPairIndex('content-type', 'text/html'), 0);
    assert.equal(staticPairIndex(':method', ''), 0);
  });

  it('staticNameOfBytes names a raw field name case-insensitively with the static table, or gives undefined', () => {
    const raw = new TextEncoder().encode('Content-Type|SERVER|x-a|:path|content-typo');
    assert.equal(staticNameOfBytes(raw, 0, 12), 'content-type');
    assert.equal(staticNameOfBytes(raw, 13, 19), 'server');
    assert.equal(staticNameOfBytes(raw, 20, 23), undefined);
    assert.equal(staticNameOfBytes(raw, 24, 29), undefined, 'pseudo-headers are not field names');
    assert.equal(staticNameOfBytes(raw, 30, 42), undefined);
  });
});
