/**
 * HAProxy's authentication fetches (http_fetch.c), reading the request's Authorization header
 * (basic-auth.ts) and the configuration's userlists:
 *
 * - `http_auth_type`: `Basic` or `Bearer`; `http_auth_user`, `http_auth_pass`: Basic
 *   credentials; `http_auth_bearer([HEADER])`: a Bearer token (from HEADER when named: then an
 *   empty string when there is none);
 * - `http_auth(USERLIST)`: a boolean, whether the Basic credentials are valid in the userlist
 *   (no sample without Basic credentials);
 * - `http_auth_group(USERLIST)`: the user name when the credentials are valid; as an ACL it
 *   matches the user's groups against the patterns (HAProxy's pat_match_auth): it offers each
 *   group of the user, so `acl admins http_auth_group(L) admin ops` matches members of either.
 *
 * The userlist is looked up by name in the context's table (one per configuration generation);
 * unknown names are configuration errors found once every section is read (userlists.ts).
 */
import { type Authorization, parseAuthorization } from '../auth/basic-auth.ts';
import type { Userlist } from '../auth/userlist.ts';
import { latin1Bytes } from '../http/codec/chars.ts';
import { collectHeaderValues } from './header-view.ts';
import type { Sample } from './sample.ts';
import type { SampleContext } from './sample-context.ts';
import type { FetchBody, FetchFactory } from './sample-fetch.ts';
import { noteUserlistReference } from './userlist-references.ts';

const AUTHORIZATION = latin1Bytes('authorization');
const PROXY_AUTHORIZATION = latin1Bytes('proxy-authorization');
/** Scratch for header values: fetches run one at a time. */
const VALUES: string[] = [];

/** The last Authorization value parsed, and what it held (rules often ask several fetches). */
let lastValue: string | undefined;
let lastParsed: Authorization | undefined;

/** The first comma-separated value of header `lower` as edited so far, as http_find_header(.., 0). */
function firstValue(ctx: SampleContext, lower: Uint8Array): string | undefined {
  const head = ctx.lbHead;
  if (head === undefined) return undefined;
  VALUES.length = 0;
  const n = collectHeaderValues(head, ctx.requestEdits, lower, true, VALUES);
  return n > 0 ? VALUES[0] : undefined;
}

function authorization(ctx: SampleContext): Authorization | undefined {
  const value = firstValue(ctx, ctx.proxiedRequest === true ? PROXY_AUTHORIZATION : AUTHORIZATION);
  if (value === undefined) return undefined;
  if (value !== lastValue) {
    lastValue = value;
    lastParsed = parseAuthorization(value);
  }
  return lastParsed;
}

function basic(ctx: SampleContext): { user: string; password: string } | undefined {
  const auth = authorization(ctx);
  return auth?.scheme === 'Basic' ? auth : undefined;
}

function noArgument(name: string, args: readonly string[]): string | undefined {
  return args.length > 0 ? `fetch method '${name}' takes no argument` : undefined;
}

function request(sample: (ctx: SampleContext, out: Sample) => boolean, type: FetchBody['type'] = 'str'): FetchBody {
  return { scope: 'request', type, sample };
}

const authType: FetchFactory = (name, args) =>
  noArgument(name, args) ??
  request((ctx, out) => {
    const auth = authorization(ctx);
    return auth !== undefined && out.setStr(auth.scheme);
  });

const authUser: FetchFactory = (name, args) =>
  noArgument(name, args) ??
  request((ctx, out) => {
    const auth = basic(ctx);
    return auth !== undefined && out.setStr(auth.user);
  });

const authPass: FetchFactory = (name, args) =>
  noArgument(name, args) ??
  request((ctx, out) => {
    const auth = basic(ctx);
    return auth !== undefined && out.setStr(auth.password);
  });

const authBearer: FetchFactory = (name, args) => {
  if (args.length > 1) return `fetch method '${name}' takes at most 1 argument`;
  const header = args[0];
  if (header === undefined || header === '') {
    return request((ctx, out) => {
      const auth = authorization(ctx);
      return auth?.scheme === 'Bearer' && out.setStr(auth.token);
    });
  }
  const lower = latin1Bytes(header.toLowerCase());
  // HAProxy answers an empty string when the named header holds no Bearer token.
  return request((ctx, out) => {
    const value = firstValue(ctx, lower);
    if (value === undefined) return out.setStr('');
    const space = value.indexOf(' ');
    const scheme = space < 0 ? value : value.slice(0, space);
    let p = space < 0 ? value.length : space;
    while (value.charCodeAt(p) === 0x20) p++;
    const token = value.slice(p);
    return out.setStr(scheme.toLowerCase() === 'bearer' && token !== '' ? token : '');
  });
};

/** The userlist argument: exactly one non-empty name, noted for the configuration checks. */
function userlistArgument(name: string, args: readonly string[]): { readonly userlist: string } | string {
  const userlist = args[0];
  if (args.length > 1) return `fetch method '${name}' takes exactly one argument (a userlist name)`;
  if (userlist === undefined || userlist === '') return `missing userlist name in arg 1 of sample fetch keyword '${name}'`;
  noteUserlistReference(name, userlist);
  return { userlist };
}

/** The credentials' user when they are valid in `userlist` (HAProxy's check_user). */
function validUser(ctx: SampleContext, userlist: Userlist | undefined): string | undefined {
  if (userlist === undefined) return undefined;
  const auth = basic(ctx);
  return auth !== undefined && userlist.check(auth.user, auth.password) ? auth.user : undefined;
}

const httpAuth: FetchFactory = (name, args) => {
  const arg = userlistArgument(name, args);
  if (typeof arg === 'string') return arg;
  const listName = arg.userlist;
  return request((ctx, out) => {
    const userlist = ctx.userlists?.get(listName);
    if (userlist === undefined) return false;
    const auth = basic(ctx);
    return auth !== undefined && out.setBool(userlist.check(auth.user, auth.password));
  }, 'bool');
};

const httpAuthGroup: FetchFactory = (name, args) => {
  const arg = userlistArgument(name, args);
  if (typeof arg === 'string') return arg;
  const listName = arg.userlist;
  return {
    scope: 'request',
    type: 'str',
    sample(ctx, out) {
      const user = validUser(ctx, ctx.userlists?.get(listName));
      return user !== undefined && out.setStr(user);
    },
    each(ctx, out, match) {
      const userlist = ctx.userlists?.get(listName);
      const user = validUser(ctx, userlist);
      if (user === undefined) return false;
      for (const group of userlist?.groupsOf(user) ?? []) if (out.setStr(group) && match(out)) return true;
      return false;
    },
  };
};

/** Registered by sample-fetch.ts. */
export const AUTH_FETCHES: readonly (readonly [string, FetchFactory])[] = [
  ['http_auth_type', authType],
  ['http_auth_user', authUser],
  ['http_auth_pass', authPass],
  ['http_auth_bearer', authBearer],
  ['http_auth', httpAuth],
  ['http_auth_group', httpAuthGroup],
];
