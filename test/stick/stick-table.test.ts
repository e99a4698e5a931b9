import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StickTableModel } from '../../src/config/model.ts';
import { StickTable } from '../../src/stick/stick-table.ts';

function table(extra: Partial<StickTableModel> = {}): StickTable {
  return new StickTable('be', { type: 'ip', keyLength: 32, size: 3, expire: undefined, nopurge: false, source: { file: 't', line: 1 }, ...extra });
}

describe('StickTable', () => {
  it('stores and finds server names by canonical key', () => {
    const t = table();
    const key = t.keyOf('::ffff:10.0.0.1') as string;
    assert.equal(key, t.keyOf('10.0.0.1'));
    t.store(key, 's1', 0);
    assert.equal(t.lookup(key, 1), 's1');
    t.store(key, 's2', 2);
    assert.equal(t.lookup(key, 3), 's2', 'a store overwrites');
    assert.equal(t.entries, 1);
    assert.equal(t.keyOf('2001:db8::1'), undefined, 'an IPv6 client has no key in an ip table');
  });

  it('evicts the least recently used entry when full; a lookup counts as a use', () => {
    const t = table({ size: 3 });
    t.store('1.1.1.1', 'a', 0);
    t.store('2.2.2.2', 'b', 1);
    t.store('3.3.3.3', 'c', 2);
    assert.equal(t.lookup('1.1.1.1', 3), 'a'); // 2.2.2.2 is now the oldest
    t.store('4.4.4.4', 'd', 4);
    assert.equal(t.entries, 3);
    assert.equal(t.peek('2.2.2.2', 5), undefined, 'LRU entry evicted');
    assert.equal(t.peek('1.1.1.1', 5), 'a');
    assert.equal(t.peek('3.3.3.3', 5), 'c');
    assert.equal(t.peek('4.4.4.4', 5), 'd');
  });

  it('nopurge refuses new keys when full but still updates existing ones', () => {
    const t = table({ size: 2, nopurge: true });
    assert.equal(t.store('1.1.1.1', 'a', 0), true);
    assert.equal(t.store('2.2.2.2', 'b', 0), true);
    assert.equal(t.store('3.3.3.3', 'c', 0), false);
    assert.equal(t.peek('3.3.3.3', 0), undefined);
    assert.equal(t.store('1.1.1.1', 'z', 0), true);
    assert.equal(t.peek('1.1.1.1', 0), 'z');
  });

  it('expire: entries unused for `expire` ms are gone; a use restarts the delay', () => {
    const t = table({ expire: 1000, size: 10 });
    t.store('1.1.1.1', 'a', 0);
    t.store('2.2.2.2', 'b', 0);
    assert.equal(t.lookup('1.1.1.1', 999), 'a', 'still there just before expiry, and refreshed');
    assert.equal(t.lookup('2.2.2.2', 1000), undefined, 'expired at exactly expire ms');
    assert.equal(t.lookup('1.1.1.1', 1998), 'a', 'the lookup at 999 restarted its delay');
    assert.equal(t.lookup('1.1.1.1', 2997), 'a');
    assert.equal(t.peek('1.1.1.1', 3996), 'a', 'peek does not refresh');
    assert.equal(t.peek('1.1.1.1', 3997), undefined);
    t.store('3.3.3.3', 'c', 5000);
    assert.equal(t.entries, 1, 'expired entries are swept on the next operation');
  });
});
