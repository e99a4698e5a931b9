/** `mailers` sections and `email-alert` settings in the model, with HAProxy 2.6's checks and messages. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cfg, errors, parse, TIMEOUTS, warnings } from './support.ts';

const MAILERS = ['mailers m', '  mailer smtp1 127.0.0.1:2525', '  mailer smtp2 [::1]:25', '  timeout mail 3s'];

describe('mailers sections', () => {
  it('reads the mailers and timeout mail (10s by default) of the sections a proxy uses', async () => {
    const model = await parse(cfg(...MAILERS, 'mailers n', '  mailer a 10.0.0.1:25', 'defaults', ...TIMEOUTS, 'backend b', '  email-alert mailers m', '  email-alert from f@x', '  email-alert to t@x', 'backend c', '  email-alert mailers n', '  email-alert from f@x', '  email-alert to t@x'));
    assert.deepEqual(model.mailers, [
      { name: 'm', timeoutMail: 3000, mailers: [{ name: 'smtp1', host: '127.0.0.1', port: 2525 }, { name: 'smtp2', host: '::1', port: 25 }] },
      { name: 'n', timeoutMail: 10_000, mailers: [{ name: 'a', host: '10.0.0.1', port: 25 }] },
    ]);
    assert.deepEqual(warnings(model), []);
  });

  it("removes a section no proxy uses, with HAProxy's warning", async () => {
    const model = await parse(cfg(...MAILERS, 'defaults', ...TIMEOUTS, 'backend b', '  server s 127.0.0.1:1'));
    assert.equal(model.mailers, undefined);
    assert.deepEqual(warnings(model), [[1, 'mailers', "Removing incomplete section 'mailers m'."]]);
  });

  it("refuses HAProxy's invalid forms", async () => {
    const messages = async (...lines: string[]) => (await errors(cfg(...lines))).map((e) => e[3]);
    assert.deepEqual(await messages('mailers'), ['missing name for mailers section.']);
    assert.deepEqual(await messages('mailers m/2'), ["character '/' is not permitted in 'mailers' name 'm/2'."]);
    assert.deepEqual(await messages('mailers m', 'mailers m'), ["mailers section 'm' has the same name as another mailers section declared at t.cfg:1."]);
    assert.deepEqual(await messages('mailers m', '  mailer smtp'), ["'mailer' expects <name> and <addr>[:<port>] as arguments."]);
    assert.deepEqual(await messages('mailers m', '  mailer s/1 127.0.0.1:25'), ["character '/' is not permitted in server name 's/1'."]);
    assert.deepEqual(await messages('mailers m', '  mailer s unix@/tmp/smtp'), ["'mailer s' : TCP not supported for this address family."]);
    assert.match((await messages('mailers m', '  mailer s 127.0.0.1'))[0] ?? '', /^'mailer s' : missing port/);
    assert.match((await messages('mailers m', '  mailer s localhost:25'))[0] ?? '', /^'mailer s' : a mailer must be given by IP address/);
    assert.deepEqual(await messages('mailers m', '  timeout'), ["'timeout' expects 'mail' and <time> as arguments."]);
    assert.deepEqual(await messages('mailers m', '  timeout connect 5s'), ["'timeout' expects 'mail' and <time> as arguments got 'connect'."]);
    assert.deepEqual(await messages('mailers m', '  timeout mail'), ["'timeout mail' expects <time> as argument."]);
    assert.match((await messages('mailers m', '  timeout mail 5x'))[0] ?? '', /in argument to <timeout mail>\.$/);
    assert.deepEqual(await messages('mailers m', '  foo bar'), ["unknown keyword 'foo' in 'mailers' section"]);
  });
});

describe('email-alert', () => {
  it('keeps complete settings on the backend, level alert and the host name by default, inherited from defaults', async () => {
    const model = await parse(
      cfg(...MAILERS, 'defaults', ...TIMEOUTS, '  email-alert mailers m', '  email-alert from f@x', 'backend b', '  email-alert to t@x', 'listen l', '  bind 127.0.0.1:1', '  email-alert to u@x', '  email-alert level notice', '  email-alert myhostname lb1'),
    );
    const [b, l] = model.backends;
    assert.deepEqual(b?.emailAlert, { mailers: 'm', from: 'f@x', to: 't@x', level: 1 });
    assert.deepEqual(l?.emailAlert, { mailers: 'm', from: 'f@x', to: 'u@x', level: 5, myhostname: 'lb1' });
    assert.deepEqual(warnings(model), []);
  });

  it("ignores incomplete settings with HAProxy's warning (defaults sections are not checked)", async () => {
    const model = await parse(cfg(...MAILERS, 'defaults', ...TIMEOUTS, '  email-alert from f@x', 'backend b', '  email-alert mailers m', '  server s 127.0.0.1:1', 'frontend f', '  bind 127.0.0.1:1', '  email-alert level info'));
    assert.equal(model.backends[0]?.emailAlert, undefined);
    const text = (kind: string, name: string) =>
      `'email-alert' will be ignored for ${kind} '${name}' (the presence any of 'email-alert from', 'email-alert level' 'email-alert mailers', 'email-alert myhostname', or 'email-alert to' requires each of 'email-alert from', 'email-alert mailers' and 'email-alert to' to be present).`;
    assert.deepEqual(warnings(model), [
      [10, 'email-alert', text('backend', 'b')],
      [13, 'email-alert', text('frontend', 'f')],
      // No complete proxy names it.
      [1, 'mailers', "Removing incomplete section 'mailers m'."],
    ]);
  });

  it("refuses HAProxy's invalid forms and an unknown mailers section", async () => {
    const messages = async (...lines: string[]) => (await errors(cfg(...lines))).map((e) => e[3]);
    assert.deepEqual(await messages('backend b', '  email-alert'), ["missing argument after 'email-alert'."]);
    assert.deepEqual(await messages('backend b', '  email-alert foo x'), ["email-alert: unknown argument 'foo'."]);
    assert.deepEqual(await messages('backend b', '  email-alert level loud'), ["unknown log level 'loud' after 'level'"]);
    assert.deepEqual(await messages('backend b', '  email-alert mailers nope', '  email-alert from f', '  email-alert to t'), ["Proxy 'b': unable to find mailers 'nope'."]);
  });
});
