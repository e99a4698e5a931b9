/** The master CLI's pieces (src/master/master-cli.ts): `-S` addresses and `show proc`'s table. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMasterCliAddress, showProc } from '../../src/master/master-cli.ts';
import type { Master } from '../../src/master/master.ts';
import type { ChildProcessHandle } from '../../src/runtime.ts';

describe('master CLI', () => {
  it('-S takes unix@PATH, a path, ipv4@ADDR:PORT, ADDR:PORT and fd@N, options after a comma', () => {
    assert.deepEqual(parseMasterCliAddress('unix@/run/m.sock,level admin'), { kind: 'unix', path: '/run/m.sock' });
    assert.deepEqual(parseMasterCliAddress('/run/m.sock'), { kind: 'unix', path: '/run/m.sock' });
    assert.deepEqual(parseMasterCliAddress('ipv4@127.0.0.1:9999'), { kind: 'tcp', host: '127.0.0.1', port: 9999 });
    assert.deepEqual(parseMasterCliAddress(':9999'), { kind: 'tcp', host: '0.0.0.0', port: 9999 });
    assert.deepEqual(parseMasterCliAddress('fd@8'), { kind: 'fd', fd: 8 });
    assert.match(parseMasterCliAddress('fd@x') as string, /expects unix@PATH/);
    assert.match(parseMasterCliAddress('sockpair@4') as string, /sockpair@ is not available/);
  });

  it("show proc: HAProxy's columns, the master, current and old workers, current and old programs", () => {
    const handle = (pid: number): ChildProcessHandle => ({ pid, kill: () => undefined, exited: new Promise(() => undefined) });
    const master = {
      runtime: { pid: 100, wallClock: () => 90_061_000 },
      startedWall: 0,
      reloads: 2,
      failedReloads: 1,
      version: '0.1.0',
      workers: [
        { handle: handle(102), startedWall: 90_000_000, reloads: 0, linkPort: 1, leaving: false },
        { handle: handle(101), startedWall: 0, reloads: 1, linkPort: 2, leaving: true },
      ],
      programs: {
        list: [
          { model: { name: 'foo' }, handle: handle(103), startedWall: 90_000_000, reloads: 1, leaving: false },
          { model: { name: 'bar' }, handle: handle(104), startedWall: 90_061_000, reloads: 0, leaving: false },
          { model: { name: 'foo' }, handle: handle(99), startedWall: 0, reloads: 2, leaving: true },
        ],
      },
    } as unknown as Master;
    assert.equal(
      showProc(master),
      '#<PID>          <type>          <reloads>       <uptime>        <version>      \n' +
        '100             master          2 [failed: 1]   1d01h01m01s     0.1.0          \n' +
        '# workers\n' +
        '102             worker          0               0d00h01m01s     0.1.0          \n' +
        '# old workers\n' +
        '101             worker          1               1d01h01m01s     0.1.0          \n' +
        '# programs\n' +
        '103             foo             1               0d00h01m01s     -              \n' +
        '104             bar             0               0d00h00m00s     -              \n' +
        '# old programs\n' +
        '99              foo             2               1d01h01m01s     -              \n',
    );
  });
});
