import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ResponseHeadParser, headerName, type ResponseHead } from '../../src/http/codec/index.ts';
import { analyzeResponse } from '../../src/http/codec/semantics.ts';
import { HeaderList } from '../../src/http/h2/index.ts';
import { MalformedRequest } from '../../src/mux/h2/request-head.ts';
import { h1ResponseHead, type ResponseFraming } from '../../src/mux/h2/h1-response-writer.ts';
import { H1ServerExchange, HeadOutcome, type H1ServerEvents } from '../../src/mux/h1-server.ts';

const dec = new TextDecoder('latin1');

function list(pairs: [string, string][]): HeaderList {
  const l = new HeaderList();
  for (const [n, v] of pairs) l.push(n, v);
  return l;
}

function build(pairs: [string, string][], method = 'GET'): { head: ResponseHead; framing: ResponseFraming } {
  const framing: ResponseFraming = { status: 0, contentLength: -1, chunked: false, plain: false };
  return { head: h1ResponseHead(list(pairs), method, framing), framing };
}

/** The head the HTTP/1 parser makes of the same bytes: the built head, once analysed, must be indistinguishable. */
function assertAsParsed(head: ResponseHead): void {
  const parser = new ResponseHeadParser({ copyHead: true, maxHeaders: 1000, maxHeadSize: 1 << 20 });
  const bytes = head.raw.slice();
  assert.equal(parser.feed(bytes, 0), bytes.length);
  assert.ok(parser.done);
  const parsed = parser.head!;
  analyzeResponse(head);
  assert.deepEqual(head.offsets, parsed.offsets);
  assert.equal(head.headerCount, parsed.headerCount);
  assert.equal(head.startLineEnd, parsed.startLineEnd);
  assert.equal(head.versionMinor, parsed.versionMinor);
  assert.equal(head.status, parsed.status);
  assert.equal(head.reason, parsed.reason);
  for (const key of ['contentLength', 'chunked', 'keepAlive', 'mustClose', 'closeDelimited', 'upgrade', 'connectionUpgrade'] as const) {
    assert.equal(head[key], parsed[key], key);
  }
  assert.deepEqual(head.entries(), parsed.entries());
}

describe('h1ResponseHead: an HTTP/2 server response as the HTTP/1 head the stream reads', () => {
  it('writes HAProxy\'s status line and the fields in order, with the offsets the HTTP/1 parser records', () => {
    const { head, framing } = build([
      [':status', '200'],
      ['server', 'nginx'],
      ['content-type', 'text/plain'],
      ['content-length', '6'],
      ['x-empty', ''],
    ]);
    assert.equal(dec.decode(head.raw), 'HTTP/1.1 200 \r\nserver: nginx\r\ncontent-type: text/plain\r\ncontent-length: 6\r\nx-empty: \r\n\r\n');
    assert.deepEqual(framing, { status: 200, contentLength: 6, chunked: false, plain: true });
    assertAsParsed(head);
  });

  it('a body without content-length goes chunked; one content-length goes on, at the first one\'s place', () => {
    const chunked = build([[':status', '404'], ['a', 'b']]);
    assert.equal(dec.decode(chunked.head.raw), 'HTTP/1.1 404 \r\na: b\r\ntransfer-encoding: chunked\r\n\r\n');
    assert.equal(chunked.framing.chunked, true);
    assertAsParsed(chunked.head);
    const repeated = build([[':status', '200'], ['content-length', '12'], ['x', 'y'], ['content-length', '12']]);
    assert.equal(dec.decode(repeated.head.raw), 'HTTP/1.1 200 \r\ncontent-length: 12\r\nx: y\r\n\r\n');
    assertAsParsed(repeated.head);
    // No body, no chunking: HEAD, 204, 304, interim.
    for (const [status, method] of [['200', 'HEAD'], ['204', 'GET'], ['304', 'GET'], ['103', 'GET']] as const) {
      const { head, framing } = build([[':status', status], ['link', '</s.css>']], method);
      assert.equal(framing.chunked, false, `${status} ${method}`);
      assertAsParsed(head);
    }
  });

  it('values keep their blanks on the wire and lose them in the offsets, as a parsed head', () => {
    const { head } = build([[':status', '200'], ['x-pad', '  a b \t'], ['content-length', '0']]);
    assert.equal(head.get(headerName('x-pad')), 'a b');
    assertAsParsed(head);
  });

  it('a control character the HTTP/1 parser refuses leaves the head to it (not plain); NUL, CR, LF are malformed', () => {
    assert.equal(build([[':status', '200'], ['x', 'a\x01b']]).framing.plain, false);
    assert.equal(build([[':status', '200'], ['x', 'a\x7fb']]).framing.plain, false);
    assert.equal(build([[':status', '200'], ['x', 'a\tb\xe9']]).framing.plain, true);
    for (const bad of ['a\x00b', 'a\rb', 'a\nb']) assert.throws(() => build([[':status', '200'], ['x', bad]]), MalformedRequest);
    assert.throws(() => build([['x', 'y']]), MalformedRequest);
    assert.throws(() => build([[':status', '20']]), MalformedRequest);
    assert.throws(() => build([[':status', '200'], ['connection', 'close']]), MalformedRequest);
    assert.throws(() => build([[':status', '200'], ['content-length', '1'], ['content-length', '2']]), MalformedRequest);
  });
});

/** Records what the exchange tells its stream. */
class Events implements H1ServerEvents {
  readonly seen: string[] = [];
  readonly #exchange: () => H1ServerExchange;
  constructor(exchange: () => H1ServerExchange) {
    this.#exchange = exchange;
  }
  interimResponse(head: ResponseHead): void {
    this.seen.push(`interim ${head.status}`);
  }
  responseHead(head: ResponseHead): HeadOutcome {
    this.seen.push(`head ${head.status}`);
    this.#exchange().startBody(head, 'GET');
    return HeadOutcome.body;
  }
  responseData(bytes: Uint8Array): void {
    this.seen.push(`data ${dec.decode(bytes)}`);
  }
  captureResponse(): void {
    this.seen.push('capture');
  }
  responseInvalid(error: unknown): void {
    this.seen.push(`invalid ${(error as { code?: string }).code}`);
  }
  responseBodyInvalid(): void {
    this.seen.push('body invalid');
  }
  responseComplete(): void {
    this.seen.push('complete');
  }
}

function exchange(maxHeadSize = 15000): { ex: H1ServerExchange; events: Events } {
  let ex: H1ServerExchange | undefined;
  const events = new Events(() => ex!);
  ex = new H1ServerExchange(events, maxHeadSize);
  return { ex, events };
}

describe('H1ServerExchange.feedHead: a head built by a server-side mux', () => {
  it('is taken as the same bytes fed would be: interim, final, an empty body completes', () => {
    const a = exchange();
    a.ex.feedHead(build([[':status', '103'], ['link', '<x>']]).head);
    a.ex.feedHead(build([[':status', '200'], ['content-length', '0']]).head);
    const b = exchange();
    b.ex.feed(build([[':status', '103'], ['link', '<x>']]).head.raw.slice());
    b.ex.feed(build([[':status', '200'], ['content-length', '0']]).head.raw.slice());
    assert.deepEqual(a.events.seen, ['interim 103', 'head 200', 'complete']);
    assert.deepEqual(a.events.seen, b.events.seen);
  });

  it('a body follows as bytes', () => {
    const { ex, events } = exchange();
    ex.feedHead(build([[':status', '200'], ['content-length', '3']]).head);
    ex.feed(new TextEncoder().encode('abc'));
    assert.deepEqual(events.seen, ['head 200', 'data abc', 'complete']);
  });

  it('what the parser refuses is refused alike: too many fields, too large', () => {
    const many: [string, string][] = [[':status', '200']];
    for (let i = 0; i < 101; i++) many.push([`x-${i}`, 'v']);
    // (no connection attached here: the exchange captures for `show errors`, as it does not for an HTTP/2 stream)
    const long: [string, string][] = [[':status', '200'], ['x-long', 'v'.repeat(100)]];
    const cases: [[string, string][], number, string][] = [
      [many, 15000, 'TOO_MANY_HEADERS'],
      [long, 64, 'HEAD_TOO_LARGE'],
    ];
    for (const [pairs, max, code] of cases) {
      const built = exchange(max);
      built.ex.feedHead(build(pairs).head);
      const fed = exchange(max);
      fed.ex.feed(build(pairs).head.raw.slice());
      assert.equal(built.events.seen.at(-1), `invalid ${code}`);
      assert.deepEqual(built.events.seen, fed.events.seen);
    }
  });
});
