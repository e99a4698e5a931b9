import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Server } from '../../src/proxy/server.ts';
import { Payload } from '../../src/rules/payload.ts';
import type { SampleContext } from '../../src/rules/sample-context.ts';
import { RdpCookiePersistence } from '../../src/stick/rdp-cookie-persistence.ts';
import { server } from '../support/model.ts';

function request(cookie: string): SampleContext {
  const text = `Cookie: ${cookie}\r\n`;
  const bytes = new Uint8Array(11 + text.length);
  bytes.set([3, 0, bytes.length >> 8, bytes.length & 0xff, 6 + text.length, 0xe0, 0, 0, 0, 0, 0]);
  for (let i = 0; i < text.length; i++) bytes[11 + i] = text.charCodeAt(i);
  const payload = new Payload();
  payload.bytes = bytes;
  payload.final = true;
  return { clientAddress: '127.0.0.1', lbHead: undefined, requestPayload: payload };
}

describe('persist rdp-cookie (HAProxy tcp_persist_rdp_cookie)', () => {
  // 127.0.0.1 is 16777343 as a little-endian word; port 3389 (0x0d3d) is 15629 (0x3d0d).
  const servers = [new Server(server('a', 3390), 0), new Server(server('b', 3389), 1)];

  it('finds the server whose address and port the msts cookie encodes', () => {
    const rdp = new RdpCookiePersistence('msts', servers, false);
    assert.equal(rdp.target(request('msts=16777343.15629.0000')), servers[1]);
    assert.equal(rdp.target(request('msts=16777343.15629')), undefined, 'the port needs its trailing dot');
    assert.equal(rdp.target(request('msts=16777344.15629.0000')), undefined);
    assert.equal(rdp.target(request('other=16777343.15629.0000')), undefined);
  });

  it('skips a stopped server unless option persist', () => {
    servers[1]!.status = 'DOWN';
    assert.equal(new RdpCookiePersistence('msts', servers, false).target(request('msts=16777343.15629.0000')), undefined);
    assert.equal(new RdpCookiePersistence('msts', servers, true).target(request('msts=16777343.15629.0000')), servers[1]);
    servers[1]!.status = 'UP';
  });
});
