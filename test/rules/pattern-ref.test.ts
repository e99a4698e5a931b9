/**
 * Live pattern references (src/rules/pattern-ref.ts): map converters and `-f FILE` ACLs of a
 * generation share one reference per file and see its runtime changes at their next lookup;
 * entries a user cannot parse are refused with HAProxy's messages.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileAcl } from '../../src/rules/acl.ts';
import { parseAclWords } from '../../src/rules/acl-words.ts';
import { LoadedPatternFiles, withPatternFiles } from '../../src/rules/pattern-files.ts';
import { entryAddress, PatternRefs } from '../../src/rules/pattern-ref.ts';
import { Sample, sampleText } from '../../src/rules/sample.ts';
import type { SampleContext } from '../../src/rules/sample-context.ts';
import { compileSampleFetch } from '../../src/rules/sample-fetch.ts';
import { context, get } from './support.ts';

const FILES = { '/m.map': 'a 1\nb 2\n', '/ips.map': '10.0.0.0/8 lan\n', '/agents.acl': 'curl\n' };

function mapLookup(files: LoadedPatternFiles, expression: string): () => string | undefined {
  const compiled = withPatternFiles(files, () => compileSampleFetch(expression));
  assert.ok(compiled.ok, compiled.ok ? '' : compiled.message);
  const ctx = context(get('/'));
  return () => {
    const s = new Sample();
    return compiled.fetch.sample(ctx, s) ? sampleText(s) : undefined;
  };
}

describe('pattern references', () => {
  it('map converters see add, set, del and clear at once, one reference per file', () => {
    const files = new LoadedPatternFiles(FILES);
    const a = mapLookup(files, 'str(a),map(/m.map)');
    const c = mapLookup(files, 'str(c),map_str(/m.map,none)');
    const ref = files.refs.lookup('/m.map');
    assert.ok(ref !== undefined);
    assert.equal(files.refs.all.length, 1);
    assert.equal(a(), '1');
    assert.equal(c(), 'none');
    assert.equal(ref.add('c', '3'), undefined);
    assert.equal(c(), '3');
    assert.equal(ref.set('a', 'one'), undefined);
    assert.equal(a(), 'one');
    assert.equal(ref.set('zz', 'x'), 'entry not found');
    assert.equal(ref.delete('a'), true);
    assert.equal(ref.delete('a'), false);
    assert.equal(a(), undefined);
    ref.clear();
    assert.equal(c(), 'none');
    assert.deepEqual(ref.entries, []);
  });

  it('refuses what a map using the file cannot parse (its value, then its key)', () => {
    const files = new LoadedPatternFiles(FILES);
    mapLookup(files, 'str(a),map_str_int(/m.map)');
    const ref = files.refs.lookup('/m.map');
    assert.ok(ref !== undefined);
    assert.equal(ref.add('x', 'abc'), "unable to parse 'abc'");
    assert.equal(ref.add('x', '12'), undefined);
    const ips = mapLookup(files, 'str(10.1.2.3),map_ip(/ips.map)');
    const ipRef = files.refs.lookup('/ips.map');
    assert.ok(ipRef !== undefined);
    assert.equal(ipRef.add('not-an-ip', 'x'), "'not-an-ip' is not a valid IPv4 or IPv6 address");
    assert.equal(ipRef.add('10.1.0.0/16', 'deeper'), undefined);
    assert.equal(ips(), 'deeper');
  });

  it('-f ACLs match the file as it is now', () => {
    const files = new LoadedPatternFiles(FILES);
    const parsed = withPatternFiles(files, () => parseAclWords('bad', ['req.hdr(user-agent)', '-i', '-m', 'str', '-f', '/agents.acl'], { file: 't', line: 1 }));
    assert.ok(parsed.ok);
    const compiled = withPatternFiles(files, () => compileAcl(parsed.acl, 'request'));
    assert.ok(compiled.ok);
    const ua = (agent: string): SampleContext => context(get('/', `User-Agent: ${agent}`));
    const test = (agent: string): boolean => compiled.acl.test(ua(agent), new Sample());
    assert.equal(test('CURL'), true);
    assert.equal(test('Mon User Agent;'), false);
    const ref = files.refs.lookup('/agents.acl');
    assert.ok(ref !== undefined);
    assert.equal(ref.add('Mon User Agent;', undefined), undefined);
    assert.equal(test('Mon User Agent;'), true);
    assert.equal(ref.delete('Mon User Agent;'), true);
    assert.equal(test('Mon User Agent;'), false);
  });

  it('an emptied -f file matches once patterns are added again', () => {
    const files = new LoadedPatternFiles({ '/empty.acl': '' });
    const parsed = withPatternFiles(files, () => parseAclWords('a', ['path', '-f', '/empty.acl'], { file: 't', line: 1 }));
    assert.ok(parsed.ok);
    const compiled = withPatternFiles(files, () => compileAcl(parsed.acl, 'request'));
    assert.ok(compiled.ok);
    assert.equal(compiled.acl.test(context(get('/x')), new Sample()), false);
    files.refs.lookup('/empty.acl')?.add('/x', undefined);
    assert.equal(compiled.acl.test(context(get('/x')), new Sample()), true);
  });

  it('names references by file or #id and entries by address', () => {
    const refs = new PatternRefs();
    const lines = (t: string) => t.split('\n').filter((l) => l !== '').map((l, i) => ({ key: l.split(' ')[0] as string, value: l.split(' ')[1] ?? '', line: i + 1 }));
    const first = refs.obtain('/one', 'k v\n', true, 'map', lines);
    const second = refs.obtain('/two', 'p\n', false, 'acl', lines);
    assert.ok(typeof first !== 'string' && typeof second !== 'string');
    assert.equal(refs.lookupRef('#0'), first);
    assert.equal(refs.lookupRef('#1'), second);
    assert.equal(refs.lookupRef('/two'), second);
    assert.equal(refs.obtain('/one', '', false, 'acl', lines), 'The file "/one" is already used as two column file and cannot be used by as one column file.');
    const entry = first.entries[0];
    assert.ok(entry !== undefined);
    assert.match(entryAddress(entry), /^0x[0-9a-f]+$/);
    assert.equal(first.byAddress(entryAddress(entry)), entry);
    assert.equal(first.byAddress('0xzz'), 'malformed');
  });

  it('versions: entries of a prepared version are matched once committed; older ones go', () => {
    const files = new LoadedPatternFiles(FILES);
    const a = mapLookup(files, 'str(a),map(/m.map,none)');
    const ref = files.refs.lookup('/m.map');
    assert.ok(ref !== undefined);
    const gen = ref.newGen();
    assert.equal(gen, 1);
    assert.equal(ref.add('a', 'next', gen), undefined);
    assert.equal(a(), '1');
    assert.equal(ref.commit(gen + 1), false);
    assert.equal(ref.commit(gen), true);
    assert.equal(a(), 'next');
    assert.deepEqual(ref.entries.map((e) => [e.key, e.gen]), [['a', 1]]);
    assert.equal(ref.commit(gen), false);
  });
});
