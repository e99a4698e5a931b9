/**
 * `ring NAME` sections (HAProxy 2.6's cfg_parse_ring, src/sink.c, with its messages): a ring
 * buffer that `log ring@NAME` lines write to, `show events NAME` dumps, and whose `server`
 * lines receive its lines over TCP. The sections become RingModels in config/rings.ts.
 *
 *   description TEXT | format FORMAT | maxlen N | size N | timeout connect|server TIME
 *   server NAME ADDRESS:PORT [log-proto legacy|octet-count]
 */
import type { RingDraft } from '../draft.ts';
import type { LogTarget } from '../model.ts';
import type { KeywordContext, KeywordList, SectionHeader, SectionKeyword } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { parseAddress } from '../address.ts';
import { parseDuration } from '../time.ts';
import { invalidNameCharacter } from './names.ts';

const SECTIONS = ['ring'] as const;

/** HAProxy's BUFSIZE: a ring's size and maxlen before `size` / `maxlen`, and its smallest size. */
export const RING_DEFAULT_SIZE = 16384;

/** The sinks every HAProxy process has (sink_init): a ring may not take their names. */
export const BUILTIN_SINKS: readonly string[] = ['stdout', 'stderr', 'buf0'];

const FORMATS = new Set<string>(['local', 'rfc3164', 'rfc5424', 'priority', 'short', 'timed', 'iso', 'raw']);

function current(ctx: KeywordContext): RingDraft | undefined {
  return ctx.global.rings?.at(-1);
}

/** atol: the leading digits, 0 without any. */
function atol(text: string): number {
  const m = /^[ \t]*\+?(\d+)/.exec(text);
  return m === null ? 0 : Number(m[1]);
}

function openRing(ctx: KeywordContext, args: readonly Token[]): void {
  const header = args[0] as Token;
  const nameToken = args[1];
  const name = nameToken?.text ?? '';
  const rings = (ctx.global.rings ??= []);
  if (name === '') {
    ctx.error('missing ring name.', header);
  } else {
    const bad = invalidNameCharacter(name);
    if (bad !== undefined) ctx.error(`invalid ring name '${name}' (character '${bad}' is not permitted).`, nameToken);
    else if (BUILTIN_SINKS.includes(name) || rings.some((r) => r.name === name)) ctx.error(`sink named '${name}' already exists.`, nameToken);
  }
  rings.push({ name, place: ctx.place(header), description: name, format: 'raw', maxLength: RING_DEFAULT_SIZE, size: RING_DEFAULT_SIZE, servers: [] });
}

function parseDescription(ctx: KeywordContext, args: readonly Token[]): void {
  const ring = current(ctx);
  if (ring === undefined) return;
  const text = args[1]?.text ?? '';
  if (text === '') return ctx.error('missing ring description text.');
  // HAProxy keeps the first word only (strdup(args[1])): quote a description with spaces.
  ring.description = text;
}

function parseFormat(ctx: KeywordContext, args: readonly Token[]): void {
  const ring = current(ctx);
  if (ring === undefined) return;
  const text = args[1]?.text ?? '';
  if (!FORMATS.has(text)) return ctx.error(`unknown format '${text}'.`, args[1]);
  ring.format = text as LogTarget['format'];
}

function parseMaxlen(ctx: KeywordContext, args: readonly Token[]): void {
  const ring = current(ctx);
  if (ring === undefined) return;
  const text = args[1]?.text ?? '';
  const n = atol(text);
  if (n === 0) return ctx.error(`invalid size '${text}' for new sink buffer.`, args[1]);
  ring.maxLength = n;
}

function parseSize(ctx: KeywordContext, args: readonly Token[]): void {
  const ring = current(ctx);
  if (ring === undefined) return;
  const text = args[1]?.text ?? '';
  const n = atol(text);
  if (n === 0) return ctx.error(`invalid size '${text}' for new sink buffer.`, args[1]);
  // HAProxy 2.6.12 refuses (with a fatal error) to shrink a ring below its current size.
  if (n < ring.size) return ctx.error(`ignoring new size '${text}' that is smaller than current size '${ring.size}' for ring '${ring.name}'.`, args[1]);
  ring.size = n;
}

function parseTimeout(ctx: KeywordContext, args: readonly Token[]): void {
  const ring = current(ctx);
  if (ring === undefined) return;
  const which = args[1]?.text ?? '';
  if (which !== 'connect' && which !== 'server') {
    // HAProxy 2.6 accepts and ignores any other timeout here; say so rather than stay silent.
    ctx.warning(`'timeout ${which}' has no effect in a ring section (only 'timeout connect' and 'timeout server' apply).`, args[1]);
    return;
  }
  const value = args[2];
  if (value === undefined) return ctx.error(`'timeout ${which}' expects <time> as argument.`);
  const parsed = parseDuration(value.text);
  if (!parsed.ok) return ctx.error(`${parsed.message} in argument to <timeout ${which}>.`, value);
  if (which === 'connect') ring.timeoutConnect = parsed.ms;
  else ring.timeoutServer = parsed.ms;
}

function parseServer(ctx: KeywordContext, args: readonly Token[]): void {
  const ring = current(ctx);
  if (ring === undefined) return;
  const nameToken = args[1];
  const addrToken = args[2];
  if (nameToken === undefined || addrToken === undefined) return ctx.error("'server' expects <name> and <addr>[:<port>] as arguments.");
  const bad = invalidNameCharacter(nameToken.text);
  if (bad !== undefined) return ctx.error(`character '${bad}' is not permitted in server name '${nameToken.text}'.`, nameToken);
  const other = ring.servers.find((s) => s.name === nameToken.text);
  if (other !== undefined) {
    return ctx.error(`backend '${ring.name}', another server named '${nameToken.text}' was already defined at line ${other.place.line}, please use distinct names.`, nameToken);
  }
  const parsed = parseAddress(addrToken.text, false);
  if (!parsed.ok) return ctx.error(`'server ${ring.name}/${nameToken.text}' : ${parsed.message}`, addrToken);
  const address = parsed.value;
  if (!/^[\d.]+$/.test(address.host) && !address.host.includes(':')) {
    return ctx.error(`'server ${ring.name}/${nameToken.text}' : a ring's server must be given by IP address, not by host name ('${address.host}').`, addrToken);
  }
  let octetCount = false;
  for (let i = 3; i < args.length; i += 2) {
    const option = args[i] as Token;
    if (option.text !== 'log-proto') {
      return ctx.error(`'server ${ring.name}/${nameToken.text}' : option '${option.text}' is not supported on a ring's server (only 'log-proto').`, option);
    }
    const value = args[i + 1]?.text ?? '';
    if (value !== 'legacy' && value !== 'octet-count') {
      return ctx.error(`'server ${ring.name}/${nameToken.text}' : 'log-proto' expects one of 'legacy' or 'octet-count' but got '${value}'.`, args[i + 1] ?? option);
    }
    octetCount = value === 'octet-count';
  }
  ring.servers.push({ name: nameToken.text, address: address.host, port: address.port, octetCount, place: ctx.place(nameToken) });
}

function refuseBackingFile(ctx: KeywordContext, args: readonly Token[]): void {
  ctx.error("'backing-file' (a file mapped in memory to keep the ring across restarts) is not supported.", args[0]);
}

const ringSection: SectionHeader = { name: 'ring', open: openRing };

const keywords: SectionKeyword[] = [
  { name: 'description', sections: SECTIONS, parse: parseDescription },
  { name: 'format', sections: SECTIONS, parse: parseFormat },
  { name: 'maxlen', sections: SECTIONS, parse: parseMaxlen },
  { name: 'size', sections: SECTIONS, parse: parseSize },
  { name: 'timeout', sections: SECTIONS, parse: parseTimeout },
  { name: 'server', sections: SECTIONS, parse: parseServer },
  { name: 'backing-file', sections: SECTIONS, parse: refuseBackingFile },
];

export const ringKeywords: KeywordList = { sections: [ringSection], keywords };
