import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config/errors.ts';
import { readCaseAdjustFile } from '../../src/config/h1-case-adjust-file.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { HeaderCasePair } from '../../src/config/model.ts';
import { FakeFiles } from '../support/fake-files.ts';
import { TIMEOUTS, cfg, errors, parse, warnings } from './support.ts';

const PROXIES = ['frontend f', '  bind :8080', '  default_backend b', 'backend b', '  server s 127.0.0.1:1'];

describe('h1-case-adjust', () => {
  it('collects the pairs in order; the options are flags of their side, inherited from defaults', async () => {
    const model = await parse(
      cfg('global', '  h1-case-adjust content-length Content-Length', '  h1-case-adjust x-id X-ID', 'defaults', '  mode http', ...TIMEOUTS,
        '  option h1-case-adjust-bogus-client', '  option h1-case-adjust-bogus-server', ...PROXIES),
    );
    assert.deepEqual(model.global.h1CaseAdjust, [{ from: 'content-length', to: 'Content-Length' }, { from: 'x-id', to: 'X-ID' }]);
    assert.equal(model.frontends[0]?.options.h1CaseAdjustBogusClient, true);
    assert.equal(model.backends[0]?.options.h1CaseAdjustBogusServer, true);
    const plain = await parse(cfg('defaults', '  mode http', ...TIMEOUTS, ...PROXIES));
    assert.equal(plain.global.h1CaseAdjust, undefined);
    assert.equal(plain.frontends[0]?.options.h1CaseAdjustBogusClient, undefined);
    assert.equal(plain.backends[0]?.options.h1CaseAdjustBogusServer, undefined);
  });

  it("HAProxy's errors at their lines", async () => {
    assert.deepEqual(
      await errors(cfg('global', '  h1-case-adjust a', '  h1-case-adjust a A B', '  h1-case-adjust a b', '  h1-case-adjust a A', '  h1-case-adjust a a', "  h1-case-adjust '' A")),
      [
        [2, 3, 'h1-case-adjust', "'h1-case-adjust' expects <from> and <to> as argument."],
        [3, 22, 'h1-case-adjust', "'h1-case-adjust' cannot handle unexpected argument 'B'."],
        [4, 18, 'h1-case-adjust', '<from> and <to> must not differ execpt the case'],
        [6, 18, 'h1-case-adjust', "duplicate entry 'a'"],
        [7, 3, 'h1-case-adjust', "'h1-case-adjust' expects <from> and <to> as argument."],
      ],
    );
    assert.deepEqual(await errors(cfg('global', '  h1-case-adjust-file', '  h1-case-adjust-file a b')), [
      [2, 3, 'h1-case-adjust-file', "'h1-case-adjust-file' expects <file> as argument."],
      [3, 25, 'h1-case-adjust-file', "'h1-case-adjust-file' cannot handle unexpected argument 'b'."],
    ]);
  });

  it('<from> and <to> are compared exactly for duplicates: `a A` and `A a` are two entries', async () => {
    const model = await parse(cfg('global', '  h1-case-adjust a A', '  h1-case-adjust A a'));
    assert.equal(model.global.h1CaseAdjust?.length, 2);
  });

  it('an option in a proxy without its side is ignored with a warning', async () => {
    const model = await parse(cfg('defaults', '  mode http', ...TIMEOUTS, 'backend b', '  option h1-case-adjust-bogus-client', '  server s 127.0.0.1:1'));
    assert.deepEqual(warnings(model), [[7, 'h1-case-adjust-bogus-client', "'h1-case-adjust-bogus-client' ignored because backend 'b' has no frontend capability."]]);
    assert.equal(model.backends[0]?.options.h1CaseAdjustBogusServer, undefined);
    assert.deepEqual(await errors(cfg('frontend f', '  bind :8080', '  option h1-case-adjust-bogus-client foo')), [
      [3, 38, 'option', "'option h1-case-adjust-bogus-client' cannot handle unexpected argument 'foo'."],
    ]);
  });
});

describe('h1-case-adjust-file', () => {
  it("reads HAProxy's format: blanks around, comments, blank lines, CRLF", () => {
    const pairs: HeaderCasePair[] = [];
    assert.equal(readCaseAdjustFile('content-length Content-Length\n  # a comment\n\n\t x-a \t X-A \t\r\n \r\nx-b\tX-b', pairs), undefined);
    assert.deepEqual(pairs, [
      { from: 'content-length', to: 'Content-Length' },
      { from: 'x-a', to: 'X-A' },
      { from: 'x-b', to: 'X-b' },
    ]);
  });

  it('stops at the first bad line, with its number', () => {
    assert.deepEqual(readCaseAdjustFile('# c\nx-a X-A\nx-b\n', []), { message: 'expect <to>', line: 3 });
    assert.deepEqual(readCaseAdjustFile('a b\n', []), { message: '<from> and <to> must not differ execpt the case', line: 1 });
    assert.deepEqual(readCaseAdjustFile('x-a X-A\nx-a x-A\n', []), { message: "duplicate entry 'x-a'", line: 2 });
    // <to> runs to the end of the line: a blank inside makes it differ.
    assert.deepEqual(readCaseAdjustFile('x-a X -A\n', []), { message: '<from> and <to> must not differ execpt the case', line: 1 });
  });

  it('follows the h1-case-adjust lines (a duplicate of one is refused), the last file named wins', async () => {
    const files = new FakeFiles({
      '/etc/h.cfg': cfg('global', '  h1-case-adjust-file /etc/unused', '  h1-case-adjust-file /etc/case.txt', '  h1-case-adjust x-a X-A'),
      '/etc/case.txt': 'x-b X-B\n',
    });
    const model = await loadConfig(['/etc/h.cfg'], files);
    assert.deepEqual(model.global.h1CaseAdjust, [{ from: 'x-a', to: 'X-A' }, { from: 'x-b', to: 'X-B' }]);
    assert.ok(!files.reads.includes('/etc/unused'));
    const dup = new FakeFiles({ '/etc/h.cfg': cfg('global', '  h1-case-adjust-file /etc/case.txt', '  h1-case-adjust x-b X-B'), '/etc/case.txt': '# x\nx-b X-b\n' });
    await assert.rejects(loadConfig(['/etc/h.cfg'], dup), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(
        err.diagnostics.map((d) => [d.line, d.column, d.message]),
        [[2, 23, "h1-headers-case-adjust-file '/etc/case.txt' : duplicate entry 'x-b' at line 2."]],
      );
      return true;
    });
  });

  it('a file that cannot be read refuses the configuration', async () => {
    const files = new FakeFiles({ '/etc/h.cfg': cfg('global', '  h1-case-adjust-file /etc/none') });
    await assert.rejects(loadConfig(['/etc/h.cfg'], files), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(err.diagnostics.map((d) => [d.line, d.message]), [[2, "h1-headers-case-adjust-file '/etc/none': failed to open file."]]);
      return true;
    });
  });
});
