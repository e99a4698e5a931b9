/** The exact texts of HAProxy 2.6's state-change lines (server.c / backend.c). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Server } from '../../src/proxy/server.ts';
import {
  asciiEncode,
  noServerAlertMessage,
  noServerLogMessage,
  serverDownMessage,
  serverUpMessage,
} from '../../src/health/state-messages.ts';
import { server } from '../support/model.ts';

describe('health state-change messages', () => {
  it('DOWN with an L4 connection problem', () => {
    const s = new Server(server('s1', 1));
    assert.equal(
      serverDownMessage('be', s, { status: 'L4CON', code: undefined, desc: 'Connection refused', duration: 0 }, { active: 1, backup: 0 }, 0),
      'Server be/s1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. ' +
        '1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
    );
  });

  it('UP after a Layer7 check, with the code and no info', () => {
    const s = new Server(server('s1', 1));
    assert.equal(
      serverUpMessage('be', s, { status: 'L7OK', code: 200, desc: '', duration: 2 }, { active: 2, backup: 0 }, 0),
      'Server be/s1 is UP, reason: Layer7 check passed, code: 200, check duration: 2ms. ' +
        '2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.',
    );
  });

  it('wrong status: code and reason phrase; timeouts: neither code nor info', () => {
    const s = new Server(server('web', 1));
    assert.match(
      serverDownMessage('app', s, { status: 'L7STS', code: 503, desc: 'Service Unavailable', duration: 3 }, { active: 0, backup: 1 }, 2),
      /^Server app\/web is DOWN, reason: Layer7 wrong status, code: 503, info: "Service Unavailable", check duration: 3ms\. 0 active and 1 backup servers left\. Running on backup\. 0 sessions active, 2 requeued, 0 remaining in queue\.$/,
    );
    assert.match(
      serverDownMessage('app', s, { status: 'L4TOUT', code: undefined, desc: '', duration: 1001 }, { active: 0, backup: 0 }, 0),
      /^Server app\/web is DOWN, reason: Layer4 timeout, check duration: 1001ms\. 0 active and 0 backup servers left\. 0 sessions/,
    );
    assert.match(
      serverDownMessage('app', s, { status: 'L7TOUT', code: 200, desc: '', duration: 5 }, { active: 0, backup: 0 }, 0),
      /, reason: Layer7 timeout, check duration: 5ms\./,
    );
  });

  it('backup servers are named as such, and sessions/queue figures come from the server', () => {
    const s = new Server(server('b1', 1, { backup: true }));
    s.active = 4;
    assert.match(
      serverDownMessage('be', s, { status: 'L4CON', code: undefined, desc: 'Connection refused', duration: 0 }, { active: 1, backup: 0 }, 0),
      /^Backup Server be\/b1 is DOWN, .* 4 sessions active, 0 requeued, 0 remaining in queue\.$/,
    );
  });

  it('no server available: log and console forms', () => {
    assert.equal(noServerLogMessage('backend', 'be'), 'backend be has no server available!');
    assert.equal(noServerAlertMessage('backend', 'be'), "backend 'be' has no server available!");
    assert.equal(noServerLogMessage('listen', 'web'), 'listen web has no server available!');
  });

  it('info is ascii-encoded with the quote escaped', () => {
    assert.equal(asciiEncode('say "hi"\r\n\\'), 'say \\"hi\\"\\r\\n\\\\');
    assert.equal(asciiEncode('\x01é'), '\\x01\\xe9');
  });
});
