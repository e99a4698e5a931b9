/**
 * Global `quiet`, `zero-warning`, `ulimit-n`, `[no] strict-limits`, `grace`,
 * `mworker-max-reloads`, the tunables of HAProxy internals (accepted with a notice), and the
 * keywords HAProxy removed (its own advice): their models and HAProxy 2.6's messages.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TIMEOUTS, cfg, errors, parse, warnings } from './support.ts';

const BACKEND = ['backend b', '  server s 127.0.0.1:1'];

describe('process keywords', () => {
  it('quiet, zero-warning, ulimit-n, strict-limits, grace and mworker-max-reloads go to the global model', async () => {
    const model = await parse(
      cfg('global', '  quiet', '  zero-warning', '  ulimit-n 4096', '  no strict-limits', '  grace 2s', '  mworker-max-reloads 3', 'defaults', ...TIMEOUTS, ...BACKEND),
    );
    assert.equal(model.global.quiet, true);
    assert.equal(model.global.zeroWarning, true);
    assert.equal(model.global.ulimitN, 4096);
    assert.equal(model.global.strictLimits, false);
    assert.equal(model.global.grace, 2000);
    assert.equal(model.global.mworkerMaxReloads, 3);
    const plain = await parse(cfg('global', '  strict-limits', 'defaults', ...TIMEOUTS, ...BACKEND));
    assert.equal(plain.global.strictLimits, undefined, 'strict by default, as HAProxy 2.6');
    assert.equal(plain.global.quiet, undefined);
  });

  it("ulimit-n reads a number as atol() does; HAProxy's messages for the rest", async () => {
    assert.equal((await parse(cfg('global', '  ulimit-n 100abc', 'defaults', ...TIMEOUTS, ...BACKEND))).global.ulimitN, 100);
    assert.equal((await parse(cfg('global', '  ulimit-n abc', 'defaults', ...TIMEOUTS, ...BACKEND))).global.ulimitN, undefined, 'no number: no limit asked');
    const twice = await parse(cfg('global', '  ulimit-n 100', '  ulimit-n 200', 'defaults', ...TIMEOUTS, ...BACKEND));
    assert.equal(twice.global.ulimitN, 100);
    assert.deepEqual(warnings(twice), [[3, 'ulimit-n', "'ulimit-n' already specified. Continuing."]]);
    assert.deepEqual(await errors(cfg('global', '  ulimit-n', '  ulimit-n 1 2', '  quiet x', ...BACKEND)), [
      [2, 3, 'ulimit-n', "'ulimit-n' expects an integer argument."],
      [3, 14, 'ulimit-n', "'ulimit-n' cannot handle unexpected argument '2'."],
      [4, 9, 'quiet', "'quiet' cannot handle unexpected argument 'x'."],
    ]);
  });

  it("grace: a time in global; in a proxy HAProxy 2.5's removal", async () => {
    assert.deepEqual(await errors(cfg('global', '  grace', '  grace 1x', 'frontend f', '  bind :8080', '  grace 5s')), [
      [2, 3, 'grace', "'grace' expects <time> as argument."],
      [3, 9, 'grace', "'grace' : unknown time unit 'x' in '1x' (expected us, ms, s, m, h or d)."],
      [6, 3, 'grace', "the 'grace' keyword is not supported any more since HAProxy version 2.5."],
    ]);
  });

  it('mworker-max-reloads: an integer, not negative', async () => {
    assert.deepEqual(await errors(cfg('global', '  mworker-max-reloads', '  mworker-max-reloads -1', ...BACKEND)), [
      [2, 3, 'mworker-max-reloads', "'mworker-max-reloads' expects an integer argument."],
      [3, 23, 'mworker-max-reloads', "'mworker-max-reloads' : invalid value -1, must be >= 0"],
    ]);
  });

  it('tunables of HAProxy internals are accepted with a notice, never a warning', async () => {
    const model = await parse(cfg('global', '  nosplice', '  noepoll', '  no busy-polling', '  nogetaddrinfo', '  maxpipes 1024', 'defaults', ...TIMEOUTS, ...BACKEND));
    assert.deepEqual(warnings(model), []);
    assert.deepEqual(
      (model.notices ?? []).map((n) => [n.line, n.keyword]),
      [
        [2, 'nosplice'],
        [3, 'noepoll'],
        [4, 'busy-polling'],
        [5, 'nogetaddrinfo'],
        [6, 'maxpipes'],
      ],
    );
    assert.match(model.notices?.[0]?.message ?? '', /^'nosplice' has no effect in Switchyard \(Switchyard never splices/);
    assert.deepEqual(await errors(cfg('global', '  no nosplice', '  maxpipes', ...BACKEND)), [
      [2, 3, 'nosplice', "negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping."],
      [3, 3, 'maxpipes', "'maxpipes' expects an integer argument."],
    ]);
  });

  it('process-safety and profiling switches of HAProxy are accepted with a notice, with its argument checks', async () => {
    const model = await parse(
      cfg('global', '  insecure-fork-wanted', '  insecure-setuid-wanted', '  no set-dumpable', '  numa-cpu-mapping ignored', '  profiling.tasks auto', '  no-memory-trimming', 'defaults', ...TIMEOUTS, ...BACKEND),
    );
    assert.deepEqual(warnings(model), []);
    assert.deepEqual(
      (model.notices ?? []).map((n) => n.message.slice(0, n.message.indexOf(' has no effect'))),
      ["'insecure-fork-wanted'", "'insecure-setuid-wanted'", "'no set-dumpable'", "'numa-cpu-mapping'", "'profiling.tasks'", "'no-memory-trimming'"],
    );
    assert.deepEqual(await errors(cfg('global', '  set-dumpable x', '  no insecure-setuid-wanted', '  profiling.tasks maybe', ...BACKEND)), [
      [2, 16, 'set-dumpable', "'set-dumpable' cannot handle unexpected argument 'x'."],
      [3, 3, 'insecure-setuid-wanted', "negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping."],
      [4, 19, 'profiling.tasks', "'profiling.tasks' expects either 'on', 'auto', or 'off' but got 'maybe'."],
    ]);
  });

  it('noreuseport: a flag of the global model, without argument', async () => {
    assert.equal((await parse(cfg('global', '  noreuseport', 'defaults', ...TIMEOUTS, ...BACKEND))).global.noReusePort, true);
    assert.equal((await parse(cfg('defaults', ...TIMEOUTS, ...BACKEND))).global.noReusePort, undefined);
    assert.deepEqual(await errors(cfg('global', '  noreuseport x', ...BACKEND)), [[2, 15, 'noreuseport', "'noreuseport' cannot handle unexpected argument 'x'."]]);
  });

  it("keywords HAProxy removed get HAProxy's advice, in every proxy section and with no/default too", async () => {
    assert.deepEqual(await errors(cfg('defaults', '  reqadd X-A:\\ b', 'frontend f', '  bind :8080', '  no rspadd x', '  option http_proxy')), [
      [2, 3, 'reqadd', "The 'reqadd' directive is not supported anymore since HAProxy 2.1. Use 'http-request add-header' instead."],
      [5, 6, 'rspadd', "The 'rspadd' directive is not supported anymore since HAProxy 2.1. Use 'http-response add-header' instead."],
      [
        6,
        10,
        'option',
        "option 'http_proxy' is not supported any more since HAProxy 2.5. This option stopped working in HAProxy 1.9 and usually had nasty side effects. It can be more reliably implemented with combinations of 'http-request set-dst' and 'http-request set-uri', and even 'http-request do-resolve' if DNS resolution is desired.",
      ],
    ]);
  });
});

describe('process binding of HAProxy before 2.5', () => {
  it("bind-process, bind ... process and stats bind-process: checked as HAProxy 2.6 does (process 1 only), then ignored with its deprecation warnings", async () => {
    const model = await parse(
      cfg('global', '  stats bind-process all', 'defaults', ...TIMEOUTS, '  bind-process 1', 'frontend f', '  bind 127.0.0.1:8080 process 1', '  bind-process odd', '  default_backend b', ...BACKEND),
    );
    assert.deepEqual(warnings(model), [
      [7, 'bind-process', "'bind-process' has no effect, is deprecated, and will be removed in version 2.7."],
      [9, 'bind', "'bind 127.0.0.1:8080' in section 'frontend' : 'process 1' on 'bind' lines is deprecated and will be removed in 2.7."],
      [10, 'bind-process', "'bind-process' has no effect, is deprecated, and will be removed in version 2.7."],
    ]);
    assert.equal(model.frontends[0]?.binds.length, 1);
    assert.deepEqual(await errors(cfg('global', '  stats bind-process 2', 'frontend f', '  bind :8080 process 1-3', '  bind-process x', '  bind :8081 process 1/x')), [
      [2, 22, 'stats', "'stats bind-process' : '2' is not a valid number/range. It supports numbers from 1 to 1."],
      [4, 22, 'bind', "'bind :8080' in section 'frontend' : 'process' : '1-3' is not a valid number/range. It supports numbers from 1 to 1."],
      [5, 16, 'bind-process', "bind-process : 'x' is not a valid number/range."],
      [6, 22, 'bind', "'bind :8081' in section 'frontend' : 'process' : 'x' is not a valid number/range."],
    ]);
  });
});
