/**
 * `show cache` (cache.c's cli_io_handler_show_cache): each cache with its free 1 KiB blocks,
 * then its live entries: the first 32 bits of the key's SHA-1 (HAProxy's `hash:`), the
 * secondary key, the size and the seconds left. Addresses, which HAProxy prints as pointers,
 * are sequence numbers here.
 */
import { latin1Bytes } from '../../http/codec/chars.ts';
import type { CacheEntry } from '../../cache/http-cache.ts';
import { usage, type CliCommand } from '../command.ts';
import { dump } from '../output.ts';
import type { RuntimeTarget } from '../target.ts';

const BLOCK = 1024;

function hex32le(n: number): string {
  let out = '';
  for (let i = 0; i < 4; i++) out += ((n >>> (8 * i)) & 0xff).toString(16).padStart(2, '0');
  return out;
}

function entryLine(target: RuntimeTarget, entry: CacheEntry, id: number, now: number): string {
  const sha = target.runtime.digest('sha1', latin1Bytes(entry.key));
  const hash = ((sha[0] as number) | ((sha[1] as number) << 8) | ((sha[2] as number) << 16) | ((sha[3] as number) << 24)) >>> 0;
  const key = entry.secondary ?? [0, 0];
  const size = entry.size;
  return `0x${id.toString(16)} hash:${hash} vary:0x${hex32le(key[0])}${hex32le(key[1])} size:${size} (${Math.ceil(size / BLOCK)} blocks), refcount:0, expire:${entry.expire - now}\n`;
}

function showCache(target: RuntimeTarget): string {
  const now = Math.floor(target.runtime.wallClock() / 1000);
  let out = '';
  let id = 0;
  for (const cache of target.caches?.values() ?? []) {
    const free = Math.floor((cache.settings.totalMaxSize - cache.usedBytes) / BLOCK);
    out += `0x${(++id).toString(16)}: ${cache.settings.name} (shctx:0x${id.toString(16)}, available blocks:${free})\n`;
    for (const entry of cache.entries(now)) out += entryLine(target, entry, ++id, now);
  }
  return out;
}

export const cacheCommands: readonly CliCommand[] = [
  { words: ['show', 'cache'], usage: usage('show cache', 'show cache status'), level: 'admin', run: (_args, ctx) => dump(showCache(ctx.target)) },
];
