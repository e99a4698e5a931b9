/** `http-request|http-response wait-for-body` and `option http-buffer-request` in the configuration, with HAProxy 2.6.12's messages. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TIMEOUTS, cfg, errors, parse } from './support.ts';

const frontend = (...lines: string[]) =>
  cfg('defaults', '  mode http', ...TIMEOUTS, 'frontend fe', '  bind 127.0.0.1:8080', ...lines, '  default_backend be', 'backend be', '  server s 127.0.0.1:1');

async function first(line: string): Promise<string | undefined> {
  return (await errors(frontend(line)))[0]?.[3];
}

describe('wait-for-body and http-buffer-request', () => {
  it('models the rule and the option', async () => {
    const model = await parse(frontend('  option http-buffer-request', '  http-request wait-for-body time 2s at-least 1k if { method POST }', '  http-response wait-for-body time 100ms'));
    const fe = model.frontends[0];
    assert.equal(fe?.options.bufferRequest, true);
    const rule = fe?.httpRequestRules?.[0];
    assert.deepEqual(rule?.action === 'wait-for-body' ? [rule.time, rule.atLeast, rule.condition !== undefined] : undefined, [2000, 1024, true]);
    const res = fe?.httpResponseRules?.[0];
    assert.deepEqual(res?.action === 'wait-for-body' ? [res.time, res.atLeast] : undefined, [100, 0]);
    assert.equal(model.backends[0]?.options.bufferRequest, undefined);
  });

  it("refuses what HAProxy refuses, with its messages", async () => {
    const pre = "error detected in frontend 'fe' while parsing 'http-request wait-for-body' rule : ";
    assert.equal(await first('  http-request wait-for-body'), `${pre}expects time <time> [ at-least <bytes> ].`);
    assert.equal(await first('  http-request wait-for-body time'), `${pre}missing argument for 'time'.`);
    assert.equal(await first('  http-request wait-for-body time 1x'), `${pre}unexpected character 'x'.`);
    assert.equal(await first('  http-request wait-for-body at-least 10'), `${pre}expects time <time> [ at-least <bytes> ].`);
    assert.equal(await first('  http-request wait-for-body time 1s at-least 1q'), `${pre}unexpected character 'q'.`);
    assert.match((await first('  http-request wait-for-body time 1s foo')) ?? '', /expects either 'if' or 'unless' followed by a condition but found 'foo'/);
    assert.match((await first('  http-after-response wait-for-body time 1s')) ?? '', /wait-for-body/);
  });
});

describe('use-service', () => {
  it("refuses a missing or unknown service name with HAProxy's messages", async () => {
    const pre = "error detected in frontend 'fe' while parsing 'http-request use-service' rule : ";
    assert.equal(await first('  http-request use-service'), `${pre}'use-service' expects a service name..`);
    assert.equal(await first('  http-request use-service foo'), `${pre}'foo' unknown service name..`);
    assert.match((await first('  http-response use-service foo')) ?? '', /use-service/);
  });
});
