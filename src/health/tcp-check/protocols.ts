/**
 * The rule sets HAProxy 2.6 ships for protocol checks (tcpcheck.c proxy_parse_*_opt), built
 * here with the same steps, patterns, statuses and messages. HAProxy writes their messages as
 * log-format strings over `res.payload`; they are plain functions of the response here.
 * smtpchk, pgsql-check and mysql-check connect with `linger` ("Some servers don't like reset
 * on close"): their connections end with a FIN; the other protocol checks end with a reset.
 */
import type { ProtocolCheckModel } from '../../config/model.ts';
import type { CheckOutcome } from '../check-status.ts';
import { spopCheck } from './spop.ts';
import {
  connectRule,
  expectRule,
  finishRuleSet,
  hexBytes,
  latin1Of,
  type CustomVerdict,
  type ExpectInput,
  type ExpectRule,
  type TcpCheckRule,
  type TcpCheckRuleSet,
} from './rules.ts';

function latin1(data: Uint8Array, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i++) out += String.fromCharCode(data[i] as number);
  return out;
}

/** `%[res.payload(OFFSET,0),ltrim(' '),cut_crlf]` (ltrim only when `trim`). */
function payloadLine(offset: number, trim: boolean) {
  return (data: Uint8Array, length: number): string => {
    let start = Math.min(offset, length);
    if (trim) while (start < length && data[start] === 0x20) start++;
    let end = start;
    while (end < length && data[end] !== 0x0d && data[end] !== 0x0a) end++;
    return latin1(data, start, end);
  };
}

/** `%[res.payload(OFFSET,0)]`: up to the first NUL, as HAProxy's C string. */
function payloadText(offset: number) {
  return (data: Uint8Array, length: number): string => {
    let end = Math.min(offset, length);
    while (end < length && data[end] !== 0) end++;
    return latin1(data, Math.min(offset, length), end);
  };
}

/** `status-code res.payload(0,3)`: the 3-digit reply code. */
function replyCode(data: Uint8Array, length: number): number | undefined {
  if (length < 3) return undefined;
  const text = latin1(data, 0, 3);
  return /^\d{3}$/.test(text) ? Number(text) : undefined;
}

function redis(): TcpCheckRule[] {
  return [
    { action: 'send', step: 1, data: latin1Of('*1\r\n$4\r\nPING\r\n'), comment: undefined },
    expectRule(2, {
      match: 'string',
      pattern: '+PONG\r\n',
      needle: latin1Of('+PONG\r\n'),
      errorStatus: 'L7STS',
      onError: payloadLine(0, false),
      onSuccess: () => 'Redis server is ok',
    }),
  ];
}

function smtp(command: string): TcpCheckRule[] {
  return [
    connectRule(1, { isDefault: true, linger: true }),
    expectRule(2, { match: 'rstring', pattern: '^[0-9]{3}[ \r]', regex: /^[0-9]{3}[ \r]/, minRecv: 4, errorStatus: 'L7RSP', onError: payloadLine(0, false) }),
    expectRule(3, {
      match: 'rstring',
      pattern: '^2[0-9]{2}[ \r]',
      regex: /^2[0-9]{2}[ \r]/,
      minRecv: 4,
      errorStatus: 'L7STS',
      onError: payloadLine(4, true),
      statusCode: replyCode,
    }),
    { action: 'send', step: 4, data: latin1Of(`${command}\r\n`), comment: undefined },
    expectRule(5, {
      match: 'rstring',
      pattern: '^2[0-9]{2}[- \r]',
      regex: /^2[0-9]{2}[- \r]/,
      minRecv: 4,
      errorStatus: 'L7STS',
      onError: payloadLine(4, true),
      onSuccess: payloadLine(4, true),
      statusCode: replyCode,
    }),
  ];
}

function pgsql(user: string): TcpCheckRule[] {
  const name = latin1Of(user);
  const packet = new Uint8Array(15 + name.length);
  new DataView(packet.buffer).setUint32(0, packet.length);
  packet.set([0x00, 0x03, 0x00, 0x00], 4);
  packet.set(latin1Of('user\0'), 8);
  packet.set(name, 13);
  // The username's NUL and the closing NUL are already zero.
  return [
    connectRule(1, { isDefault: true, linger: true }),
    { action: 'send', step: 2, data: packet, comment: undefined },
    expectRule(3, { match: 'rstring', negate: true, pattern: '^E', regex: /^E/, minRecv: 5, errorStatus: 'L7RSP', onError: payloadText(6) }),
    expectRule(4, {
      match: 'rbinary',
      pattern: '^52000000(08|0A|0C)000000(00|02|03|04|05|06)',
      regex: /^52000000(08|0A|0C)000000(00|02|03|04|05|06)/,
      minRecv: 9,
      errorStatus: 'L7STS',
      onSuccess: () => 'PostgreSQL server is ok',
      onError: () => 'PostgreSQL unknown error',
    }),
  ];
}

/** MySQL packet at `offset` (tcpcheck_mysql_expect_packet): an error packet fails with its code and text. */
function mysqlPacket(input: ExpectInput, rule: ExpectRule, offset: number): CustomVerdict {
  const { data, length } = input;
  const truncated: CustomVerdict = input.lastRead ? { kind: 'done', outcome: failure(rule, 'L7RSP', 0, '') } : { kind: 'wait' };
  if (length < offset + 4) return truncated;
  const size = (data[offset] as number) | ((data[offset + 1] as number) << 8) | ((data[offset + 2] as number) << 16);
  if (length < offset + size + 4) return truncated;
  if (data[offset + 4] === 0xff) {
    const code = (data[offset + 5] as number) | ((data[offset + 6] as number) << 8);
    return { kind: 'done', outcome: failure(rule, 'L7STS', code, latin1(data, offset + 7, length)) };
  }
  if (!input.isLast) return { kind: 'continue' };
  // The server version from the handshake, as HAProxy's info.
  return { kind: 'done', outcome: { status: rule.okStatus ?? 'L7OK', code: 0, desc: payloadText(5)(data, length) } };
}

function failure(rule: ExpectRule, status: CheckOutcome['status'], code: number, info: string): CheckOutcome {
  let desc = info;
  if (rule.comment !== undefined) desc += ` comment: ${rule.comment}`;
  return { status: rule.errorStatus ?? status, code, desc };
}

function mysql(user: string | undefined, post41: boolean): TcpCheckRule[] {
  const iniths = (input: ExpectInput, rule: ExpectRule) => mysqlPacket(input, rule, 0);
  if (user === undefined) return [connectRule(1, { isDefault: true, linger: true }), expectRule(2, { match: 'custom', custom: iniths })];
  const name = latin1Of(user);
  // Client authentication packet then COM_QUIT (HAProxy's mysql40_req / mysql41_req).
  const body = post41
    ? [...hexBytes('00820000' + '00800001' + '21' + '00'.repeat(23)), ...name, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01]
    : [...hexBytes('0080' + '000001'), ...name, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01];
  const length = name.length + (post41 ? 7 + 27 : 7);
  const packet = Uint8Array.from([length & 0xff, (length >> 8) & 0xff, (length >> 16) & 0xff, 0x01, ...body]);
  const ok = (input: ExpectInput, rule: ExpectRule) => {
    const { data, length: n } = input;
    const handshake = n < 3 ? 4 : 4 + ((data[0] as number) | ((data[1] as number) << 8) | ((data[2] as number) << 16));
    return mysqlPacket(input, rule, handshake);
  };
  return [
    connectRule(1, { isDefault: true, linger: true }),
    { action: 'send', step: 2, data: packet, comment: undefined },
    expectRule(3, { match: 'custom', custom: iniths }),
    expectRule(4, { match: 'custom', custom: ok }),
  ];
}

/** LDAPv3 bind response (tcpcheck_ldap_expect_bindrsp). */
function ldapBindResponse(input: ExpectInput, rule: ExpectRule): CustomVerdict {
  const { data, length } = input;
  const notLdap: CustomVerdict = { kind: 'done', outcome: failure(rule, 'L7RSP', 0, 'Not LDAPv3 protocol') };
  const tooShort: CustomVerdict = input.lastRead ? { kind: 'done', outcome: failure(rule, 'L7RSP', 0, '') } : { kind: 'wait' };
  let at = 1;
  let nbytes = 0;
  let size: number;
  const first = data[at] as number;
  if (first & 0x80) {
    nbytes = first & 0x7f;
    if (length < 1 + nbytes) return tooShort;
    const view = new DataView(data.buffer, data.byteOffset, length);
    if (nbytes === 4) size = view.getUint32(at + 1);
    else if (nbytes === 2) size = view.getUint16(at + 1);
    else return notLdap;
  } else size = first;
  at += 1 + nbytes;
  if (length < 2 + nbytes + size) return tooShort;
  if (data[at] !== 0x02 || data[at + 1] !== 0x01 || data[at + 2] !== 0x01 || data[at + 3] !== 0x61) return notLdap;
  at += 4;
  const bindSize = data[at] as number;
  at += 1 + (bindSize & 0x80 ? bindSize & 0x7f : 0);
  if (data[at] !== 0x0a || data[at + 1] !== 0x01) return notLdap;
  const code = (data[at + 2] ?? 0) as number;
  if (code !== 0) {
    return { kind: 'done', outcome: failure(rule, 'L7STS', code, 'See RFC: http://tools.ietf.org/html/rfc4511#section-4.1.9') };
  }
  return { kind: 'done', outcome: { status: rule.okStatus ?? 'L7OK', code: 0, desc: 'Success' } };
}

function ldap(): TcpCheckRule[] {
  return [
    { action: 'send', step: 1, data: hexBytes('300C020101600702010304008000'), comment: undefined },
    expectRule(2, { match: 'rbinary', pattern: '^30', regex: /^30/, minRecv: 14, onError: () => 'Not LDAPv3 protocol' }),
    expectRule(3, { match: 'custom', custom: ldapBindResponse }),
  ];
}

/** SSLv3 CLIENT HELLO with the current time, HAProxy's ssl-hello-chk payload. */
function sslHello(): Uint8Array {
  const ciphers: number[] = [];
  for (let c = 0x01; c <= 0x1b; c++) ciphers.push(0x00, c);
  for (let c = 0x2f; c <= 0x3a; c++) ciphers.push(0x00, c);
  const head = hexBytes('16' + '0300' + '0079' + '01' + '000075' + '0300');
  const time = new Uint8Array(4);
  new DataView(time.buffer).setUint32(0, Math.floor(Date.now() / 1000) >>> 0);
  const random = latin1Of('HAPROXYSSLCHK\nHAPROXYSSLCHK\n');
  return Uint8Array.from([...head, ...time, ...random, 0x00, 0x00, 0x4e, ...ciphers, 0x01, 0x00]);
}

function sslHelloCheck(): TcpCheckRule[] {
  return [
    { action: 'send', step: 1, data: sslHello, comment: undefined },
    expectRule(2, { match: 'rbinary', pattern: '^1[56]', regex: /^1[56]/, minRecv: 5, okStatus: 'L6OK', errorStatus: 'L6RSP', toutStatus: 'L6TOUT' }),
  ];
}

export function protocolRuleSet(protocol: ProtocolCheckModel): TcpCheckRuleSet {
  switch (protocol.kind) {
    case 'redis':
      return finishRuleSet(redis(), false);
    case 'smtp':
      return finishRuleSet(smtp(protocol.command), false);
    case 'pgsql':
      return finishRuleSet(pgsql(protocol.user), false);
    case 'mysql':
      return finishRuleSet(mysql(protocol.user, protocol.post41), false);
    case 'ldap':
      return finishRuleSet(ldap(), false);
    case 'ssl-hello':
      return finishRuleSet(sslHelloCheck(), false);
    case 'spop':
      return finishRuleSet(spopCheck(), false);
  }
}
