import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConditionalBlocks, evaluateCondition } from '../../src/config/conditions.ts';

const env: Record<string, string> = { MODE: 'prod', EMPTY: '' };
const lookup = (name: string): string | undefined => env[name];

function value(expression: string): boolean {
  const result = evaluateCondition(expression, lookup);
  if (!result.ok) assert.fail(`unexpected error: ${result.message}`);
  return result.value;
}

describe('evaluateCondition', () => {
  it('treats integers as booleans (0 false, anything else true)', () => {
    assert.equal(value('1'), true);
    assert.equal(value('0'), false);
    assert.equal(value('-3'), true);
    assert.equal(value('0x0'), false);
  });

  it('evaluates defined(), streq(), strneq(), strstr()', () => {
    assert.equal(value('defined(MODE)'), true);
    assert.equal(value('defined(EMPTY)'), true, 'an empty variable is defined');
    assert.equal(value('defined(NOPE)'), false);
    assert.equal(value('streq(prod,prod)'), true);
    assert.equal(value('streq(prod, dev)'), false);
    assert.equal(value('strneq(prod,dev)'), true);
    assert.equal(value('strstr(production,duct)'), true);
  });

  it('asks the runtime\'s TLS library: ssllib_name_startswith(), openssl_version_atleast(), openssl_version_before()', () => {
    const openssl = { name: 'OpenSSL', opensslVersion: '3.0.19' };
    const ask = (expression: string, library = openssl) => evaluateCondition(expression, lookup, library);
    assert.deepEqual(ask('ssllib_name_startswith(OpenSSL) && openssl_version_atleast(1.1.1)'), { ok: true, value: true });
    assert.deepEqual(ask('openssl_version_atleast(3.0.0)'), { ok: true, value: true });
    assert.deepEqual(ask('openssl_version_atleast(3.0.20)'), { ok: true, value: false });
    assert.deepEqual(ask('openssl_version_before(1.1.1)'), { ok: true, value: false });
    assert.deepEqual(ask('openssl_version_before(3.1.0)'), { ok: true, value: true });
    const boring = { name: 'BoringSSL', opensslVersion: '1.1.1g' };
    assert.deepEqual(ask('ssllib_name_startswith(OpenSSL)', boring), { ok: true, value: false });
    assert.deepEqual(ask('openssl_version_atleast(1.1.1a)', boring), { ok: true, value: true });
    assert.deepEqual(ask('openssl_version_before(1.1.1h)', boring), { ok: true, value: true });
    const rustls = evaluateCondition('openssl_version_atleast(1.1.1)', lookup, { name: 'rustls', opensslVersion: undefined });
    assert.match(rustls.ok ? '' : rustls.message, /predicate 'openssl_version_atleast' : the runtime's TLS library \(rustls\) has no OpenSSL version/);
    const bad = ask('openssl_version_before(three)');
    assert.match(bad.ok ? '' : bad.message, /cannot parse OpenSSL version 'three'/);
    assert.deepEqual(evaluateCondition('ssllib_name_startswith(OpenSSL)', lookup), { ok: true, value: false }, 'no library known');
  });

  it('knows no HAProxy build features', () => {
    assert.equal(value('feature(OPENSSL)'), false);
  });

  it('applies !, && before ||, and parentheses', () => {
    assert.equal(value('!0'), true);
    assert.equal(value('!!defined(MODE)'), true);
    assert.equal(value('1 || 0 && 0'), true);
    assert.equal(value('(1 || 0) && 0'), false);
    assert.equal(value('defined(MODE) && !defined(NOPE)'), true);
  });

  it('reports unparsable expressions with their offset', () => {
    assert.deepEqual(evaluateCondition('1 && bogus', lookup), {
      ok: false,
      message: "unparsable conditional expression 'bogus'",
      offset: 5,
    });
    assert.deepEqual(evaluateCondition('', lookup), { ok: false, message: 'empty conditional expression', offset: 0 });
    const arity = evaluateCondition('streq(a)', lookup);
    assert.equal(arity.ok, false);
    assert.match(arity.ok ? '' : arity.message, /predicate 'streq' expects 2 arguments, got 1/);
    const version = evaluateCondition('version_atleast(2.4)', lookup);
    assert.match(version.ok ? '' : version.message, /'version_atleast' is not supported/);
    const unclosed = evaluateCondition('(1', lookup);
    assert.match(unclosed.ok ? '' : unclosed.message, /expected '\)'/);
  });
});

describe('ConditionalBlocks', () => {
  const T = (): { ok: true; value: boolean } => ({ ok: true, value: true });
  const F = (): { ok: true; value: boolean } => ({ ok: true, value: false });

  it('takes the first true branch only', () => {
    const b = new ConditionalBlocks();
    b.openIf(F);
    assert.equal(b.masked, true);
    b.elif(T);
    assert.equal(b.masked, false);
    b.elif(T);
    assert.equal(b.masked, true, 'a later true .elif is skipped');
    b.else();
    assert.equal(b.masked, true);
    b.endif();
    assert.equal(b.masked, false);
    assert.equal(b.depth, 0);
  });

  it('does not evaluate conditions inside a masked block', () => {
    const b = new ConditionalBlocks();
    b.openIf(F);
    let evaluated = false;
    b.openIf(() => {
      evaluated = true;
      return { ok: true, value: true };
    });
    assert.equal(evaluated, false);
    assert.equal(b.masked, true);
    b.else();
    assert.equal(b.masked, true, 'the else of a skipped block stays masked');
    b.endif();
    b.else();
    assert.equal(b.masked, false);
  });

  it('rejects lone and misplaced directives', () => {
    const b = new ConditionalBlocks();
    assert.deepEqual(b.endif(), { ok: false, message: "lone '.endif' with no matching '.if'" });
    assert.deepEqual(b.else(), { ok: false, message: "lone '.else' with no matching '.if'" });
    assert.deepEqual(b.elif(T), { ok: false, message: "lone '.elif' with no matching '.if'" });
    b.openIf(T);
    b.else();
    assert.deepEqual(b.else(), { ok: false, message: "'.else' after '.else' is not permitted" });
    assert.deepEqual(b.elif(T), { ok: false, message: "'.elif' after '.else' is not permitted" });
  });
});
