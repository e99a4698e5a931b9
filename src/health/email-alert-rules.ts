/**
 * The SMTP exchange of one email alert, as the tcp-check rules HAProxy 2.6 builds for it
 * (mailers.c enqueue_one_email_alert) and runs like any tcp-check (tcp-check/probe.ts):
 *
 *   connect
 *   expect "220 "   send "HELO <myhostname>\r\n"
 *   expect "250 "   send "MAIL FROM:<<from>>\r\n"
 *   expect "250 "   send "RCPT TO:<<to>>\r\n"
 *   expect "250 "   send "DATA\r\n"
 *   expect "354 "   send the headers From, To, Date, Subject "[HAProxy Alert] <message>", the
 *                   message as the body, and the "." line
 *   expect "250 "   send "QUIT\r\n"
 *   expect "221 "
 *
 * Each expect looks for its string anywhere in what arrived since the last send, and its rules
 * carry no min-recv (0, not -1): once as many bytes as the string arrived, a mismatch fails the
 * alert rather than waiting for more (a multi-line reply split across reads fails, as in HAProxy).
 */
import { latin1Bytes } from '../http/codec/chars.ts';
import { brokenDownTime, strftime } from '../util/strftime.ts';
import type { ConnectRule, ExpectRule, SendRule, TcpCheckRule, TcpCheckRuleSet } from './tcp-check/rules.ts';

/** What one alert says, and to whom. */
export interface EmailAlertLetter {
  readonly from: string;
  readonly to: string;
  /** The HELO argument. */
  readonly myhostname: string;
  /** The event, without HAProxy's trailing '.' of its log line. */
  readonly message: string;
  /** Wall-clock seconds since the epoch, for the Date header (host's local time zone). */
  readonly date: number;
}

/** HAProxy's `%a, %d %b %Y %T %z (%Z)` of the local time. */
export function emailDate(epochSeconds: number): string {
  return strftime('%a, %d %b %Y %T %z (%Z)', brokenDownTime(epochSeconds, false));
}

/** The DATA payload: headers, blank line, body, blank line and the terminating ".". */
export function emailAlertData(letter: EmailAlertLetter): string {
  const { from, to, message } = letter;
  return `From: ${from}\r\nTo: ${to}\r\nDate: ${emailDate(letter.date)}\r\nSubject: [HAProxy Alert] ${message}\r\n\r\n${message}\r\n\r\n.\r\n`;
}

function connect(step: number): ConnectRule {
  return {
    action: 'connect',
    step,
    implicit: false,
    isDefault: false,
    port: undefined,
    addr: undefined,
    sendProxy: false,
    ssl: false,
    sni: undefined,
    alpn: undefined,
    comment: undefined,
    viaSocks4: false,
    linger: false,
  };
}

function expect(step: number, index: number, text: string): ExpectRule {
  return {
    action: 'expect',
    step,
    head: index,
    match: 'string',
    negate: false,
    needle: latin1Bytes(text),
    regex: undefined,
    custom: undefined,
    pattern: text,
    minRecv: 0,
    okStatus: 'L7OK',
    errorStatus: 'L7RSP',
    toutStatus: 'L7TOUT',
    onSuccess: undefined,
    onError: undefined,
    statusCode: undefined,
    comment: undefined,
  };
}

function send(step: number, text: string): SendRule {
  return { action: 'send', step, data: latin1Bytes(text), comment: undefined };
}

/** The rules of one alert (a user tcp-check ruleset: HAProxy flags it TCPCHK_RULES_TCP_CHK). */
export function emailAlertRules(letter: EmailAlertLetter): TcpCheckRuleSet {
  const exchange: readonly (readonly [expected: string, sent: string | undefined])[] = [
    ['220 ', `HELO ${letter.myhostname}\r\n`],
    ['250 ', `MAIL FROM:<${letter.from}>\r\n`],
    ['250 ', `RCPT TO:<${letter.to}>\r\n`],
    ['250 ', 'DATA\r\n'],
    ['354 ', emailAlertData(letter)],
    ['250 ', 'QUIT\r\n'],
    ['221 ', undefined],
  ];
  const rules: TcpCheckRule[] = [connect(1)];
  for (const [expected, sent] of exchange) {
    rules.push(expect(rules.length + 1, rules.length, expected));
    if (sent !== undefined) rules.push(send(rules.length + 1, sent));
  }
  return { rules, userRules: true };
}
