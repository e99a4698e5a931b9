/** `http-check send-state`: X-Haproxy-Server-State as HAProxy's httpchk_build_status_header. */
// scur counts the sessions of every thread (Server.processActive), as srv->cur_sess.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serverStateHeader } from '../../src/health/server-state-header.ts';
import type { Backend } from '../../src/proxy/backend.ts';
import type { Server } from '../../src/proxy/server.ts';

function server(name: string, fields: Partial<Server>): Server {
  return { name, host: '10.0.0.1', port: 80, status: 'UP', usable: true, backup: false, weight: 1, processActive: 0, queue: [], ...fields } as unknown as Server;
}

describe('serverStateHeader', () => {
  it('UP, going down (UP n/fall), coming up (DOWN n/rise), DOWN; weights of usable servers', () => {
    const check = (health: number) => ({ health, rise: 2, fall: 3 }) as Server['checkState'];
    const s1 = server('s1', { checkState: check(4), processActive: 2 });
    const s2 = server('s2', { checkState: check(3), weight: 3, processActive: 1 });
    const s3 = server('s3', { checkState: check(1), status: 'DOWN', usable: false });
    const s4 = server('s4', { checkState: check(0), status: 'DOWN', usable: false });
    const backend = { name: 'be', servers: [s1, s2, s3, s4] } as unknown as Backend;
    assert.equal(serverStateHeader(backend, s1, 'lb1'), 'UP; address=10.0.0.1; port=80; name=be/s1; node=lb1; weight=1/4; scur=2/3; qcur=0');
    assert.equal(serverStateHeader(backend, s2, 'lb1'), 'UP 2/3; address=10.0.0.1; port=80; name=be/s2; node=lb1; weight=3/4; scur=1/3; qcur=0');
    assert.equal(serverStateHeader(backend, s3, 'lb1'), 'DOWN 1/2; address=10.0.0.1; port=80; name=be/s3; node=lb1; weight=0/4; scur=0/3; qcur=0');
    assert.equal(serverStateHeader(backend, s4, 'lb1'), 'DOWN; address=10.0.0.1; port=80; name=be/s4; node=lb1; weight=0/4; scur=0/3; qcur=0');
  });

  it('a stopping server (disable-on-404) is NOLB, NOLB n/fall while going down', () => {
    const check = (health: number) => ({ health, rise: 2, fall: 3 }) as Server['checkState'];
    const s1 = server('s1', { checkState: check(4), status: 'NOLB', usable: false });
    const s2 = server('s2', { checkState: check(3), status: 'NOLB', usable: false });
    const backend = { name: 'be', servers: [s1, s2] } as unknown as Backend;
    assert.equal(serverStateHeader(backend, s1, 'lb1'), 'NOLB; address=10.0.0.1; port=80; name=be/s1; node=lb1; weight=0/0; scur=0/0; qcur=0');
    assert.equal(serverStateHeader(backend, s2, 'lb1'), 'NOLB 2/3; address=10.0.0.1; port=80; name=be/s2; node=lb1; weight=0/0; scur=0/0; qcur=0');
  });
});
