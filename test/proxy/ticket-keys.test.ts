/** `set ssl tls-key`'s rotation of a `tls-ticket-keys` file's keys (HAProxy's ssl_sock_update_tlskey_ref). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BindTicketKeys } from '../../src/config/model.ts';
import { currentTicketKeys, rotateTicketKeys } from '../../src/proxy/ticket-keys.ts';
import type { TlsTicketKey } from '../../src/runtime.ts';

const key = (n: number): TlsTicketKey => ({ name: new Uint8Array(16).fill(n), aesKey: new Uint8Array(16).fill(n), hmacKey: new Uint8Array(16).fill(n) });
const names = (keys: readonly TlsTicketKey[]): number[] => keys.map((k) => k.name[0] as number);

describe('rotateTicketKeys', () => {
  it('the new key replaces the oldest, the next one encrypts, for every bind of the file', () => {
    // Encryption key 2, then 3, then 1 (a file of keys 1, 2, 3).
    const first: BindTicketKeys = { path: '/k', bits: 128, keys: [key(2), key(3), key(1)] };
    const second: BindTicketKeys = { ...first };
    assert.deepEqual(names(rotateTicketKeys([first, second], key(4)) ?? []), [3, 4, 2]);
    assert.deepEqual(names(currentTicketKeys(second)), [3, 4, 2]);
    assert.deepEqual(names(rotateTicketKeys([first, second], key(5)) ?? []), [4, 5, 3]);
    assert.deepEqual(names(currentTicketKeys(first)), [4, 5, 3]);
    // Another generation's bind, naming the same path, keeps its file's keys.
    assert.deepEqual(names(currentTicketKeys({ path: '/k', bits: 128, keys: [key(2), key(3), key(1)] })), [2, 3, 1]);
  });
});
