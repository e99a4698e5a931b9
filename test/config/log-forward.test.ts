/** `log-forward` sections in the model, with HAProxy 2.6's errors (cfg_parse_log_forward). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cfg, errors, parse } from './support.ts';

describe('log-forward sections', () => {
  it('reads the listeners, targets (log global expanded) and settings', async () => {
    const model = await parse(
      cfg('global', '  log 127.0.0.1:514 local0', 'log-forward lf', '  dgram-bind 127.0.0.1:5514', '  dgram-bind udp6@[::1]:5515', '  bind :5516', '  log global', '  log 127.0.0.1:6514 format rfc5424 local1 err', '  maxconn 20', '  backlog 7', '  timeout client 5s'),
    );
    const [lf] = model.logForwards ?? [];
    assert.equal(lf?.name, 'lf');
    assert.deepEqual(lf?.dgramBinds, [{ host: '127.0.0.1', port: 5514 }, { host: '::1', port: 5515 }]);
    assert.deepEqual(lf?.binds, [{ host: '0.0.0.0', port: 5516 }]);
    assert.deepEqual(lf?.logs.map((l) => [l.target, l.format, l.facility, l.level]), [['127.0.0.1:514', 'unspec', 'local0', undefined], ['127.0.0.1:6514', 'rfc5424', 'local1', 'err']]);
    assert.equal(lf?.maxconn, 20);
    assert.equal(lf?.backlog, 7);
    assert.equal(lf?.timeoutClient, 5000);
    const plain = await parse(cfg('log-forward lf', '  dgram-bind 127.0.0.1:5514'));
    assert.equal(plain.logForwards?.[0]?.maxconn, 10, "HAProxy's default maxconn");
  });

  it("refuses HAProxy's invalid forms with its messages", async () => {
    const messages = async (...lines: string[]) => (await errors(cfg(...lines))).map((e) => e[3]);
    assert.deepEqual(await messages('log-forward'), ['missing name for ip-forward section.']);
    assert.deepEqual(await messages('log-forward a b'), ["'log-forward' cannot handle unexpected argument 'b'."]);
    assert.deepEqual(await messages('log-forward a', 'log-forward a'), ["log-forward section 'a' has the same name as another log-forward section declared at t.cfg:1."]);
    assert.deepEqual(await messages('log-forward a', '  timeout server 1s'), ["unknown keyword 'timeout server' in log-forward section."]);
    assert.deepEqual(await messages('log-forward a', '  timeout client'), ['missing timeout client value.']);
    assert.deepEqual(await messages('log-forward a', '  maxconn'), ["'maxconn' expects an integer argument."]);
    assert.match((await messages('log-forward a', '  dgram-bind 127.0.0.1:5514 tfo'))[0] ?? '', /option 'tfo' is not supported in a log-forward section/);
    assert.match((await messages('log-forward a', '  bind udp@127.0.0.1:5514'))[0] ?? '', /bind takes a TCP address/);
  });
});
