import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StickTableModel } from '../../src/config/model.ts';
import { checkVersionLine, helloMessage, readFrame, Status, TableMsg, tableMessage } from '../../src/peers/protocol.ts';
import { applyUpdate, definitionMatches, readDefinition, sentDataTypes, writeDefinition, writeUpdate, type ServerKeyCache } from '../../src/peers/table-codec.ts';
import { ByteReader, ByteWriter } from '../../src/peers/wire.ts';
import { StickTable } from '../../src/stick/stick-table.ts';

function varint(value: number): number[] {
  const w = new ByteWriter();
  w.varint(value);
  return [...w.view()];
}

function table(model: Partial<StickTableModel>): StickTable {
  return new StickTable('t', { type: 'string', keyLength: 32, size: 100, expire: undefined, nopurge: false, source: { file: 't', line: 1 }, ...model });
}

describe('peers wire integers (HAProxy intencode/intdecode)', () => {
  it('encodes at the 1-, 2- and 3-byte boundaries as HAProxy', () => {
    assert.deepEqual(varint(0), [0]);
    assert.deepEqual(varint(239), [239]);
    assert.deepEqual(varint(240), [0xf0, 0x00]);
    assert.deepEqual(varint(2287), [0xff, 0x7f]);
    assert.deepEqual(varint(2288), [0xf0, 0x80, 0x00]);
  });

  it('decodes what it encodes, up to 2^50', () => {
    for (const value of [0, 1, 239, 240, 241, 2287, 2288, 264431, 264432, 33818864, 4328786160, 2 ** 50 + 3]) {
      const w = new ByteWriter();
      w.varint(value);
      assert.equal(new ByteReader(w.view()).varint(), value, String(value));
    }
  });

  it('reports a truncated integer', () => {
    assert.throws(() => new ByteReader(Uint8Array.of(0xf0, 0x80)).varint(), /truncated/);
  });
});

describe('peers framing', () => {
  it('the hello and its version check', () => {
    assert.equal(helloMessage('B', 'A', 42), 'HAProxyS 2.1\nB\nA 42 1\n');
    assert.equal(checkVersionLine('HAProxyS 2.1'), undefined);
    assert.equal(checkVersionLine('HAProxyS 2.0'), undefined);
    assert.equal(checkVersionLine('HAProxyS 3.0'), Status.badVersion);
    assert.equal(checkVersionLine('HAProxyS 2.2'), Status.badVersion);
    assert.equal(checkVersionLine('GET / HTTP/1.1'), Status.protocolError);
  });

  it('a stick-table message carries its length; short messages none', () => {
    const msg = tableMessage(TableMsg.ack, (w) => {
      w.varint(3);
      w.uint32(7);
    });
    assert.deepEqual([...msg], [10, 0x84, 5, 3, 0, 0, 0, 7]);
    const both = Uint8Array.of(0, 4, ...msg);
    const first = readFrame(both, 0, both.length);
    assert.ok(typeof first === 'object');
    assert.deepEqual([first.cls, first.type, first.body.remaining, first.next], [0, 4, 0, 2]);
    const second = readFrame(both, first.next, both.length);
    assert.ok(typeof second === 'object');
    assert.deepEqual([second.cls, second.type, second.body.varint(), second.body.uint32()], [10, 0x84, 3, 7]);
    assert.equal(readFrame(both, 2, both.length - 1), 'incomplete');
    assert.equal(readFrame(Uint8Array.of(10, 0x80, 0xff, 0xff, 0x7f), 0, 5), 'oversized');
  });
});

describe('peers table definitions', () => {
  it("announces the stored types in HAProxy's numbering, with periods and array sizes", () => {
    const t = table({ store: [{ type: 'gpc0' }, { type: 'conn_cur' }, { type: 'conn_rate', period: 50_000 }, { type: 'gpc', elements: 3 }], expire: 30_000 });
    const types = sentDataTypes(t, false);
    assert.deepEqual(types, [2, 5, 6, 23]);
    const w = new ByteWriter();
    writeDefinition(w, 1, 'stkt', t, types);
    const def = readDefinition(new ByteReader(w.view()));
    assert.equal(def.name, 'stkt');
    assert.equal(def.keyType, 6);
    assert.equal(def.keySize, 32);
    assert.equal(def.data, (1n << 2n) | (1n << 5n) | (1n << 6n) | (1n << 23n));
    assert.equal(def.expire, 30_000);
    assert.equal(def.elements.get(23), 3);
    assert.ok(definitionMatches(def, t));
    assert.ok(!definitionMatches(def, table({ keyLength: 64 })), 'another key size');
    assert.ok(!definitionMatches(def, table({ type: 'ip', keyLength: 4 })), 'another key type');
  });

  it('persistence adds server_id and server_key (HAProxy allocates both for stick rules)', () => {
    assert.deepEqual(sentDataTypes(table({}), true), [0, 19]);
    assert.deepEqual(sentDataTypes(table({ store: [{ type: 'server_id' }] }), false), [0]);
  });
});

describe('peers updates', () => {
  function roundTrip(model: Partial<StickTableModel>, key: string, fill: (t: StickTable, e: NonNullable<ReturnType<StickTable['getEntry']>>) => void, persistence = false) {
    const from = table(model);
    const to = table(model);
    const entry = from.getEntry(key, 1000) as NonNullable<ReturnType<StickTable['getEntry']>>;
    fill(from, entry);
    const types = sentDataTypes(from, persistence);
    const dw = new ByteWriter();
    writeDefinition(dw, 1, 't', from, types);
    const def = readDefinition(new ByteReader(dw.view()));
    const uw = new ByteWriter();
    writeUpdate(uw, from, types, entry, 77, 5000);
    const cache: ServerKeyCache = new Map();
    const id = applyUpdate(new ByteReader(uw.view()), to, def, cache, true, false, 5000);
    assert.equal(id, 77);
    return { to, received: to.find(key, 5000) };
  }

  it('keys of every type arrive as the same key', () => {
    const cases: [Partial<StickTableModel>, string][] = [
      [{ type: 'ip', keyLength: 4 }, '192.0.2.7'],
      [{ type: 'ipv6', keyLength: 16 }, '2001:db8:0:0:0:0:0:1'],
      [{ type: 'integer', keyLength: 4 }, '4294967295'],
      [{ type: 'string', keyLength: 32 }, '/some/path'],
      [{ type: 'binary', keyLength: 4 }, 'ab\0\0'],
    ];
    for (const [model, key] of cases) {
      const { received } = roundTrip(model, key, () => {});
      assert.equal(received?.key, key, `${model.type}`);
    }
  });

  it('counters, rates, arrays and the persistence target; conn_cur stays local', () => {
    const store: StickTableModel['store'] = [{ type: 'gpc0' }, { type: 'conn_cur' }, { type: 'http_req_rate', period: 10_000 }, { type: 'bytes_in_cnt' }, { type: 'gpt', elements: 2 }];
    const { to, received } = roundTrip(
      { store },
      'k',
      (t, e) => {
        t.setCounter(e, 'gpc0', 5);
        t.setCounter(e, 'conn_cur', 3);
        t.setCounter(e, 'bytes_in_cnt', 2 ** 40);
        t.setElement(e, 'gpt', 1, 9);
        t.count(e, 'http_req', 4, 1000);
        e.server = 'srv1';
        e.serverId = 2;
      },
      true,
    );
    assert.ok(received !== undefined);
    assert.equal(to.counter(received, 'gpc0'), 5);
    assert.equal(to.counter(received, 'conn_cur'), 0);
    assert.equal(to.counter(received, 'bytes_in_cnt'), 2 ** 40);
    assert.equal(to.element(received, 'gpt', 1), 9);
    assert.equal(to.rate(received, 'http_req_rate', 5000), 4);
    assert.equal(received.server, 'srv1');
    assert.equal(received.serverId, 2);
  });

  it('a key-only server_key refers to the value the session cached', () => {
    const t = table({});
    const cache: ServerKeyCache = new Map([[1, 'srv9']]);
    const w = new ByteWriter();
    w.uint32(1);
    w.varint(1);
    w.bytes(Uint8Array.of(0x6b)); // key "k"
    w.varint(0); // server_id
    w.varint(1); // server_key: one byte follows, the cache id
    w.varint(1);
    const def = { id: 1, name: 't', keyType: 6, keySize: 32, data: 1n | (1n << 19n), elements: new Map<number, number>(), expire: 0 };
    applyUpdate(new ByteReader(w.view()), t, def, cache, true, false, 10);
    assert.equal(t.find('k', 10)?.server, 'srv9');
  });

  it('a timed update (a lesson) carries the remaining life, which the receiver keeps', () => {
    const model = { store: [{ type: 'gpc0' as const }], expire: 60_000 };
    const from = table(model);
    const to = table(model);
    const e = from.getEntry('k', 1000);
    assert.ok(e !== undefined);
    from.touch(e, 1000); // expires at 61000
    const types = sentDataTypes(from, false);
    const dw = new ByteWriter();
    writeDefinition(dw, 1, 't', from, types);
    const uw = new ByteWriter();
    writeUpdate(uw, from, types, e, 5, 21_000, true);
    const bytes = uw.view();
    // update id, then the remaining 40000 ms as a 32-bit integer, then the key.
    assert.deepEqual([...bytes.subarray(0, 8)], [0, 0, 0, 5, 0, 0, 0x9c, 0x40]);
    assert.equal(applyUpdate(new ByteReader(bytes), to, readDefinition(new ByteReader(dw.view())), new Map(), true, true, 21_000), 5);
    assert.equal(to.find('k', 21_000)?.expire, 61_000);
    assert.equal(to.find('k', 61_001), undefined);
    // Untimed, the receiver counts a whole table expiry from now.
    const plain = new ByteWriter();
    writeUpdate(plain, from, types, e, 6, 21_000);
    const fresh = table(model);
    applyUpdate(new ByteReader(plain.view()), fresh, readDefinition(new ByteReader(dw.view())), new Map(), true, false, 21_000);
    assert.equal(fresh.find('k', 21_000)?.expire, 81_000);
  });

  it('a remote update is not pushed back to the peers', () => {
    const t = table({ store: [{ type: 'gpc0' }] });
    const pushed: string[] = [];
    t.onLocalUpdate = (e) => pushed.push(e.key);
    const local = t.getEntry('local', 0);
    assert.ok(local !== undefined);
    t.touch(local, 0);
    const from = table({ store: [{ type: 'gpc0' }] });
    const e = from.getEntry('remote', 0);
    assert.ok(e !== undefined);
    const types = sentDataTypes(from, false);
    const dw = new ByteWriter();
    writeDefinition(dw, 1, 't', from, types);
    const uw = new ByteWriter();
    writeUpdate(uw, from, types, e, 1, 0);
    applyUpdate(new ByteReader(uw.view()), t, readDefinition(new ByteReader(dw.view())), new Map(), true, false, 0);
    assert.deepEqual(pushed, ['local']);
    assert.ok(t.find('remote', 0) !== undefined);
  });
});
