/**
 * jwt_header_query, jwt_payload_query and jwt_verify (src/rules/converters/jwt.ts): HAProxy
 * 2.6's answers (src/jwt.c), on tokens signed here with keys made for the test.
 */
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { digestNode } from '../../adapters/shared/node-digest.ts';
import { publicKeyNode } from '../../adapters/shared/node-public-key.ts';
import { ecdsaDer } from '../../src/rules/converters/jwt.ts';
import { LoadedPatternFiles, withPatternFiles } from '../../src/rules/pattern-files.ts';
import { compileSampleFetch } from '../../src/rules/sample-fetch.ts';
import type { SampleContext } from '../../src/rules/sample-context.ts';
import { ProcessVars, SessionVars } from '../../src/rules/vars.ts';
import { context, sample } from './support.ts';

const b64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

function unsigned(alg: string): string {
  return `${b64url(JSON.stringify({ alg, typ: 'JWT' }))}.${b64url(JSON.stringify({ sub: '1234567890', name: 'John Doe', iat: 1516239022 }))}`;
}

function hmacToken(alg: 'HS256' | 'HS384' | 'HS512', key: string): string {
  const body = unsigned(alg);
  return `${body}.${createHmac(`sha${alg.slice(2)}`, key).update(body).digest('base64url')}`;
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ec521 = generateKeyPairSync('ec', { namedCurve: 'P-521' });
const pem = (key: typeof rsa.publicKey): string => key.export({ type: 'spki', format: 'pem' }) as string;

/** ECDSA signatures as RFC 7518 has them (R and S concatenated), unless `der`. */
function keyToken(alg: string, privateKey: typeof rsa.privateKey, der = false): string {
  const body = unsigned(alg);
  const signature = sign(`sha${alg.slice(2)}`, Buffer.from(body), der ? privateKey : { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${body}.${signature.toString('base64url')}`;
}

const FILES = new LoadedPatternFiles({ '/keys/rsa.pem': pem(rsa.publicKey), '/keys/ec256.pem': pem(ec256.publicKey), '/keys/ec521.pem': pem(ec521.publicKey), '/keys/junk.pem': 'not a key\n' });

function ctx(vars: Record<string, string> = {}): SampleContext {
  const scopes = new SessionVars(new ProcessVars());
  scopes.beginTransaction();
  const c = context(undefined, { vars: scopes, runtime: { digest: digestNode, publicKey: publicKeyNode, wallClock: () => 0, env: () => undefined } });
  for (const [name, value] of Object.entries(vars)) {
    const set = compileSampleFetch(`str(${value}),set-var(txn.${name})`);
    assert.ok(set.ok);
    set.fetch.fetch(c);
  }
  return c;
}

function verify(token: string, alg: string, key: string, vars: Record<string, string> = {}): string | undefined {
  return withPatternFiles(FILES, () => sample(`str(${token}),jwt_verify(${alg},"${key}")`, ctx(vars)))?.text;
}

describe('jwt_verify', () => {
  it('HMAC tokens: 1 when signed with the key, 0 otherwise', () => {
    for (const alg of ['HS256', 'HS384', 'HS512'] as const) {
      assert.equal(verify(hmacToken(alg, 'hmac key'), alg, 'hmac key'), '1', alg);
      assert.equal(verify(hmacToken(alg, 'other key'), alg, 'hmac key'), '0', alg);
    }
  });

  it('RSA and ECDSA (DER) tokens against the PEM public key KEY names', () => {
    assert.equal(verify(keyToken('RS256', rsa.privateKey), 'RS256', '/keys/rsa.pem'), '1');
    assert.equal(verify(keyToken('RS512', rsa.privateKey), 'RS512', '/keys/rsa.pem'), '1');
    assert.equal(verify(keyToken('RS384', rsa.privateKey), 'RS512', '/keys/rsa.pem'), '0');
    assert.equal(verify(keyToken('ES256', ec256.privateKey), 'ES256', '/keys/ec256.pem'), '1');
    assert.equal(verify(keyToken('ES512', ec521.privateKey), 'ES512', '/keys/ec521.pem'), '1');
    assert.equal(verify(keyToken('ES512', ec521.privateKey), 'ES512', '/keys/ec256.pem'), '0');
    // DER signatures (what 2.6.0 wrongly expected) do not verify in 2.6.12.
    const der = keyToken('ES256', ec256.privateKey, true);
    const derLength = Buffer.from(der.slice(der.lastIndexOf('.') + 1), 'base64url').length;
    assert.equal(verify(der, 'ES256', '/keys/ec256.pem'), derLength % 2 === 0 ? '0' : '-3');
    const good = keyToken('ES256', ec256.privateKey);
    assert.equal(verify(`${good.slice(0, good.lastIndexOf('.') + 1)}${b64url(Buffer.alloc(63, 1))}`, 'ES256', '/keys/ec256.pem'), '-3');
  });

  it('R||S to DER as i2d_ECDSA_SIG (leading zeros dropped, 0x00 before a high bit, long lengths)', () => {
    assert.deepEqual([...ecdsaDer(Uint8Array.from([0, 0x7f, 0x80, 0]))], [0x30, 0x08, 0x02, 0x01, 0x7f, 0x02, 0x03, 0x00, 0x80, 0x00]);
    assert.deepEqual([...ecdsaDer(Uint8Array.from([0, 0, 0, 1]))], [0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01]);
    const der = ecdsaDer(new Uint8Array(132).fill(0xff));
    assert.deepEqual([...der.subarray(0, 5)], [0x30, 0x81, 0x8a, 0x02, 0x43]);
  });

  it('the algorithm from a variable, and the error codes of src/jwt.c', () => {
    const good = keyToken('ES256', ec256.privateKey);
    assert.equal(verify(good, 'txn.alg', '/keys/ec256.pem', { alg: 'ES256' }), '1');
    assert.equal(verify(good, 'txn.alg', '/keys/ec256.pem', { alg: 'UNKNOWN' }), '-1');
    assert.equal(verify(good, 'txn.alg', '/keys/ec256.pem', { alg: 'ES25' }), '-1');
    assert.equal(verify(good, 'txn.alg', '/keys/ec256.pem', { alg: 'PS512' }), '-2');
    const [head, claims] = good.split('.') as [string, string];
    assert.equal(verify(`${head}.${claims}`, 'ES256', '/keys/ec256.pem'), '-3');
    assert.equal(verify(`${head}.${claims}.`, 'ES256', '/keys/ec256.pem'), '-3');
    assert.equal(verify(`${good}.x`, 'ES256', '/keys/ec256.pem'), '-3');
    assert.equal(verify(`${head}.${claims}.a`, 'ES256', '/keys/ec256.pem'), '-3');
    assert.equal(verify(good, 'ES256', '/keys/missing.pem'), '-5');
    assert.equal(verify(good, 'ES256', '/keys/junk.pem'), '-5');
    // `none`: valid when the signature part is empty or absent.
    assert.equal(verify(`${unsigned('none')}.`, 'none', 'k'), '1');
    assert.equal(verify(`${unsigned('none')}.abc`, 'none', 'k'), '0');
    // An absent variable: no sample at all.
    assert.equal(verify(good, 'txn.nothing', '/keys/ec256.pem'), undefined);
  });

  it("refuses a constant algorithm HAProxy refuses, with its messages", () => {
    const unknown = compileSampleFetch('str(x),jwt_verify(XX256,key)');
    assert.ok(!unknown.ok && /unknown JWT algorithm: XX256/.test(unknown.message));
    const pss = compileSampleFetch('str(x),jwt_verify(PS256,key)');
    assert.ok(!pss.ok && /RSASSA-PSS JWS signing not managed yet/.test(pss.message));
  });
});

describe('jwt_header_query / jwt_payload_query', () => {
  const token = hmacToken('HS256', 'k');
  it('the decoded part, or its value at a JSON path', () => {
    assert.equal(sample(`str(${token}),jwt_header_query`, ctx())?.text, '{"alg":"HS256","typ":"JWT"}');
    assert.equal(sample(`str(${token}),jwt_header_query('$.alg')`, ctx())?.text, 'HS256');
    assert.deepEqual(sample(`str(${token}),jwt_payload_query('$.iat',int)`, ctx()), { type: 'int', text: '1516239022' });
    assert.equal(sample(`str(${token}),jwt_payload_query('$.name')`, ctx())?.text, 'John Doe');
  });

  it('nothing without the part or with a part that is not base64url', () => {
    assert.equal(sample('str(abc),jwt_payload_query', ctx()), undefined);
    assert.equal(sample('str(a*c.def),jwt_header_query', ctx()), undefined);
  });
});
