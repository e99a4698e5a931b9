/** parse_log_message and build_log_header for relayed messages (src/log/syslog-message.ts, forwarded-header.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSyslogMessage } from '../../src/log/syslog-message.ts';
import { forwardedHeader } from '../../src/log/forwarded-header.ts';

const bytes = (text: string): Uint8Array => new Uint8Array([...text].map((c) => c.charCodeAt(0)));
const text = (b: Uint8Array): string => String.fromCharCode(...b);
/** 2026-12-06 18:00:00 local time. */
const NOW = new Date(2026, 11, 6, 18, 0, 0).getTime();

describe('parseSyslogMessage', () => {
  it('reads an RFC 3164 header: time, host, tag and pid', () => {
    const m = parseSyslogMessage(bytes('<134>Dec  6 10:11:12 myhost app[123]: hello'));
    assert.equal(m.facility, 16);
    assert.equal(m.level, 6);
    assert.deepEqual(m.metadata, { prio: '<134>', time: 'Dec  6 10:11:12', host: 'myhost', tag: 'app', pid: '123', msgid: '', structuredData: '' });
    assert.equal(text(m.message), 'hello');
  });

  it('reads an RFC 3164 header without a tag', () => {
    const m = parseSyslogMessage(bytes('<14>Dec  6 10:11:12 hostonly msg here'));
    assert.equal(m.metadata.host, 'hostonly');
    assert.equal(m.metadata.tag, '');
    assert.equal(text(m.message), 'msg here');
  });

  it('reads an RFC 5424 header, NILVALUEs as absent', () => {
    const m = parseSyslogMessage(bytes('<165>1 2026-12-06T10:11:12.123456+01:00 h2 prog - ID47 [a b="c\\]"] hello'));
    assert.equal(m.facility, 20);
    assert.equal(m.level, 5);
    assert.deepEqual(m.metadata, { prio: '<165>', time: '2026-12-06T10:11:12.123456+01:00', host: 'h2', tag: 'prog', pid: '', msgid: 'ID47', structuredData: '[a b="c\\]"]' });
    assert.equal(text(m.message), 'hello');
    const nil = parseSyslogMessage(bytes('<13>1 - - - - - - nil'));
    assert.deepEqual(nil.metadata, { prio: '<13>', time: '-', host: '', tag: '', pid: '', msgid: '', structuredData: '' });
    assert.equal(text(nil.message), 'nil');
  });

  it('keeps only the PRI of a header it cannot read, and nothing without a PRI', () => {
    const bad = parseSyslogMessage(bytes('<14>garbage header'));
    assert.equal(bad.level, 6);
    assert.deepEqual(bad.metadata, { prio: '<14>', time: '', host: '', tag: '', pid: '', msgid: '', structuredData: '' });
    assert.equal(text(bad.message), 'garbage header');
    const broken5424 = parseSyslogMessage(bytes('<14>1 2026-12-06T10:11:12Z host'));
    assert.equal(broken5424.metadata.time, '');
    assert.equal(text(broken5424.message), '1 2026-12-06T10:11:12Z host');
    for (const raw of ['no prio', '<1x>a', '<', '<12']) {
      const m = parseSyslogMessage(bytes(raw));
      assert.equal(m.level, -1, raw);
      assert.equal(m.facility, -1, raw);
      assert.equal(text(m.message), raw);
    }
  });
});

describe('forwardedHeader', () => {
  const m3164 = parseSyslogMessage(bytes('<134>Dec  6 10:11:12 myhost app[123]: hello')).metadata;
  const m5424 = parseSyslogMessage(bytes('<165>1 2026-12-06T10:11:12.123456+01:00 h2 prog 77 ID47 [a b="c"] hello')).metadata;

  it('without format, writes the header in the form the message came in', () => {
    assert.equal(forwardedHeader('unspec', 6, 16, m3164, NOW), '<134>Dec  6 10:11:12 myhost app[123]: ');
    assert.equal(forwardedHeader('unspec', 5, 20, m5424, NOW), '<165>1 2026-12-06T10:11:12.123456+01:00 h2 prog 77 ID47 [a b="c"] ');
    assert.equal(forwardedHeader('unspec', 6, 1, parseSyslogMessage(bytes('<14>x y')).metadata, NOW), '<14>');
    assert.equal(forwardedHeader('unspec', 0, 1, parseSyslogMessage(bytes('x y')).metadata, NOW), '');
  });

  it('converts the received timestamp between the RFC 3164 and RFC 5424 forms', () => {
    assert.equal(forwardedHeader('rfc5424', 6, 16, m3164, NOW), '<134>1 2026-12-06T10:11:12-00:00 myhost app 123 - - ');
    assert.equal(forwardedHeader('rfc3164', 5, 20, m5424, NOW), '<165>Dec  6 10:11:12 h2 prog[77]: ');
    assert.equal(forwardedHeader('local', 6, 17, m3164, NOW), '<142>Dec  6 10:11:12 app[123]: ');
    assert.equal(forwardedHeader('priority', 3, 1, m3164, NOW), '<11>');
    assert.equal(forwardedHeader('short', 3, 1, m3164, NOW), '<3>');
    assert.equal(forwardedHeader('iso', 3, 1, m5424, NOW), '2026-12-06T10:11:12.123456+01:00 ');
    assert.equal(forwardedHeader('raw', 3, 1, m5424, NOW), '');
  });

  it('writes localhost in rfc3164 without a host, and the current time without a timestamp', () => {
    const none = parseSyslogMessage(bytes('<13>1 - - - - - - nil')).metadata;
    assert.equal(forwardedHeader('rfc3164', 5, 1, none, NOW), '<13>Dec  6 18:00:00 localhost ');
    assert.equal(forwardedHeader('rfc5424', 5, 1, none, NOW), '<13>1 - - - - - - ');
  });
});
