/**
 * `show tls-keys [id|*]` and `set ssl tls-key <id|file> <key>` (HAProxy 2.6's ssl_sock.c): the
 * `tls-ticket-keys` files of the binds, numbered as HAProxy numbers its references (the file
 * named last is 0), their three keys dumped in HAProxy's order (the oldest first, then the
 * encryption key, then the next one), and the rotation that puts a new key in place of the
 * oldest, the next key encrypting from then on (proxy/ticket-keys.ts). The listeners of every
 * bind naming the file get the new keys.
 */
import type { BindTicketKeys } from '../../config/model.ts';
import type { Frontend } from '../../proxy/frontend.ts';
import { currentTicketKeys, rotateTicketKeys } from '../../proxy/ticket-keys.ts';
import { base64Decode, base64Of } from '../../rules/converters/encoding.ts';
import type { TlsTicketKey } from '../../runtime.ts';
import { usage, type CliCommand, type CommandContext } from '../command.ts';
import { dump, error, info, type CliAnswer } from '../output.ts';

/** One file and the binds naming it (HAProxy's struct tls_keys_ref). */
interface KeysFile {
  readonly id: number;
  readonly path: string;
  readonly uses: readonly { readonly frontend: Frontend; readonly index: number; readonly file: BindTicketKeys }[];
}

/** The files by id: HAProxy inserts each new one at the head of its list, then numbers the list. */
function keysFiles(ctx: CommandContext): KeysFile[] {
  const byPath = new Map<string, { frontend: Frontend; index: number; file: BindTicketKeys }[]>();
  for (const entry of ctx.target.proxies) {
    const frontend = entry.frontend;
    if (frontend === undefined) continue;
    for (const [index, bind] of frontend.model.binds.entries()) {
      const file = bind.ssl?.ticketKeys;
      if (file === undefined) continue;
      let uses = byPath.get(file.path);
      if (uses === undefined) byPath.set(file.path, (uses = []));
      uses.push({ frontend, index, file });
    }
  }
  return [...byPath].reverse().map(([path, uses], id) => ({ id, path, uses }));
}

/** HAProxy's tlskeys_ref_lookup_ref: `#ID` (read by strtol, which takes an empty number as 0) or the file name. */
function lookup(files: readonly KeysFile[], reference: string): KeysFile | undefined {
  if (!reference.startsWith('#')) return files.find((f) => f.path === reference);
  const number = reference.slice(1);
  if (number !== '' && !/^[\t\n\v\f\r ]*[+-]?\d+$/.test(number)) return undefined;
  const id = number === '' ? 0 : Number.parseInt(number, 10);
  return files.find((f) => f.id === id);
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/** A key as the file writes it: name, AES key, HMAC key, in base64. */
function keyText(key: TlsTicketKey | undefined): string {
  return key === undefined ? '<unknown>' : base64Of(latin1(key.name) + latin1(key.aesKey) + latin1(key.hmacKey), false);
}

function fileKeys(file: KeysFile): string {
  const first = file.uses[0];
  const keys = first === undefined ? [] : currentTicketKeys(first.file);
  // From the encryption key's position: the oldest (tried last), the encryption key, the next.
  return [keys[2], keys[0], keys[1]].map((key, i) => `${file.id}.${i} ${keyText(key)}\n`).join('');
}

function showTlsKeys(args: readonly string[], ctx: CommandContext): CliAnswer {
  const files = keysFiles(ctx);
  const reference = args[2] ?? '';
  if (reference === '') return dump(`# id (file)\n${files.map((f) => `${f.id} (${f.path})\n`).join('')}`);
  const shown = reference.startsWith('*') ? files : [lookup(files, reference)];
  if (shown[0] === undefined) return error("'show tls-keys' unable to locate referenced filename\n");
  return dump(`# id secret\n${shown.map((f) => (f === undefined ? '' : `# ${f.id} (${f.path})\n${fileKeys(f)}`)).join('')}`);
}

function setTlsKey(args: readonly string[], ctx: CommandContext): CliAnswer {
  const reference = args[3] ?? '';
  const text = args[4] ?? '';
  if (reference === '' || text === '') return error("'set ssl tls-key' expects a filename and the new TLS key in base64 encoding.\n");
  const file = lookup(keysFiles(ctx), reference);
  const first = file?.uses[0];
  if (file === undefined || first === undefined) return error("'set ssl tls-key' unable to locate referenced filename\n");
  const decoded = base64Decode(text);
  if (decoded === undefined) return error("'set ssl tls-key' received invalid base64 encoded TLS key.\n");
  const size = first.file.bits === 128 ? 16 : 32;
  if (decoded.length !== 16 + 2 * size) return error("'set ssl tls-key' received a key of wrong size.\n");
  const bytes = Uint8Array.from(decoded, (c) => c.charCodeAt(0));
  const key = { name: bytes.slice(0, 16), aesKey: bytes.slice(16, 16 + size), hmacKey: bytes.slice(16 + size) };
  const keys = rotateTicketKeys(file.uses.map((u) => u.file), key);
  if (keys !== undefined) for (const use of file.uses) use.frontend.listenerOf(use.index)?.setTicketKeys?.(keys);
  return info('TLS ticket key updated!\n');
}

export const sslTlsKeyCommands: readonly CliCommand[] = [
  {
    words: ['show', 'tls-keys'],
    usage: usage('show tls-keys [id|*]', 'show tls keys references or dump tls ticket keys when id specified'),
    level: 'user',
    run: showTlsKeys,
  },
  {
    words: ['set', 'ssl', 'tls-key'],
    usage: usage('set ssl tls-key [id|file] <key>', 'set the next TLS key for the <id> or <file> listener to <key>'),
    level: 'user',
    run: setTlsKey,
  },
];
