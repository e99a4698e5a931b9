import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ServerSsl } from '../../src/config/model.ts';
import { RequestHeadParser, type RequestHead } from '../../src/http/codec/index.ts';
import { serverTlsOptions } from '../../src/stream/server-tls.ts';
import { Server } from '../../src/proxy/server.ts';
import { server } from '../support/model.ts';

function request(host: string): RequestHead {
  const parser = new RequestHeadParser();
  parser.feed(new TextEncoder().encode(`GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`));
  return parser.head as RequestHead;
}

function tlsServer(ssl: Partial<ServerSsl>): Server {
  return new Server(server('s', 443, { ssl: { verify: 'none', caPem: undefined, sni: undefined, alpn: undefined, ...ssl } }));
}

it('server sni: str() is a literal name, req.hdr(host) is the Host without its port', () => {
  assert.equal(serverTlsOptions(tlsServer({ sni: 'str(api.example)' }), request('x'))?.servername, 'api.example');
  assert.equal(serverTlsOptions(tlsServer({ sni: 'req.hdr(host)' }), request('www.example:8443'))?.servername, 'www.example');
  assert.equal(serverTlsOptions(tlsServer({ sni: 'req.hdr(host)' }), request('[::1]'))?.servername, '[::1]');
  assert.equal(serverTlsOptions(tlsServer({}), request('x'))?.servername, undefined, 'no sni without the keyword');
  assert.equal(serverTlsOptions(new Server(server('plain', 80)), undefined), undefined);
});

it('server ssl: verify, ALPN and CA are passed through', () => {
  const options = serverTlsOptions(tlsServer({ verify: 'required', caPem: 'PEM', alpn: ['h2', 'http/1.1'] }), undefined);
  assert.deepEqual(options, { verify: true, alpn: ['h2', 'http/1.1'], caPem: 'PEM' });
});

