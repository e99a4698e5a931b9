import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CookieModel } from '../../src/config/model.ts';
import { HeadEditor, RequestHeadParser, ResponseHeadParser, latin1Bytes, latin1String } from '../../src/http/codec/index.ts';
import { Server } from '../../src/proxy/server.ts';
import { b64tos30, decodeCookieDate, encodeCookieDate, s30tob64 } from '../../src/stick/cookie-date.ts';
import { CookiePersistence, CookieTxn } from '../../src/stick/cookie-persistence.ts';
import { server } from '../support/model.ts';

const here = { file: 't', line: 1 };
const NOW = 1_800_000_000; // UNIX seconds

function cookieModel(extra: Partial<CookieModel> = {}): CookieModel {
  return {
    name: 'SRV', mode: 'insert', indirect: false, nocache: false, httponly: false, secure: false, postonly: false,
    preserve: false, domains: [], maxidle: undefined, maxlife: undefined, source: here, ...extra,
  };
}

function servers(): Server[] {
  return [
    new Server(server('s1', 1, { cookie: 'c1' }), 0),
    new Server(server('s2', 2, { cookie: 'c2' }), 1),
    new Server(server('nocookie', 3), 2),
  ];
}

function reqHead(text: string) {
  // HTTP/1.1 requests need a Host header; tests that do not care get one after the request line.
  if (!/\r\nhost:/i.test(text)) text = text.replace('\r\n', '\r\nHost: x\r\n');
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

const editor = new HeadEditor();
const str = (b: Uint8Array) => latin1String(b, 0, b.length);

/** Runs the request side; returns the forwarded head and the txn. */
function request(cp: CookiePersistence, text: string, now = NOW): { forwarded: string; txn: CookieTxn } {
  const head = reqHead(text);
  const txn = new CookieTxn();
  cp.request(head, editor.begin(head), txn, now);
  return { forwarded: str(editor.build()), txn };
}

function response(cp: CookiePersistence, text: string, srv: Server, direct: boolean, opts: { txn?: CookieTxn; method?: string; now?: number } = {}): string {
  const head = resHead(text);
  const req = reqHead(`${opts.method ?? 'GET'} / HTTP/1.1\r\nHost: x\r\n\r\n`);
  cp.response(head, editor.begin(head), opts.txn ?? new CookieTxn(), srv, direct, req, opts.now ?? NOW);
  return str(editor.build());
}

describe('cookie dates', () => {
  it('round-trip HAProxy 30-bit base64 in 4-second units', () => {
    assert.equal(s30tob64(0), 'AAAAA');
    assert.equal(s30tob64(63), 'AAAA/');
    assert.equal(b64tos30(s30tob64(123456789)), 123456789);
    assert.equal(b64tos30('AA*AA'), -1);
    assert.equal(decodeCookieDate(encodeCookieDate(NOW), 0), NOW, 'NOW is a multiple of 4');
    assert.equal(decodeCookieDate(encodeCookieDate(NOW + 1), 0), NOW + 4, 'rounded up');
    assert.equal(decodeCookieDate('bad', 0), 0);
  });
});

describe('CookiePersistence, request side', () => {
  it('insert indirect: the cookie names the server and is removed from what the server sees', () => {
    const [s1, s2] = servers();
    const cp = new CookiePersistence(cookieModel({ indirect: true }), servers(), false);
    let r = request(cp, 'GET / HTTP/1.1\r\nHost: x\r\nCookie: a=1; SRV=c2; b=2\r\n\r\n');
    assert.equal(r.txn.server?.name, s2!.name);
    assert.equal(r.forwarded, 'GET / HTTP/1.1\r\nHost: x\r\nCookie: a=1; b=2\r\n\r\n');
    r = request(cp, 'GET / HTTP/1.1\r\nCookie: SRV=c1\r\nHost: x\r\n\r\n');
    assert.equal(r.txn.server?.name, s1!.name);
    assert.equal(r.forwarded, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', 'a header left empty is removed');
    r = request(cp, 'GET / HTTP/1.1\r\nHost: x\r\nCookie: SRV=garbage; x=y\r\n\r\n');
    assert.equal(r.txn.server, undefined, 'unknown value: balanced');
    assert.equal(r.forwarded, 'GET / HTTP/1.1\r\nHost: x\r\nCookie: x=y\r\n\r\n', 'removed even when invalid');
    r = request(cp, 'GET / HTTP/1.1\r\nHost: x\r\nCookie: SRVX=c1; XSRV=c1\r\n\r\n');
    assert.equal(r.txn.server, undefined, 'only the exact name counts');
    assert.equal(r.forwarded, 'GET / HTTP/1.1\r\nHost: x\r\nCookie: SRVX=c1; XSRV=c1\r\n\r\n');
  });

  it('a rewritten Cookie header keeps the other cookies\' bytes exactly (latin1 in, the same bytes out)', () => {
    const cp = new CookiePersistence(cookieModel({ indirect: true }), servers(), false);
    const r = request(cp, 'GET / HTTP/1.1\r\nHost: x\r\nCookie: SRV=c1; pref=caf\xe9\r\n\r\n');
    assert.equal(r.forwarded, 'GET / HTTP/1.1\r\nHost: x\r\nCookie: pref=caf\xe9\r\n\r\n', 'the 0xE9 byte is not re-encoded as UTF-8');
  });

  it('insert without indirect leaves the cookie for the server; an empty value names no server', () => {
    const cp = new CookiePersistence(cookieModel(), servers(), false);
    const r = request(cp, 'GET / HTTP/1.1\r\nHost: x\r\nCookie: SRV=c1\r\n\r\n');
    assert.equal(r.txn.server?.name, 's1');
    assert.equal(r.forwarded, 'GET / HTTP/1.1\r\nHost: x\r\nCookie: SRV=c1\r\n\r\n');
    assert.equal(request(cp, 'GET / HTTP/1.1\r\nHost: x\r\nCookie: SRV=\r\n\r\n').txn.server, undefined);
  });

  it('a DOWN server is not a target unless option persist; MAINT never; DRAIN keeps it', () => {
    const list = servers();
    list[0]!.status = 'DOWN';
    assert.equal(request(new CookiePersistence(cookieModel(), list, false), 'GET / HTTP/1.1\r\nCookie: SRV=c1\r\n\r\n').txn.server, undefined);
    assert.equal(request(new CookiePersistence(cookieModel(), list, true), 'GET / HTTP/1.1\r\nCookie: SRV=c1\r\n\r\n').txn.server?.name, 's1');
    list[0]!.status = 'MAINT';
    assert.equal(request(new CookiePersistence(cookieModel(), list, true), 'GET / HTTP/1.1\r\nCookie: SRV=c1\r\n\r\n').txn.server, undefined);
    list[0]!.status = 'DRAIN';
    assert.equal(request(new CookiePersistence(cookieModel(), list, false), 'GET / HTTP/1.1\r\nCookie: SRV=c1\r\n\r\n').txn.server?.name, 's1');
  });

  it('the first cookie naming a usable server wins, across Cookie headers', () => {
    const cp = new CookiePersistence(cookieModel({ indirect: true }), servers(), false);
    const r = request(cp, 'GET / HTTP/1.1\r\nCookie: SRV=nope\r\nCookie: SRV=c2; SRV=c1\r\n\r\n');
    assert.equal(r.txn.server?.name, 's2');
    assert.equal(r.forwarded, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  });

  it('prefix: VALUE~ names the server and is stripped before forwarding', () => {
    const cp = new CookiePersistence(cookieModel({ name: 'JSESSIONID', mode: 'prefix' }), servers(), false);
    let r = request(cp, 'GET / HTTP/1.1\r\nCookie: a=b; JSESSIONID=c2~abc123\r\n\r\n');
    assert.equal(r.txn.server?.name, 's2');
    assert.equal(r.forwarded, 'GET / HTTP/1.1\r\nHost: x\r\nCookie: a=b; JSESSIONID=abc123\r\n\r\n');
    r = request(cp, 'GET / HTTP/1.1\r\nCookie: JSESSIONID=abc123\r\n\r\n');
    assert.equal(r.txn.server, undefined);
    assert.equal(r.forwarded, 'GET / HTTP/1.1\r\nHost: x\r\nCookie: JSESSIONID=abc123\r\n\r\n', 'no prefix: untouched');
  });

  it('maxidle/maxlife: dated cookies persist while fresh and are ignored once too old', () => {
    const cp = new CookiePersistence(cookieModel({ maxidle: 60_000, maxlife: 3_600_000 }), servers(), false);
    const last = encodeCookieDate(NOW - 40);
    const first = encodeCookieDate(NOW - 1000);
    let r = request(cp, `GET / HTTP/1.1\r\nCookie: SRV=c1|${last}|${first}\r\n\r\n`);
    assert.equal(r.txn.server?.name, 's1');
    assert.equal(r.txn.lastDate, NOW - 40);
    assert.equal(r.txn.firstDate, NOW - 1000);
    r = request(cp, `GET / HTTP/1.1\r\nCookie: SRV=c1|${encodeCookieDate(NOW - 120)}|${first}\r\n\r\n`);
    assert.equal(r.txn.server, undefined, 'idle for longer than maxidle');
    assert.equal(r.txn.lastDate, 0);
    r = request(cp, `GET / HTTP/1.1\r\nCookie: SRV=c1|${last}|${encodeCookieDate(NOW - 7200)}\r\n\r\n`);
    assert.equal(r.txn.server, undefined, 'older than maxlife');
    r = request(cp, `GET / HTTP/1.1\r\nCookie: SRV=c1|${encodeCookieDate(NOW + 90_000)}\r\n\r\n`);
    assert.equal(r.txn.server, undefined, 'more than a day in the future');
  });
});

describe('CookiePersistence, response side', () => {
  const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n';

  it('insert: adds the cookie with its attributes when the client did not come directly', () => {
    const [s1] = servers();
    const cp = new CookiePersistence(cookieModel({ domains: ['.a.test', '.b.test'], httponly: true, secure: true }), servers(), false);
    assert.equal(
      response(cp, `${OK}\r\n`, s1!, false),
      `${OK}Set-Cookie: SRV=c1; path=/; domain=.a.test; domain=.b.test; HttpOnly; Secure\r\n\r\n`,
    );
    assert.equal(response(cp, `${OK}\r\n`, s1!, true), `${OK}\r\n`, 'direct hit: nothing to set');
  });

  it('insert: the server own NAME cookie is removed, unless preserve (then nothing is inserted)', () => {
    const [s1] = servers();
    const own = `${OK}Set-Cookie: SRV=app; Path=/x\r\nSet-Cookie: other=1\r\n\r\n`;
    const cp = new CookiePersistence(cookieModel(), servers(), false);
    assert.equal(response(cp, own, s1!, false), `${OK}Set-Cookie: other=1\r\nSet-Cookie: SRV=c1; path=/\r\n\r\n`);
    const preserve = new CookiePersistence(cookieModel({ preserve: true }), servers(), false);
    assert.equal(response(preserve, own, s1!, false), own);
  });

  it('insert: a server without a cookie value sends the removal cookie', () => {
    const list = servers();
    const cp = new CookiePersistence(cookieModel(), list, false);
    assert.equal(response(cp, `${OK}\r\n`, list[2]!, false), `${OK}Set-Cookie: SRV=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/\r\n\r\n`);
  });

  it('attr: the attributes close every inserted cookie, the removal one included', () => {
    const list = servers();
    const cp = new CookiePersistence(cookieModel({ domains: ['.a.test'], httponly: true, attrs: 'SameSite=None; Partitioned' }), list, false);
    assert.equal(response(cp, `${OK}\r\n`, list[0]!, false), `${OK}Set-Cookie: SRV=c1; path=/; domain=.a.test; HttpOnly; SameSite=None; Partitioned\r\n\r\n`);
    assert.equal(
      response(cp, `${OK}\r\n`, list[2]!, false),
      `${OK}Set-Cookie: SRV=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/; domain=.a.test; HttpOnly; SameSite=None; Partitioned\r\n\r\n`,
    );
    const dated = new CookiePersistence(cookieModel({ maxidle: 60_000, attrs: 'SameSite=Lax' }), list, false);
    assert.match(response(dated, `${OK}\r\n`, list[0]!, false), /Set-Cookie: SRV=c1\|[^;]{5}; path=\/; SameSite=Lax\r\n/);
  });

  it('insert: a dynamic cookie follows its server to a new address', () => {
    const list = [new Server(server('d', 61201), 0)];
    list[0]!.useDynamicCookie('mysecret');
    const cp = new CookiePersistence(cookieModel({ dynamic: true }), list, false);
    assert.equal(response(cp, `${OK}\r\n`, list[0]!, false), `${OK}Set-Cookie: SRV=96c7b186434e8e1a; path=/\r\n\r\n`);
    list[0]!.host = '127.0.0.2';
    const moved = response(cp, `${OK}\r\n`, list[0]!, false);
    assert.doesNotMatch(moved, /96c7b186434e8e1a/);
    assert.match(moved, /Set-Cookie: SRV=[0-9a-f]{16}; path=\/\r\n/);
    assert.equal(request(cp, `GET / HTTP/1.1\r\nCookie: SRV=${list[0]!.cookie}\r\n\r\n`).txn.server, list[0]);
  });

  it('postonly: only POST responses get the cookie', () => {
    const [s1] = servers();
    const cp = new CookiePersistence(cookieModel({ postonly: true }), servers(), false);
    assert.equal(response(cp, `${OK}\r\n`, s1!, false, { method: 'GET' }), `${OK}\r\n`);
    assert.match(response(cp, `${OK}\r\n`, s1!, false, { method: 'POST' }), /Set-Cookie: SRV=c1; path=\/\r\n/);
  });

  it('nocache: Cache-control: private when the response would be cacheable', () => {
    const [s1] = servers();
    const cp = new CookiePersistence(cookieModel({ nocache: true }), servers(), false);
    assert.match(response(cp, `${OK}Cache-Control: max-age=60\r\n\r\n`, s1!, false), /Set-Cookie: SRV=c1; path=\/\r\nCache-control: private\r\n\r\n$/);
    assert.match(response(cp, `${OK}Last-Modified: Mon, 01 Jan 2024 00:00:00 GMT\r\n\r\n`, s1!, false), /Cache-control: private/);
    assert.doesNotMatch(response(cp, `${OK}\r\n`, s1!, false), /Cache-control/, 'no freshness nor validator: not cacheable');
    assert.doesNotMatch(response(cp, `${OK}Cache-Control: no-store, max-age=60\r\n\r\n`, s1!, false), /Cache-control: private/);
    assert.doesNotMatch(response(cp, `${OK}ETag: "x"\r\n\r\n`, s1!, false, { method: 'POST' }), /Cache-control/, 'POST is not cacheable');
    assert.doesNotMatch(response(cp, `${OK}Cache-Control: max-age=60\r\n\r\n`, s1!, true), /Cache-control/, 'nothing inserted');
  });

  it('rewrite: the server cookie value is replaced by the server cookie; prefix: prefixed with VALUE~', () => {
    const [s1] = servers();
    const rw = new CookiePersistence(cookieModel({ mode: 'rewrite' }), servers(), false);
    assert.equal(response(rw, `${OK}Set-Cookie: SRV=whatever; Path=/\r\n\r\n`, s1!, false), `${OK}Set-Cookie: SRV=c1; Path=/\r\n\r\n`);
    assert.equal(response(rw, `${OK}\r\n`, s1!, false), `${OK}\r\n`, 'rewrite never inserts');
    const px = new CookiePersistence(cookieModel({ name: 'JSESSIONID', mode: 'prefix' }), servers(), false);
    assert.equal(
      response(px, `${OK}Set-Cookie: JSESSIONID=abc; HttpOnly\r\n\r\n`, s1!, true),
      `${OK}Set-Cookie: JSESSIONID=c1~abc; HttpOnly\r\n\r\n`,
    );
  });

  it('passive: routes on the cookie the server set, forwards it and the response untouched; indirect drops it on a direct hit', () => {
    const [s1] = servers();
    const cp = new CookiePersistence(cookieModel({ mode: 'passive' }), servers(), false);
    const seen = request(cp, 'GET / HTTP/1.1\r\nCookie: a=1; SRV=c1; b=2\r\n\r\n');
    assert.equal(seen.txn.server?.name, 's1');
    assert.match(seen.forwarded, /\r\nCookie: a=1; SRV=c1; b=2\r\n/);
    const own = `${OK}Set-Cookie: SRV=c1; path=/\r\n\r\n`;
    const txn = new CookieTxn();
    txn.reset();
    assert.equal(response(cp, own, s1!, true, { txn }), own);
    assert.equal(txn.responseFlag, 'P');
    assert.equal(response(cp, `${OK}\r\n`, s1!, false), `${OK}\r\n`, 'nothing inserted');
    assert.equal(cp.logsFlags, false, 'HAProxy logs -- without a mode nor indirect');
    const indirect = new CookiePersistence(cookieModel({ mode: 'passive', indirect: true }), servers(), false);
    assert.match(request(indirect, 'GET / HTTP/1.1\r\nCookie: SRV=c1\r\n\r\n').forwarded, /\r\nCookie: SRV=c1\r\n/, 'kept in requests');
    assert.equal(response(indirect, own, s1!, true, { txn }), `${OK}\r\n`, 'a direct hit: the client has it already');
    assert.equal(txn.responseFlag, 'D');
    assert.equal(response(indirect, own, s1!, false), own);
    assert.equal(indirect.logsFlags, true);
    const preserve = new CookiePersistence(cookieModel({ mode: 'passive', indirect: true, preserve: true }), servers(), false);
    assert.equal(response(preserve, own, s1!, true), own);
  });

  it('maxidle/maxlife: dated cookies are set, refreshed when stale, and keep their first date', () => {
    const [s1] = servers();
    const cp = new CookiePersistence(cookieModel({ maxidle: 60_000, maxlife: 3_600_000 }), servers(), false);
    const fresh = response(cp, `${OK}\r\n`, s1!, false);
    assert.equal(fresh, `${OK}Set-Cookie: SRV=c1|${encodeCookieDate(NOW)}|${encodeCookieDate(NOW)}; path=/\r\n\r\n`);
    const txn = new CookieTxn();
    txn.server = s1;
    txn.lastDate = NOW + 4; // issued within the current 4-second unit: nothing to refresh
    txn.firstDate = NOW - 1000;
    assert.equal(response(cp, `${OK}\r\n`, s1!, true, { txn }), `${OK}\r\n`);
    txn.lastDate = NOW - 8;
    const refreshed = response(cp, `${OK}\r\n`, s1!, true, { txn });
    assert.equal(refreshed, `${OK}Set-Cookie: SRV=c1|${encodeCookieDate(NOW)}|${s30tob64((NOW - 1000) / 4)}; path=/\r\n\r\n`);
  });
});
