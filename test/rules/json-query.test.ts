/** json_query (src/rules/converters/json-query.ts): values and refusals as HAProxy 2.6.12's (mjson). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatG, parseJsonPath } from '../../src/rules/converters/json-query.ts';
import { compileSampleFetch } from '../../src/rules/sample-fetch.ts';
import type { SampleContext } from '../../src/rules/sample-context.ts';

const BODY = '{"a":"x\\u00e9","b":1234567,"c":-4.7,"d":[0,{"e":true}],"f":0.00001234,"g":3.14159265,"h":null,"i":100000,"my.key":"v","w":"\\u0100"}';

function query(path: string, output = ''): string | undefined {
  const compiled = compileSampleFetch(`str('${BODY}'),json_query('${path}'${output === '' ? '' : `,${output}`})`);
  assert.ok(compiled.ok, compiled.ok ? '' : compiled.message);
  return compiled.fetch.fetch({} as SampleContext);
}

describe('json_query', () => {
  it('strings (\\u00XX as that byte), numbers as %g, integers, booleans (values checked against HAProxy 2.6.12)', () => {
    assert.equal(query('$.a'), 'x\xe9');
    assert.equal(query('$.b'), '1.23457e+06');
    assert.equal(query('$.c', 'int'), '-4');
    assert.equal(query('$.d[1].e'), '1');
    assert.equal(query('$.f'), '1.234e-05');
    assert.equal(query('$.g'), '3.14159');
    assert.equal(query('$.i'), '100000');
    assert.equal(query('$.my\\.key'), 'v');
  });

  it('nothing for null, containers, missing paths, wide escapes and invalid JSON', () => {
    assert.equal(query('$.h'), undefined);
    assert.equal(query('$.d'), undefined);
    assert.equal(query('$.zz'), undefined);
    assert.equal(query('$.w'), undefined);
    const broken = compileSampleFetch("str('{\"a\":'),json_query('$.a')");
    assert.ok(broken.ok);
    assert.equal(broken.fetch.fetch({} as SampleContext), undefined);
  });

  it("refuses HAProxy's invalid arguments with its messages", () => {
    const bad = compileSampleFetch("str(x),json_query('$.a',float)");
    assert.ok(!bad.ok && /output_type only supports "int" as argument/.test(bad.message));
  });

  it('paths and %g', () => {
    assert.deepEqual(parseJsonPath('$.a[2].b\\.c'), ['a', 2, 'b.c']);
    assert.equal(parseJsonPath('a.b'), undefined);
    assert.deepEqual([formatG(0), formatG(1e6), formatG(123456), formatG(0.0001), formatG(-2.5e-7)], ['0', '1e+06', '123456', '0.0001', '-2.5e-07']);
  });
});
