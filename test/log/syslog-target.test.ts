import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseConfigText } from '../../src/config/load.ts';
import { parseSyslogUnixPath } from '../../src/log/syslog-target.ts';

it('reads the UNIX datagram target forms: a path, unix@PATH, abns@NAME padded as HAProxy sends to it', () => {
  assert.deepEqual(parseSyslogUnixPath('/dev/log'), { family: 'unix', path: '/dev/log' });
  assert.deepEqual(parseSyslogUnixPath('unix@/run/log'), { family: 'unix', path: '/run/log' });
  const abns = parseSyslogUnixPath('abns@logs');
  assert.equal(abns?.path.length, 108);
  assert.equal(abns?.path, `\0logs${'\0'.repeat(103)}`);
  assert.equal(parseSyslogUnixPath('abns@'), undefined);
  assert.equal(parseSyslogUnixPath(`abns@${'x'.repeat(108)}`), undefined);
  assert.equal(parseSyslogUnixPath('127.0.0.1:514'), undefined);
});

async function logTargets(target: string): Promise<string[]> {
  const config = await parseConfigText(`global\n    log ${target} local0\nfrontend fe\n    mode http\n    bind 127.0.0.1:8080\n    timeout client 1s\n`, 't.cfg');
  return config.global.logs.map((l) => l.target);
}

it('takes fd@1 and fd@2 as stdout and stderr (HAProxy names those so), and refuses other descriptors at their line', async () => {
  assert.deepEqual(await logTargets('fd@1'), ['stdout']);
  assert.deepEqual(await logTargets('fd@2'), ['stderr']);
  await assert.rejects(logTargets('fd@3'), /t\.cfg:2.*'log' : target 'fd@3' is not supported \(fd@1 and fd@2 are stdout and stderr/s);
  assert.deepEqual(await logTargets('abns@logs'), ['abns@logs']);
});
