/**
 * `tls-ticket-keys` files (tls-ticket-keys.ts) as HAProxy 2.6's bind_parse_tls_ticket_keys reads
 * them: which keys are kept, which encrypts, the order they decrypt in, and its messages; the
 * keys in the bind's model, and the refusals of runtimes that cannot use them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config/errors.ts';
import { parseConfigText, type ParseConfigOptions } from '../../src/config/load.ts';
import type { ConfigModel } from '../../src/config/model.ts';
import { parseTlsTicketKeys } from '../../src/config/tls-ticket-keys.ts';
import type { TlsFeature, TlsTicketKey } from '../../src/runtime.ts';
import { FakeFiles, fixture } from '../support/fake-files.ts';

/** A 48- or 80-byte key whose every byte is `n`, in base64. */
function key(n: number, bytes = 48): string {
  return Buffer.alloc(bytes, n).toString('base64');
}

function nameByte(k: TlsTicketKey | undefined): number | undefined {
  return k?.name[0];
}

describe('parseTlsTicketKeys', () => {
  it('three AES-128 keys: the penultimate encrypts; the last, then the first, also decrypt', () => {
    const parsed = parseTlsTicketKeys(`${key(1)}\n${key(2)}\n${key(3)}\n`);
    assert.ok(parsed.ok);
    assert.equal(parsed.value.bits, 128);
    assert.deepEqual(parsed.value.keys.map(nameByte), [2, 3, 1]);
  });

  it('a key is its 16-byte name, then the AES key, then the HMAC key', () => {
    const bytes = Buffer.concat([Buffer.alloc(16, 0xaa), Buffer.alloc(16, 0xbb), Buffer.alloc(16, 0xcc)]);
    const parsed = parseTlsTicketKeys(`${key(1)}\n${bytes.toString('base64')}\n${key(3)}`);
    assert.ok(parsed.ok);
    const first = parsed.value.keys[0] as TlsTicketKey;
    assert.deepEqual([first.name, first.aesKey, first.hmacKey].map((b) => [b.length, b[0]]), [[16, 0xaa], [16, 0xbb], [16, 0xcc]]);
  });

  it('AES-256: 32-byte AES and HMAC keys', () => {
    const parsed = parseTlsTicketKeys(`${key(1, 80)}\n${key(2, 80)}\n${key(3, 80)}\n`);
    assert.ok(parsed.ok);
    assert.equal(parsed.value.bits, 256);
    const first = parsed.value.keys[0] as TlsTicketKey;
    assert.deepEqual([first.name.length, first.aesKey.length, first.hmacKey.length], [16, 32, 32]);
  });

  it('more keys: the last three are kept, the penultimate encrypts', () => {
    const parsed = parseTlsTicketKeys([1, 2, 3, 4, 5].map((n) => key(n)).join('\n'));
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value.keys.map(nameByte), [4, 5, 3]);
    const four = parseTlsTicketKeys([1, 2, 3, 4].map((n) => key(n)).join('\r\n'));
    assert.ok(four.ok);
    assert.deepEqual(four.value.keys.map(nameByte), [3, 4, 2]);
  });

  it("refuses what HAProxy refuses, with its messages", () => {
    const cases: Array<[string, string]> = [
      ['', 'please supply at least 3 keys in the tls-tickets-file'],
      [`${key(1)}\n${key(2)}\n`, 'please supply at least 3 keys in the tls-tickets-file'],
      [`# comment\n${key(1)}\n${key(2)}\n${key(3)}\n`, 'unable to decode base64 key on line 1'],
      [`${key(1)}\n\n${key(2)}\n${key(3)}\n`, 'wrong sized key on line 2'],
      [`${key(1)}\n${key(2, 32)}\n${key(3)}\n`, 'wrong sized key on line 2'],
      [`${key(1, 80)}\n${key(2)}\n${key(3)}\n`, 'wrong sized key on line 2'],
      [`${key(1)}\n${key(2, 96)}\n${key(3)}\n`, 'unable to decode base64 key on line 2'],
      [`${key(1)}\n${key(2)} \n${key(3)}\n`, 'unable to decode base64 key on line 2'],
    ];
    for (const [text, message] of cases) assert.deepEqual(parseTlsTicketKeys(text), { ok: false, message }, JSON.stringify(text));
  });
});

const KEYS = `${key(1)}\n${key(2)}\n${key(3)}\n`;
const KEYS_256 = `${key(1, 80)}\n${key(2, 80)}\n${key(3, 80)}\n`;

function parse(lines: string[], options: ParseConfigOptions = {}): Promise<ConfigModel> {
  const files = new FakeFiles({ '/certs/a.pem': fixture('tls/a.example.pem'), '/k/keys': KEYS, '/k/keys256': KEYS_256, '/k/short': `${key(1)}\n` });
  const text = `${['defaults', '  mode http', '  timeout connect 5s', '  timeout client 5s', '  timeout server 5s', 'frontend f', ...lines].join('\n')}\n`;
  return parseConfigText(text, 'h.cfg', { files, ...options });
}

async function errors(lines: string[], options: ParseConfigOptions = {}): Promise<[number, string][]> {
  try {
    await parse(lines, options);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.diagnostics.map((d) => [d.line, d.message]);
  }
  assert.fail('expected the configuration to be refused');
}

const limits = (runtime: string, ...unsupported: TlsFeature[]): ParseConfigOptions => ({ tlsLimits: { runtime, unsupported: new Set(unsupported) } });

describe('bind tls-ticket-keys', () => {
  it('gives the bind the file and its keys', async () => {
    const model = await parse(['  bind :443 ssl crt /certs/a.pem tls-ticket-keys /k/keys']);
    const keys = model.frontends[0]?.binds[0]?.ssl?.ticketKeys;
    assert.equal(keys?.path, '/k/keys');
    assert.equal(keys?.bits, 128);
    assert.deepEqual(keys?.keys.map(nameByte), [2, 3, 1]);
  });

  it("a bad file fails every bind naming it, with HAProxy's message", async () => {
    assert.deepEqual(await errors(['  bind :443 ssl crt /certs/a.pem tls-ticket-keys /k/short', '  bind :444 ssl crt /certs/a.pem tls-ticket-keys /k/short']), [
      [7, "'bind :443' : '/k/short' : please supply at least 3 keys in the tls-tickets-file."],
      [8, "'bind :444' : '/k/short' : please supply at least 3 keys in the tls-tickets-file."],
    ]);
    assert.deepEqual(await errors(['  bind :443 ssl crt /certs/a.pem tls-ticket-keys /k/none']), [[7, "'bind :443' : '/k/none' : unable to load ssl tickets keys file."]]);
  });

  it('is refused on a runtime that ignores ticket keys, and 80-byte keys where only 48-byte ones are taken', async () => {
    assert.deepEqual(await errors(['  bind :443 ssl crt /certs/a.pem tls-ticket-keys /k/keys'], limits('deno', 'tls-ticket-keys', 'tls-ticket-keys-aes256')), [
      [7, "'bind :443' : 'tls-ticket-keys' is not supported on Deno (its TLS listener ignores ticket keys given to it: a ticket resumes only on the listener that issued it); see docs/runtimes.md."],
    ]);
    await parse(['  bind :443 ssl crt /certs/a.pem tls-ticket-keys /k/keys'], limits('node', 'tls-ticket-keys-aes256'));
    assert.deepEqual(await errors(['  bind :443 ssl crt /certs/a.pem tls-ticket-keys /k/keys256'], limits('node', 'tls-ticket-keys-aes256')), [
      [7, "'bind :443' : '/k/keys256' : 80-byte ticket keys (AES-256) are not supported on Node (its TLS listener takes one AES-128 ticket key, of 48 bytes); see docs/runtimes.md."],
    ]);
    const model = await parse(['  bind :443 ssl crt /certs/a.pem tls-ticket-keys /k/keys256']);
    assert.equal(model.frontends[0]?.binds[0]?.ssl?.ticketKeys?.bits, 256);
  });
});
