/** HAProxy's H1 parser state and flags at an error position (src/http/h1-error-state.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { H1_MF, H1_MSG, h1StateAt, h1StateName } from '../../src/http/h1-error-state.ts';

const bytes = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const REQ = H1_MF.NO_PHDR | H1_MF.CLEAN_CONN_HDR;
const RES = REQ | H1_MF.RESP;

function at(text: string, errorAt: number, response = false): [string, number] {
  const m = h1StateAt(bytes(text), errorAt, response, response ? RES : REQ);
  return [h1StateName(m.state), m.flags];
}

describe('H1 state at an error', () => {
  it('names the request line states the faulty byte is read in', () => {
    assert.deepEqual(at('G(T / HTTP/1.1\r\n', 1), ['MSG_RQMETH', REQ]);
    assert.deepEqual(at('GET /\x01 HTTP/1.1\r\n', 5), ['MSG_RQURI', REQ]);
    assert.deepEqual(at('GET /a b HTTP/1.1\r\n', 7), ['MSG_RQVER', REQ]);
    assert.deepEqual(at('GET / HTTP/1.1\rx', 15), ['MSG_RQLINE_END', REQ | H1_MF.VER_11]);
  });

  it('names the header states, with the flags of the headers read before', () => {
    const head = 'GET / HTTP/1.1\r\nContent-Length: 12\r\nConnection: close\r\nBad Name: x\r\n\r\n';
    const m = h1StateAt(bytes(head), head.indexOf(' Name'), false, REQ);
    assert.equal(h1StateName(m.state), 'MSG_HDR_NAME');
    assert.equal(m.flags, REQ | H1_MF.VER_11 | H1_MF.CLEN | H1_MF.CONN_CLO);
    assert.equal(m.bodyLen, 12);
    assert.deepEqual(at('GET / HTTP/1.0\r\nA: b\x00\r\n', 20), ['MSG_HDR_VAL', REQ]);
  });

  it('names the status line states of a response', () => {
    assert.deepEqual(at('HTTP/1.1 2x0 OK\r\n', 10, true), ['MSG_RPCODE', RES | H1_MF.VER_11]);
    assert.deepEqual(at('HTTP/1.1 200 OK\r\nBad Header: x\r\n', 20, true), ['MSG_HDR_NAME', RES | H1_MF.VER_11]);
  });

  it('reports the state after the head for an error found once it was read', () => {
    const plain = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';
    assert.deepEqual(at(plain, plain.length), ['MSG_DONE', REQ | H1_MF.VER_11 | H1_MF.XFER_LEN]);
    const chunked = 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n';
    const m = h1StateAt(bytes(chunked), chunked.length, false, REQ);
    assert.equal(m.state, H1_MSG.CHUNK_SIZE);
    assert.equal(m.flags, 0x11712);
    const sized = 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n';
    assert.deepEqual(at(sized, sized.length, true), ['MSG_DATA', RES | H1_MF.VER_11 | H1_MF.CLEN | H1_MF.XFER_LEN]);
  });
});
