/**
 * Persistence keywords (HAProxy's cfgparse-listen.c and stick_table.c):
 *
 * - `cookie NAME [rewrite|insert|prefix] [indirect] [nocache] [postonly] [preserve] [httponly]
 *   [secure] [domain D]* [maxidle T] [maxlife T] [dynamic] [attr VALUE]*` (defaults, backend, listen);
 * - `stick-table type ip|ipv6|integer|string [len N]|binary [len N] size N [expire T] [nopurge]
 *   [store TYPE[(PERIOD)],...]` (frontend, backend, listen; `store` parsed in stick-store.ts);
 * - `stick on|match|store-request|store-response EXPR [table NAME] [if|unless COND]` (backend, listen);
 * - `option persist`.
 *
 * - `dynamic-cookie-key KEY` (defaults, backend, listen): the secret of `cookie ... dynamic`;
 * - `persist rdp-cookie[(NAME)]` (defaults, backend, listen).
 *
 * HAProxy's checks and messages are kept. What the engine does not do yet is refused by name:
 * stick-table `write-to`, `recv-only`. A table's `peers NAME` and
 * `srvkey name|addr` are read here; the peers themselves are src/peers/.
 * Cross-proxy checks (the table a rule names exists) are in resolve.ts.
 */

import type { CookieDraft } from '../draft.ts';
import type { ConditionModel, StickStoreModel, StickTableModel } from '../model.ts';
import type { KeywordContext, KeywordList, ProxyOption, SectionKeyword } from '../registry.ts';
import { didYouMean } from '../suggest.ts';
import type { Token } from '../tokenizer.ts';
import { compileCondition, parseCondition } from '../../rules/condition.ts';
import { compileSampleFetch } from '../../rules/sample-fetch.ts';
import { noExtraArgs, parseSize, parseTime } from './args.ts';
import { parseStoreList } from './stick-store.ts';

const COOKIE_OPTIONS = [
  'rewrite', 'insert', 'prefix', 'indirect', 'nocache', 'postonly', 'preserve', 'httponly', 'secure', 'domain', 'maxidle', 'maxlife',
  'dynamic', 'attr',
];

/** HAProxy's invalid_domainchar(): letters, digits, '-', '.' and '_' only. */
function invalidDomainCharacter(domain: string): string | undefined {
  return /[^A-Za-z0-9._-]/.exec(domain)?.[0];
}

/** HAProxy refuses control characters and ';' in an `attr` value; the code of the first one. */
function invalidAttributeCharacter(value: string): number | undefined {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x3b) return c;
  }
  return undefined;
}

function parseCookie(ctx: KeywordContext, args: readonly Token[]): void {
  const nameToken = args[1];
  if (nameToken === undefined) {
    ctx.error("'cookie' expects <cookie_name> as argument.");
    return;
  }
  // HAProxy warns first and still checks the line.
  const ignored = ctx.ignoredWithoutCapability('backend');
  const errorsBefore = ctx.errorCount;
  const modes: Token[] = [];
  const cookie: { -readonly [K in keyof Omit<CookieDraft, 'mode' | 'place'>]: CookieDraft[K] } & { domains: string[] } = {
    name: nameToken.text,
    indirect: false,
    nocache: false,
    postonly: false,
    preserve: false,
    httponly: false,
    secure: false,
    domains: [],
    maxidle: undefined,
    maxlife: undefined,
    // HAProxy 2.6 keeps the attributes of an earlier `cookie` line (inherited or not) and adds to them.
    attrs: ctx.proxy?.cookie?.attrs,
    dynamic: false,
  };
  let i = 2;
  while (i < args.length) {
    const word = args[i] as Token;
    const value = args[i + 1];
    switch (word.text) {
      case 'rewrite':
      case 'insert':
      case 'prefix':
        modes.push(word);
        break;
      case 'indirect':
      case 'nocache':
      case 'postonly':
      case 'preserve':
      case 'httponly':
      case 'secure':
        cookie[word.text] = true;
        break;
      case 'domain':
        if (value === undefined) {
          ctx.error("'domain' expects <domain> as argument.", word);
          return;
        }
        {
          const bad = invalidDomainCharacter(value.text);
          if (bad !== undefined) {
            ctx.error(`character '${bad}' is not permitted in domain name '${value.text}'.`, value);
            return;
          }
        }
        if (!value.text.includes('.')) {
          ctx.warning(`domain '${value.text}' contains no embedded dot, this configuration may not work properly (see RFC6265#5.2.3).`, value);
        }
        cookie.domains.push(value.text);
        i += 1;
        break;
      case 'maxidle':
      case 'maxlife': {
        if (value === undefined) {
          ctx.error(`'${word.text}' expects <${word.text === 'maxidle' ? 'idletime' : 'lifetime'}> in seconds as argument.`, word);
          return;
        }
        // HAProxy reads these in seconds when no unit is given.
        const text = /^\d+$/.test(value.text) ? `${value.text}s` : value.text;
        const ms = parseTime(ctx, { ...value, text }, `'${word.text}'`);
        if (ms === undefined) return;
        // HAProxy stores dates with a one-second resolution: 0 (or less than 1s) means no limit.
        const seconds = Math.floor(ms / 1000);
        cookie[word.text] = seconds === 0 ? undefined : seconds * 1000;
        i += 1;
        break;
      }
      case 'dynamic':
        if (ignored) ctx.ignoredWithoutCapability('backend', word, 'dynamic');
        cookie.dynamic = true;
        break;
      case 'attr': {
        if (value === undefined || value.text === '') {
          ctx.error("'attr' expects <value> as argument.", word);
          return;
        }
        const bad = invalidAttributeCharacter(value.text);
        if (bad !== undefined) {
          ctx.error(`character '%x${bad.toString(16).toUpperCase().padStart(2, '0')}' is not permitted in attribute value.`, value);
          return;
        }
        cookie.attrs = cookie.attrs === undefined ? value.text : `${cookie.attrs}; ${value.text}`;
        i += 1;
        break;
      }
      default:
        ctx.error(
          `'cookie' supports 'rewrite', 'insert', 'prefix', 'indirect', 'nocache', 'postonly', 'preserve', 'httponly', 'secure', 'domain', 'maxidle', 'maxlife', 'dynamic' and 'attr' options (got '${word.text}')${didYouMean(word.text, COOKIE_OPTIONS)}.`,
          word,
        );
        return;
    }
    i += 1;
  }
  const distinctModes = new Set(modes.map((m) => m.text));
  if (distinctModes.size > 1) {
    ctx.error("cookie 'rewrite', 'insert' and 'prefix' modes are incompatible.", modes[1]);
  }
  const mode = modes[0]?.text as CookieDraft['mode'] | undefined;
  if (mode === 'rewrite' && cookie.indirect) ctx.error("cookie 'rewrite' and 'indirect' modes are incompatible.");
  if (cookie.preserve && mode !== 'insert' && !cookie.indirect) ctx.error("cookie 'preserve' requires at least 'insert' or 'indirect'.");
  if (ctx.errorCount !== errorsBefore) return;
  if (mode !== 'insert' && (cookie.maxidle !== undefined || cookie.maxlife !== undefined)) {
    // HAProxy silently ignores them: the dates live in an inserted cookie's value.
    ctx.warning("cookie 'maxidle' and 'maxlife' only apply to 'insert' mode; ignored.");
    cookie.maxidle = undefined;
    cookie.maxlife = undefined;
  }
  // No mode: HAProxy's passive cookie, which the servers set themselves.
  if (!ignored && ctx.proxy !== undefined) ctx.proxy.cookie = { ...cookie, mode: mode ?? 'passive', place: ctx.place() };
}

const TABLE_TYPES: readonly StickTableModel['type'][] = ['ip', 'ipv6', 'integer', 'string', 'binary'];
const TABLE_OPTIONS = ['type', 'size', 'expire', 'nopurge', 'store', 'peers', 'srvkey'];
const UNSUPPORTED_TABLE_OPTIONS = ['write-to', 'recv-only', 'brates-factor'];

function parseStickTable(ctx: KeywordContext, args: readonly Token[]): void {
  const proxy = ctx.proxy;
  const table = parseStickTableArgs(ctx, args, 1, true);
  if (table === undefined || proxy === undefined) return;
  if (proxy.stickTable !== undefined) {
    const first = proxy.stickTable.source;
    ctx.error(`stick-table: ${proxy.kind} '${proxy.name}' already has a stick-table, declared at ${first.file}:${first.line}.`);
    return;
  }
  proxy.stickTable = table;
}

/**
 * The words of a table definition from `args[start]` (`type ... size ...`), as a `stick-table`
 * line or a peers section's `table NAME` line (where `peers` is implied: `peersAllowed` false)
 * has them; undefined after an error.
 */
export function parseStickTableArgs(ctx: KeywordContext, args: readonly Token[], start: number, peersAllowed: boolean): StickTableModel | undefined {
  let peers: string | undefined;
  let srvkey: 'name' | 'addr' | undefined;
  let type: StickTableModel['type'] | undefined;
  let keyLength = 0;
  let size = 0;
  let expire: number | undefined;
  let nopurge = false;
  const store: StickStoreModel[] = [];
  let i = start;
  while (i < args.length) {
    const word = args[i] as Token;
    const value = args[i + 1];
    if (word.text === 'nopurge') {
      nopurge = true;
      i += 1;
      continue;
    }
    if (UNSUPPORTED_TABLE_OPTIONS.includes(word.text)) {
      ctx.error(`stick-table: '${word.text}' is not supported by Switchyard yet.`, word);
      return undefined;
    }
    if (!TABLE_OPTIONS.includes(word.text) || (word.text === 'peers' && !peersAllowed)) {
      ctx.error(`stick-table: unknown argument '${word.text}'${didYouMean(word.text, TABLE_OPTIONS)}.`, word);
      return undefined;
    }
    if (value === undefined) {
      ctx.error(`stick-table: missing argument after '${word.text}'.`, word);
      return undefined;
    }
    i += 2;
    if (word.text === 'peers') {
      peers = value.text;
    } else if (word.text === 'srvkey') {
      if (value.text !== 'name' && value.text !== 'addr') {
        // HAProxy's stktable_parse: "unexpected value for 'srvkey' argument".
        ctx.error(`stick-table: unexpected value '${value.text}' for 'srvkey' argument (expects 'name' or 'addr').`, value);
        return undefined;
      }
      srvkey = value.text;
    } else if (word.text === 'store') {
      const parsed = parseStoreList(value.text, store);
      if (!parsed.ok) {
        ctx.error(parsed.message, value);
        return undefined;
      }
      for (const warning of parsed.warnings) ctx.warning(warning, value);
    } else if (word.text === 'size') {
      const parsed = parseSize(value.text);
      if (parsed === undefined) {
        ctx.error(`stick-table: invalid size '${value.text}' in argument of 'size' (expected a number with an optional k, m or g suffix).`, value);
        return undefined;
      }
      size = parsed;
    } else if (word.text === 'expire') {
      const ms = parseTime(ctx, value, "stick-table: 'expire'");
      if (ms === undefined) return undefined;
      expire = ms === 0 ? undefined : ms;
    } else {
      const found = TABLE_TYPES.find((t) => t === value.text);
      if (found === undefined) {
        ctx.error(`stick-table: unknown type '${value.text}'${didYouMean(value.text, TABLE_TYPES)}.`, value);
        return undefined;
      }
      type = found;
      keyLength = found === 'ipv6' ? 16 : found === 'ip' || found === 'integer' ? 4 : 32;
      if ((found === 'string' || found === 'binary') && args[i]?.text === 'len') {
        const len = args[i + 1];
        if (len === undefined || !/^\d+$/.test(len.text) || Number(len.text) < 1 || Number(len.text) > 65535) {
          ctx.error(`stick-table: 'len' expects a key length between 1 and 65535, got '${len?.text ?? ''}'.`, len ?? args[i]);
          return undefined;
        }
        keyLength = Number(len.text);
        i += 2;
      }
    }
  }
  if (size === 0) {
    ctx.error('stick-table: missing size.');
    return undefined;
  }
  if (type === undefined) {
    ctx.error('stick-table: missing type.');
    return undefined;
  }
  const { file, line } = ctx.place();
  return {
    type,
    keyLength,
    size,
    expire,
    nopurge,
    ...(store.length > 0 ? { store } : {}),
    ...(peers !== undefined ? { peers } : {}),
    ...(srvkey !== undefined ? { srvkey } : {}),
    source: { file, line },
  };
}

function parseStick(ctx: KeywordContext, args: readonly Token[]): void {
  const kindToken = args[1];
  const kind = kindToken?.text === 'store' ? 'store-request' : kindToken?.text;
  if (kindToken === undefined || (kind !== 'on' && kind !== 'match' && kind !== 'store-request' && kind !== 'store-response')) {
    ctx.error("'stick' expects 'on', 'match', or 'store'.", kindToken);
    return;
  }
  const expression = args[2];
  if (expression === undefined) {
    ctx.error("'stick' expects a fetch method.", kindToken);
    return;
  }
  // HAProxy's SMP_VAL_BE_STO_RUL (store-response: the response and the connection) or
  // SMP_VAL_BE_SET_SRV (the others: the request and the connection).
  const onResponse = kind === 'store-response';
  const compiled = compileSampleFetch(expression.text, { direction: onResponse ? 'response' : 'request' });
  if (!compiled.ok) {
    const name = expression.text.replace(/[(,].*$/, '');
    const message =
      compiled.unavailable === undefined
        ? compiled.message
        : `fetch method '${name}' extracts information from '${compiled.unavailable}', none of which is available ${onResponse ? "for 'store-response'" : 'during request'}`;
    ctx.error(`'stick': ${message}.`, expression);
    return;
  }
  let i = 3;
  let table: Token | undefined;
  if (args[i]?.text === 'table') {
    table = args[i + 1];
    if (table === undefined) {
      ctx.error("'stick': 'table' expects a table name.", args[i]);
      return;
    }
    i += 2;
  }
  const next = args[i];
  let condition: ConditionModel | undefined;
  if (next !== undefined) {
    if (next.text !== 'if' && next.text !== 'unless') {
      ctx.error(`'stick': unknown keyword '${next.text}'.`, next);
      return;
    }
    const words = args.slice(i);
    const proxy = ctx.proxy;
    const { file, line } = ctx.place();
    const parsed = parseCondition(words.map((t) => t.text), (name) => proxy?.acls.some((a) => a.name === name) ?? false, { file, line });
    if (!parsed.ok) {
      ctx.error(`'stick': error detected while parsing sticking condition : ${parsed.message}.`, words[parsed.word] ?? next);
      return;
    }
    const acls = proxy?.acls ?? [];
    const where = onResponse ? 'backend stick-store rule' : 'backend use-server, balance or stick-match rule';
    const checked = compileCondition(parsed.condition, (name) => acls.filter((a) => a.name === name), onResponse ? 'response' : 'request', where);
    if (!checked.ok) {
      ctx.error(`'stick': error detected while parsing sticking condition : ${checked.message}.`, next);
      return;
    }
    for (const warning of checked.warnings) ctx.warning(`${warning}.`, next);
    condition = parsed.condition;
  }
  if (ctx.ignoredWithoutCapability('backend')) return;
  ctx.proxy?.stickRules.push({
    kind,
    expression: expression.text,
    table: table?.text,
    ...(condition !== undefined ? { condition } : {}),
    place: ctx.place(),
    tablePlace: table === undefined ? undefined : ctx.place(table),
  });
}

const persist: ProxyOption = {
  name: 'persist',
  capability: 'backend',
  builtinDefault: false,
  read: (proxy) => proxy.options.persist,
  apply(ctx, proxy, enabled, args) {
    if (noExtraArgs(ctx, args, 2, 2)) proxy.options.persist = enabled;
  },
};

/** HAProxy: stick-table and stick are refused in defaults ("'stick' not allowed in 'defaults' section."). */
function notInDefaults(name: string, parse: SectionKeyword['parse']): SectionKeyword['parse'] {
  return (ctx, args) => {
    if (ctx.section === 'defaults') {
      ctx.error(name === 'stick' ? "'stick' not allowed in 'defaults' section." : "'stick-table' is not supported in 'defaults' section.");
      return;
    }
    parse(ctx, args);
  };
}

/** `persist rdp-cookie[(NAME)]` (HAProxy's cfgparse-listen.c, its messages and quirks kept). */
function parsePersist(ctx: KeywordContext, args: readonly Token[]): void {
  const method = args[1];
  if (method === undefined) {
    ctx.error('missing persist method.');
    return;
  }
  if (!method.text.startsWith('rdp-cookie')) {
    ctx.error('unknown persist method.', method);
    return;
  }
  const rest = method.text.slice(10);
  let cookie = 'msts';
  if (rest !== '') {
    const close = rest.indexOf(')');
    // HAProxy checks for extra words only in the `(NAME)` form.
    if (rest[0] === '(' && !noExtraArgs(ctx, args, 2, 1)) return;
    if (rest[0] !== '(' || close <= 1) {
      ctx.error("persist rdp-cookie(name)' requires an rdp cookie name.", method);
      return;
    }
    cookie = rest.slice(1, close);
  }
  if (ctx.ignoredWithoutCapability('backend')) return;
  if (ctx.proxy !== undefined) ctx.proxy.rdpCookiePersist = cookie;
}

/** `dynamic-cookie-key KEY`: the secret of `cookie ... dynamic` (src/proxy/dynamic-cookie.ts). */
function parseDynamicCookieKey(ctx: KeywordContext, args: readonly Token[]): void {
  const key = args[1];
  if (key === undefined || key.text === '') {
    ctx.error("'dynamic-cookie-key' expects <secret_key> as argument.");
    return;
  }
  // HAProxy reads the first word only and says nothing of the others.
  const extra = args[2];
  if (extra !== undefined) ctx.warning(`'dynamic-cookie-key' : extra argument '${extra.text}' ignored (the key is '${key.text}').`, extra);
  if (ctx.ignoredWithoutCapability('backend')) return;
  if (ctx.proxy !== undefined) ctx.proxy.dynamicCookieKey = key.text;
}

const keywords: SectionKeyword[] = [
  { name: 'persist', sections: ['defaults', 'frontend', 'backend', 'listen'], parse: parsePersist },
  { name: 'dynamic-cookie-key', sections: ['defaults', 'frontend', 'backend', 'listen'], parse: parseDynamicCookieKey },
  { name: 'cookie', sections: ['defaults', 'frontend', 'backend', 'listen'], parse: parseCookie },
  { name: 'stick-table', sections: ['defaults', 'frontend', 'backend', 'listen'], parse: notInDefaults('stick-table', parseStickTable) },
  { name: 'stick', sections: ['defaults', 'frontend', 'backend', 'listen'], parse: notInDefaults('stick', parseStick) },
];

export const persistenceKeywords: KeywordList = { keywords, options: [persist] };
