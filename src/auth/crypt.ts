/**
 * crypt(3) as HAProxy uses it to check `user NAME password HASH`: the password given by the
 * client is hashed with the stored hash as setting, and matches when the result is the stored
 * string. Switchyard computes MD5-crypt (`$1$`), SHA-256-crypt (`$5$`) and SHA-512-crypt (`$6$`)
 * itself, with the setting checks of libxcrypt (the crypt(3) of Debian's HAProxy 2.6).
 *
 * Other formats crypt(3) may know (bcrypt, yescrypt, DES...) are recognised so that the
 * configuration can refuse them at their line instead of letting the user never match; a
 * string that is no crypt(3) hash at all never matches, as with HAProxy on libxcrypt.
 */
import { md5Crypt, parseMd5Setting } from './md5-crypt.ts';
import { parseShaSetting, shaCrypt } from './sha-crypt.ts';

/** libxcrypt refuses a passphrase of this many bytes or more. */
const MAX_PASSWORD = 512;

/** A stored hash, parsed once: hashes a password with its setting. */
type SettingHasher = (password: Uint8Array) => string;

/** What a configured `password` value is. */
export type PasswordHash =
  | { readonly kind: 'supported'; readonly name: 'MD5' | 'SHA-256' | 'SHA-512'; matches(password: Uint8Array): boolean }
  /** A crypt(3) format Switchyard does not compute: refused where it is configured. */
  | { readonly kind: 'unsupported'; readonly name: string; readonly prefix: string }
  /** Not a usable hash (or a setting crypt(3) refuses): it can never match. */
  | { readonly kind: 'invalid' };

const UNSUPPORTED: readonly (readonly [prefix: string, name: string])[] = [
  ['$2a$', 'bcrypt'],
  ['$2b$', 'bcrypt'],
  ['$2x$', 'bcrypt'],
  ['$2y$', 'bcrypt'],
  ['$y$', 'yescrypt'],
  ['$gy$', 'gost-yescrypt'],
  ['$7$', 'scrypt'],
  ['$sha1$', 'SHA-1-crypt'],
  ['$md5', 'SunMD5'],
  ['$3$', 'NT-hash'],
  ['_', 'BSDi extended DES'],
];

const DES_HASH = /^[./0-9A-Za-z]{13}$/;

/** Characters libxcrypt refuses anywhere in a setting. */
function hasBadCharacter(setting: string): boolean {
  for (let i = 0; i < setting.length; i++) {
    const c = setting.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x21 /* ! */ || c === 0x2a /* * */ || c === 0x3a /* : */ || c === 0x3b /* ; */ || c === 0x5c /* \ */) {
      return true;
    }
  }
  return false;
}

/** The hasher of a `$1$`, `$5$` or `$6$` setting; undefined when crypt(3) would refuse it. */
function settingHasher(setting: string): SettingHasher | undefined {
  if (hasBadCharacter(setting)) return undefined;
  if (setting.startsWith('$1$')) {
    const salt = parseMd5Setting(setting);
    return salt === undefined ? undefined : (p) => md5Crypt(p, salt);
  }
  const sha = parseShaSetting(setting);
  return sha === undefined ? undefined : (p) => shaCrypt(p, sha);
}

/** The passphrase as C's crypt sees it (up to its first NUL); undefined when too long. */
function passphrase(password: Uint8Array): Uint8Array | undefined {
  const nul = password.indexOf(0);
  const p = nul < 0 ? password : password.subarray(0, nul);
  return p.length >= MAX_PASSWORD ? undefined : p;
}

/**
 * crypt(password, setting) for `$1$`, `$5$` and `$6$`: the hash string, or undefined where
 * crypt(3) fails (bad setting, passphrase too long, another format).
 */
export function crypt(password: Uint8Array, setting: string): string | undefined {
  const hasher = settingHasher(setting);
  const p = passphrase(password);
  return hasher === undefined || p === undefined ? undefined : hasher(p);
}

/** Classifies a configured hash, parsed once for every later check. */
export function passwordHash(stored: string): PasswordHash {
  for (const [prefix, name] of UNSUPPORTED) if (stored.startsWith(prefix)) return { kind: 'unsupported', name, prefix };
  if (DES_HASH.test(stored)) return { kind: 'unsupported', name: 'DES', prefix: '' };
  const name = stored.startsWith('$1$') ? 'MD5' : stored.startsWith('$5$') ? 'SHA-256' : stored.startsWith('$6$') ? 'SHA-512' : undefined;
  const hasher = name === undefined ? undefined : settingHasher(stored);
  if (name === undefined || hasher === undefined) return { kind: 'invalid' };
  return {
    kind: 'supported',
    name,
    matches(password: Uint8Array): boolean {
      const p = passphrase(password);
      return p !== undefined && hasher(p) === stored;
    },
  };
}
