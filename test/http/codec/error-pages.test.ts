import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BodyFramer,
  ERROR_STATUSES,
  ResponseHeadParser,
  errorClosesConnection,
  errorPage,
  errorResponse,
  latin1String,
} from '../../../src/http/codec/index.ts';

const str = (b: Uint8Array) => latin1String(b, 0, b.length);

/** Content-length values declared in HAProxy's src/http.c http_err_msgs: an independent check of each body. */
const HAPROXY_LENGTHS: Record<number, number> = {
  400: 90, 401: 112, 403: 93, 404: 83, 405: 146, 407: 112, 408: 110, 410: 114, 413: 106,
  421: 104, 422: 116, 425: 80, 429: 117, 500: 97, 501: 136, 502: 107, 503: 107, 504: 92,
};

describe('error pages', () => {
  it('400 is byte-for-byte what HAProxy 2.6 sends (its H1 mux writes the raw message: mixed case, Connection before Content-Type)', () => {
    assert.equal(
      str(errorResponse(400)),
      'HTTP/1.1 400 Bad request\r\nContent-length: 90\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n' +
        '<html><body><h1>400 Bad request</h1>\nYour browser sent an invalid request.\n</body></html>\n',
    );
  });

  it('503 keeps the connection unless asked to close', () => {
    assert.equal(
      str(errorResponse(503)),
      'HTTP/1.1 503 Service Unavailable\r\ncontent-length: 107\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n' +
        '<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n',
    );
    assert.ok(str(errorResponse(503, true)).includes('content-type: text/html\r\nconnection: close\r\n\r\n'));
  });

  it('covers the statuses the proxy generates', () => {
    for (const s of [400, 401, 403, 404, 405, 407, 408, 410, 413, 421, 422, 425, 429, 500, 501, 502, 503, 504]) assert.ok(ERROR_STATUSES.includes(s), String(s));
  });

  for (const status of Object.keys(HAPROXY_LENGTHS).map(Number)) {
    it(`${status}: HAProxy's length, parses back, body framed exactly`, () => {
      for (const close of [false, true]) {
        const bytes = errorResponse(status, close);
        const p = new ResponseHeadParser();
        const n = p.feed(bytes);
        assert.ok(p.done);
        const h = p.head!;
        assert.equal(h.status, status);
        assert.equal(h.reason, errorPage(status).reason);
        assert.equal(h.contentLength, HAPROXY_LENGTHS[status]);
        assert.equal(h.keepAlive, !(close || errorClosesConnection(status)));
        const names = h.entries().map(([k]) => k);
        if (errorClosesConnection(status)) assert.deepEqual(names, ['Content-length', 'Cache-Control', 'Connection', 'Content-Type']);
        else assert.deepEqual(names.slice(0, 3), ['content-length', 'cache-control', 'content-type']);
        const f = new BodyFramer().startResponse(h, 'GET');
        let body = '';
        f.onData = (c, s, e) => {
          body += latin1String(c, s, e);
        };
        assert.equal(f.feed(bytes, n), bytes.length - n);
        assert.ok(f.done);
        assert.equal(body, errorPage(status).body);
        assert.ok(body.startsWith(`<html><body><h1>${status} `));
      }
    });
  }

  it('400 and 408 always close; an unknown status gets the 500 page', () => {
    assert.equal(errorResponse(400, false), errorResponse(400, true));
    assert.equal(errorResponse(408, false), errorResponse(408, true));
    assert.equal(errorClosesConnection(502), false);
    assert.equal(errorResponse(599), errorResponse(500));
    assert.equal(errorPage(418).status, 500);
  });

  it('responses are shared pre-encoded arrays', () => {
    assert.equal(errorResponse(502), errorResponse(502));
  });
});
