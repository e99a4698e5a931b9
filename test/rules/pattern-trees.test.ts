/**
 * The map indexes (src/rules/pattern-index.ts over pattern-trees.ts) against the linear
 * definitions HAProxy's pattern.c gives each match (what the indexes replaced): on random keys
 * and inputs over a small alphabet full of delimiters, so that keys nest, repeat and collide,
 * every lookup must give the entry the definition gives.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DIR_DELIMITERS, DOM_DELIMITERS, matchWord, stripDelimiters } from '../../src/rules/match-word.ts';
import { buildMapIndex, type MapIndex, type MapMatch } from '../../src/rules/pattern-index.ts';
import { Sample } from '../../src/rules/sample.ts';

/** xorshift32: the same cases every run. */
function rng(seed: number): (n: number) => number {
  let x = seed;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

const rand = rng(2463534242);
const ALPHABET = 'ab./?:';
const text = (max: number): string => {
  let s = '';
  for (let i = rand(max + 1); i > 0; i--) s += ALPHABET[rand(ALPHABET.length)];
  return s;
};

function index(match: MapMatch, keys: readonly string[]): MapIndex {
  const built = buildMapIndex(match, keys);
  assert.ok(built.ok);
  return built.index;
}

function lookup(idx: MapIndex, value: string, ip = false): number {
  const s = new Sample();
  if (ip) s.setIp(value);
  else s.setStr(value);
  return idx.lookup(s);
}

/** The first entry (file order) satisfying `test`. */
const firstEntry = (keys: readonly string[], test: (key: string) => boolean): number => keys.findIndex(test);

/** The longest key prefixing `value`, the first entry of that key. */
function longestPrefix(keys: readonly string[], value: string): number {
  let best = -1;
  keys.forEach((k, e) => {
    if (value.startsWith(k) && (best < 0 || k.length > (keys[best] as string).length)) best = e;
  });
  return best;
}

describe('map indexes match the linear definitions', () => {
  it('beg: the longest prefix; end: the first suffix; dir and dom: the first whole-word match', () => {
    for (let round = 0; round < 200; round++) {
      const keys = Array.from({ length: 1 + rand(40) }, () => text(6));
      const beg = index('beg', keys);
      const end = index('end', keys);
      const dir = index('dir', keys);
      const dom = index('dom', keys);
      for (let q = 0; q < 50; q++) {
        const value = text(12);
        const where = `keys ${JSON.stringify(keys)} value ${JSON.stringify(value)}`;
        assert.equal(lookup(beg, value), longestPrefix(keys, value), `beg ${where}`);
        assert.equal(lookup(end, value), firstEntry(keys, (k) => value.endsWith(k)), `end ${where}`);
        assert.equal(lookup(dir, value), firstEntry(keys, (k) => matchWord(value, stripDelimiters(k, DIR_DELIMITERS), DIR_DELIMITERS)), `dir ${where}`);
        assert.equal(lookup(dom, value), firstEntry(keys, (k) => matchWord(value, stripDelimiters(k, DOM_DELIMITERS), DOM_DELIMITERS)), `dom ${where}`);
      }
    }
  });

  it('ip: the longest network holding the address, the first entry of equal networks', () => {
    const v4 = (n: number): string => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
    const maskOf = (bits: number): number => (bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0);
    for (let round = 0; round < 100; round++) {
      // Few distinct high bits, so that networks nest.
      const address = (): number => ((rand(4) << 30) | (rand(4) << 20) | rand(1 << 20)) >>> 0;
      const nets = Array.from({ length: 1 + rand(30) }, () => {
        const bits = rand(33);
        return { addr: (address() & maskOf(bits)) >>> 0, bits };
      });
      const keys = nets.map((n) => `${v4(n.addr)}/${n.bits}`);
      const idx = index('ip', keys);
      for (let q = 0; q < 50; q++) {
        const a = q % 5 === 0 ? (nets[rand(nets.length)] as { addr: number }).addr : address();
        let best = -1;
        nets.forEach((n, e) => {
          if ((((a ^ n.addr) & maskOf(n.bits)) >>> 0) === 0 && (best < 0 || n.bits > (nets[best] as { bits: number }).bits)) best = e;
        });
        assert.equal(lookup(idx, v4(a), true), best, `keys ${JSON.stringify(keys)} address ${v4(a)}`);
      }
    }
  });

  it('ip: IPv6 networks by longest prefix; IPv4 addresses also as ::ffff:a.b.c.d', () => {
    const keys = ['2001:db8::/32', '2001:db8:1::/48', '2001:db8:1::1', '::/0', '::ffff:10.0.0.0/104', '2001:db8::/32'];
    const idx = index('ip', keys);
    assert.equal(lookup(idx, '2001:db8:2::5', true), 0);
    assert.equal(lookup(idx, '2001:db8:1::7', true), 1);
    assert.equal(lookup(idx, '2001:db8:1::1', true), 2);
    assert.equal(lookup(idx, 'fe80::1', true), 3);
    assert.equal(lookup(idx, '10.1.2.3', true), 4);
    assert.equal(lookup(idx, '192.0.2.1', true), 3);
  });
});
