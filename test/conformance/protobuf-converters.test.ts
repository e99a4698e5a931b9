/**
 * Black-box conformance of `ungrpc` and `protobuf` on a buffered request body: a gRPC-framed
 * body (two messages, the field in the second) read with `req.body,ungrpc(...)`, routing on a
 * field's value, and a plain protobuf body read by dotted path.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/protobuf-converters.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';

function varint(value: number): Buffer {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}
const key = (field: number, wire: number) => varint(field * 8 + wire);
const ld = (field: number, bytes: Buffer) => Buffer.concat([key(field, 2), varint(bytes.length), bytes]);
function grpc(...messages: Buffer[]): Buffer {
  return Buffer.concat(
    messages.map((m) => {
      const head = Buffer.alloc(5);
      head.writeUInt32BE(m.length, 1);
      return Buffer.concat([head, m]);
    }),
  );
}

/** A request message: field 1 = user id, field 2 = { 2: zigzag-encoded score, 1: name }. */
function request(user: number, name: string, zigzagScore: number): Buffer {
  return Buffer.concat([key(1, 0), varint(user), ld(2, Buffer.concat([key(2, 0), varint(zigzagScore), ld(1, Buffer.from(name))]))]);
}

/**
 * The same with the name first: HAProxy's walk forgets it is inside field 2 once it skipped the
 * name (its one length counter went to 0), so `2.2` is then looked for from the top and not found.
 */
function nameFirst(user: number, name: string, zigzagScore: number): Buffer {
  return Buffer.concat([key(1, 0), varint(user), ld(2, Buffer.concat([ld(1, Buffer.from(name)), key(2, 0), varint(zigzagScore)]))]);
}

function configFor(port: number): string {
  return `
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${port}
    option http-buffer-request
    http-request set-var(txn.user) req.body,ungrpc(1,uint32)
    acl vip var(txn.user) -m int ge 1000
    http-request return status 403 hdr x-user "%[req.body,ungrpc(1,uint32)]" if vip
    http-request return status 200 hdr x-user "%[req.body,ungrpc(1,uint32)]" hdr x-name "%[req.body,ungrpc(2.1),hex]" hdr x-score "[%[req.body,ungrpc(2.2,sint32)]]" if { req.hdr(content-type) -m beg application/grpc }
    http-request return status 200 hdr x-user "%[req.body,protobuf(1,int64)]" hdr x-name "%[req.body,protobuf(2.1),hex]" hdr x-missing "[%[req.body,protobuf(3)]]"
`;
}

for (const target of TARGETS) {
  describe(`protobuf and ungrpc converters on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let port: number;

    before(async () => {
      [port] = (await freePorts(1)) as [number];
      proxy = await startProxy(target, configFor(port));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
    });

    async function post(body: Buffer, contentType: string) {
      const conn = await HttpConnection.open(port);
      try {
        return await conn.request('POST', '/svc.Users/Get', { 'content-type': contentType, 'content-length': body.length }, body);
      } finally {
        conn.destroy();
      }
    }

    it('ungrpc reads fields through every gRPC message of the body, nested ones by dotted path', async () => {
      const res = await post(grpc(Buffer.concat([key(9, 0), varint(1)]), request(42, 'ada', 5)), 'application/grpc');
      assert.equal(res.status, 200);
      assert.equal(res.header('x-user'), '42');
      assert.equal(res.header('x-name'), Buffer.from('ada').toString('hex').toUpperCase());
      assert.equal(res.header('x-score'), '[-3]');
      const quirk = await post(grpc(nameFirst(42, 'ada', 5)), 'application/grpc');
      assert.equal(quirk.header('x-name'), Buffer.from('ada').toString('hex').toUpperCase());
      assert.equal(quirk.header('x-score'), '[]', "HAProxy's walk after a skipped nested field");
    });

    it('an ACL on a field decides', async () => {
      const res = await post(grpc(request(1234, 'bob', 2)), 'application/grpc');
      assert.equal(res.status, 403);
      assert.equal(res.header('x-user'), '1234');
    });

    it('protobuf reads a plain message; a missing field is empty', async () => {
      const res = await post(request(7, 'cy', 0), 'application/x-protobuf');
      assert.equal(res.status, 200);
      assert.equal(res.header('x-user'), '7');
      assert.equal(res.header('x-name'), Buffer.from('cy').toString('hex').toUpperCase());
      assert.equal(res.header('x-missing'), '[]');
    });
  });
}
