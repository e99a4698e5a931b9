import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Runtime, UnixDatagramSender } from '../../src/runtime.ts';
import { systemdNotifier } from '../../src/master/service-notify.ts';

interface Sent {
  readonly text: string;
  readonly path: string;
}

function runtimeWith(env: Record<string, string>, unixDatagrams = true): { runtime: Runtime; sent: Sent[]; closed: () => boolean } {
  const sent: Sent[] = [];
  let closed = false;
  const sender: UnixDatagramSender = {
    send: (bytes, path) => {
      sent.push({ text: new TextDecoder().decode(bytes), path });
      return true;
    },
    close: () => {
      closed = true;
    },
  };
  const runtime = {
    name: 'test',
    pid: 4242,
    env: (name: string) => env[name],
    ...(unixDatagrams ? { openUnixDatagramSender: () => sender } : {}),
  } as unknown as Runtime;
  return { runtime, sent, closed: () => closed };
}

describe('systemdNotifier (-Ws)', () => {
  it("sends HAProxy's sd_notify words to $NOTIFY_SOCKET", () => {
    const { runtime, sent, closed } = runtimeWith({ NOTIFY_SOCKET: '/run/systemd/notify' });
    const notifier = systemdNotifier(runtime);
    assert.ok(notifier !== undefined && typeof notifier !== 'string');
    notifier.ready();
    notifier.reloading();
    notifier.ready();
    notifier.stopping();
    notifier.close();
    assert.deepEqual(sent, [
      { text: 'READY=1\nMAINPID=4242', path: '/run/systemd/notify' },
      { text: 'RELOADING=1', path: '/run/systemd/notify' },
      { text: 'READY=1\nMAINPID=4242', path: '/run/systemd/notify' },
      { text: 'STOPPING=1', path: '/run/systemd/notify' },
    ]);
    assert.ok(closed());
  });

  it('maps @NAME to the abstract namespace (a leading NUL)', () => {
    const { runtime, sent } = runtimeWith({ NOTIFY_SOCKET: '@/org/freedesktop/systemd1/notify' });
    const notifier = systemdNotifier(runtime);
    assert.ok(notifier !== undefined && typeof notifier !== 'string');
    notifier.stopping();
    assert.deepEqual(sent, [{ text: 'STOPPING=1', path: '\0/org/freedesktop/systemd1/notify' }]);
  });

  it('is nothing without $NOTIFY_SOCKET, as sd_notify', () => {
    assert.equal(systemdNotifier(runtimeWith({}).runtime), undefined);
    assert.equal(systemdNotifier(runtimeWith({ NOTIFY_SOCKET: '' }).runtime), undefined);
  });

  it('warns where it cannot notify: no UNIX datagrams, or a variable naming no socket', () => {
    assert.match(String(systemdNotifier(runtimeWith({ NOTIFY_SOCKET: '/run/systemd/notify' }, false).runtime)), /systemd is not notified \(test has no UNIX datagram sockets here\)/);
    assert.match(String(systemdNotifier(runtimeWith({ NOTIFY_SOCKET: 'relative/path' }).runtime)), /NOTIFY_SOCKET 'relative\/path' is not a socket path/);
  });
});
