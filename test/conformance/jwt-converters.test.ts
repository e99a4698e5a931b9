/**
 * Black-box conformance of the JWT converters: a Bearer token's `alg` read with
 * jwt_header_query, its claims with jwt_payload_query, its signature checked by jwt_verify
 * with an HMAC secret or a PEM public key file (RSA, ECDSA with a DER signature, as HAProxy
 * 2.6 verifies it), and jwt_verify's error codes. Keys and tokens are made here.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/jwt-converters.test.js
 */
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { destroyAllClients, HttpConnection } from '../support/http-client.ts';
import { HTTP_DEFAULTS, startProxy, stopProxy, TARGETS } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';

const b64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');
const unsigned = (alg: string): string => `${b64url(JSON.stringify({ alg, typ: 'JWT' }))}.${b64url(JSON.stringify({ sub: 'alice', iat: 1516239022 }))}`;

function hmacToken(bits: 256 | 384 | 512, key: string): string {
  const body = unsigned(`HS${bits}`);
  return `${body}.${createHmac(`sha${bits}`, key).update(body).digest('base64url')}`;
}

/** ECDSA signatures as RFC 7518 has them (R and S concatenated), unless `der`. */
function keyToken(alg: string, key: KeyObject, der = false): string {
  const body = unsigned(alg);
  const signature = sign(`sha${alg.slice(2)}`, Buffer.from(body), der ? key : { key, dsaEncoding: 'ieee-p1363' });
  return `${body}.${signature.toString('base64url')}`;
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' });

function configFor(port: number, dir: string): string {
  return `
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${port}
    http-request set-var(txn.bearer) http_auth_bearer
    http-request set-var(txn.alg) var(txn.bearer),jwt_header_query('$.alg')
    http-request return status 200 content-type text/plain lf-string "%[var(txn.alg)] %[var(txn.bearer),jwt_verify(txn.alg,\\"hmac secret\\")]" if { path /hs }
    http-request return status 200 content-type text/plain lf-string "%[var(txn.alg)] %[var(txn.bearer),jwt_verify(txn.alg,\\"${dir}/rsa.pem\\")]" if { path /rs }
    http-request return status 200 content-type text/plain lf-string "%[var(txn.alg)] %[var(txn.bearer),jwt_verify(txn.alg,\\"${dir}/ec.pem\\")]" if { path /es }
    http-request return status 200 content-type text/plain lf-string "%[var(txn.bearer),jwt_verify(txn.alg,\\"${dir}/missing.pem\\")]" if { path /missing }
    http-request set-var(txn.sub) var(txn.bearer),jwt_payload_query('$.sub')
    http-request set-var(txn.iat) var(txn.bearer),jwt_payload_query('$.iat',int),add(1)
    http-request return status 200 content-type text/plain lf-string "%[var(txn.sub)] %[var(txn.iat)]" if { path /claims }
    http-request return status 404
`;
}

for (const target of TARGETS) {
  describe(`JWT converters on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let dir = '';
    let port = 0;

    before(async () => {
      [port] = (await freePorts(1)) as [number];
      dir = mkdtempSync(join(tmpdir(), 'switchyard-jwt-'));
      writeFileSync(join(dir, 'rsa.pem'), rsa.publicKey.export({ type: 'spki', format: 'pem' }));
      writeFileSync(join(dir, 'ec.pem'), ec.publicKey.export({ type: 'spki', format: 'pem' }));
      proxy = await startProxy(target, configFor(port, dir));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      rmSync(dir, { recursive: true, force: true });
    });

    async function ask(path: string, token: string): Promise<string> {
      const conn = await HttpConnection.open(port);
      const res = await conn.request('GET', path, { authorization: `Bearer ${token}` });
      conn.destroy();
      assert.equal(res.status, 200, path);
      return res.text;
    }

    it('HMAC: 1 with the secret, 0 with another', async () => {
      assert.equal(await ask('/hs', hmacToken(256, 'hmac secret')), 'HS256 1');
      assert.equal(await ask('/hs', hmacToken(512, 'hmac secret')), 'HS512 1');
      assert.equal(await ask('/hs', hmacToken(384, 'other')), 'HS384 0');
    });

    it('RSA and ECDSA against the PEM public key files', async () => {
      assert.equal(await ask('/rs', keyToken('RS256', rsa.privateKey)), 'RS256 1');
      assert.equal(await ask('/rs', keyToken('RS384', ec.privateKey).replace(/^[^.]+/, b64url('{"alg":"RS384"}'))), 'RS384 0');
      assert.equal(await ask('/es', keyToken('ES384', ec.privateKey)), 'ES384 1');
      assert.equal(await ask('/es', keyToken('ES256', ec.privateKey)), 'ES256 1');
      // HAProxy 2.6.12 (2.6.0's DER signatures were a bug, fixed and backported to 2.5+).
      const der = keyToken('ES384', ec.privateKey, true);
      const derLength = Buffer.from(der.slice(der.lastIndexOf('.') + 1), 'base64url').length;
      assert.equal(await ask('/es', der), derLength % 2 === 0 ? 'ES384 0' : 'ES384 -3');
      // An odd length cannot be split into R and S.
      const token = keyToken('ES384', ec.privateKey);
      assert.equal(await ask('/es', `${token.slice(0, token.lastIndexOf('.') + 1)}${b64url(Buffer.alloc(95, 1))}`), 'ES384 -3');
    });

    it('error codes: unknown algorithm, PSS, invalid token, unknown key file', async () => {
      const token = keyToken('ES384', ec.privateKey);
      assert.equal(await ask('/es', token.replace(/^[^.]+/, b64url('{"alg":"XS256"}'))), 'XS256 -1');
      assert.equal(await ask('/es', token.replace(/^[^.]+/, b64url('{"alg":"PS256"}'))), 'PS256 -2');
      assert.equal(await ask('/es', token.slice(0, token.lastIndexOf('.'))), 'ES384 -3');
      assert.equal(await ask('/es', `${token.slice(0, token.lastIndexOf('.'))}.`), 'ES384 -3');
      assert.equal(await ask('/missing', token), '-5');
    });

    it('claims through jwt_payload_query', async () => {
      assert.equal(await ask('/claims', hmacToken(256, 'x')), 'alice 1516239023');
    });
  });
}
