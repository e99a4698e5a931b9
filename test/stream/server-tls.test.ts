import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ServerSsl } from '../../src/config/model.ts';
import { RequestHeadParser, type RequestHead } from '../../src/http/codec/index.ts';
import { serverTlsOptions } from '../../src/stream/server-tls.ts';
import { Server } from '../../src/proxy/server.ts';
import { server } from '../support/model.ts';
import type { LbRequest } from '../../src/balance/balancer.ts';

function request(host: string, ...headers: string[]): LbRequest {
  const parser = new RequestHeadParser();
  parser.feed(new TextEncoder().encode(`GET / HTTP/1.1\r\nHost: ${host}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`));
  return { clientAddress: '192.0.2.1', lbHead: parser.head as RequestHead };
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

it('server sni: any other sample expression is evaluated on the stream', () => {
  const s = tlsServer({ sni: 'req.hdr(x-sni),lower' });
  assert.equal(serverTlsOptions(s, request('x', 'X-SNI: WWW.Custom.com'))?.servername, 'www.custom.com');
  assert.equal(serverTlsOptions(s, request('x'))?.servername, undefined, 'no sample, no SNI');
  assert.equal(serverTlsOptions(tlsServer({ sni: 'src' }), request('x'))?.servername, '192.0.2.1');
});

it('server ssl: verify, ALPN and CA are passed through', () => {
  const s = tlsServer({ verify: 'required', caPem: 'PEM', alpn: ['h2', 'http/1.1'] });
  const options = serverTlsOptions(s, undefined);
  const sessionCache = { session: undefined, servername: undefined };
  assert.deepEqual(options, { verify: true, alpn: ['h2', 'http/1.1'], caPem: 'PEM', sessionCache });
  assert.equal(serverTlsOptions(s, undefined)?.sessionCache, options?.sessionCache, 'one session holder per server');
  assert.equal(serverTlsOptions(tlsServer({ verify: 'none', noSessionReuse: true }), undefined)?.sessionCache, undefined, 'no-ssl-reuse');
});

it('server ssl by host name: dialled at the resolved address, the certificate is checked against the name', () => {
  const byName = (ssl: Partial<ServerSsl>) =>
    new Server(server('s', 443, { host: 'api.internal', resolvedAddress: '10.0.0.7', ssl: { verify: 'required', caPem: 'PEM', sni: undefined, alpn: undefined, ...ssl } }));
  const resolved = byName({});
  assert.equal(resolved.host, '10.0.0.7');
  assert.deepEqual(serverTlsOptions(resolved, undefined), { verify: true, checkName: 'api.internal', caPem: 'PEM', sessionCache: { session: undefined, servername: undefined } });
  // An SNI is what the certificate is checked against; verify none checks nothing.
  assert.equal(serverTlsOptions(byName({ sni: 'str(api.example)' }), undefined)?.checkName, undefined);
  assert.equal(serverTlsOptions(byName({ verify: 'none' }), undefined)?.checkName, undefined);
  // An IP literal is checked as it is dialled.
  assert.equal(serverTlsOptions(tlsServer({ verify: 'required', caPem: 'PEM' }), undefined)?.checkName, undefined);
});
