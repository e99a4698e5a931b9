/**
 * `bind ADDR:PORT[,ADDR:PORT...] [options]` and its options (HAProxy's bind_kw_list):
 * `ssl`, `crt FILE|DIR` (repeatable), `alpn LIST`, `name NAME`, `v6only`, `v4v6`, `backlog N`,
 * `accept-proxy`, `proto h1|h2`.
 * Each comma-separated address becomes one BindModel carrying the same options.
 */

import { isAbstractSocketPath, parseAddress } from '../address.ts';
import { expandAddressEnv } from '../env-expand.ts';
import type { BindDraft } from '../draft.ts';
import type { BindOption, KeywordContext, KeywordList, SectionKeyword } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { atolInt32, parseInteger, resolveAgainstBase } from './args.ts';
import { unixBindDefaults, withUnixBindPrefix } from './unix-socket-files.ts';

function setFamily(ctx: KeywordContext, bind: BindDraft, v6only: boolean, option: Token): void {
  if (bind.v6only !== undefined && bind.v6only !== v6only) {
    ctx.error(`'bind' : 'v4v6' and 'v6only' are mutually exclusive.`, option);
    return;
  }
  bind.v6only = v6only;
}

const bindOptions: BindOption[] = [
  {
    name: 'ssl',
    arity: 0,
    parse(_ctx, bind) {
      bind.ssl = true;
    },
  },
  {
    name: 'crt',
    arity: 1,
    parse(ctx, bind, value) {
      if (value === undefined) return;
      bind.crt.push({ path: ctx.resolvePath(resolveAgainstBase(value.text, ctx.global.crtBase)), place: ctx.place(value) });
    },
  },
  {
    name: 'alpn',
    arity: 1,
    parse(ctx, bind, value) {
      if (value === undefined) return;
      const protocols = value.text.split(',');
      if (protocols.some((p) => p === '' || p.length > 255)) {
        ctx.error(`'bind' : 'alpn' expects a comma-separated list of protocol names, got '${value.text}'.`, value);
        return;
      }
      bind.alpn = protocols;
    },
  },
  {
    name: 'name',
    arity: 1,
    parse(_ctx, bind, value) {
      if (value !== undefined) bind.name = value.text;
    },
  },
  {
    name: 'v6only',
    arity: 0,
    parse(ctx, bind, _value, option) {
      setFamily(ctx, bind, true, option);
    },
  },
  {
    name: 'v4v6',
    arity: 0,
    parse(ctx, bind, _value, option) {
      setFamily(ctx, bind, false, option);
    },
  },
  {
    name: 'accept-proxy',
    arity: 0,
    parse(_ctx, bind) {
      bind.acceptProxy = true;
    },
  },
  {
    name: 'accept-netscaler-cip',
    arity: 1,
    parse(ctx, bind, value) {
      if (value === undefined) return;
      // HAProxy stores atol()'s result in a uint32 and refuses only 0.
      const magic = atolInt32(value.text) >>> 0;
      if (magic === 0) ctx.error(`'bind ${bind.address}' in section '${ctx.section}' : 'accept-netscaler-cip' : invalid value 0, must be >= 0`, value);
      else bind.netscalerCipMagic = magic;
    },
  },
  {
    // HAProxy's mux names for a frontend: `h2` serves HTTP/2 with prior knowledge (h2c on a
    // clear bind), `h1` HTTP/1 even when ALPN negotiated h2.
    name: 'proto',
    arity: 1,
    parse(ctx, bind, value) {
      if (value === undefined) return;
      // `none`: HAProxy's pass-through mux, for tcp frontends whose connections must never turn HTTP.
      if (value.text === 'h2' || value.text === 'h1' || value.text === 'none') bind.proto = value.text;
      else ctx.error(`'bind' : 'proto' : unknown MUX protocol '${value.text}' (Switchyard serves 'h1', 'h2' and 'none').`, value);
    },
  },
  {
    name: 'backlog',
    arity: 1,
    parse(ctx, bind, value) {
      if (value === undefined) return;
      const backlog = parseInteger(ctx, value, { min: 0, max: 2_147_483_647 }, "'bind' : 'backlog'");
      // 0 is HAProxy's "not set": the frontend's backlog or maxconn applies.
      if (backlog !== undefined) bind.backlog = backlog === 0 ? undefined : backlog;
    },
  },
];

function parseBind(ctx: KeywordContext, args: readonly Token[]): void {
  const proxy = ctx.proxy;
  const addressToken = args[1];
  if (addressToken === undefined || addressToken.text === '') {
    ctx.error("'bind' expects [addr1]:port1[,[addr2]:port2]... as arguments.");
    return;
  }
  const keyword = 'bind';
  const template: BindDraft = {
    host: '',
    port: 0,
    address: addressToken.text,
    ssl: false,
    crt: [],
    certificates: [],
    alpn: undefined,
    name: undefined,
    v6only: undefined,
    backlog: undefined,
    // `unix-bind`'s mode and owner, which the line's own options override (UNIX binds only).
    ...unixBindDefaults(ctx.global),
    place: ctx.place(args[0]),
  };
  const errorsBefore = ctx.errorCount;

  let i = 2;
  while (i < args.length) {
    const optionToken = args[i] as Token;
    const option = ctx.registry.bindOption(optionToken.text);
    if (option === undefined) {
      const name = optionToken.text;
      if (ctx.registry.isUnsupportedBindOption(name)) {
        ctx.error(`'bind ${addressToken.text}' : '${name}' is not supported by Switchyard yet.`, optionToken, keyword);
      } else {
        const suggestion = ctx.registry.suggestBindOption(name);
        ctx.error(
          `'bind ${addressToken.text}' : unknown keyword '${name}'${suggestion === undefined ? '' : `; did you mean '${suggestion}'?`}`,
          optionToken,
          keyword,
        );
      }
      // Without knowing its arity, the rest of the line cannot be read reliably.
      return;
    }
    const value = option.arity === 1 ? args[i + 1] : undefined;
    if (option.arity === 1 && value === undefined) {
      ctx.error(`'bind ${addressToken.text}' : '${option.name}' expects an argument.`, optionToken, keyword);
      return;
    }
    option.parse(ctx, template, value, optionToken);
    i += 1 + option.arity;
  }

  if (template.ssl && template.crt.length === 0 && template.certificates.length === 0 && template.tls?.crtLists === undefined) {
    ctx.error(
      `'bind ${addressToken.text}' : 'ssl' needs a certificate; add 'crt FILE' (a PEM file or a directory of them).`,
      args.find((t) => t.text === 'ssl'),
      keyword,
    );
  }
  if (!template.ssl && template.crt.length > 0) {
    ctx.error(
      `'bind ${addressToken.text}' : 'crt' is set but 'ssl' is missing; add 'ssl' to serve TLS on this address.`,
      args.find((t) => t.text === 'crt'),
      keyword,
    );
  }

  const binds: BindDraft[] = [];
  let offset = 0;
  for (const part of addressToken.text.split(',')) {
    const column = addressToken.column + offset;
    offset += part.length + 1;
    const parsed = parseAddress(expandAddressEnv(part, (name) => ctx.getEnv(name)), true, { unix: true, fd: true });
    const partPlace = { ...ctx.place(addressToken), column };
    if (!parsed.ok) {
      ctx.error(`'bind' : ${parsed.message}.`, { text: part, column }, keyword);
      continue;
    }
    const unix = parsed.value.unix === true;
    const abstract = unix && isAbstractSocketPath(parsed.value.host);
    const { mode, owner, ...settings } = template;
    // An abstract socket has no file: no unix-bind prefix, nothing to chmod or chown (the
    // options warned, unix-socket-files.ts).
    binds.push({
      ...settings,
      host: unix && !abstract ? withUnixBindPrefix(ctx.global, parsed.value.host) : parsed.value.host,
      port: parsed.value.port,
      ...(parsed.value.fd !== undefined ? { fd: parsed.value.fd } : {}),
      ...(abstract ? { unix: true } : unix ? { unix: true, ...(mode !== undefined ? { mode } : {}), ...(owner !== undefined ? { owner: { ...owner } } : {}) } : {}),
      address: part,
      ...(part !== addressToken.text ? { lineAddress: addressToken.text } : {}),
      crt: [...template.crt],
      certificates: [...template.certificates],
      alpn: template.alpn === undefined ? undefined : [...template.alpn],
      place: partPlace,
    });
  }
  // Only a fully valid line adds listeners, so one mistake does not cascade into others.
  if (proxy !== undefined && ctx.errorCount === errorsBefore) proxy.binds.push(...binds);
}

const keywords: SectionKeyword[] = [{ name: 'bind', sections: ['frontend', 'listen'], parse: parseBind }];

export const bindKeywords: KeywordList = {
  keywords,
  bindOptions,
  unsupported: {
    bindOptions: [
      'allow-0rtt',
      'client-sigalgs', 'defer-accept', 'expose-fd', 'guid-prefix', 'idle-ping',
      'interface', 'label', 'level', 'maxconn', 'mss', 'namespace', 'nbconn', 'no-ca-names', 'npn',
      'quic-cc-algo', 'quic-force-retry', 'quic-socket',
      'shards', 'sigalgs', 'tcp-md5sig', 'tcp-ut', 'tfo',
      'transparent', 'default-crt', 'ktls', 'cc',
    ],
  },
};
