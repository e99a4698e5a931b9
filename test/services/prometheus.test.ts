/** The Prometheus exporter's query parsing and exposition writer (src/services/prometheus/). */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ExpositionWriter } from '../../src/services/prometheus/exposition.ts';
import { PROXY_METRICS } from '../../src/services/prometheus/metric-tables.ts';
import { ALL_SCOPES, Scope, parseExportQuery } from '../../src/services/prometheus/scope.ts';
import { STAT_FIELDS } from '../../src/stats/stat-fields.ts';

it('scope: none given is everything; repeated ones add up; an empty one clears; * is all', () => {
  assert.deepEqual(parseExportQuery('/metrics'), { scopes: ALL_SCOPES, noMaint: false });
  assert.deepEqual(parseExportQuery('/metrics?'), { scopes: ALL_SCOPES, noMaint: false });
  assert.deepEqual(parseExportQuery('/metrics?scope=frontend&scope=server'), { scopes: Scope.frontend | Scope.server, noMaint: false });
  assert.deepEqual(parseExportQuery('/metrics?scope=server&scope='), { scopes: 0, noMaint: false });
  assert.deepEqual(parseExportQuery('/metrics?scope=&scope=listener'), { scopes: Scope.listener, noMaint: false });
  assert.deepEqual(parseExportQuery('/metrics?scope=*'), { scopes: ALL_SCOPES, noMaint: false });
  assert.deepEqual(parseExportQuery('/metrics?scope=st%69cktable&no-maint'), { scopes: Scope.sticktable, noMaint: true });
  assert.deepEqual(parseExportQuery('/metrics?other=1#scope=x'), { scopes: ALL_SCOPES, noMaint: false });
});

it('scope: without a value, unknown, badly encoded or with two = signs is refused', () => {
  for (const q of ['?scope', '?scope=servers', '?scope=%zz', '?scope=a=b', '?sc%ope=x']) assert.equal(parseExportQuery(`/metrics${q}`), undefined, q);
});

it('the writer puts HELP and TYPE before a metric’s first sample only, and nothing for a metric without samples', () => {
  const out = new ExpositionWriter();
  out.begin('m_none', 'gauge', 'never printed');
  out.begin('m_a', 'counter', 'A counter');
  out.sample([['proxy', 'p1']], 3);
  out.sample([['proxy', 'p2'], ['code', '2xx']], undefined);
  // The same name again (the hrsp_* columns): one header for the whole run.
  out.begin('m_a', 'counter', 'A counter');
  out.sample([['proxy', 'p1'], ['code', '3xx']], 0);
  out.begin('m_b', 'gauge', 'Seconds');
  out.sample([], { seconds: 0.0125 });
  out.sample([['name', 'a"b\\c\nd']], Number.NaN);
  assert.equal(
    out.text,
    '# HELP m_a A counter\n# TYPE m_a counter\nm_a{proxy="p1"} 3\nm_a{proxy="p2",code="2xx"} NaN\nm_a{proxy="p1",code="3xx"} 0\n' +
      '# HELP m_b Seconds\n# TYPE m_b gauge\nm_b 0.012500\nm_b{name="a\\"b\\\\c\\nd"} NaN\n',
  );
});

it('the metric table follows the stats columns and names only kinds it exports as unkept', () => {
  const order = PROXY_METRICS.map((m) => STAT_FIELDS.indexOf(m.field));
  assert.deepEqual(order, [...order].sort((a, b) => a - b));
  assert.ok(order.every((i) => i >= 0));
  for (const m of PROXY_METRICS) for (const k of m.unkept) assert.ok(m.kinds.includes(k), `${m.name}: ${k}`);
});
