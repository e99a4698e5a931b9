import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backend } from '../../src/proxy/backend.ts';
import { dynamicCookie } from '../../src/proxy/dynamic-cookie.ts';
import { backend, server } from '../support/model.ts';

const here = { file: 't', line: 1 };
const cookie = {
  name: 'SRV', mode: 'insert', indirect: false, nocache: false, httponly: false, secure: false, postonly: false,
  preserve: false, domains: [], maxidle: undefined, maxlife: undefined, dynamic: true, source: here,
} as const;

describe('dynamic cookies (HAProxy srv_set_dyncookie)', () => {
  it('hash the key, the address bytes and the port as HAProxy 2.6.12 does', () => {
    // Values read from /usr/sbin/haproxy's Set-Cookie for these servers.
    assert.equal(dynamicCookie('mysecret', '127.0.0.1', 61201), '96c7b186434e8e1a');
    assert.equal(dynamicCookie('k e y', '::1', 61203), '60a870f8d433b322');
  });

  it('give no value without an IP address', () => {
    assert.equal(dynamicCookie('k', '/run/app.sock', 0), undefined);
    assert.equal(dynamicCookie('k', 'app.example', 80), undefined);
  });

  it("name a backend's servers without a cookie of their own, and follow address changes", () => {
    const b = new Backend(
      backend('b', [server('s1', 61201), server('s2', 61202, { cookie: 'fixed' })], { mode: 'http', cookie, dynamicCookieKey: 'mysecret' }),
    );
    const [s1, s2] = b.servers;
    assert.equal(s1?.cookie, '96c7b186434e8e1a');
    assert.equal(s2?.cookie, 'fixed');
    s1!.host = '::1';
    s1!.port = 61203;
    assert.equal(s1?.cookie, dynamicCookie('mysecret', '::1', 61203));
  });

  it('need both the dynamic option and a key', () => {
    const noKey = new Backend(backend('b', [server('s1', 61201)], { mode: 'http', cookie }));
    assert.equal(noKey.servers[0]?.cookie, undefined);
    const notDynamic = new Backend(backend('b', [server('s1', 61201)], { mode: 'http', cookie: { ...cookie, dynamic: false }, dynamicCookieKey: 'k' }));
    assert.equal(notDynamic.servers[0]?.cookie, undefined);
  });
});
