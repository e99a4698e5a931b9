/**
 * The trees behind map lookups (pattern-index.ts), so that a lookup costs what the input's length
 * costs, not the map's size:
 *
 * - PrefixTrie: a compressed (radix) trie of strings. `longestPrefix` is `map_beg` (HAProxy's
 *   ebmb_lookup_longest); `firstWord` is `map_dir`/`map_dom` (keys found as whole words of the
 *   input, walked from each word start); `firstSuffix`, over reversed keys, is `map_end`. The
 *   last two keep HAProxy's list semantics, where the first entry of the file that matches
 *   wins: they collect every match and keep the smallest entry index.
 * - BitTrie: a binary trie of address prefixes (HAProxy's ebtree of networks), `map_ip`'s
 *   longest-prefix match for IPv4 (one 32-bit word) and IPv6 (four words).
 *
 * Lookups allocate nothing; keys are one character per byte, as samples are.
 */

class TrieNode {
  /** The characters leading to this node from its parent (a compressed edge). */
  label: string;
  /** The first entry whose key ends here, or -1. */
  entry = -1;
  children: Map<number, TrieNode> | undefined = undefined;

  constructor(label: string) {
    this.label = label;
  }
}

function isDelimiter(c: number, delimiters: string): boolean {
  for (let k = 0; k < delimiters.length; k++) if (delimiters.charCodeAt(k) === c) return true;
  return false;
}

export class PrefixTrie {
  readonly #root = new TrieNode('');
  /** Keys are stored reversed (for suffix lookups). */
  readonly #reversed: boolean;

  constructor(reversed = false) {
    this.#reversed = reversed;
  }

  /** Adds `key` for `entry`; a key already present keeps its first entry. */
  add(key: string, entry: number): void {
    const k = this.#reversed ? [...key].reverse().join('') : key;
    let node = this.#root;
    let i = 0;
    for (;;) {
      if (i === k.length) {
        if (node.entry < 0) node.entry = entry;
        return;
      }
      const c = k.charCodeAt(i);
      node.children ??= new Map();
      const child = node.children.get(c);
      if (child === undefined) {
        const leaf = new TrieNode(k.slice(i));
        leaf.entry = entry;
        node.children.set(c, leaf);
        return;
      }
      const label = child.label;
      let common = 1;
      while (common < label.length && i + common < k.length && label.charCodeAt(common) === k.charCodeAt(i + common)) common++;
      if (common < label.length) {
        // Split the edge where the key leaves it.
        const middle = new TrieNode(label.slice(0, common));
        child.label = label.slice(common);
        middle.children = new Map([[child.label.charCodeAt(0), child]]);
        node.children.set(c, middle);
        node = middle;
      } else {
        node = child;
      }
      i += common;
    }
  }

  /** The entry of the longest key that prefixes `text`, or -1. */
  longestPrefix(text: string): number {
    let node = this.#root;
    let best = node.entry;
    let i = 0;
    while (i < text.length) {
      const child = node.children?.get(text.charCodeAt(i));
      if (child === undefined || !text.startsWith(child.label, i)) break;
      i += child.label.length;
      if (child.entry >= 0) best = child.entry;
      node = child;
    }
    return best;
  }

  /**
   * The smallest entry whose key appears in `text` as a whole run of words: starting at the
   * text's start or after a delimiter, ending at its end or before a delimiter (HAProxy's
   * match_word; keys stripped of delimiters at their ends, the empty key excepted by the caller).
   */
  firstWord(text: string, delimiters: string): number {
    let best = -1;
    let wordStart = true;
    for (let s = 0; s < text.length; s++) {
      if (isDelimiter(text.charCodeAt(s), delimiters)) {
        wordStart = true;
        continue;
      }
      if (!wordStart) continue;
      wordStart = false;
      let node = this.#root;
      let i = s;
      while (i < text.length) {
        const child = node.children?.get(text.charCodeAt(i));
        if (child === undefined || !text.startsWith(child.label, i)) break;
        i += child.label.length;
        if (child.entry >= 0 && (best < 0 || child.entry < best) && (i === text.length || isDelimiter(text.charCodeAt(i), delimiters))) best = child.entry;
        node = child;
      }
    }
    return best;
  }

  /** (Reversed tries) the smallest entry whose key ends `text`, or -1. */
  firstSuffix(text: string): number {
    let node = this.#root;
    let best = node.entry;
    let i = text.length;
    while (i > 0) {
      const child = node.children?.get(text.charCodeAt(i - 1));
      if (child === undefined) break;
      const label = child.label;
      if (label.length > i) break;
      let k = 1;
      while (k < label.length && label.charCodeAt(k) === text.charCodeAt(i - 1 - k)) k++;
      if (k < label.length) break;
      i -= label.length;
      if (child.entry >= 0 && (best < 0 || child.entry < best)) best = child.entry;
      node = child;
    }
    return best;
  }
}

/**
 * A binary trie of bit-string prefixes (addresses as 32-bit words, most significant first), in
 * flat typed arrays: node n has children zero[n] / one[n] (0 = none; node 0 is the root) and the
 * entry of the prefix ending there (-1 = none).
 */
export class BitTrie {
  #zero = new Int32Array(64);
  #one = new Int32Array(64);
  #entry = new Int32Array(64).fill(-1);
  #count = 1;

  #newNode(): number {
    if (this.#count === this.#zero.length) {
      const size = this.#count * 2;
      const grow = (a: Int32Array, fill: number): Int32Array<ArrayBuffer> => {
        const b = new Int32Array(size).fill(fill);
        b.set(a);
        return b;
      };
      this.#zero = grow(this.#zero, 0);
      this.#one = grow(this.#one, 0);
      this.#entry = grow(this.#entry, -1);
    }
    return this.#count++;
  }

  /** Adds the first `bits` bits of `words` for `entry`; a prefix already present keeps its first entry. */
  add(words: ArrayLike<number>, bits: number, entry: number): void {
    let node = 0;
    for (let b = 0; b < bits; b++) {
      const bit = ((words[b >>> 5] as number) >>> (31 - (b & 31))) & 1;
      const next = bit === 0 ? this.#zero : this.#one;
      let child = next[node] as number;
      if (child === 0) {
        child = this.#newNode();
        // #newNode may have grown the arrays: write through the current ones.
        (bit === 0 ? this.#zero : this.#one)[node] = child;
      }
      node = child;
    }
    if ((this.#entry[node] as number) < 0) this.#entry[node] = entry;
  }

  /** The entry of the longest prefix of the `bits`-bit address `words`, or -1. */
  longestPrefix(words: ArrayLike<number>, bits: number): number {
    const zero = this.#zero;
    const one = this.#one;
    const entries = this.#entry;
    let node = 0;
    let best = entries[0] as number;
    for (let b = 0; b < bits; b++) {
      const bit = ((words[b >>> 5] as number) >>> (31 - (b & 31))) & 1;
      node = (bit === 0 ? zero[node] : one[node]) as number;
      if (node === 0) break;
      const e = entries[node] as number;
      if (e >= 0) best = e;
    }
    return best;
  }

  /** The same for one IPv4 address (a 32-bit unsigned integer). */
  longestPrefix4(address: number): number {
    const zero = this.#zero;
    const one = this.#one;
    const entries = this.#entry;
    let node = 0;
    let best = entries[0] as number;
    for (let b = 31; b >= 0; b--) {
      node = (((address >>> b) & 1) === 0 ? zero[node] : one[node]) as number;
      if (node === 0) break;
      const e = entries[node] as number;
      if (e >= 0) best = e;
    }
    return best;
  }
}
