/**
 * The log-format keywords (log-format, error-log-format, unique-id-format, unique-id-header),
 * the slot they share with option httplog/tcplog [clf], the logging options, and HAProxy 2.6's
 * warnings and errors for them (checked against `haproxy -c`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config/errors.ts';
import { defineConfig } from '../../src/config/define-config.ts';
import { parseConfigText } from '../../src/config/load.ts';
import type { ConfigModel, FrontendModel } from '../../src/config/model.ts';
import { CLF_HTTP_LOG_FORMAT, HTTP_LOG_FORMAT, TCP_LOG_FORMAT } from '../../src/log/default-formats.ts';

const cfg = (...lines: string[]): string => `${lines.join('\n')}\n`;
const TIMEOUTS = ['  timeout connect 5s', '  timeout client 30s', '  timeout server 30s'];

function parse(text: string): Promise<ConfigModel> {
  return parseConfigText(text, 'l.cfg');
}

async function errors(text: string): Promise<[number, number, string, string][]> {
  try {
    await parse(text);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.diagnostics.map((d) => [d.line, d.column, d.keyword, d.message]);
  }
  assert.fail('expected the configuration to be refused');
}

function warnings(model: ConfigModel): [number, string][] {
  return model.warnings.map((w) => [w.line, w.message]);
}

function frontend(model: ConfigModel, name: string): FrontendModel {
  const found = model.frontends.find((f) => f.name === name);
  assert.ok(found, `no frontend '${name}'`);
  return found;
}

/** defaults (mode http, timeouts) then the given lines. */
const withDefaults = (...lines: string[]): string => cfg('defaults', '  mode http', ...TIMEOUTS, ...lines);

describe('log-format and the formats of option httplog/tcplog', () => {
  it('keeps log-format as written and gives the options their HAProxy strings', async () => {
    const model = await parse(
      withDefaults(
        'frontend a',
        '  bind :80',
        '  log-format "%ci %{+Q}r"',
        'frontend b',
        '  bind :81',
        '  option httplog',
        'frontend c',
        '  bind :82',
        '  option httplog clf',
        'frontend d',
        '  bind :83',
        '  mode tcp',
        '  option tcplog',
        'frontend e',
        '  bind :84',
      ),
    );
    assert.equal(frontend(model, 'a').logFormat, '%ci %{+Q}r');
    assert.deepEqual(frontend(model, 'a').options, { tcplog: false, httplog: false, dontlognull: false });
    assert.equal(frontend(model, 'b').logFormat, HTTP_LOG_FORMAT);
    assert.equal(frontend(model, 'c').logFormat, CLF_HTTP_LOG_FORMAT);
    assert.equal(frontend(model, 'c').options.httplog, true);
    assert.equal(frontend(model, 'd').logFormat, TCP_LOG_FORMAT);
    assert.equal(frontend(model, 'e').logFormat, undefined);
    assert.ok(!('logFormat' in frontend(model, 'e')), 'absent fields stay absent');
  });

  it('the last of log-format and option httplog|tcplog wins; defaults warn when one overrides another', async () => {
    const model = await parse(
      withDefaults(
        '  option httplog',
        '  log-format "%ci"',
        '  option tcplog',
        '  option httplog clf',
        'frontend f',
        '  bind :80',
        '  option httplog',
        '  log-format "%b"',
      ),
    );
    assert.deepEqual(warnings(model), [
      [7, "'log-format' overrides previous 'option httplog' in 'defaults' section."],
      [8, "'option tcplog' overrides previous 'log-format' in 'defaults' section."],
      [9, "'option httplog clf' overrides previous 'option tcplog' in 'defaults' section."],
    ]);
    assert.equal(frontend(model, 'f').logFormat, '%b');
  });

  it("is ignored in a backend, with HAProxy's warning", async () => {
    const model = await parse(
      withDefaults('backend b', '  log-format "%ci"', '  error-log-format "%ci"', '  option httplog', '  option tcplog', '  server s 127.0.0.1:8080'),
    );
    assert.deepEqual(warnings(model), [
      [7, "backend 'b' : 'log-format' directive is ignored in backends."],
      [8, "backend 'b' : 'error-log-format' directive is ignored in backends."],
      [9, "backend 'b' : 'option httplog' directive is ignored in backends."],
      [10, "backend 'b' : 'option tcplog' directive is ignored in backends."],
    ]);
  });

  it('option httplog clf in a tcp frontend falls back to tcplog like option httplog', async () => {
    const model = await parse(cfg('defaults', ...TIMEOUTS, 'frontend f', '  bind :80', '  option httplog clf'));
    assert.deepEqual(warnings(model), [[7, "'option httplog' not usable with frontend 'f' (needs 'mode http'). Falling back to 'option tcplog'."]]);
    assert.equal(frontend(model, 'f').logFormat, TCP_LOG_FORMAT);
  });

  it('checks the formats once every section is read, at their line', async () => {
    assert.deepEqual(await errors(cfg('defaults', ...TIMEOUTS, 'frontend f', '  bind :80', '  log-format "%ci %r"')), [
      [7, 3, 'log-format', "failed to parse log-format : format variable 'r' is reserved for HTTP mode."],
    ]);
    assert.deepEqual(await errors(withDefaults('  log-format "%zz"', 'frontend f', '  bind :80')), [
      [6, 3, 'log-format', "failed to parse log-format : no such format variable 'zz'. If you wanted to emit the '%' character verbatim, you need to use '%%'."],
    ]);
    const [fetch] = await errors(withDefaults('frontend f', '  bind :80', '  error-log-format "%[req.hdr(host)]"'));
    assert.match(fetch?.[3] ?? '', /^failed to parse error-log-format : failed to parse sample expression <req\.hdr\(host\)\]> : sample fetch 'req\.hdr' may not be reliably used here/);
    const [unique] = await errors(withDefaults('frontend f', '  bind :80', '  unique-id-format %Tt'));
    assert.match(unique?.[3] ?? '', /^failed to parse unique-id : format variable '%Tt' is not supported by Switchyard in unique-id-format yet\.$/);
  });

  it('one argument only, as HAProxy', async () => {
    assert.deepEqual(await errors(withDefaults('frontend f', '  bind :80', '  log-format %ci %cp')), [
      [8, 18, 'log-format', "'log-format' expects only one argument, don't forget to escape spaces!"],
    ]);
    assert.deepEqual(await errors(withDefaults('frontend f', '  bind :80', '  unique-id-format')), [[8, 3, 'unique-id-format', "'unique-id-format' expects an argument."]]);
  });
});

describe('unique ids and the logging options', () => {
  it('unique-id-format, unique-id-header, logasap, dontlog-normal, log-separate-errors', async () => {
    const model = await parse(
      withDefaults(
        '  option logasap',
        'frontend f',
        '  bind :80',
        '  unique-id-format %{+X}o\\ %ci:%cp_%fi:%fp_%Ts_%rt:%pid',
        '  unique-id-header X-Unique-ID',
        '  option dontlog-normal',
        '  option log-separate-errors',
        'frontend g',
        '  bind :81',
        '  no option logasap',
      ),
    );
    const f = frontend(model, 'f');
    assert.equal(f.uniqueIdFormat, '%{+X}o %ci:%cp_%fi:%fp_%Ts_%rt:%pid');
    assert.equal(f.uniqueIdHeader, 'X-Unique-ID');
    assert.deepEqual(f.options, { tcplog: false, httplog: false, dontlognull: false, logasap: true, dontlogNormal: true, logSeparateErrors: true });
    assert.deepEqual(frontend(model, 'g').options, { tcplog: false, httplog: false, dontlognull: false });
  });

  it('defineConfig() takes the same settings', () => {
    const result = defineConfig({
      defaults: { mode: 'http', timeouts: { connect: '5s', client: '30s', server: '30s' } },
      frontends: {
        f: {
          bind: ':80',
          logFormat: '%ci %ST',
          uniqueIdFormat: 'id-%[uuid]',
          uniqueIdHeader: 'X-Id',
          options: { logasap: true, logSeparateErrors: true },
        },
        g: { bind: ':81', options: { httplog: true } },
      },
    });
    const f = frontend(result, 'f');
    assert.equal(f.logFormat, '%ci %ST');
    assert.equal(f.uniqueIdFormat, 'id-%[uuid]');
    assert.equal(f.uniqueIdHeader, 'X-Id');
    assert.equal(f.options.logasap, true);
    assert.equal(f.options.logSeparateErrors, true);
    assert.equal(frontend(result, 'g').logFormat, HTTP_LOG_FORMAT);
  });
});
