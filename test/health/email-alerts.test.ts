/** Email alerts (HAProxy 2.6's mailers.c): the SMTP exchange, its failures and bound, per-mailer queues; on the fake runtime. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emailAlertData, emailAlertRules, emailDate } from '../../src/health/email-alert-rules.ts';
import { EmailAlerts } from '../../src/health/email-alerts.ts';
import type { EmailAlertModel, MailersModel } from '../../src/config/model.ts';
import type { Socket } from '../../src/runtime.ts';
import { FakeRuntime } from '../support/fake-runtime.ts';
import { SmtpDialogue } from '../support/smtp-dialogue.ts';
import { HealthLog } from '../../src/health/health-log.ts';
import { LogLevel } from '../../src/log/logger.ts';

const HOST = '127.0.0.1';
const SETTINGS: EmailAlertModel = { mailers: 'm', from: 'lb@example.com', to: 'ops@example.com', myhostname: 'lb1', level: 1 };
const MESSAGE = 'Server be/s1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue';

function mailers(ports: readonly number[], timeoutMail = 10_000): MailersModel {
  return { name: 'm', timeoutMail, mailers: ports.map((port, i) => ({ name: `smtp${i}`, host: HOST, port })) };
}

interface Session {
  received: string;
  closed: boolean;
}

type Replies = Partial<Record<'greeting' | 'HELO' | 'MAIL' | 'RCPT' | 'DATA' | 'body' | 'QUIT', string | undefined>>;

const STANDARD: Required<Replies> = { greeting: '220 fake ESMTP\r\n', HELO: '250 ok\r\n', MAIL: '250 ok\r\n', RCPT: '250 ok\r\n', DATA: '354 go ahead\r\n', body: '250 queued\r\n', QUIT: '221 bye\r\n' };

const bytes = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** An SMTP server on the fake runtime answering each command (undefined: stays silent), recording what each connection sent. */
async function smtpServer(rt: FakeRuntime, port: number, replies: Replies = {}): Promise<Session[]> {
  const answers = { ...STANDARD, ...replies };
  const sessions: Session[] = [];
  await rt.listen({ host: HOST, port }, (socket) => {
    const session: Session = { received: '', closed: false };
    sessions.push(session);
    const dialogue = new SmtpDialogue((step) => answers[step as keyof Replies]);
    const answer = (s: Socket, text: string | undefined) => {
      if (text !== undefined) s.write(bytes(text));
    };
    answer(socket, answers.greeting);
    socket.setHandler({
      onData(s: Socket, chunk: Uint8Array) {
        const text = String.fromCharCode(...chunk);
        session.received += text;
        for (const reply of dialogue.feed(text)) answer(s, reply);
      },
      onEnd: (s: Socket) => s.end(),
      onDrain() {},
      onClose() {
        session.closed = true;
      },
    });
  });
  return sessions;
}

function run(rt: FakeRuntime, ms: number): void {
  for (let i = 0; i < ms / 10; i++) {
    rt.flush();
    rt.advance(10);
  }
  rt.flush();
}

const DIALOGUE = (message: string, date: string): string =>
  'HELO lb1\r\n' +
  'MAIL FROM:<lb@example.com>\r\n' +
  'RCPT TO:<ops@example.com>\r\n' +
  'DATA\r\n' +
  `From: lb@example.com\r\nTo: ops@example.com\r\nDate: ${date}\r\nSubject: [HAProxy Alert] ${message}\r\n\r\n${message}\r\n\r\n.\r\n` +
  'QUIT\r\n';

describe('email alert rules', () => {
  it("formats the Date header as HAProxy's strftime '%a, %d %b %Y %T %z (%Z)' of the local time", () => {
    const date = emailDate(Date.UTC(2026, 10, 24, 8, 0, 1) / 1000);
    assert.match(date, /^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4} \(.+\)$/);
    if (new Date(Date.UTC(2026, 10, 24)).getTimezoneOffset() === 0) assert.match(date, /^Tue, 24 Nov 2026 08:00:01 \+0000 \((UTC|GMT)\)$/);
  });

  it('connects, then expects 220/250/250/250/354/250/221, sending HELO, MAIL FROM, RCPT TO, DATA, the letter and QUIT between them', () => {
    const letter = { from: 'f@x', to: 't@x', myhostname: 'h', message: 'M', date: 0 };
    const set = emailAlertRules(letter);
    assert.equal(set.userRules, true);
    const text = (data: Uint8Array | ((...args: never[]) => unknown)): string => String.fromCharCode(...(data as Uint8Array));
    assert.deepEqual(
      set.rules.map((r) => (r.action === 'connect' ? ['connect', r.linger] : r.action === 'expect' ? ['expect', r.pattern, r.minRecv] : r.action === 'send' ? ['send', text(r.data)] : [r.action])),
      [
        ['connect', false],
        ['expect', '220 ', 0],
        ['send', 'HELO h\r\n'],
        ['expect', '250 ', 0],
        ['send', 'MAIL FROM:<f@x>\r\n'],
        ['expect', '250 ', 0],
        ['send', 'RCPT TO:<t@x>\r\n'],
        ['expect', '250 ', 0],
        ['send', 'DATA\r\n'],
        ['expect', '354 ', 0],
        ['send', emailAlertData(letter)],
        ['expect', '250 ', 0],
        ['send', 'QUIT\r\n'],
        ['expect', '221 ', 0],
      ],
    );
  });
});

describe('EmailAlerts', () => {
  it('sends one mail to every mailer of the section, each exchange on its own connection, closed once 221 came', async () => {
    const rt = new FakeRuntime();
    const [one, two] = await Promise.all([smtpServer(rt, 2525), smtpServer(rt, 2526)]);
    const alerts = new EmailAlerts(rt, SETTINGS, mailers([2525, 2526]), {});
    const date = emailDate(Math.floor(rt.wallClock() / 1000));
    assert.equal(alerts.send(MESSAGE), true);
    run(rt, 100);
    for (const sessions of [one, two]) {
      assert.equal(sessions?.length, 1);
      assert.equal(sessions?.[0]?.received, DIALOGUE(MESSAGE, date));
      assert.equal(sessions?.[0]?.closed, true);
    }
    assert.equal(rt.pendingTimers, 0, 'no timer left');
  });

  it('mails the levels at or above `email-alert level` only; the host name is the default HELO', async () => {
    const rt = new FakeRuntime();
    Object.assign(rt, { hostname: 'box' });
    const sessions = await smtpServer(rt, 2525);
    const alerts = new EmailAlerts(rt, { ...SETTINGS, myhostname: undefined, level: 5 }, mailers([2525]), {});
    assert.deepEqual([0, 1, 4, 5, 6, 7].map((level) => alerts.wants(level)), [true, true, true, true, false, false]);
    alerts.send('x');
    run(rt, 100);
    assert.match(sessions[0]?.received ?? '', /^HELO box\r\n/);
  });

  it("refuses a message of 1024 bytes or more (HAProxy's 1024-byte buffer): nothing is sent", async () => {
    const rt = new FakeRuntime();
    const sessions = await smtpServer(rt, 2525);
    const alerts = new EmailAlerts(rt, SETTINGS, mailers([2525]), {});
    assert.equal(alerts.send('x'.repeat(1024)), false);
    assert.equal(alerts.send('x'.repeat(1023)), true);
    run(rt, 100);
    assert.equal(sessions.length, 1);
  });

  it('gives up an alert at a reply other than the one expected, never retries it, and goes on with the next', async () => {
    const rt = new FakeRuntime();
    const sessions = await smtpServer(rt, 2525, { RCPT: '550 no such user\r\n' });
    const alerts = new EmailAlerts(rt, SETTINGS, mailers([2525]), {});
    alerts.send('first');
    alerts.send('second');
    run(rt, 100);
    assert.deepEqual(
      sessions.map((s) => [s.received, s.closed]),
      [
        ['HELO lb1\r\nMAIL FROM:<lb@example.com>\r\nRCPT TO:<ops@example.com>\r\n', true],
        ['HELO lb1\r\nMAIL FROM:<lb@example.com>\r\nRCPT TO:<ops@example.com>\r\n', true],
      ],
    );
  });

  it('bounds a silent mailer by `timeout mail`, one alert at a time per mailer', async () => {
    const rt = new FakeRuntime();
    const sessions = await smtpServer(rt, 2525, { greeting: undefined });
    const alerts = new EmailAlerts(rt, SETTINGS, mailers([2525], 1000), {});
    alerts.send('first');
    alerts.send('second');
    run(rt, 990);
    assert.deepEqual(sessions.map((s) => s.closed), [false], 'the second alert waits for the first');
    run(rt, 20);
    assert.deepEqual(sessions.map((s) => s.closed), [true, false]);
    run(rt, 1000);
    assert.deepEqual(sessions.map((s) => s.closed), [true, true]);
    assert.equal(rt.pendingTimers, 0, 'no timer left');
  });

  it("is bounded by the proxy's `timeout connect` instead when shorter and `timeout check` is set (HAProxy's check task)", async () => {
    const rt = new FakeRuntime();
    const sessions = await smtpServer(rt, 2525, { greeting: undefined });
    new EmailAlerts(rt, SETTINGS, mailers([2525], 1000), { connect: 300, check: 5000 }).send('x');
    run(rt, 290);
    assert.equal(sessions[0]?.closed, false);
    run(rt, 20);
    assert.equal(sessions[0]?.closed, true);
    const later = await smtpServer(rt, 2526, { greeting: undefined });
    new EmailAlerts(rt, SETTINGS, mailers([2526], 1000), { connect: 300 }).send('x');
    run(rt, 500);
    assert.equal(later[0]?.closed, false, 'without timeout check, timeout mail alone');
    run(rt, 600);
    assert.equal(later[0]?.closed, true);
  });

  it('stop() abandons the alert under way and those queued', async () => {
    const rt = new FakeRuntime();
    const sessions = await smtpServer(rt, 2525, { greeting: undefined });
    const alerts = new EmailAlerts(rt, SETTINGS, mailers([2525]), {});
    alerts.send('first');
    alerts.send('second');
    run(rt, 50);
    alerts.stop();
    run(rt, 100);
    assert.deepEqual(sessions.map((s) => s.closed), [true]);
    assert.equal(rt.pendingTimers, 0, 'no timer left');
  });
});

describe('HealthLog mailing', () => {
  const subjects = (sessions: readonly Session[]): string[] => sessions.map((s) => /Subject: \[HAProxy Alert\] (.*)\r\n/.exec(s.received)?.[1] ?? '');

  it('mails the state changes it is told to, without the final ".", and log-health-checks results at LOG_INFO, each if the level allows', async () => {
    const rt = new FakeRuntime();
    const sessions = await smtpServer(rt, 2525);
    const alerts = new EmailAlerts(rt, { ...SETTINGS, level: 5 }, mailers([2525]), {});
    const log = new HealthLog(rt, undefined, true, true, { alerts, proxyName: 'be' });
    log.serverState(LogLevel.alert, 'Server be/s1 is DOWN. 0 active.', true);
    log.serverState(LogLevel.alert, 'Server be/s1 is going DOWN for maintenance.');
    log.checkResult('Health check for server be/s1 failed, status: 0/2 DOWN.');
    log.serverState(LogLevel.notice, 'Server be/s1 is UP. 1 active.', true);
    run(rt, 200);
    assert.deepEqual(subjects(sessions), ['Server be/s1 is DOWN. 0 active', 'Server be/s1 is UP. 1 active']);
  });

  it('mails the log-health-checks results at `email-alert level info`', async () => {
    const rt = new FakeRuntime();
    const sessions = await smtpServer(rt, 2525);
    const alerts = new EmailAlerts(rt, { ...SETTINGS, level: 6 }, mailers([2525]), {});
    new HealthLog(rt, undefined, true, true, { alerts, proxyName: 'be' }).checkResult('Health check for server be/s1 failed, status: 0/2 DOWN.');
    run(rt, 100);
    assert.deepEqual(subjects(sessions), ['Health check for server be/s1 failed, status: 0/2 DOWN']);
  });

  it("prints HAProxy's alert for a message too long to mail", async () => {
    const rt = new FakeRuntime();
    const alerts = new EmailAlerts(rt, SETTINGS, mailers([2525]), {});
    const log = new HealthLog(rt, undefined, false, false, { alerts, proxyName: 'be' });
    log.serverState(LogLevel.alert, `${'x'.repeat(1100)}.`, true);
    assert.match(rt.stderr.join(''), /\[ALERT\] +\(4242\) : Email alert \[be\] could not format message\n/);
  });
});
