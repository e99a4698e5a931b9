/** FIX converters (src/rules/converters/fix.ts) against HAProxy 2.6's fix.c. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixTagValue, validateFix } from '../../src/rules/converters/fix.ts';
import { compileSampleFetch } from '../../src/rules/sample-fetch.ts';
import { Payload } from '../../src/rules/payload.ts';
import { Sample } from '../../src/rules/sample.ts';
import type { SampleContext } from '../../src/rules/sample-context.ts';

// reg-test converter/fix: 8=FIX.4.4|9=79|35=A|34=1|49=EXECUTOR|52=20201029-13:02:44.535360|56=CLIENT1|98=0|108=30|141=Y|10=038|
const LOGON = Buffer.from(
  '383d4649582e342e3401393d37390133353d410133343d310134393d4558454355544f520135323d32303230313032392d31333a30323a34342e3533353336300135363d434c49454e54310139383d30013130383d3330013134313d590131303d30333801',
  'hex',
).toString('latin1');

/** A FIX.4.4 message with its BodyLength and CheckSum computed. */
function fix(fields: readonly string[]): string {
  const body = fields.map((f) => `${f}\x01`).join('');
  const head = `8=FIX.4.4\x019=${body.length}\x01`;
  let sum = 0;
  for (const c of head + body) sum += c.charCodeAt(0);
  return `${head}${body}10=${String(sum & 0xff).padStart(3, '0')}\x01`;
}

describe('fix_is_valid', () => {
  it('valid, more data needed, invalid', () => {
    assert.equal(validateFix(LOGON), 1);
    assert.equal(validateFix(LOGON.slice(0, 25)), 0, 'below the minimal size');
    assert.equal(validateFix(LOGON.slice(0, 60)), 0, 'body started, no CheckSum yet');
    assert.equal(validateFix(LOGON.replace('10=038', '10=039')), -1, 'checksum');
    assert.equal(validateFix(LOGON.replace('9=79', '9=78')), -1, 'body length');
    assert.equal(validateFix(LOGON.replace('8=FIX.4.4', '8=FIX.9.9')), -1, 'version');
    assert.equal(validateFix(`9=79\x01${LOGON.slice(10)}`), -1, 'BeginString first');
    assert.equal(validateFix(LOGON.replace('108=30', '999=30')), -1, 'tag beyond FIX.4.4’s range');
    assert.equal(validateFix(fix(['35=A', '10999=x'])), 1, 'user-defined tags are fine');
    assert.equal(validateFix(fix(['35=A', '49='])), 1, 'an empty value passes (HAProxy tests the length with its \'=\')');
  });
});

describe('fix_tag_value', () => {
  it('a tag by number; "" while more data may hold it; absent after CheckSum or on a bad tag', () => {
    assert.equal(fixTagValue(LOGON, 49), 'EXECUTOR');
    assert.equal(fixTagValue(LOGON, 10), '038');
    assert.equal(fixTagValue(LOGON.slice(0, 30), 56), '');
    assert.equal(fixTagValue(LOGON, 553), undefined);
    assert.equal(fixTagValue('x=1\x01', 8), undefined);
  });

  it('tag names; unknown ones refused as HAProxy', () => {
    const ctx = { clientAddress: '', lbHead: undefined, requestPayload: Object.assign(new Payload(), { final: true }) } as unknown as SampleContext;
    const read = (expr: string): string | undefined => {
      const compiled = compileSampleFetch(expr);
      if (!compiled.ok) return compiled.message;
      const s = new Sample();
      return compiled.fetch.sample(ctx, s) ? s.str : undefined;
    };
    (ctx.requestPayload as Payload).bytes = Buffer.from(LOGON, 'latin1');
    assert.equal(read('req.payload(0,0),fix_tag_value(SenderCompID)'), 'EXECUTOR');
    assert.equal(read('req.payload(0,0),fix_tag_value(bodylength)'), '79');
    assert.match(read('req.payload(0,0),fix_tag_value(Nope)') ?? '', /Unknown FIX tag name 'Nope'/);
  });

  it('on a buffer that may grow, an incomplete message asks for more instead of deciding', () => {
    const payload = new Payload();
    payload.bytes = Buffer.from(LOGON.slice(0, 40), 'latin1');
    const ctx = { clientAddress: '', lbHead: undefined, requestPayload: payload } as unknown as SampleContext;
    const compiled = compileSampleFetch('req.payload(0,0),fix_is_valid');
    assert.ok(compiled.ok);
    assert.equal(compiled.fetch.sample(ctx, new Sample()), false);
    assert.equal(payload.mayChange, true);
    payload.bytes = Buffer.from(LOGON.replace('10=038', '10=039'), 'latin1');
    payload.mayChange = false;
    const s = new Sample();
    assert.equal(compiled.fetch.sample(ctx, s), true);
    assert.equal(s.num, 0, 'invalid: decided');
    assert.equal(payload.mayChange, false, 'the converter clears the payload fetch’s "may change"');
  });
});
