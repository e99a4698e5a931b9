/**
 * Fetches reading the stream's server and listener (src/rules/fetches-misc.ts): `srv_id`,
 * `srv_name` (the server the request went to, from the response on: HAProxy refuses them in
 * request rules) and `so_name` (the accepting bind's `name`), through the rule runner as the
 * session drives it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BindModel } from '../../src/config/model.ts';
import { HttpRuleRunner } from '../../src/rules/http-rules.ts';
import { compileSampleFetch } from '../../src/rules/sample-fetch.ts';
import type { Runtime, Socket } from '../../src/runtime.ts';
import { context, get, sample } from './support.ts';
import { ConnectionInfo } from '../../src/proxy/connection-info.ts';

const runtime = { hostname: 'h', pid: 1 } as unknown as Runtime;
const socketOn = (localAddress: string, localPort: number): Socket =>
  ({ remoteAddress: '192.0.2.1', remotePort: 5000, localAddress, localPort, tls: undefined }) as unknown as Socket;
const bind = (host: string, port: number, name?: string): BindModel => ({ host, port, name }) as unknown as BindModel;
const host = (binds: readonly BindModel[]) => ({ backendNamed: () => undefined, model: { binds } });

describe('stream fetches', () => {
  it('srv_id and srv_name: the server of the response; absent before one is known', () => {
    const ctx = context(get('/', 'Host: h'), { chosenServer: { name: 'srv2', id: 2 } });
    assert.deepEqual(sample('srv_id', ctx, { direction: 'response' }), { type: 'int', text: '2' });
    assert.deepEqual(sample('srv_name', ctx, { direction: 'response' }), { type: 'str', text: 'srv2' });
    assert.equal(sample('srv_name', context(get('/', 'Host: h')), { direction: 'response' }), undefined);
  });

  it('srv_id and srv_name are refused in request rules, in HAProxy 2.6’s words', () => {
    const compiled = compileSampleFetch('srv_id');
    assert.equal(compiled.ok, false);
    assert.equal(compiled.ok ? '' : compiled.message, "sample fetch 'srv_id' may not be reliably used here because it needs 'server' which is not available here");
  });

  it('so_name: the name of the bind the connection came through (by address, else a wildcard one)', () => {
    const binds = [bind('127.0.0.1', 8080, 'local'), bind('0.0.0.0', 8080, 'any'), bind('::', 9090), bind('10.0.0.1', 7070, 'ten')];
    const nameOf = (address: string, port: number): string | undefined => {
      const runner = new HttpRuleRunner(undefined, socketOn(address, port), runtime, 'fe', undefined, undefined, host(binds));
      return sample('so_name', runner)?.text;
    };
    assert.equal(nameOf('127.0.0.1', 8080), 'local');
    assert.equal(nameOf('192.0.2.9', 8080), 'any');
    assert.equal(nameOf('::1', 9090), undefined); // a bind without a name
    assert.equal(nameOf('10.0.0.1', 7070), 'ten');
    assert.equal(nameOf('10.0.0.2', 7070), undefined);
  });

  it('the runner forgets the server at the next request', () => {
    const runner = new HttpRuleRunner(undefined, socketOn('127.0.0.1', 80), runtime, 'fe');
    runner.chosenServer = { name: 's1', id: 1 };
    const head = get('/', 'Host: h');
    runner.beginRequest(head, { begin: () => undefined } as never);
    assert.equal(runner.chosenServer, undefined);
  });
});

describe('http_first_req', () => {
  const connection = (notFirst: boolean): ConnectionInfo => {
    const info = new ConnectionInfo(socketOn('10.0.0.1', 80));
    info.notFirstTransaction = notFirst;
    return info;
  };

  it('is true on the connection’s first HTTP transaction, false on later ones', () => {
    assert.deepEqual(sample('http_first_req', context(get('/', 'Host: h'), { connection: connection(false) })), { type: 'bool', text: '1' });
    assert.deepEqual(sample('http_first_req', context(get('/', 'Host: h'), { connection: connection(true) })), { type: 'bool', text: '0' });
    assert.equal(sample('http_first_req', context(get('/', 'Host: h'))), undefined);
  });

  it('is usable in response rules and log lines, as HAProxy’s SMP_USE_HRQHP fetches', () => {
    const ctx = context(get('/', 'Host: h'), { connection: connection(true) });
    assert.deepEqual(sample('http_first_req', ctx, { direction: 'response' }), { type: 'bool', text: '0' });
    assert.deepEqual(sample('http_first_req', ctx, { logEnd: true }), { type: 'bool', text: '0' });
  });

  it('srv_id and srv_name find no server behind a dispatch or transparent target', () => {
    const ctx = context(get('/', 'Host: h'), { chosenServer: { name: '<NOSRV>', id: 0, direct: 'dispatch' } });
    assert.equal(sample('srv_name', ctx, { direction: 'response' }), undefined);
    assert.equal(sample('srv_id', ctx, { direction: 'response' }), undefined);
  });
});
