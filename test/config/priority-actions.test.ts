/** `set-priority-class` / `set-priority-offset` in `http-request` and `tcp-request content` rules, with HAProxy 2.6.12's messages. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TIMEOUTS, cfg, errors, parse } from './support.ts';

const frontend = (...lines: string[]) =>
  cfg('defaults', '  mode http', ...TIMEOUTS, 'frontend fe', '  bind 127.0.0.1:8080', ...lines, '  default_backend be', 'backend be', '  server s 127.0.0.1:1');

describe('set-priority-class and set-priority-offset rules', () => {
  it('models, in http-request and tcp-request content rules', async () => {
    const model = await parse(
      frontend('  http-request set-priority-class req.hdr(x-class),add(1) if TRUE', '  tcp-request content set-priority-offset int(-100)', '  http-request set-header x %[prio_class]/%[prio_offset]'),
    );
    const fe = model.frontends[0];
    const http = fe?.httpRequestRules?.[0];
    assert.deepEqual(http?.action === 'set-priority-class' ? [http.expression, http.condition !== undefined] : undefined, ['req.hdr(x-class),add(1)', true]);
    const tcp = fe?.tcpRules?.content[0];
    assert.deepEqual(tcp?.action === 'set-priority-offset' ? tcp.expression : undefined, 'int(-100)');
  });

  it('errors (HAProxy names the action where it says "fetch method")', async () => {
    const first = async (line: string) => (await errors(frontend(line)))[0]?.[3];
    const rule = (action: string, m: string) => `error detected in frontend 'fe' while parsing 'http-request ${action}' rule : ${m}.`;
    assert.equal(await first('  http-request set-priority-class'), rule('set-priority-class', 'missing fetch method'));
    assert.equal(
      await first('  http-request set-priority-class res.hdr(x)'),
      rule('set-priority-class', "fetch method 'set-priority-class' extracts information from 'HTTP response headers', none of which is available here"),
    );
    assert.equal(await first('  http-request set-priority-offset int(1) foo'), "'http-request set-priority-offset' expects either 'if' or 'unless' followed by a condition but found 'foo'.");
    assert.match((await first('  http-request set-priority-class nosuch')) ?? '', /unknown fetch method 'nosuch'/);
    assert.equal(await first('  tcp-request content set-priority-offset'), 'missing fetch method');
    assert.match((await first('  tcp-request connection set-priority-class int(1)')) ?? '', /'tcp-request connection' expects .* but got 'set-priority-class'/);
    assert.match((await first('  http-response set-priority-class int(1)')) ?? '', /'http-response' expects .* but got 'set-priority-class'/);
  });
});
