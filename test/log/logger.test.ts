import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { LogTarget } from '../../src/config/model.ts';
import { LogLevel, ProxyLogger } from '../../src/log/logger.ts';
import { parseSyslogAddress, SyslogSenders } from '../../src/log/syslog-target.ts';
import { LogSampling } from '../../src/log/log-sampling.ts';
import { parseLogSample } from '../../src/config/keywords/log.ts';
import { FakeRuntime } from '../support/fake-runtime.ts';

const source = { file: 't.cfg', line: 1 };

function target(extra: Partial<LogTarget>): LogTarget {
  return { target: 'stdout', format: 'raw', facility: 'local0', source, ...extra };
}

it('frames lines per format and routes them to stdout or stderr', () => {
  const rt = new FakeRuntime();
  new ProxyLogger(rt, [target({ format: 'short' }), target({ target: 'stderr', format: 'unspec', facility: 'local1' })], false).emit(LogLevel.info, 'hello');
  assert.deepEqual(rt.stdout, ['<6>hello\n'], 'short: the level alone, as HAProxy');
  assert.match(rt.stderr[0] ?? '', /^<142>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d switchyard\[4242\]: hello\n$/, 'no format, no host name: local');
});

it('drops messages above the target level, raises those below minlevel, and truncates to len', () => {
  const rt = new FakeRuntime();
  const logger = new ProxyLogger(rt, [target({ format: 'short', level: 'notice', minLevel: 'err', maxLength: 10 })], false);
  logger.emit(LogLevel.info, 'traffic line');
  assert.deepEqual(rt.stdout, [], 'info is more verbose than notice');
  logger.emit(LogLevel.alert, 'an alert message');
  assert.deepEqual(rt.stdout, ['<3>an aler\n'], 'alert raised to err (3), line cut at 10 bytes');
});

it('frames the priority, timed and iso formats as HAProxy', () => {
  const rt = new FakeRuntime();
  new ProxyLogger(rt, [target({ format: 'priority', facility: 'local2' }), target({ format: 'timed', facility: 'local2' }), target({ format: 'iso' })], false).emit(LogLevel.warning, 'm');
  const iso = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d/;
  assert.deepEqual(
    rt.stdout.map((l) => String(l).replace(iso, 'TIME')),
    ['<148>m\n', '<4>TIME m\n', 'TIME m\n'],
    'priority: facility and level; timed: the level alone then the ISO time; iso: the time alone',
  );
});

it('sends one datagram per line to UNIX socket targets; counts those a full socket drops', () => {
  const rt = new FakeRuntime();
  const syslog = new SyslogSenders(rt);
  const logger = new ProxyLogger(rt, [target({ target: '/dev/log', format: 'short' }), target({ target: 'unix@/run/b', format: 'raw' })], false, { syslog, sampling: new LogSampling() });
  assert.equal(logger.enabled, true);
  logger.emit(LogLevel.info, 'one');
  rt.unixDatagramRoom = 0;
  logger.emit(LogLevel.info, 'two');
  assert.deepEqual(rt.unixDatagrams, [
    ['/dev/log', '<6>one\n'],
    ['/run/b', 'one\n'],
  ]);
  assert.equal(syslog.dropped, 2);
  assert.equal(rt.openUnixDatagrams, 1, 'one socket for every path');
  syslog.close();
  assert.equal(rt.openUnixDatagrams, 0);
});

it('sends one datagram per line to UDP syslog targets, through one socket per address family', () => {
  const rt = new FakeRuntime();
  const syslog = new SyslogSenders(rt);
  const sinks = { syslog, sampling: new LogSampling() };
  const a = new ProxyLogger(rt, [target({ target: '127.0.0.1', format: 'unspec', facility: 'local0' }), target({ target: 'udp6@[::1]:1514', format: 'raw' })], false, sinks);
  const b = new ProxyLogger(rt, [target({ target: 'ipv4@127.0.0.2:5140', format: 'short' })], false, sinks);
  a.emit(LogLevel.info, 'one');
  b.emit(LogLevel.err, 'two');
  assert.deepEqual(
    rt.datagrams.map((d) => [d.family, d.address, d.port, d.text.replace(/^(<\d+>)[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d /, '$1DATE ')]),
    [
      [4, '127.0.0.1', 514, '<134>DATE switchyard[4242]: one\n'],
      [6, '::1', 1514, 'one\n'],
      [4, '127.0.0.2', 5140, '<3>two\n'],
    ],
  );
  assert.equal(rt.openDatagrams, 2);
  syslog.close();
  assert.equal(rt.openDatagrams, 0);
});

it('parses the UDP target forms HAProxy accepts', () => {
  assert.deepEqual(parseSyslogAddress('10.0.0.1'), { family: 4, address: '10.0.0.1', port: 514 });
  assert.deepEqual(parseSyslogAddress('udp@10.0.0.1:1514'), { family: 4, address: '10.0.0.1', port: 1514 });
  assert.deepEqual(parseSyslogAddress('ipv6@::1:1514'), { family: 6, address: '::1', port: 1514 });
  assert.deepEqual(parseSyslogAddress('[2001:db8::1]:99'), { family: 6, address: '2001:db8::1', port: 99 });
  assert.equal(parseSyslogAddress('udp6@10.0.0.1'), undefined);
  assert.deepEqual(parseSyslogAddress('/dev/log'), { family: 'unix', path: '/dev/log' });
  assert.deepEqual(parseSyslogAddress('unix@/run/log'), { family: 'unix', path: '/run/log' });
  assert.equal(parseSyslogAddress('ring@r'), undefined);
  assert.equal(parseSyslogAddress(`/${'x'.repeat(107)}`), undefined, 'longer than sun_path');
  assert.equal(parseSyslogAddress('stdout'), undefined);
  assert.equal(parseSyslogAddress('10.0.0.1:70000'), undefined);
  // No host is the any address, no port syslog's (`${S1_addr}:${S1_port}` with both unset).
  assert.deepEqual(parseSyslogAddress(':'), { family: 4, address: '0.0.0.0', port: 514 });
  assert.deepEqual(parseSyslogAddress(':600'), { family: 4, address: '0.0.0.0', port: 600 });
  assert.deepEqual(parseSyslogAddress('10.0.0.1:'), { family: 4, address: '10.0.0.1', port: 514 });
});

it('sample RANGES:SIZE: each target takes the lines of those indexes, one count shared by every proxy using it', () => {
  const rt = new FakeRuntime();
  const sinks = { syslog: new SyslogSenders(rt), sampling: new LogSampling() };
  const shared = target({ sample: parseLogSample('1,3-4:5') as never });
  const a = new ProxyLogger(rt, [shared], false, sinks);
  const b = new ProxyLogger(rt, [shared], false, sinks);
  for (let i = 1; i <= 10; i++) (i % 2 === 0 ? a : b).emit(LogLevel.info, `l${i}`);
  assert.deepEqual(rt.stdout, ['l1\n', 'l3\n', 'l4\n', 'l6\n', 'l8\n', 'l9\n']);
});

it('parses sample ranges as HAProxy, with its messages', () => {
  assert.deepEqual(parseLogSample('3,1-2:4'), { ranges: [{ low: 1, high: 2 }, { low: 3, high: 3 }], size: 4 });
  assert.equal(parseLogSample('1'), 'Missing sample size');
  assert.equal(parseLogSample('0:2'), "wrong sample range '0'");
  assert.equal(parseLogSample('1-3,2:5'), 'ranges are overlapping');
  assert.equal(parseLogSample('1,3:2'), 'sample size 2 should be greater or equal to 3 the maximum of the high ranges limits');
  assert.equal(parseLogSample('1:x'), "wrong sample size 'x' for sample range '1'");
});

/** Every header format of one message, its date replaced by DATE (rfc3164/local) or ISO (rfc5424). */
function headers(hostname: string, tag: string | undefined, proxyTag?: string): string[] {
  const rt = new FakeRuntime();
  const formats: LogTarget['format'][] = ['unspec', 'local', 'rfc3164', 'rfc5424', 'short', 'raw'];
  const sinks = { syslog: new SyslogSenders(rt), sampling: new LogSampling(), header: { hostname, tag } };
  new ProxyLogger(rt, formats.map((format) => target({ target: 'stderr', format })), false, sinks, proxyTag).emit(LogLevel.info, 'hi');
  return rt.stderr.map((line) =>
    line.replace(/^(<\d+>)[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d /, '$1DATE ').replace(/^(<\d+>1) \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d /, '$1 ISO '),
  );
}

it('writes log-send-hostname and log-tag in each header format, as HAProxy 2.6', () => {
  assert.deepEqual(headers('', undefined), [
    '<134>DATE switchyard[4242]: hi\n',
    '<134>DATE switchyard[4242]: hi\n',
    '<134>DATE localhost switchyard[4242]: hi\n',
    '<134>1 ISO - switchyard 4242 - - hi\n',
    '<6>hi\n',
    'hi\n',
  ]);
  assert.deepEqual(headers('h.example', 'gtag'), [
    '<134>DATE h.example gtag[4242]: hi\n',
    '<134>DATE gtag[4242]: hi\n',
    '<134>DATE h.example gtag[4242]: hi\n',
    '<134>1 ISO h.example gtag 4242 - - hi\n',
    '<6>hi\n',
    'hi\n',
  ]);
  assert.deepEqual(headers('h', 'gtag', 'ptag').slice(0, 2), ['<134>DATE h ptag[4242]: hi\n', '<134>DATE ptag[4242]: hi\n'], "a proxy's log-tag wins");
});

it("writes log-format-sd's structured data in rfc5424's STRUCTURED-DATA field only", () => {
  const rt = new FakeRuntime();
  const logger = new ProxyLogger(rt, [target({ format: 'rfc5424' }), target({ format: 'rfc3164' })], false);
  logger.emit(LogLevel.info, 'm', false, '[a@1 b="c"]');
  logger.emit(LogLevel.info, 'n');
  const iso = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d/;
  assert.deepEqual(
    rt.stdout.filter((_, i) => i % 2 === 0).map((l) => String(l).replace(iso, 'TIME')),
    ['<134>1 TIME - switchyard 4242 - [a@1 b="c"] m\n', '<134>1 TIME - switchyard 4242 - - n\n'],
  );
  assert.doesNotMatch(String(rt.stdout[1]), /a@1/, 'rfc3164 has no such field');
});
