/**
 * Who owns a UNIX socket file and who may open it (HAProxy's cfgparse-unix.c and `unix-bind`):
 * the `bind` options `mode OCTAL`, `user NAME` / `uid N`, `group NAME` / `gid N`, the same words
 * on a `stats socket` (stats-socket.ts reads them through parseSocketFileOption), and the global
 * `unix-bind [prefix P] [mode M] [user U] [uid N] [group G] [gid N]`, whose prefix is put before
 * the path of every UNIX `bind` of a proxy and whose settings are those binds' defaults.
 * Names are looked up in /etc/passwd and /etc/group when the process starts
 * (src/proxy/socket-owners.ts), with the alert the keyword that named them gives in HAProxy.
 */

import type { BindDraft, GlobalDraft } from '../draft.ts';
import type { BindOption, KeywordContext, KeywordList, SectionKeyword } from '../registry.ts';
import type { Token } from '../tokenizer.ts';

type OwnerDraft = NonNullable<BindDraft['owner']>;

/** The words shared by `bind` and `stats socket`. */
export const SOCKET_FILE_OPTIONS = ['mode', 'user', 'group', 'uid', 'gid'] as const;
export type SocketFileOption = (typeof SOCKET_FILE_OPTIONS)[number];

export function isSocketFileOption(word: string): word is SocketFileOption {
  return (SOCKET_FILE_OPTIONS as readonly string[]).includes(word);
}

/** An octal mode as HAProxy's strtol(.., 8) reads it, without its silent stop at a bad digit. */
export function parseOctalMode(text: string): number | undefined {
  return /^[0-7]{1,6}$/.test(text) && Number.parseInt(text, 8) <= 0o7777 ? Number.parseInt(text, 8) : undefined;
}

/** A numeric uid/gid; HAProxy's atol() would make a typo root (0), so anything else is refused. */
function parseNumericId(text: string): number | undefined {
  return /^\d{1,10}$/.test(text) && Number(text) <= 2_147_483_647 ? Number(text) : undefined;
}

/**
 * Reads one socket-file word and its value into `target`. `say` wraps a message in the words
 * of the keyword, as HAProxy's do; `unknownName` words the startup alert for a name not found
 * (by default, `say`'s "unknown user name"). Returns false after reporting an error.
 */
export function parseSocketFileOption(
  ctx: KeywordContext,
  target: { mode?: number; owner?: OwnerDraft },
  option: SocketFileOption,
  value: Token,
  say: (message: string) => string,
  unknownName: (option: 'user' | 'group', name: string) => string = (word, name) => say(`'${word}' : unknown ${word} name '${name}'`),
): boolean {
  const text = value.text;
  switch (option) {
    case 'mode': {
      const mode = parseOctalMode(text);
      if (mode === undefined) {
        ctx.error(say(`'mode' : missing or invalid mode '${text}' (octal integer expected)`), value);
        return false;
      }
      target.mode = mode;
      return true;
    }
    case 'uid':
    case 'gid': {
      const id = parseNumericId(text);
      if (id === undefined) {
        ctx.error(say(`'${option}' : '${text}' is not a numeric ${option} (use '${option === 'uid' ? 'user' : 'group'}' for a name)`), value);
        return false;
      }
      const owner = (target.owner ??= {});
      owner[option] = id;
      delete owner[option === 'uid' ? 'user' : 'group'];
      return true;
    }
    case 'user':
    case 'group': {
      if (text === '') {
        ctx.error(say(`'${option}' : missing ${option} name`), value);
        return false;
      }
      const place = ctx.place(value);
      const owner = (target.owner ??= {});
      owner[option] = { name: text, source: { file: place.file, line: place.line }, unknown: unknownName(option, text) };
      delete owner[option === 'user' ? 'uid' : 'gid'];
      return true;
    }
  }
}

function bindOption(name: SocketFileOption): BindOption {
  return {
    name,
    arity: 1,
    parse(ctx, bind, value, option) {
      if (value === undefined) return;
      const say = (message: string): string => `'bind ${bind.address}' : ${message}`;
      if (!parseSocketFileOption(ctx, bind, name, value, say)) return;
      if (bind.address.toLowerCase().startsWith('abns@')) {
        // HAProxy skips the chmod and chown of a socket without a file.
        ctx.warning(say(`'${name}' has no effect on an abstract socket (no file); ignored.`), option);
      } else if (bind.unix !== true && !bind.address.startsWith('/') && !bind.address.startsWith('unix@')) {
        // HAProxy keeps these in the bind's UNIX settings, which a TCP socket never reads.
        ctx.warning(say(`'${name}' only applies to UNIX sockets; ignored on this address.`), option);
      }
    },
  };
}

/** `unix-bind`: HAProxy's cfg_parse_global branch, its words and messages. */
function parseUnixBind(ctx: KeywordContext, args: readonly Token[]): void {
  const settings: NonNullable<GlobalDraft['unixBind']> = (ctx.global.unixBind ??= { owner: {} });
  for (let i = 1; i < args.length; i += 2) {
    const word = args[i] as Token;
    const value = args[i + 1];
    if (word.text === 'prefix') {
      if (settings.prefix !== undefined) {
        // An alert that does not stop HAProxy: the first prefix stays.
        ctx.warning(`unix-bind '${word.text}' already specified. Continuing.`, word);
        continue;
      }
      if (value === undefined || value.text === '') {
        ctx.error(`unix_bind '${word.text}' expects a path as an argument.`, word);
        return;
      }
      settings.prefix = value.text;
      continue;
    }
    if (!isSocketFileOption(word.text)) {
      ctx.error(`'unix-bind' only supports the 'prefix', 'mode', 'uid', 'gid', 'user' and 'group' options.`, word);
      return;
    }
    if (value === undefined) {
      ctx.error(`'unix-bind' : '${word.text}' expects an argument.`, word);
      return;
    }
    const say = (message: string): string => `'unix-bind' : ${message}`;
    if (!parseSocketFileOption(ctx, settings, word.text, value, say, (kind, name) => `'unix-bind' : '${name}' unknown ${kind}.`)) return;
  }
}

/** A UNIX `bind` path with `unix-bind`'s prefix (put before it as written, as HAProxy's str2sa_range does). */
export function withUnixBindPrefix(global: GlobalDraft, path: string): string {
  return global.unixBind?.prefix === undefined ? path : `${global.unixBind.prefix}${path}`;
}

/** `unix-bind`'s mode and owner, the defaults of a UNIX `bind` line before its own options. */
export function unixBindDefaults(global: GlobalDraft): Pick<BindDraft, 'mode' | 'owner'> {
  const settings = global.unixBind;
  if (settings === undefined) return {};
  const owner = Object.keys(settings.owner).length > 0 ? { owner: { ...settings.owner } } : {};
  return { ...(settings.mode !== undefined ? { mode: settings.mode } : {}), ...owner };
}

const keywords: SectionKeyword[] = [{ name: 'unix-bind', sections: ['global'], parse: parseUnixBind }];

export const unixSocketFileKeywords: KeywordList = {
  keywords,
  bindOptions: SOCKET_FILE_OPTIONS.map(bindOption),
};
