import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeaderCaseMap } from '../../src/mux/h1-header-case.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('HeaderCaseMap', () => {
  const map = new HeaderCaseMap([
    { from: 'content-length', to: 'Content-Length' },
    { from: 'x-id', to: 'X-ID' },
    { from: 'x-ID', to: 'x-id' },
    { from: 'etag', to: 'ETag' },
  ]);

  it("respells the names in the map whatever their case, as HAProxy's lowercase lookup", () => {
    const head = enc('HTTP/1.1 200 OK\r\ncontent-LENGTH: 2\r\nX-Other: x-id\r\nx-id: 1\r\nETAG: "a"\r\n\r\nbody x-id: 2\r\n');
    const out = map.adjust(head);
    assert.equal(dec(out), 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Other: x-id\r\nX-ID: 1\r\nETag: "a"\r\n\r\nbody x-id: 2\r\n');
    assert.notEqual(out, head, 'a copy: the received bytes stay as they were');
    assert.equal(dec(head).startsWith('HTTP/1.1 200 OK\r\ncontent-LENGTH'), true);
  });

  it('returns the head itself when no name is in the map; a <from> with capitals never matches', () => {
    const head = enc('GET / HTTP/1.1\r\nhost: a\r\nx-i: 1\r\nx-idd: 2\r\n\r\n');
    assert.equal(map.adjust(head), head);
    const capitals = new HeaderCaseMap([{ from: 'X-Id', to: 'x-id' }]);
    const other = enc('GET / HTTP/1.1\r\nX-Id: 1\r\n\r\n');
    assert.equal(capitals.adjust(other), other);
  });

  it('reads heads with bare LF line ends and continuation lines', () => {
    const head = enc('GET / HTTP/1.1\nx-id: 1\n etag: folded\nEtag: b\n\n');
    assert.equal(dec(map.adjust(head)), 'GET / HTTP/1.1\nX-ID: 1\n etag: folded\nETag: b\n\n');
  });

  it('an empty map changes nothing', () => {
    const head = enc('GET / HTTP/1.1\r\nx-id: 1\r\n\r\n');
    assert.equal(new HeaderCaseMap([]).adjust(head), head);
  });
});
