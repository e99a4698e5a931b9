/**
 * checkPortOf (src/runtime-api/server-check-address.ts): strl2irc() and the range check of
 * HAProxy 2.6's srv_update_check_addr_port / srv_update_agent_addr_port, as HAProxy 2.6.12
 * answers `set server B/S check-port`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPortOf } from '../../src/runtime-api/server-check-address.ts';

describe('checkPortOf', () => {
  it('digits with an optional minus sign, within 0..65535', () => {
    const cases: [string, number | string][] = [
      ['0', 0],
      ['80', 80],
      ['0080', 80],
      ['65535', 65535],
      ['-', 0],
      ['-0', 0],
      ['65536', 'provided port is invalid'],
      ['-1', 'provided port is invalid'],
      ['2147483647', 'provided port is invalid'],
      ['-2147483648', 'provided port is invalid'],
      ['2147483648', 'provided port is not an integer'],
      ['99999999999', 'provided port is not an integer'],
      ['+80', 'provided port is not an integer'],
      [' 80', 'provided port is not an integer'],
      ['12x', 'provided port is not an integer'],
      ['', 'provided port is not an integer'],
    ];
    for (const [text, read] of cases) assert.equal(checkPortOf(text), read, text);
  });
});
