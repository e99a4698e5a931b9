import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseConfigText } from '../../src/config/load.ts';
import { resolveLogHosts } from '../../src/log/log-hosts.ts';
import { parseSyslogHostTarget } from '../../src/log/syslog-target.ts';

const CONFIG = `global
    log syslog.example local0
    log udp6@logs.example:1514 local1
defaults
    mode http
    timeout client 1s
    timeout server 1s
    timeout connect 1s
frontend fe
    bind 127.0.0.1:8080
    log syslog.example:5140 format raw local2
    http-request return status 200
`;

it('reads the host-name target forms (an optional prefix, port 514 by default)', () => {
  assert.deepEqual(parseSyslogHostTarget('syslog.example'), { host: 'syslog.example', family: undefined, port: 514 });
  assert.deepEqual(parseSyslogHostTarget('udp4@localhost:5140'), { host: 'localhost', family: 4, port: 5140 });
  assert.equal(parseSyslogHostTarget('127.0.0.1:514'), undefined, 'an address, not a name');
  assert.equal(parseSyslogHostTarget('stdout'), undefined);
  assert.equal(parseSyslogHostTarget('/dev/log'), undefined);
  assert.equal(parseSyslogHostTarget('ring@r'), undefined);
  assert.equal(parseSyslogHostTarget('logs:0'), undefined);
});

it('resolves each name once at startup, with the family its prefix asks for', async () => {
  const config = await parseConfigText(CONFIG, 't.cfg');
  const asked: string[] = [];
  const resolved = await resolveLogHosts(config, async (host, family) => {
    asked.push(`${host}/${family ?? ''}`);
    return family === 6 ? ['2001:db8::5'] : ['192.0.2.5', '192.0.2.6'];
  });
  assert.ok(!Array.isArray(resolved));
  assert.deepEqual(asked, ['syslog.example/', 'logs.example/6']);
  assert.deepEqual([...(resolved.global.logHosts ?? new Map()).entries()], [
    ['syslog.example', { family: 4, address: '192.0.2.5', port: 514 }],
    ['udp6@logs.example:1514', { family: 6, address: '2001:db8::5', port: 1514 }],
    ['syslog.example:5140', { family: 4, address: '192.0.2.5', port: 5140 }],
  ]);
});

it("refuses a name that does not resolve with HAProxy's alert at its line", async () => {
  const config = await parseConfigText(CONFIG, 't.cfg');
  const alerts = await resolveLogHosts(config, async (host) => (host === 'logs.example' ? [] : Promise.reject(new Error('ENOTFOUND'))));
  assert.deepEqual(alerts, [
    "parsing [t.cfg:2] : log : invalid address: 'syslog.example' in 'syslog.example'",
    "parsing [t.cfg:3] : log : invalid address: 'logs.example' in 'udp6@logs.example:1514'",
    "parsing [t.cfg:11] : log : invalid address: 'syslog.example' in 'syslog.example:5140'",
  ]);
});
