import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Server } from '../../src/proxy/server.ts';
import { withServerName } from '../../src/mux/server-name-header.ts';
import type { ServerModel } from '../../src/config/model.ts';

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

it('writes the server name as the last header of the head, whatever its line ends', () => {
  const server = new Server({ name: 'srv1', host: '127.0.0.1', port: 80, source: { file: 't', line: 1 } } as unknown as ServerModel);
  assert.equal(text(withServerName(bytes('GET / HTTP/1.1\r\nhost: a\r\n\r\n'), 'x-srv', server)), 'GET / HTTP/1.1\r\nhost: a\r\nx-srv: srv1\r\n\r\n');
  assert.equal(text(withServerName(bytes('GET / HTTP/1.1\nhost: a\n\n'), 'x-srv', server)), 'GET / HTTP/1.1\nhost: a\nx-srv: srv1\r\n\n');
  // Another header name for the same server is not the cached line.
  assert.equal(text(withServerName(bytes('GET / HTTP/1.1\r\n\r\n'), 'other', server)), 'GET / HTTP/1.1\r\nother: srv1\r\n\r\n');
});
