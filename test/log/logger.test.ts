import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { LogTarget } from '../../src/config/model.ts';
import { LogLevel, ProxyLogger } from '../../src/log/logger.ts';
import { FakeRuntime } from '../support/fake-runtime.ts';

const source = { file: 't.cfg', line: 1 };

function target(extra: Partial<LogTarget>): LogTarget {
  return { target: 'stdout', format: 'raw', facility: 'local0', source, ...extra };
}

it('frames lines per format and routes them to stdout or stderr', () => {
  const rt = new FakeRuntime();
  new ProxyLogger(rt, [target({ format: 'short' }), target({ target: 'stderr', format: 'rfc3164', facility: 'local1' })], false).emit(LogLevel.info, 'hello');
  assert.deepEqual(rt.stdout, ['<6>hello\n'], 'short: the level alone, as HAProxy');
  assert.match(rt.stderr[0] ?? '', /^<142>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d switchyard\[4242\]: hello\n$/);
});

it('drops messages above the target level, raises those below minlevel, and truncates to len', () => {
  const rt = new FakeRuntime();
  const logger = new ProxyLogger(rt, [target({ format: 'short', level: 'notice', minLevel: 'err', maxLength: 10 })], false);
  logger.emit(LogLevel.info, 'traffic line');
  assert.deepEqual(rt.stdout, [], 'info is more verbose than notice');
  logger.emit(LogLevel.alert, 'an alert message');
  assert.deepEqual(rt.stdout, ['<3>an aler\n'], 'alert raised to err (3), line cut at 10 bytes');
});

it('ignores targets other than stdout/stderr (warned about at load time)', () => {
  const rt = new FakeRuntime();
  const logger = new ProxyLogger(rt, [target({ target: '127.0.0.1:514' })], false);
  assert.equal(logger.enabled, false);
});
