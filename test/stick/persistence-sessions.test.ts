/**
 * Persistence through real sessions on the fake runtime: cookies and stick tables in mode http,
 * stick tables in mode tcp, broken or kept persistence when the server is down.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BackendModel, CookieModel, StickRuleModel, StickTableModel } from '../../src/config/model.ts';
import { Proxy } from '../../src/proxy/proxy.ts';
import { StickRuleError } from '../../src/stick/stick-rules.ts';
import { FakeRuntime, serveText, type FakeSocket } from '../support/fake-runtime.ts';
import { backend, config, frontend, server } from '../support/model.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();
const here = { file: 'test.cfg', line: 7 };

function cookie(extra: Partial<CookieModel> = {}): CookieModel {
  return {
    name: 'SRV', mode: 'insert', indirect: true, nocache: false, httponly: false, secure: false, postonly: false,
    preserve: false, domains: [], maxidle: undefined, maxlife: undefined, source: here, ...extra,
  };
}

function table(extra: Partial<StickTableModel> = {}): StickTableModel {
  return { type: 'ip', keyLength: 32, size: 100, expire: 10_000, nopurge: false, source: here, ...extra };
}

function rule(kind: StickRuleModel['kind'], expression: string, tableName?: string): StickRuleModel {
  return { kind, expression, table: tableName, source: here };
}

/** HTTP servers on the fake network answering every request with their name; they record request heads. */
async function namedHttpServers(rt: FakeRuntime, names: string[], firstPort = 9001): Promise<Map<string, string[]>> {
  const seen = new Map<string, string[]>();
  for (const [i, name] of names.entries()) {
    const heads: string[] = [];
    seen.set(name, heads);
    await rt.listen({ host: '127.0.0.1', port: firstPort + i }, (socket) => {
      let buffered = '';
      socket.setHandler({
        onData(s, chunk) {
          buffered += dec.decode(chunk);
          let end: number;
          while ((end = buffered.indexOf('\r\n\r\n')) >= 0) {
            heads.push(buffered.slice(0, end + 4));
            buffered = buffered.slice(end + 4);
            s.write(enc.encode(`HTTP/1.1 200 OK\r\nContent-Length: ${name.length}\r\n\r\n${name}`));
          }
        },
        onEnd(s) {
          s.end();
        },
        onDrain() {},
        onClose() {},
      });
    });
  }
  return seen;
}

interface Reply {
  body: string;
  setCookie: string[];
  raw: string;
}

/** One request on a new connection from `source`; returns the response's body and Set-Cookie values. */
function get(rt: FakeRuntime, headers = '', source = '127.0.0.1', method = 'GET'): Reply {
  const client = rt.dial('127.0.0.1', 8080, undefined, source);
  client.write(enc.encode(`${method} / HTTP/1.1\r\nHost: x\r\n${headers}${method === 'POST' ? 'Content-Length: 0\r\n' : ''}\r\n`));
  rt.flush();
  rt.advance(1); // connect and exchange
  const raw = client.text();
  client.destroy();
  rt.flush();
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const setCookie = head
    .split('\r\n')
    .filter((l) => l.toLowerCase().startsWith('set-cookie:'))
    .map((l) => l.slice('set-cookie:'.length).trim());
  return { body, setCookie, raw };
}

async function httpProxy(rt: FakeRuntime, be: Partial<BackendModel>, others: BackendModel[] = []): Promise<Proxy> {
  const servers = [server('s1', 9001, { cookie: 'c1' }), server('s2', 9002, { cookie: 'c2' }), server('s3', 9003, { cookie: 'c3' })];
  const model = backend('be', servers, { mode: 'http', ...be }, { connect: 1000 });
  const proxy = new Proxy(rt, config([frontend('fe', 8080, 'be', { mode: 'http' })], [model, ...others]));
  await proxy.start();
  return proxy;
}

describe('cookie persistence (mode http)', () => {
  it('insert indirect: the first response sets the cookie, requests carrying it stick although roundrobin rotates', async () => {
    const rt = new FakeRuntime();
    const seen = await namedHttpServers(rt, ['s1', 's2', 's3']);
    await httpProxy(rt, { cookie: cookie() });
    const first = get(rt);
    assert.equal(first.body, 's1');
    assert.deepEqual(first.setCookie, ['SRV=c1; path=/']);
    for (let i = 0; i < 4; i++) {
      const again = get(rt, 'Cookie: SRV=c2; app=1\r\n');
      assert.equal(again.body, 's2');
      assert.deepEqual(again.setCookie, [], 'a client that came with the right cookie gets none');
    }
    const forwarded = seen.get('s2')!.at(-1) as string;
    assert.match(forwarded, /\r\nCookie: app=1\r\n/, 'indirect: the server never sees SRV');
    // Unknown or garbled value: balanced (roundrobin continues from s1 to s2) and given a fresh cookie.
    const garbled = get(rt, 'Cookie: SRV=zz~\r\n');
    assert.equal(garbled.body, 's2');
    assert.deepEqual(garbled.setCookie, ['SRV=c2; path=/']);
  });

  it('a DOWN server breaks persistence: the request is balanced and gets the new server cookie', async () => {
    const rt = new FakeRuntime();
    await namedHttpServers(rt, ['s1', 's2', 's3']);
    const proxy = await httpProxy(rt, { cookie: cookie() });
    const be = proxy.backends.get('be')!;
    be.setServerStatus(be.server('s3')!, 'DOWN', rt.now());
    const moved = get(rt, 'Cookie: SRV=c3\r\n');
    assert.notEqual(moved.body, 's3');
    assert.deepEqual(moved.setCookie, [`SRV=c${moved.body.slice(1)}; path=/`]);
    be.setServerStatus(be.server('s3')!, 'DRAIN', rt.now());
    assert.equal(get(rt, 'Cookie: SRV=c3\r\n').body, 's3', 'a draining server keeps its persistent clients');
  });

  it('option persist keeps sending to a DOWN server, then redispatches on the last retry with a new cookie', async () => {
    const rt = new FakeRuntime();
    await namedHttpServers(rt, ['s1', 's2']); // nothing listens on s3's port: refused
    const proxy = await httpProxy(rt, { cookie: cookie(), options: { redispatch: true, persist: true }, retries: 2 });
    const be = proxy.backends.get('be')!;
    be.setServerStatus(be.server('s3')!, 'DOWN', rt.now());
    const client = rt.dial('127.0.0.1', 8080);
    client.write(enc.encode('GET / HTTP/1.1\r\nHost: x\r\nCookie: SRV=c3\r\n\r\n'));
    rt.advance(5000);
    const raw = client.text();
    assert.equal(rt.connectAttempts.filter((a) => a === '127.0.0.1:9003').length, 2, 'first attempt and one retry on the persisted server');
    assert.match(raw, /^HTTP\/1\.1 200 OK\r\n/);
    const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
    assert.ok(body === 's1' || body === 's2');
    assert.match(raw, new RegExp(`\\r\\nSet-Cookie: SRV=c${body.slice(1)}; path=/\\r\\n`));
    client.destroy();
    rt.flush();
  });

  it('postonly, httponly, secure, domain and nocache reach the Set-Cookie header', async () => {
    const rt = new FakeRuntime();
    await namedHttpServers(rt, ['s1', 's2', 's3']);
    await httpProxy(rt, { cookie: cookie({ postonly: true, httponly: true, secure: true, domains: ['.example.test'] }) });
    assert.deepEqual(get(rt).setCookie, [], 'GET: no cookie with postonly');
    assert.deepEqual(get(rt, '', '127.0.0.1', 'POST').setCookie, ['SRV=c2; path=/; domain=.example.test; HttpOnly; Secure']);
  });
});

describe('stick tables', () => {
  it('mode tcp: stick on src sends each source back to its server; expire forgets it', async () => {
    const rt = new FakeRuntime();
    await serveText(rt, '127.0.0.1', 9001, 'A');
    await serveText(rt, '127.0.0.1', 9002, 'B');
    const model = backend('be', [server('a', 9001), server('b', 9002)], { stickTable: table(), stickRules: [rule('on', 'src')] });
    const proxy = new Proxy(rt, config([frontend('fe', 8080, 'be')], [model]));
    await proxy.start();
    const from = (source: string): string => {
      const c: FakeSocket = rt.dial('127.0.0.1', 8080, undefined, source);
      rt.flush();
      const text = c.text();
      c.destroy();
      rt.flush();
      return text;
    };
    assert.equal(from('10.0.0.1'), 'A');
    assert.equal(from('10.0.0.2'), 'B');
    for (let i = 0; i < 3; i++) {
      assert.equal(from('10.0.0.2'), 'B');
      assert.equal(from('10.0.0.1'), 'A');
    }
    assert.equal(from('::ffff:10.0.0.2'), 'B', 'an IPv4-mapped source is the same key');
    const stick = proxy.stickTables.get('be')!;
    assert.equal(stick.entries, 2);
    rt.advance(10_000);
    // Both entries expired: roundrobin chooses again (it has only chosen twice: next is A).
    assert.equal(from('10.0.0.2'), 'A');
    assert.equal(stick.peek('10.0.0.2', rt.now()), 'a', 'the new choice is stored');
    await proxy.kill();
  });

  it('mode http: stick on src, and a DOWN server falls back to balancing and is replaced in the table', async () => {
    const rt = new FakeRuntime();
    await namedHttpServers(rt, ['s1', 's2', 's3']);
    const proxy = await httpProxy(rt, { stickTable: table(), stickRules: [rule('on', 'src')] });
    assert.equal(get(rt, '', '127.0.0.5').body, 's1');
    assert.equal(get(rt, '', '127.0.0.6').body, 's2');
    assert.equal(get(rt, '', '127.0.0.5').body, 's1');
    assert.equal(get(rt, '', '127.0.0.6').body, 's2');
    const be = proxy.backends.get('be')!;
    be.setServerStatus(be.server('s1')!, 'DOWN', rt.now());
    const moved = get(rt, '', '127.0.0.5').body;
    assert.notEqual(moved, 's1');
    assert.equal(proxy.stickTables.get('be')!.peek('127.0.0.5', rt.now()), moved);
    be.setServerStatus(be.server('s1')!, 'UP', rt.now());
    assert.equal(get(rt, '', '127.0.0.5').body, moved, 'stays on the new server');
  });

  it('match and store-request on a header, in a table declared by another backend; first store rule per table', async () => {
    const rt = new FakeRuntime();
    await namedHttpServers(rt, ['s1', 's2', 's3']);
    const holder = backend('sessions', [], { mode: 'http', stickTable: table({ type: 'string', keyLength: 8 }) });
    const proxy = await httpProxy(
      rt,
      {
        stickRules: [
          rule('match', 'req.hdr(x-user)', 'sessions'),
          rule('store-request', 'req.hdr(x-user)', 'sessions'),
          rule('store-request', 'req.hdr(x-other)', 'sessions'),
        ],
      },
      [holder],
    );
    assert.equal(get(rt, 'X-User: alice\r\nX-Other: zzz\r\n').body, 's1');
    assert.equal(get(rt, 'X-User: bob\r\n').body, 's2');
    assert.equal(get(rt, 'X-User: alice\r\n').body, 's1');
    assert.equal(get(rt, 'X-User: alice-with-a-long-name\r\n').body, 's3', 'a new key (truncated to 8)');
    assert.equal(get(rt, 'X-User: alice-wi\r\n').body, 's3', 'same truncated key');
    const sessions = proxy.stickTables.get('sessions')!;
    assert.equal(sessions.peek('zzz', rt.now()), undefined, 'only the first store rule with a sample stores');
    assert.equal(get(rt, 'X-Other: only\r\n').body, 's1', 'no x-user: balanced');
    assert.equal(sessions.peek('only', rt.now()), 's1', 'the next store rule of the table applies');
  });

  it('a cookie takes precedence over a stick match', async () => {
    const rt = new FakeRuntime();
    await namedHttpServers(rt, ['s1', 's2', 's3']);
    await httpProxy(rt, { cookie: cookie(), stickTable: table(), stickRules: [rule('on', 'src')] });
    assert.equal(get(rt, '', '127.0.0.9').body, 's1');
    assert.equal(get(rt, 'Cookie: SRV=c3\r\n', '127.0.0.9').body, 's3');
  });

  it('a rule naming a table nobody declares is refused with its location', () => {
    const rt = new FakeRuntime();
    const model = backend('be', [server('a', 9001)], { stickRules: [rule('on', 'src', 'nowhere')] });
    assert.throws(() => new Proxy(rt, config([frontend('fe', 8080, 'be')], [model])), (e: unknown) => {
      assert.ok(e instanceof StickRuleError);
      assert.match(e.message, /test\.cfg:7.*no stick-table is declared in proxy 'nowhere'/);
      return true;
    });
    const noTable = backend('be', [server('a', 9001)], { stickRules: [rule('on', 'src')] });
    assert.throws(() => new Proxy(rt, config([frontend('fe', 8080, 'be')], [noTable])), /this backend has no stick-table/);
    const bad = backend('be', [server('a', 9001)], { stickTable: table(), stickRules: [rule('on', 'nope(1)')] });
    assert.throws(() => new Proxy(rt, config([frontend('fe', 8080, 'be')], [bad])), /unknown fetch method 'nope'/);
  });
});
