/** `source` on proxies and servers (HAProxy's cfgparse-listen.c and srv_parse_source). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cfg, errors, parse, TIMEOUTS, warnings } from './support.ts';

describe('source', () => {
  it('sets the backend source, inherited from defaults and replaced by a later line', async () => {
    const model = await parse(cfg('defaults', ...TIMEOUTS, '  source 127.0.0.2', 'backend a', 'backend b', '  source 127.0.0.3:5000', 'backend c', '  source *'));
    assert.deepEqual(
      model.backends.map((b) => b.connectSource),
      [{ address: '127.0.0.2' }, { address: '127.0.0.3', port: 5000 }, { address: '0.0.0.0' }],
    );
  });

  it('on servers: a port or a range, from default-server too', async () => {
    const model = await parse(
      cfg('defaults', ...TIMEOUTS, 'backend b', '  default-server source 127.0.0.9', '  server a 127.0.0.1:80 source 127.0.0.4:6000-6010', '  server c 127.0.0.1:81', '  server d 127.0.0.1:82 source [::1]:7000'),
    );
    assert.deepEqual(
      model.backends[0]?.servers.map((s) => s.connectSource),
      [{ address: '127.0.0.4', ports: { low: 6000, high: 6010 } }, { address: '127.0.0.9' }, { address: '::1', port: 7000 }],
    );
  });

  it('is ignored with a warning in a frontend', async () => {
    const model = await parse(cfg('defaults', ...TIMEOUTS, 'frontend f', '  bind :8000', '  source 127.0.0.2', '  default_backend b', 'backend b'));
    assert.match(warnings(model).map(([, , m]) => m).join('\n'), /'source' ignored because frontend 'f' has no backend capability/);
  });

  it('refuses a range on a proxy, a bad range, a host name, usesrc and interface, at their line', async () => {
    const refused = async (line: string, server = false): Promise<string> => {
      const text = server ? cfg('defaults', ...TIMEOUTS, 'backend b', `  server s 127.0.0.1:80 ${line}`) : cfg('defaults', ...TIMEOUTS, 'backend b', `  ${line}`);
      const [first] = await errors(text);
      assert.equal(first?.[0], 6, line);
      return first?.[3] ?? '';
    };
    assert.match(await refused('source 127.0.0.2:5000-5010'), /port range not permitted here/);
    assert.match(await refused('source'), /expects <addr>\[:<port>\]/);
    assert.match(await refused('source localhost'), /not an IP address/);
    assert.match(await refused('source 127.0.0.2 usesrc client'), /'usesrc' is not supported: .*IP_TRANSPARENT/);
    assert.match(await refused('source 127.0.0.2 interface eth0'), /'interface' is not supported: .*SO_BINDTODEVICE/);
    assert.match(await refused('source 127.0.0.2 foo'), /only supports optional keywords 'interface' and 'usesrc'/);
    assert.match(await refused('source 127.0.0.3:6000-5000', true), /invalid port range '6000-5000'/);
    assert.match(await refused('source 127.0.0.3 usesrc clientip', true), /'usesrc' is not supported/);
    assert.match(await refused('source 127.0.0.3 interface lo', true), /'interface' is not supported/);
  });
});
