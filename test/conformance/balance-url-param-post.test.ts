/**
 * Black-box conformance of `balance url_param NAME [check_post]`'s POST lookup (HAProxy 2.6's
 * backend.c get_server_ph_post): when the query string lacks the parameter, a POST's payload is
 * scanned for it. As in HAProxy 2.6, `check_post` changes nothing: it is parsed and forgotten.
 *
 * - a value in the body goes where the same value in the query string goes, every time;
 * - the query string wins; other methods, bodies without the parameter and bodies that are not
 *   URL-encoded (a value starting with a byte that is neither a token nor white space) rotate;
 * - with no server assigned yet (no persistence cookie, no `use-server`), a POST waits for its body
 *   before balancing (HAProxy's http_process_request adds AN_REQ_HTTP_BODY), with or without
 *   `option http-buffer-request`: a body sent after the head is hashed too, and `Expect:
 *   100-continue` is answered by the proxy.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/balance-url-param-post.test.js
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { appBackend } from '../support/http-backends.ts';
import { HttpConnection, buildRequest, delay } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, proxyWithBackends } from '../support/http-suite.ts';

const PORT_NAMES = ['plain', 'checkPost', 'buffered', 'b1', 'b2', 'b3', 'b4'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  const servers = [p.b1, p.b2, p.b3, p.b4].map((port, i) => `    server s${i + 1} 127.0.0.1:${port}`).join('\n');
  return `
global
    maxconn 100
${HTTP_DEFAULTS}
listen plain
    bind 127.0.0.1:${p.plain}
    balance url_param user
${servers}

listen check_post
    bind 127.0.0.1:${p.checkPost}
    balance url_param user check_post
${servers}

listen buffered
    bind 127.0.0.1:${p.buffered}
    option http-buffer-request
    balance url_param user check_post
${servers}
`;
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** One request on a fresh connection (head and body in one write); the server that answered. */
async function served(port: number, method: string, target: string, body?: string): Promise<string> {
  const conn = await HttpConnection.open(port);
  try {
    const res = await conn.request(method, target, body === undefined ? {} : FORM, body);
    assert.equal(res.status, 200);
    return res.header('x-backend') ?? '';
  } finally {
    conn.destroy();
  }
}

/** The servers `times` identical requests reach. */
async function spread(times: number, send: () => Promise<string>): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < times; i++) seen.add(await send());
  return seen;
}

for (const target of TARGETS) {
  describe(`balance url_param: the POST body lookup on ${target}`, () => {
    const suite = proxyWithBackends(target, PORT_NAMES, configFor, (p) => Promise.all([p.b1, p.b2, p.b3, p.b4].map((port, i) => appBackend(port, `s${i + 1}`))));

    for (const listen of ['plain', 'checkPost'] as const) {
      it(`${listen === 'plain' ? 'without' : 'with'} check_post: a POST body's value goes where the query string's goes`, async () => {
        const port = suite.ports[listen];
        for (const user of ['alice', 'bob', 'carol', 'dave', '']) {
          const expected = await served(port, 'GET', `/q?user=${user}`);
          const seen = await spread(3, () => served(port, 'POST', '/form', `user=${user}`));
          assert.deepEqual([...seen], [expected], `user=${user}`);
          assert.deepEqual([...(await spread(2, () => served(port, 'POST', '/form?x=1', `a=1&user=${user}&b=2`)))], [expected], `user=${user} later in the body`);
        }
        assert.deepEqual([...(await spread(3, () => served(port, 'POST', '/form', 'user= spaced')))], [await served(port, 'GET', '/q?user=')], 'white space first: an empty value');
      });
    }

    it('the query string wins; PUT, a body without the parameter or not URL-encoded rotate', async () => {
      const alice = await served(suite.ports.plain, 'GET', '/q?user=alice');
      const bob = await served(suite.ports.plain, 'GET', '/q?user=bob');
      assert.notEqual(alice, bob, 'the test needs two values on two servers');
      assert.deepEqual([...(await spread(3, () => served(suite.ports.plain, 'POST', '/form?user=alice', 'user=bob')))], [alice]);
      assert.ok((await spread(8, () => served(suite.ports.plain, 'PUT', '/form', 'user=alice'))).size >= 2, 'PUT: round robin');
      assert.ok((await spread(8, () => served(suite.ports.plain, 'POST', '/form', 'name=alice'))).size >= 2, 'no parameter: round robin');
      assert.ok((await spread(8, () => served(suite.ports.plain, 'POST', '/form', 'user==alice'))).size >= 2, 'not URL-encoded: round robin');
    });

    it('a POST waits for its body before balancing: a late body is hashed, Expect: 100-continue is answered', async () => {
      const alice = await served(suite.ports.plain, 'GET', '/q?user=alice');
      const late = async (port: number, expect: boolean): Promise<string> => {
        const conn = await HttpConnection.open(port);
        try {
          const bytes = buildRequest('POST', '/form', { host: 'example.test', ...FORM, ...(expect ? { expect: '100-continue' } : {}) }, 'user=alice');
          const split = bytes.indexOf('\r\n\r\n') + 4;
          await conn.write(bytes.subarray(0, split));
          if (expect) assert.equal((await conn.read('POST', 2000)).status, 100, 'the proxy lets the body come');
          else await delay(150);
          await conn.write(bytes.subarray(split));
          const res = await conn.read('POST');
          assert.equal(res.status, 200);
          return res.header('x-backend') ?? '';
        } finally {
          conn.destroy();
        }
      };
      for (const port of [suite.ports.plain, suite.ports.checkPost, suite.ports.buffered]) {
        assert.deepEqual([...(await spread(3, () => late(port, false)))], [alice], `body after a pause (${port})`);
        assert.deepEqual([...(await spread(2, () => late(port, true)))], [alice], `body after 100 Continue (${port})`);
      }
    });
  });
}
