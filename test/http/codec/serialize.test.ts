import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  H_CONTENT_LENGTH,
  H_HOST,
  H_TE,
  H_X_FORWARDED_FOR,
  HeadEditor,
  RequestHeadParser,
  ResponseHeadParser,
  buildRequestHead,
  buildResponseHead,
  headerName,
  latin1Bytes,
  latin1String,
  reasonPhrase,
} from '../../../src/http/codec/index.ts';

const enc = latin1Bytes;
const str = (b: Uint8Array) => latin1String(b, 0, b.length);

function req(s: string) {
  const p = new RequestHeadParser();
  p.feed(enc(s));
  assert.ok(p.done);
  return p.head!;
}

describe('HeadEditor', () => {
  const editor = new HeadEditor();

  it('returns the original bytes when nothing changes', () => {
    const h = req('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    const out = editor.begin(h).build();
    assert.equal(out, h.raw);
    assert.equal(editor.changed, false);
  });

  it('removes hop-by-hop headers (and those Connection names), keeps order and case, appends at the end', () => {
    const h = req(
      'GET /p HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Private\r\nKeep-Alive: timeout=5\r\nX-Private: 1\r\nAccept: */*\r\nTE: trailers\r\nUpgrade: h2c\r\nProxy-Connection: x\r\nX-Forwarded-For: 1.1.1.1\r\nTrailer: X\r\nX-Last: z\r\n\r\n',
    );
    const out = editor.begin(h).removeHopByHop().set(H_X_FORWARDED_FOR, '1.1.1.1, 10.0.0.9').append('Connection', 'close').build();
    assert.equal(
      str(out),
      'GET /p HTTP/1.1\r\nHost: a\r\nAccept: */*\r\nTE: trailers\r\nX-Last: z\r\nx-forwarded-for: 1.1.1.1, 10.0.0.9\r\nConnection: close\r\n\r\n',
    );
    // and it parses back
    const back = req(str(out));
    assert.equal(back.get(H_X_FORWARDED_FOR), '1.1.1.1, 10.0.0.9');
    assert.equal(back.keepAlive, false);
  });

  it('TE goes on as "trailers" when its value names trailers (HAProxy h1_process_output), else goes', () => {
    const cases: [string, string | undefined][] = [
      ['trailers', 'trailers'],
      ['trailers, gzip', 'trailers'],
      ['gzip, trailers', 'trailers'],
      ['gzip', undefined],
      ['trailers;q=0.5', undefined],
      ['Trailers', undefined],
    ];
    for (const [value, forwarded] of cases) {
      const h = req(`POST / HTTP/1.1\r\nHost: a\r\nTE: ${value}\r\nContent-Length: 0\r\n\r\n`);
      const back = req(str(editor.begin(h).removeHopByHop().build()));
      assert.equal(back.get(H_TE), forwarded, value);
    }
  });

    it('keepUpgrade keeps Upgrade even when Connection names it', () => {
    const h = req('GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n');
    const out = editor.begin(h).removeHopByHop(true).append('Connection', 'upgrade').build();
    assert.equal(str(out), 'GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\nConnection: upgrade\r\n\r\n');
  });

  it('drops Content-Length of a smuggling suspect', () => {
    const h = req('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n');
    assert.ok(h.smuggleSuspect);
    assert.equal(editor.begin(h).removeAll(H_CONTENT_LENGTH), 1);
    assert.equal(str(editor.build()), 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n');
  });

  it('set replaces earlier appends too, remove by index, runs across removals', () => {
    const h = req('GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nHost: a\r\n\r\n');
    editor.begin(h).append('X-Id', 'first').set('x-id', 'second').remove(1).remove(1).remove(3);
    assert.ok(editor.isRemoved(1));
    assert.equal(str(editor.build()), 'GET / HTTP/1.1\r\nA: 1\r\nC: 3\r\nHost: a\r\nx-id: second\r\n\r\n');
  });

  it('rewrites the start line and Host (absolute-form -> origin-form)', () => {
    const h = req('GET http://origin.example/x?y HTTP/1.1\r\nHost: other\r\nAccept: a\r\n\r\n');
    const out = editor.begin(h).setRequestLine(h.method, '/x?y').set(H_HOST, h.host!).build();
    assert.equal(str(out), 'GET /x?y HTTP/1.1\r\nAccept: a\r\nhost: origin.example\r\n\r\n');
  });

  it('rewrites a status line and keeps long values intact (subarray copy path)', () => {
    const p = new ResponseHeadParser();
    const long = 'v'.repeat(500);
    p.feed(enc(`HTTP/1.1 200 OK\r\nX-Long: ${long}\r\nServer: s\r\n\r\n`));
    editor.begin(p.head!).setStatusLine(203, 'Non-Authoritative Information');
    assert.equal(editor.removeAll(headerName('server')), 1);
    const out = editor.build();
    assert.equal(str(out), `HTTP/1.1 203 Non-Authoritative Information\r\nX-Long: ${long}\r\n\r\n`);
  });

  it('encodes non-ASCII values as UTF-8', () => {
    const h = req('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    const out = editor.begin(h).append('X-Name', 'café ☕').build();
    assert.equal(new TextDecoder().decode(out), 'GET / HTTP/1.1\r\nHost: a\r\nX-Name: café ☕\r\n\r\n');
  });

  it('refuses header injection', () => {
    const h = req('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    editor.begin(h);
    assert.throws(() => editor.append('X-A', 'a\r\nEvil: 1'), TypeError);
    assert.throws(() => editor.append('X-A', 'a\nb'), TypeError);
    assert.throws(() => editor.append('X-A', 'a\0'), TypeError);
    assert.throws(() => editor.append('Bad Name', 'v'), TypeError);
    assert.throws(() => editor.setRequestLine('GET', '/a b'), TypeError);
    assert.throws(() => editor.setRequestLine('G T', '/'), TypeError);
    assert.throws(() => editor.setStatusLine(42, 'x'), RangeError);
    assert.equal(editor.build(), h.raw, 'failed edits left nothing behind');
  });

  it('grows for heads with many headers', () => {
    let s = 'GET / HTTP/1.1\r\nHost: a\r\n';
    for (let i = 0; i < 300; i++) s += `X-${i}: ${i}\r\n`;
    const p = new RequestHeadParser({ maxHeaders: 400, maxHeadSize: 65536 });
    p.feed(enc(`${s}\r\n`));
    const out = editor.begin(p.head!).remove(299).build();
    assert.ok(!str(out).includes('X-298: 298'));
    assert.ok(str(out).includes('X-299: 299'));
  });
});

describe('builders', () => {
  it('buildRequestHead', () => {
    const out = buildRequestHead('GET', '/health', [
      [H_HOST, 'backend'],
      ['User-Agent', 'switchyard'],
    ]);
    assert.equal(str(out), 'GET /health HTTP/1.1\r\nhost: backend\r\nUser-Agent: switchyard\r\n\r\n');
    assert.equal(str(buildRequestHead('OPTIONS', '*', [], 0)), 'OPTIONS * HTTP/1.0\r\n\r\n');
  });

  it('buildResponseHead with the standard reason', () => {
    assert.equal(str(buildResponseHead(302, undefined, [['Location', '/x'], ['Content-Length', '0']])), 'HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n');
    assert.equal(reasonPhrase(308), 'Permanent Redirect');
    assert.equal(reasonPhrase(599), '');
    assert.throws(() => buildResponseHead(200, 'OK', [['X', 'a\r\n']]), TypeError);
  });
});

describe('HeadEditor.replace', () => {
  const editor = new HeadEditor();

  it('replaces a value in place, keeping the received name and the header order', () => {
    const h = req('GET / HTTP/1.1\r\nHost: a\r\ncOOkie: a=1; SRV=s1\r\nAccept: */*\r\n\r\n');
    const out = str(editor.begin(h).replace(1, 'a=1').build());
    assert.equal(out, 'GET / HTTP/1.1\r\nHost: a\r\ncOOkie: a=1\r\nAccept: */*\r\n\r\n');
  });

  it('a later replace wins, remove and removeAll undo a replace, appends stay last', () => {
    const h = req('GET / HTTP/1.1\r\nX: 1\r\nY: 2\r\nX: 3\r\nHost: h\r\n\r\n');
    editor.begin(h).replace(0, 'first').replace(0, 'second').replace(1, 'why').append('Z', 'z');
    assert.equal(str(editor.build()), 'GET / HTTP/1.1\r\nX: second\r\nY: why\r\nX: 3\r\nHost: h\r\nZ: z\r\n\r\n');
    editor.begin(h).replace(1, 'gone').remove(1).replace(2, 'x3');
    assert.equal(str(editor.build()), 'GET / HTTP/1.1\r\nX: 1\r\nX: x3\r\nHost: h\r\n\r\n');
    editor.begin(h).replace(2, 'x3').removeAll(headerName('x'));
    assert.equal(str(editor.build()), 'GET / HTTP/1.1\r\nY: 2\r\nHost: h\r\n\r\n');
    assert.throws(() => editor.begin(h).replace(0, 'bad\r\nInjected: 1'), TypeError);
  });
});

describe('HeadEditor.buildResponseHead', () => {
  function res(s: string) {
    const p = new ResponseHeadParser();
    p.feed(enc(s));
    assert.ok(p.done);
    return p.head!;
  }

  /** What the response parser makes of build()'s bytes: the head buildResponseHead must equal. */
  function parsedBack(editor: HeadEditor) {
    const p = new ResponseHeadParser({ maxHeadSize: 1 << 20 });
    const bytes = editor.build().slice();
    assert.equal(p.feed(bytes, 0), bytes.length);
    return p.head!;
  }

  const SERVER =
    'HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: x\r\nContent-Type: text/plain\r\nContent-Length: 6\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nX-Pad:  padded \r\nETag: "a"\r\n\r\n';

  const edits: [string, (e: HeadEditor) => void][] = [
    ['hop-by-hop removed', (e) => e.removeHopByHop()],
    ['set, append, remove', (e) => e.removeHopByHop().set(headerName('X-New'), ' spaced\t').append('X-Other', 'b').removeAll(enc('etag'))],
    ['first and last removed, value replaced', (e) => e.remove(0).remove(7).replace(3, '7')],
    ['everything removed, one added', (e) => { for (let i = 0; i < 8; i++) e.remove(i); e.append('Transfer-Encoding', 'chunked'); }],
  ];
  for (const [what, edit] of edits) {
    it(`gives the head the parser reads from build()'s bytes: ${what}`, () => {
      const editor = new HeadEditor();
      edit(editor.begin(res(SERVER)));
      const built = editor.buildResponseHead(101, 1 << 20)!;
      const parsed = parsedBack(editor);
      assert.equal(str(built.raw), str(parsed.raw));
      assert.deepEqual(built.offsets, parsed.offsets);
      for (const key of ['headerCount', 'startLineEnd', 'versionMinor', 'status', 'reason', 'contentLength', 'chunked', 'closeDelimited', 'keepAlive', 'mustClose', 'connectionClose'] as const) {
        assert.equal(built[key], parsed[key], key);
      }
    });
  }

  it('the unedited head itself; undefined once the status line is rewritten; the parser limits', () => {
    const editor = new HeadEditor();
    const head = res(SERVER);
    assert.equal(editor.begin(head).buildResponseHead(101, 1 << 20), head);
    editor.begin(head).setStatusLine(404, 'Not Found');
    assert.equal(editor.buildResponseHead(101, 1 << 20), undefined);
    editor.begin(head).append('X-A', '1').append('X-B', '2');
    assert.throws(() => editor.buildResponseHead(9, 1 << 20), { code: 'TOO_MANY_HEADERS' });
    assert.ok(editor.buildResponseHead(10, 1 << 20));
    assert.throws(() => editor.buildResponseHead(10, 100), { code: 'HEAD_TOO_LARGE' });
  });
});

describe('HeadEditor.buildRequestHead', () => {
  /** What the request parser makes of build()'s bytes: the head buildRequestHead must equal. */
  function parsedBack(editor: HeadEditor) {
    const p = new RequestHeadParser({ maxHeadSize: 1 << 20 });
    const bytes = editor.build().slice();
    assert.equal(p.feed(bytes, 0), bytes.length);
    return p.head!;
  }

  const CLIENT =
    'POST /up?x=1 HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: curl\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\nContent-Length: 5\r\nExpect: 100-continue\r\nTE: trailers, deflate\r\nCookie: a=1\r\n\r\n';

  const cases: [string, string, (e: HeadEditor) => void][] = [
    ['hop-by-hop removed, a field added', CLIENT, (e) => e.removeHopByHop().append('X-Forwarded-For', '127.0.0.1')],
    ['the request line rewritten (origin form, another method)', CLIENT, (e) => e.setRequestLine('PUT', '/other/path?q', 1).replace(1, 'agent')],
    ['an absolute-form target set, Host removed', CLIENT, (e) => e.setRequestLine('GET', 'http://other.example:81/p', 0).removeAll(headerName('host'))],
    ['a spaced request line kept as received', 'GET  /a  HTTP/1.1\r\nHost: h\r\nX: 1\r\n\r\n', (e) => e.remove(1).append('Y', '2')],
    ['an odd version kept as received', 'GET /b HTTP/1.2\r\nHost: h\r\n\r\n', (e) => e.append('Y', '2')],
    ['a chunked body, the host field replaced', 'PATCH /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n', (e) => e.replace(0, 'b.example')],
    ['a WebSocket upgrade, its key kept', 'GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n', (e) => e.append('X-Real-IP', '::1')],
  ];
  for (const [what, text, edit] of cases) {
    it(`gives the head the parser reads from build()'s bytes: ${what}`, () => {
      const editor = new HeadEditor();
      edit(editor.begin(req(text)));
      const built = editor.buildRequestHead(101, 1 << 20)!;
      const parsed = parsedBack(editor);
      assert.equal(str(built.raw), str(parsed.raw));
      assert.deepEqual(built.offsets, parsed.offsets);
      for (const key of [
        'headerCount', 'startLineEnd', 'versionMinor', 'method', 'target', 'targetStart', 'targetEnd', 'host', 'hostStart', 'hostEnd', 'hostFromTarget', 'hostIndex',
        'contentLength', 'chunked', 'hasBody', 'keepAlive', 'mustClose', 'upgrade', 'expectContinue', 'spacedRequestLine', 'oddVersion', 'http2',
      ] as const) {
        assert.deepEqual(built[key], parsed[key], key);
      }
    });
  }

  it('the unedited head itself; what the parser refuses, and its limits, throw as the parser would', () => {
    const editor = new HeadEditor();
    const head = req(CLIENT);
    assert.equal(editor.begin(head).buildRequestHead(101, 1 << 20), head);
    // A second Host: the parser's DUPLICATE_HOST.
    editor.begin(head).append('Host', 'other');
    assert.throws(() => editor.buildRequestHead(101, 1 << 20), { code: 'DUPLICATE_HOST' });
    editor.begin(head).append('X-A', '1').append('X-B', '2');
    assert.throws(() => editor.buildRequestHead(9, 1 << 20), { code: 'TOO_MANY_HEADERS' });
    assert.ok(editor.buildRequestHead(10, 1 << 20));
    assert.throws(() => editor.buildRequestHead(10, 100), { code: 'HEAD_TOO_LARGE' });
    // A response head is no request head.
    const p = new ResponseHeadParser();
    p.feed(enc('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    assert.equal(editor.begin(p.head!).append('X', '1').buildRequestHead(101, 1 << 20), undefined);
  });
});
