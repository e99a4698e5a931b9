/**
 * `option originalto [except NETWORK] [header NAME]` (src/config/keywords/original-to.ts):
 * the model on both sides, inheritance, HAProxy's errors and its warning in tcp mode.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config/errors.ts';
import { parseConfigText } from '../../src/config/load.ts';
import type { ConfigModel } from '../../src/config/model.ts';

const cfg = (...lines: string[]): string => `${lines.join('\n')}\n`;
const TIMEOUTS = ['  timeout connect 5s', '  timeout client 30s', '  timeout server 30s'];

function parse(text: string): Promise<ConfigModel> {
  return parseConfigText(text, 't.cfg');
}

async function errors(text: string): Promise<[number, string][]> {
  try {
    await parse(text);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.diagnostics.map((d) => [d.line, d.message]);
  }
  assert.fail('expected the configuration to be refused');
}

const listen = (...lines: string[]): string => cfg('defaults', '  mode http', ...TIMEOUTS, 'listen l', '  bind :80', ...lines, '  server s 127.0.0.1:81');

describe('option originalto', () => {
  it('adds X-Original-To by default on both sides of a listen; absent when not set', async () => {
    const model = await parse(listen('  option originalto'));
    assert.deepEqual(model.frontends[0]?.http?.originalTo, { header: 'x-original-to', except: undefined });
    assert.deepEqual(model.backends[0]?.http?.originalTo, { header: 'x-original-to', except: undefined });
    assert.equal((await parse(listen())).frontends[0]?.http?.originalTo, undefined);
  });

  it('takes except (address, network, dotted mask, IPv6) and header; a later line replaces an earlier one; inherited', async () => {
    assert.deepEqual((await parse(listen('  option originalto except 10.0.0.0/255.0.0.0 header X-Dst'))).backends[0]?.http?.originalTo, {
      header: 'x-dst',
      except: '10.0.0.0/8',
    });
    assert.deepEqual((await parse(listen('  option originalto except 2001:db8:1f89::/48', '  option originalto'))).backends[0]?.http?.originalTo, {
      header: 'x-original-to',
      except: undefined,
    });
    const inherited = await parse(cfg('defaults', '  mode http', ...TIMEOUTS, '  option originalto except ::1', 'backend b', '  server s 127.0.0.1:81'));
    assert.deepEqual(inherited.backends[0]?.http?.originalTo, { header: 'x-original-to', except: '::1' });
  });

  it('refuses what HAProxy refuses, with its messages', async () => {
    assert.deepEqual(await errors(listen('  option originalto except')), [[8, "'option originalto except' expects <address>[/mask] as argument."]]);
    assert.deepEqual(await errors(listen('  option originalto except nowhere')), [[8, "'option originalto except' expects <address>[/mask] as argument."]]);
    assert.deepEqual(await errors(listen('  option originalto header')), [[8, "'option originalto header' expects <header_name> as argument."]]);
    assert.deepEqual(await errors(listen('  option originalto if-none')), [[8, "'option originalto' only supports optional values: 'except' and 'header'."]]);
    assert.deepEqual(await errors(listen('  no option originalto')), [[8, "negation/default is not supported for option 'originalto'."]]);
  });

  it('is ignored in tcp mode with HAProxy\u2019s warning', async () => {
    const model = await parse(cfg('defaults', ...TIMEOUTS, 'listen l', '  bind :80', '  option originalto', '  server s 127.0.0.1:81'));
    assert.equal(model.backends[0]?.http?.originalTo, undefined);
    assert.deepEqual(
      model.warnings.filter((w) => w.keyword === 'option originalto').map((w) => [w.line, w.message]),
      [[7, "'option originalto' ignored for proxy 'l' as it requires HTTP mode."]],
    );
  });
});
