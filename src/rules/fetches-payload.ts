/**
 * Layer-4..6 fetches on the bytes `tcp-request` / `tcp-response content` rules inspect
 * (HAProxy's payload.c): `req.len`, `req.payload(OFFSET,LENGTH)`, `req.payload_lv(OFFSET,SIZE[,OFFSET2])`,
 * `req.ssl_hello_type`, `req.ssl_sni`, `req.ssl_alpn`, `req.ssl_ver`, `req.rdp_cookie([NAME])`,
 * `req.rdp_cookie_cnt([NAME])`, `req.proto_http`, their pre-1.5 `req_*` spellings, and
 * `res.len`, `res.payload`, `res.payload_lv`, `res.ssl_hello_type`. The TLS ones read the
 * ClientHello in the buffered bytes without terminating TLS (tls-client-hello.ts).
 *
 * A fetch that cannot decide on the bytes received so far calls Payload.missing(): the rule
 * waits for more data (HAProxy's SMP_F_MAY_CHANGE) unless the payload is final.
 */
import { latin1String } from '../http/codec/chars.ts';
import type { MiscFetch } from './fetches-misc.ts';
import { htxHeadLength } from './fetches-header-block.ts';
import { inspectedPayload, type Payload } from './payload.ts';
import type { Args } from './sample-args.ts';
import type { Sample } from './sample.ts';
import type { SampleContext } from './sample-context.ts';
import type { FetchBody } from './sample-fetch.ts';
import { clientHelloAlpn, clientHelloSni, clientHelloVersion, helloType } from './tls-client-hello.ts';

type Read = (payload: Payload, out: Sample) => boolean;
type Side = (ctx: SampleContext) => Payload | undefined;

const request: Side = (ctx) => ctx.requestPayload;
const response: Side = (ctx) => ctx.responsePayload;
/**
 * `payload`, `payload_lv`: HAProxy reads the channel of the rule's direction. A context holds the
 * response bytes only where response rules run (tcp-response content, store-response), the
 * request bytes everywhere else.
 */
const either: Side = (ctx) => ctx.responsePayload ?? ctx.requestPayload;

function body(side: Side, type: FetchBody['type'], read: Read): FetchBody {
  return {
    scope: 'connection',
    type,
    source: side === request ? 'request buffer contents' : side === response ? 'response buffer contents' : 'request buffer contents, response buffer contents',
    sample(ctx, out) {
      const payload = side(ctx);
      return payload === undefined ? false : read(payload, out);
    },
  };
}

const NONE = { min: 0, types: [] } as const;

function simple(side: Side, type: FetchBody['type'], read: Read): MiscFetch {
  const compiled = body(side, type, read);
  return { args: NONE, compile: () => compiled };
}

function int(args: Args, i: number): number {
  const a = args[i];
  return a?.type === 'sint' ? a.value : 0;
}

/** `len`: the bytes so far; may still grow (always "may change" until final). */
const readLength: Read = (payload, out) => {
  if (!payload.final) payload.mayChange = true;
  return out.setInt(payload.bytes.byteLength);
};

/** `req.len` / `res.len`: the buffered bytes under tcp rules; in HTTP mode HAProxy's HTX size of the head. */
function lengthFetch(onResponse: boolean): MiscFetch {
  const side = onResponse ? response : request;
  const compiled: FetchBody = {
    ...body(side, 'int', readLength),
    sample(ctx, out) {
      const payload = side(ctx);
      if (payload !== undefined) return readLength(payload, out);
      const length = htxHeadLength(ctx, onResponse);
      return length === undefined ? false : out.setInt(length);
    },
  };
  return { args: NONE, compile: () => compiled };
}

function payloadFetch(side: Side): MiscFetch {
  return {
    args: { min: 2, types: ['sint', 'sint'] },
    compile(args) {
      const offset = int(args, 0);
      const length = int(args, 1);
      if (offset < 0 || length < 0) return 'offset and length must be positive';
      return body(side, 'bin', (payload, out) => {
        if (length > payload.buffers.size || offset + length > payload.buffers.size) return false;
        const bytes = payload.bytes;
        if (offset + length > bytes.byteLength) return payload.missing();
        // Length 0: everything from the offset on, which may still grow.
        if (length === 0 && !payload.final) payload.mayChange = true;
        return out.setBin(latin1String(bytes, offset, length === 0 ? bytes.byteLength : offset + length));
      });
    },
  };
}

function payloadLvFetch(side: Side): MiscFetch {
  return {
    args: { min: 2, types: ['sint', 'sint', 'str'] },
    compile(args) {
      const lengthOffset = int(args, 0);
      const lengthSize = int(args, 1);
      if (lengthSize <= 0) return 'payload length must be > 0';
      if (lengthOffset < 0) return 'payload offset must be positive';
      // val_payload_lv: an explicit data offset, absolute, or relative when signed.
      let relative: boolean | undefined;
      let dataOffset = 0;
      const third = args[2];
      if (third?.type === 'str' && third.value !== '') {
        const text = third.value;
        if (!/^[+-]?[0-9]+$/.test(text)) return 'payload offset2 is not a number';
        relative = text[0] === '+' || text[0] === '-';
        dataOffset = Number(text);
      }
      return body(side, 'bin', (payload, out) => {
        const bytes = payload.bytes;
        if (lengthOffset + lengthSize > bytes.byteLength) return payload.missing();
        let size = 0;
        for (let i = 0; i < lengthSize; i++) size = size * 256 + (bytes[lengthOffset + i] as number);
        let start = lengthOffset + lengthSize;
        if (relative === true) start += dataOffset;
        else if (relative === false) start = dataOffset;
        if (size === 0 || size > payload.buffers.size || start < 0 || start + size > payload.buffers.size) return false;
        if (start + size > bytes.byteLength) return payload.missing();
        return out.setBin(latin1String(bytes, start, start + size));
      });
    },
  };
}

const readHelloType: Read = (payload, out) => {
  const type = helloType(payload.bytes);
  if (type === 'short') return payload.missing();
  return type === undefined ? false : out.setInt(type);
};

const readSni: Read = (payload, out) => {
  const sni = clientHelloSni(payload.bytes);
  if (sni === 'short') return payload.missing();
  return sni === undefined ? false : out.setStr(sni);
};

/** `req.ssl_alpn`: the ClientHello's first ALPN name; an ACL sees each of them (HAProxy's SMP_F_NOT_LAST). */
const SSL_ALPN: FetchBody = {
  scope: 'connection',
  type: 'str',
  source: 'request buffer contents',
  sample(ctx, out) {
    const payload = ctx.requestPayload;
    if (payload === undefined) return false;
    const names = clientHelloAlpn(payload.bytes);
    if (names === 'short') return payload.missing();
    return names === undefined ? false : out.setStr(names[0] as string);
  },
  each(ctx, out, match) {
    const payload = ctx.requestPayload;
    if (payload === undefined) return false;
    const names = clientHelloAlpn(payload.bytes);
    if (names === 'short') return payload.missing();
    if (names === undefined) return false;
    for (const name of names) if (match((out.setStr(name), out))) return true;
    return false;
  },
};

const readVersion: Read = (payload, out) => {
  const version = clientHelloVersion(payload.bytes);
  if (version === 'short') return payload.missing();
  return version === undefined ? false : out.setInt(version);
};

/** fetch_rdp_cookie_name: the `Cookie: NAME=VALUE` line of an RDP connection request (name empty: any). */
function rdpCookie(bytes: Uint8Array, name: string): string | 'short' | undefined {
  let at = 11;
  let left = bytes.byteLength - 11;
  if (left <= 0) return 'short';
  if (left <= 7) return 'short';
  if (latin1String(bytes, at, at + 7).toLowerCase() !== 'cookie:') return undefined;
  at += 7;
  left -= 7;
  while (left > 0 && bytes[at] === 0x20) {
    at++;
    left--;
  }
  if (name !== '') {
    if (left <= name.length) return 'short';
    if (bytes[at + name.length] !== 0x3d || latin1String(bytes, at, at + name.length).toLowerCase() !== name.toLowerCase()) return undefined;
    at += name.length + 1;
    left -= name.length + 1;
  } else {
    while (left > 0 && bytes[at] !== 0x3d) {
      if (bytes[at] === 0x0d || bytes[at] === 0x0a) return undefined;
      at++;
      left--;
    }
    if (left < 1) return 'short';
    at++;
    left--;
  }
  const start = at;
  while (left > 0 && bytes[at] !== 0x0d) {
    at++;
    left--;
  }
  if (left < 2) return 'short';
  if (bytes[at + 1] !== 0x0a) return undefined;
  return latin1String(bytes, start, at);
}

function rdpCookieFetch(count: boolean): MiscFetch {
  return {
    args: { min: 0, types: ['str'] },
    compile(args) {
      const name = args[0]?.type === 'str' ? args[0].value : '';
      return body(request, count ? 'int' : 'str', (payload, out) => {
        const value = rdpCookie(payload.bytes, name);
        if (value === 'short') return payload.missing();
        if (count) return out.setInt(value === undefined ? 0 : 1);
        return value === undefined ? false : out.setStr(value);
      });
    },
  };
}

const METHOD_CHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** `req.proto_http`: the buffered bytes start with a complete, valid HTTP/1 request line and head. */
const readProtoHttp: Read = (payload, out) => {
  const text = latin1String(payload.bytes, 0, Math.min(payload.bytes.byteLength, payload.buffers.size));
  const eol = text.indexOf('\n');
  if (eol < 0) {
    // Not even a request line yet: undecided, unless what is there already cannot be one.
    const sp = text.indexOf(' ');
    if (sp >= 0 && !METHOD_CHAR.test(text.slice(0, sp))) return out.setBool(false);
    return payload.missing();
  }
  const line = text.slice(0, eol).replace(/\r$/, '');
  const parts = line.split(' ');
  if (parts.length !== 3 || !METHOD_CHAR.test(parts[0] as string) || parts[1] === '' || !/^HTTP\/[0-9]\.[0-9]$/.test(parts[2] as string)) {
    return out.setBool(false);
  }
  if (text.indexOf('\r\n\r\n') < 0 && text.indexOf('\n\n') < 0) return payload.missing();
  return out.setBool(true);
};

/**
 * `req.proto_http` (the HTTP ACL): the request bytes parse as an HTTP request. An HTTP stream
 * has no raw bytes but a parsed request, which is HTTP (HAProxy's smp_prefetch_htx succeeds):
 * the `tcp-request content` rules each request of an upgraded tcp frontend runs see true.
 */
const PROTO_HTTP: MiscFetch = {
  args: NONE,
  compile: () => ({
    ...body(request, 'bool', readProtoHttp),
    sample(ctx, out) {
      const payload = ctx.requestPayload;
      if (payload === undefined) return ctx.lbHead !== undefined && out.setBool(true);
      return readProtoHttp(payload, out);
    },
  }),
};

/**
 * `wait_end` (the WAIT_END ACL): true once the rules inspecting a channel decide for good (the
 * inspect-delay expired, the buffer is full, the peer closed); before that "may change", so a
 * `tcp-request|tcp-response content` rule on it waits. Every other rule set runs on final data.
 */
const WAIT_END: FetchBody = {
  scope: 'constant',
  type: 'bool',
  sample(ctx, out) {
    const inspected = inspectedPayload(ctx);
    if (inspected !== undefined && !inspected.final) return inspected.missing();
    return out.setBool(true);
  },
};

export const PAYLOAD_FETCHES: ReadonlyMap<string, MiscFetch> = new Map<string, MiscFetch>([
  ['req.len', lengthFetch(false)],
  ['req_len', lengthFetch(false)],
  ['req.payload', payloadFetch(request)],
  ['req.payload_lv', payloadLvFetch(request)],
  ['req.ssl_hello_type', simple(request, 'int', readHelloType)],
  ['req_ssl_hello_type', simple(request, 'int', readHelloType)],
  ['req.ssl_sni', simple(request, 'str', readSni)],
  ['req_ssl_sni', simple(request, 'str', readSni)],
  ['req.ssl_alpn', { args: NONE, compile: () => SSL_ALPN }],
  ['req.ssl_ver', simple(request, 'int', readVersion)],
  ['req_ssl_ver', simple(request, 'int', readVersion)],
  ['req.rdp_cookie', rdpCookieFetch(false)],
  ['rdp_cookie', rdpCookieFetch(false)],
  ['req.rdp_cookie_cnt', rdpCookieFetch(true)],
  ['rdp_cookie_cnt', rdpCookieFetch(true)],
  ['req.proto_http', PROTO_HTTP],
  ['req_proto_http', PROTO_HTTP],
  ['wait_end', { args: NONE, compile: () => WAIT_END }],
  ['payload', payloadFetch(either)],
  ['payload_lv', payloadLvFetch(either)],
  ['res.len', lengthFetch(true)],
  ['res.payload', payloadFetch(response)],
  ['res.payload_lv', payloadLvFetch(response)],
  ['res.ssl_hello_type', simple(response, 'int', readHelloType)],
  ['rep_ssl_hello_type', simple(response, 'int', readHelloType)],
]);
