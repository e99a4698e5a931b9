import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CacheFlag, maxAgeOf, methodFlags, requestCacheability, responseCacheability } from '../../src/cache/cacheability.ts';
import { CacheTxn, Lookup } from '../../src/cache/cache-txn.ts';
import { etagsMatch, notModified } from '../../src/cache/conditional.ts';
import { HeaderReader } from '../../src/cache/header-reader.ts';
import { CacheEntry, HttpCache, type CacheSettings } from '../../src/cache/http-cache.ts';
import { parseHttpDate } from '../../src/cache/http-date.ts';
import { acceptEncodingBitmap, keysMatch, responseEncodingBitmap, secondaryKey, varySignature, VaryHeader } from '../../src/cache/vary.ts';
import { HeadEditor, RequestHeadParser, ResponseHeadParser, latin1Bytes } from '../../src/http/codec/index.ts';

function reqHead(text: string) {
  const p = new RequestHeadParser();
  p.feed(latin1Bytes(text));
  assert.ok(p.done);
  return p.head!;
}

function resHead(text: string) {
  const p = new ResponseHeadParser();
  p.feed(latin1Bytes(text));
  assert.ok(p.done);
  return p.head!;
}

function reader(text: string): HeaderReader {
  return new HeaderReader().reset(text.startsWith('HTTP/') ? resHead(text) : reqHead(text), undefined);
}

const SETTINGS: CacheSettings = { name: 'c', totalMaxSize: 10_000, maxObjectSize: 1000, maxAge: 60, processVary: true, maxSecondaryEntries: 2 };
const NOW = 1_700_000_000;

describe('cache: HTTP dates', () => {
  it('reads the three forms of RFC 7231 and nothing else', () => {
    assert.equal(parseHttpDate('Thu, 22 Oct 2020 16:51:12 GMT'), Date.UTC(2020, 9, 22, 16, 51, 12) / 1000);
    assert.equal(parseHttpDate('Thursday, 22-Oct-20 16:51:12 GMT'), Date.UTC(2020, 9, 22, 16, 51, 12) / 1000);
    assert.equal(parseHttpDate('Thu Oct  2 16:51:12 2020'), Date.UTC(2020, 9, 2, 16, 51, 12) / 1000);
    assert.equal(parseHttpDate('2020-10-22T16:51:12Z'), undefined);
    assert.equal(parseHttpDate('Thu, 22 Foo 2020 16:51:12 GMT'), undefined);
  });
});

describe('cache: cacheability (http_check_request/response_for_cacheability)', () => {
  it('lets safe methods be cached and ignores requests that ask for fresh content', () => {
    assert.equal(methodFlags('GET'), CacheFlag.cacheable | CacheFlag.cookie);
    assert.equal(methodFlags('POST'), 0);
    const base = methodFlags('GET');
    assert.equal(requestCacheability(base, reader('GET / HTTP/1.1\r\nHost: x\r\n\r\n')), base);
    assert.ok(requestCacheability(base, reader('GET / HTTP/1.1\r\nHost: x\r\nCache-Control: no-cache\r\n\r\n')) & CacheFlag.ignore);
    assert.ok(requestCacheability(base, reader('GET / HTTP/1.1\r\nHost: x\r\nCache-Control: max-age=0\r\n\r\n')) & CacheFlag.ignore);
    assert.ok(requestCacheability(base, reader('GET / HTTP/1.1\r\nHost: x\r\nPragma: no-cache\r\n\r\n')) & CacheFlag.ignore);
    // Pragma counts only without Cache-Control (RFC 7234 §5.4).
    assert.equal(requestCacheability(base, reader('GET / HTTP/1.1\r\nHost: x\r\nPragma: no-cache\r\nCache-Control: foo\r\n\r\n')) & CacheFlag.ignore, 0);
    const auth = requestCacheability(base, reader('GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Basic x\r\n\r\n'));
    assert.equal(auth, CacheFlag.ignore);
    assert.equal(requestCacheability(base, reader('GET / HTTP/1.1\r\nHost: x\r\nCache-Control: no-store\r\n\r\n')), 0);
  });

  it('needs a freshness or a validator, and honours private/no-store/no-cache', () => {
    const base = methodFlags('GET');
    const ok = (h: string): boolean => {
      const f = responseCacheability(base, 200, reader(`HTTP/1.1 200 OK\r\n${h}Content-Length: 0\r\n\r\n`));
      return (f & CacheFlag.cacheable) !== 0 && (f & CacheFlag.cookie) !== 0 && (f & CacheFlag.ignore) === 0;
    };
    assert.equal(ok(''), false);
    assert.equal(ok('Cache-Control: max-age=5\r\n'), true);
    assert.equal(ok('Cache-Control: s-maxage=5\r\n'), true);
    assert.equal(ok('Expires: Thu, 22 Oct 2020 16:51:12 GMT\r\n'), true);
    assert.equal(ok('ETag: "x"\r\n'), true);
    assert.equal(ok('Last-Modified: Thu, 22 Oct 2020 16:51:12 GMT\r\n'), true);
    assert.equal(ok('Cache-Control: max-age=5, private\r\n'), false);
    assert.equal(ok('Cache-Control: no-store, max-age=5\r\n'), false);
    assert.equal(ok('Cache-Control: max-age=0\r\n'), false);
    assert.equal(ok('Cache-Control: max-age=5, no-cache="set-cookie"\r\n'), false);
    assert.equal(ok('Pragma: no-cache\r\nCache-Control: max-age=5\r\n'), false);
    // Set-Cookie alone does not prevent storing in HAProxy 2.6.
    assert.equal(ok('Set-Cookie: a=b\r\nCache-Control: max-age=5\r\n'), true);
    assert.equal(responseCacheability(base, 302, reader('HTTP/1.1 302 Found\r\nCache-Control: max-age=5\r\nContent-Length: 0\r\n\r\n')) & CacheFlag.cacheable, 0);
  });

  it('computes the max-age from s-maxage, max-age, Expires, capped by the cache', () => {
    const age = (h: string) => maxAgeOf(reader(`HTTP/1.1 200 OK\r\n${h}\r\n`), 60, NOW);
    assert.deepEqual(age('Cache-Control: max-age=30, s-maxage=10\r\n'), { effective: 10, declared: 10 });
    assert.deepEqual(age('Cache-Control: max-age=300\r\n'), { effective: 60, declared: 300 });
    assert.deepEqual(age('Cache-Control: max-age="12"\r\n'), { effective: 12, declared: 12 });
    assert.equal(age('Cache-Control: max-age=abc\r\n'), undefined);
    const in20 = new Date((NOW + 20) * 1000).toUTCString();
    assert.deepEqual(age(`Expires: ${in20}\r\n`), { effective: 20, declared: 20 });
    assert.deepEqual(age('Expires: yesterday\r\n'), { effective: 0, declared: 0 });
    assert.deepEqual(age(''), { effective: 60, declared: 0 });
  });
});

describe('cache: Vary and secondary keys', () => {
  it('normalises Accept-Encoding to a bitmap (order, case, q=0, *)', () => {
    const bits = (ae: string) => acceptEncodingBitmap(reader(`GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: ${ae}\r\n\r\n`));
    assert.equal(bits('gzip, br'), bits('BR,gzip'));
    assert.notEqual(bits('gzip'), bits('gzip;q=0'));
    assert.equal(bits('*'), 0xffffffff);
    assert.equal(acceptEncodingBitmap(reader('GET / HTTP/1.1\r\nHost: x\r\n\r\n')), 0xffffffff);
    assert.equal(bits(Array.from({ length: 16 }, () => 'gzip').join(',')), undefined);
  });

  it('reads the response signature and refuses other headers', () => {
    assert.equal(varySignature(reader('HTTP/1.1 200 OK\r\nVary: accept-encoding, Referer\r\n\r\n')), VaryHeader.acceptEncoding | VaryHeader.referer);
    assert.equal(varySignature(reader('HTTP/1.1 200 OK\r\nVary: User-Agent\r\n\r\n')), undefined);
    assert.equal(varySignature(reader('HTTP/1.1 200 OK\r\n\r\n')), 0);
  });

  it('matches a request that accepts the stored encoding', () => {
    const gzipEntry = secondaryKey(reader('GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n'), VaryHeader.acceptEncoding)!;
    gzipEntry[0] = responseEncodingBitmap(reader('HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n'))!;
    const key = (ae: string) => secondaryKey(reader(`GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: ${ae}\r\n\r\n`), VaryHeader.acceptEncoding)!;
    assert.equal(keysMatch(gzipEntry, key('deflate, gzip')), true);
    assert.equal(keysMatch(gzipEntry, key('br')), false);
    assert.equal(responseEncodingBitmap(reader('HTTP/1.1 200 OK\r\nContent-Encoding: foo\r\n\r\n')), undefined);
  });
});

describe('cache: conditional requests', () => {
  it('compares entity tags weakly and dates by Last-Modified', () => {
    assert.equal(etagsMatch('"a"', 'W/"a"'), true);
    assert.equal(etagsMatch('"a"', '"b"'), false);
    assert.equal(etagsMatch('a', 'a'), false);
    const lm = Date.UTC(2020, 9, 22, 16, 51, 12) / 1000;
    assert.equal(notModified(reader('GET / HTTP/1.1\r\nHost: x\r\nIf-None-Match: "x", "a"\r\n\r\n'), '"a"', lm), true);
    assert.equal(notModified(reader('GET / HTTP/1.1\r\nHost: x\r\nIf-None-Match: *\r\n\r\n'), undefined, lm), true);
    // If-None-Match wins over If-Modified-Since.
    assert.equal(notModified(reader('GET / HTTP/1.1\r\nHost: x\r\nIf-None-Match: "b"\r\nIf-Modified-Since: Thu, 22 Oct 2020 16:51:12 GMT\r\n\r\n'), '"a"', lm), false);
    assert.equal(notModified(reader('GET / HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: Thu, 22 Oct 2020 16:51:12 GMT\r\n\r\n'), '"a"', lm), true);
    assert.equal(notModified(reader('GET / HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: Thu, 22 Oct 2020 16:51:11 GMT\r\n\r\n'), '"a"', lm), false);
  });
});

describe('cache: the store', () => {
  function complete(cache: HttpCache, key: string, bytes: number, now = NOW): CacheEntry {
    const e = new CacheEntry(key, 0, undefined, now);
    assert.ok(cache.insert(e, now));
    assert.ok(cache.reserve(e, bytes));
    e.payloadBytes = bytes;
    e.expire = now + 10;
    e.complete = true;
    return e;
  }

  it('expires entries at their date', () => {
    const cache = new HttpCache(SETTINGS);
    complete(cache, 'k', 10);
    assert.ok(cache.lookup('k', NOW + 9, () => undefined));
    assert.equal(cache.lookup('k', NOW + 10, () => undefined), undefined);
    assert.equal(cache.usedBytes, 0);
  });

  it('evicts the least recently used entries to stay within total-max-size, and refuses big objects', () => {
    const cache = new HttpCache({ ...SETTINGS, totalMaxSize: 2000 });
    const a = complete(cache, 'a', 900);
    complete(cache, 'b', 900);
    cache.touch(a);
    complete(cache, 'c', 900);
    assert.ok(cache.lookup('a', NOW, () => undefined));
    assert.equal(cache.lookup('b', NOW, () => undefined), undefined);
    assert.ok(cache.usedBytes <= 2000);
    const big = new CacheEntry('big', 0, undefined, NOW);
    cache.insert(big, NOW);
    assert.equal(cache.reserve(big, 1001), false);
  });

  it('keeps at most max-secondary-entries per key', () => {
    const cache = new HttpCache(SETTINGS);
    for (let i = 0; i < 2; i++) assert.ok(cache.insert(new CacheEntry('v', VaryHeader.referer, [0, i], NOW), NOW));
    assert.equal(cache.insert(new CacheEntry('v', VaryHeader.referer, [0, 9], NOW), NOW), false);
  });
});

describe('cache: a transaction', () => {
  const cache = () => new HttpCache({ ...SETTINGS, processVary: false });

  /** `payload`: the body's payload, as the cache filter gets it (framing removed). */
  function store(txn: CacheTxn, c: HttpCache, reqText: string, resText: string, ...payload: string[]): void {
    const req = reqHead(reqText);
    assert.equal(txn.use(c, req, undefined, NOW) === Lookup.hit, false);
    const res = resHead(resText);
    const editor = new HeadEditor().begin(res);
    txn.store(c, req, res, editor, res.status, NOW);
    for (const piece of payload) txn.data(latin1Bytes(piece));
    txn.end();
  }

  it('stores a GET response with its payload decoded, and answers it with Age, without the origin Age', () => {
    const c = cache();
    const txn = new CacheTxn();
    store(txn, c, 'GET /a HTTP/1.1\r\nHost: h\r\n\r\n', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nAge: 3\r\nCache-Control: max-age=60\r\nConnection: keep-alive\r\n\r\n', 'hi', '!!!');
    txn.reset();
    assert.equal(txn.use(c, reqHead('GET /a HTTP/1.1\r\nHost: h\r\n\r\n'), undefined, NOW + 2), Lookup.hit);
    const out = txn.response(NOW + 2, false);
    assert.equal(Buffer.from(out.head.raw).toString('latin1'), 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncache-control: max-age=60\r\nage: 5\r\n\r\n');
    assert.equal(out.head.status, 200);
    assert.equal(out.head.chunked, true);
    assert.equal(Buffer.concat(out.body).toString('latin1'), '5\r\nhi!!!\r\n0\r\n\r\n');
    // Hits within the same second of age share the head read back; the next second reads it anew.
    assert.equal(txn.response(NOW + 2, false).head, out.head);
    const later = txn.response(NOW + 3, true).head;
    assert.notEqual(later, out.head);
    assert.match(Buffer.from(later.raw).toString('latin1'), /\r\nage: 6\r\n\r\n$/);
    txn.reset();
    // Another host or path is another entry.
    assert.equal(txn.use(c, reqHead('GET /a HTTP/1.1\r\nHost: other\r\n\r\n'), undefined, NOW), Lookup.miss);
  });

  it('stores neither HEAD, non-200, nor stale (Age past max-age) responses, and never an incomplete payload', () => {
    const c = cache();
    const txn = new CacheTxn();
    store(txn, c, 'HEAD /h HTTP/1.1\r\nHost: h\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nCache-Control: max-age=60\r\n\r\n', '');
    txn.reset();
    store(txn, c, 'GET /n HTTP/1.1\r\nHost: h\r\n\r\n', 'HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\nCache-Control: max-age=60\r\n\r\n', 'x');
    txn.reset();
    store(txn, c, 'GET /s HTTP/1.1\r\nHost: h\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nAge: 61\r\nCache-Control: max-age=60\r\n\r\n', 'x');
    txn.reset();
    assert.equal(c.usedBytes, 0);
    const req = reqHead('GET /i HTTP/1.1\r\nHost: h\r\n\r\n');
    txn.use(c, req, undefined, NOW);
    const res = resHead('HTTP/1.1 200 OK\r\nContent-Length: 10\r\nCache-Control: max-age=60\r\n\r\n');
    txn.store(c, req, res, new HeadEditor().begin(res), 200, NOW);
    txn.data(latin1Bytes('abc'));
    txn.reset();
    assert.equal(txn.use(c, reqHead('GET /i HTTP/1.1\r\nHost: h\r\n\r\n'), undefined, NOW), Lookup.miss);
    assert.equal(c.usedBytes, 0);
  });
});

describe('cache: an entry dropped while filled', () => {
  it('takes no more room', () => {
    const cache = new HttpCache(SETTINGS);
    const e = new CacheEntry('k', 0, undefined, NOW);
    assert.ok(cache.insert(e, NOW));
    assert.ok(cache.reserve(e, 10));
    e.payloadBytes = 10;
    cache.remove(e);
    assert.equal(cache.reserve(e, 10), false);
    assert.equal(cache.usedBytes, 0);
  });
});
