/**
 * JSON Web Token converters (HAProxy 2.6's src/jwt.c and sample.c):
 * - `jwt_header_query([JSON_PATH[,int]])` / `jwt_payload_query(...)`: the token's first
 *   (JOSE header) or second (claims) dot-separated part, base64url-decoded; with a path, the
 *   value there as `json_query` gives it.
 * - `jwt_verify(ALG,KEY)`: whether the token's signature is right, as an integer: 1 it is,
 *   0 it is not, -1 unknown algorithm, -2 algorithm not managed (PS256/384/512), -3 invalid
 *   token, -5 unknown certificate. ALG and KEY are strings or variables. For HS256/384/512 KEY
 *   is the HMAC secret; for RS* and ES* it is the path of a PEM public key, read with the
 *   configuration (as HAProxy loads every constant KEY into its certificate tree while parsing;
 *   a KEY that is not a readable key is then an unknown certificate). ECDSA signatures are
 *   DER-encoded, as 2.6 hands the decoded signature to EVP_DigestVerifyFinal unchanged.
 */
import type { PublicKey, SignatureDigest } from '../../runtime.ts';
import type { Sample } from '../sample.ts';
import type { SampleContext } from '../sample-context.ts';
import { readPatternFile } from '../pattern-files.ts';
import { type ConverterDefinition, spec, strArg } from './definition.ts';
import { base64UrlDecode } from './encoding.ts';
import { constantTimeEqual, hmac } from './hashes.ts';
import { parseJsonPath, queryJson } from './json-query.ts';
import { VariableReader, variableArg } from './variable-args.ts';

/** jwt_verify's answers (enum jwt_vrfy_status). */
export const JwtVerdict = {
  ok: 1,
  ko: 0,
  unknownAlg: -1,
  unmanagedAlg: -2,
  invalidToken: -3,
  unknownCert: -5,
} as const;

type JwtAlg =
  | { readonly kind: 'none' }
  | { readonly kind: 'hmac'; readonly digest: SignatureDigest }
  | { readonly kind: 'pkey'; readonly digest: SignatureDigest; readonly ecdsa: boolean }
  | { readonly kind: 'pss' };

const DIGESTS: Readonly<Record<string, SignatureDigest>> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

/** jwt_parse_alg: the RFC 7518 names 2.6 knows (exactly), undefined for any other. */
export function parseJwtAlg(name: string): JwtAlg | undefined {
  if (name === 'none') return { kind: 'none' };
  if (name.length !== 5) return undefined;
  const digest = DIGESTS[name.slice(2)];
  if (digest === undefined) return undefined;
  switch (name.slice(0, 2)) {
    case 'HS':
      return { kind: 'hmac', digest };
    case 'RS':
      return { kind: 'pkey', digest, ecdsa: false };
    case 'ES':
      return { kind: 'pkey', digest, ecdsa: true };
    case 'PS':
      return { kind: 'pss' };
    default:
      return undefined;
  }
}

/**
 * The key of a constant KEY argument: the PEM file it names, parsed on first use with the
 * runtime's public-key support (once per compiled converter, never again per request).
 */
export class KeyFile {
  readonly #pem: string | undefined;
  #key: PublicKey | null | undefined;

  constructor(pem: string | undefined) {
    this.#pem = pem;
  }

  key(ctx: SampleContext): PublicKey | undefined {
    if (this.#key === undefined) {
      const make = ctx.runtime?.publicKey;
      this.#key = (this.#pem === undefined || make === undefined ? undefined : make(this.#pem)) ?? null;
    }
    return this.#key ?? undefined;
  }
}

/** The text of the PEM file `path` as the configuration loader read it, if it could. */
function keyFileText(path: string): string | undefined {
  const text = readPatternFile(path);
  return typeof text === 'string' ? text : undefined;
}

function bytesOf(text: string, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  for (let i = start; i < end; i++) out[i - start] = text.charCodeAt(i);
  return out;
}

/** A DER INTEGER's content for an unsigned big-endian number: no leading zeros, a 0 before a high bit. */
function derInteger(bytes: Uint8Array): number[] {
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  const out = Array.from(bytes.subarray(start));
  if (out.length === 0 || (out[0] as number) >= 0x80) out.unshift(0);
  return out;
}

function derLength(length: number): number[] {
  return length < 0x80 ? [length] : length < 0x100 ? [0x81, length] : [0x82, length >> 8, length & 0xff];
}

/** The DER ECDSA-Sig-Value (SEQUENCE of INTEGER r, INTEGER s) of R||S, as i2d_ECDSA_SIG writes it. */
export function ecdsaDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  const r = derInteger(raw.subarray(0, half));
  const s = derInteger(raw.subarray(half));
  const body = [0x02, ...derLength(r.length), ...r, 0x02, ...derLength(s.length), ...s];
  return Uint8Array.from([0x30, ...derLength(body.length), ...body]);
}

/**
 * jwt_verify() of src/jwt.c. `key` is the HMAC secret (binary string) and `keyFile` the public
 * key that KEY names (undefined when KEY is a variable: 2.6 looks a variable's path up among
 * the keys loaded while parsing, which this converter does not share).
 */
export function verifyJwt(ctx: SampleContext, token: string, algName: string, key: string, keyFile: KeyFile | undefined): number {
  const alg = parseJwtAlg(algName);
  if (alg === undefined) return JwtVerdict.unknownAlg;
  const firstDot = token.indexOf('.');
  const secondDot = firstDot < 0 ? -1 : token.indexOf('.', firstDot + 1);
  // jwt_tokenize takes at most three parts: a third dot makes the token invalid.
  if (secondDot >= 0 && token.indexOf('.', secondDot + 1) >= 0) return JwtVerdict.invalidToken;
  if (secondDot < 0 && (alg.kind !== 'none' || firstDot < 0)) return JwtVerdict.invalidToken;
  const signatureText = secondDot < 0 ? '' : token.slice(secondDot + 1);
  if (alg.kind === 'none') return signatureText.length === 0 ? JwtVerdict.ok : JwtVerdict.ko;
  if (signatureText.length === 0) return JwtVerdict.invalidToken;
  const signature = base64UrlDecode(signatureText);
  if (signature === undefined) return JwtVerdict.invalidToken;
  switch (alg.kind) {
    case 'hmac': {
      const mac = hmac(ctx, alg.digest, key, token.slice(0, secondDot));
      return mac !== undefined && constantTimeEqual(mac, signature) ? JwtVerdict.ok : JwtVerdict.ko;
    }
    case 'pkey': {
      const publicKey = keyFile?.key(ctx);
      if (publicKey === undefined) return JwtVerdict.unknownCert;
      let sig = bytesOf(signature, 0, signature.length);
      if (alg.ecdsa) {
        // convert_ecdsa_sig: R and S are the two halves.
        if (sig.length % 2 !== 0) return JwtVerdict.invalidToken;
        sig = ecdsaDer(sig);
      }
      return publicKey.verify(alg.digest, bytesOf(token, 0, secondDot), sig) ? JwtVerdict.ok : JwtVerdict.ko;
    }
    case 'pss':
      return JwtVerdict.unmanagedAlg;
  }
}

/** A string-or-variable argument (vars_check_arg then sample_conv_var2smp_str). */
type StringArg = { readonly constant: string } | { readonly reader: VariableReader };

function stringArg(text: string): StringArg {
  const variable = variableArg(text);
  return variable === undefined ? { constant: text } : { reader: new VariableReader(variable, 'str') };
}

function readStringArg(arg: StringArg, ctx: SampleContext): string | undefined {
  return 'constant' in arg ? arg.constant : arg.reader.read(ctx)?.str;
}

const jwtVerify: ConverterDefinition = {
  name: 'jwt_verify',
  args: spec(2, 'str', 'str'),
  input: 'bin',
  output: 'sint',
  compile(args) {
    const algText = strArg(args, 0) ?? '';
    const keyText = strArg(args, 1) ?? '';
    const alg = stringArg(algText);
    if ('constant' in alg) {
      const parsed = parseJwtAlg(algText);
      if (parsed === undefined) return `unknown JWT algorithm: ${algText}`;
      if (parsed.kind === 'pss') return 'RSASSA-PSS JWS signing not managed yet';
    }
    const key = stringArg(keyText);
    const keyFile = 'constant' in key ? new KeyFile(keyFileText(keyText)) : undefined;
    return (s: Sample, ctx: SampleContext) => {
      const algName = readStringArg(alg, ctx);
      if (algName === undefined) return false;
      const keyValue = readStringArg(key, ctx);
      if (keyValue === undefined) return false;
      return s.setInt(verifyJwt(ctx, s.str, algName, keyValue, keyFile));
    };
  },
};

/** The base64url text of the token's part `member` (0 header, 1 claims), or undefined when it has none. */
function tokenPart(token: string, member: 0 | 1): string | undefined {
  const firstDot = token.indexOf('.');
  if (member === 0) return firstDot < 0 ? token : token.slice(0, firstDot);
  if (firstDot < 0) return undefined;
  const secondDot = token.indexOf('.', firstDot + 1);
  return secondDot < 0 ? token.slice(firstDot + 1) : token.slice(firstDot + 1, secondDot);
}

function memberQuery(name: string, member: 0 | 1): ConverterDefinition {
  return {
    name,
    args: spec(0, 'str', 'str'),
    input: 'bin',
    output: 'any',
    compile(args) {
      const path = strArg(args, 0);
      const output = strArg(args, 1) ?? '';
      if (output !== '' && output !== 'int') return 'output_type only supports "int" as argument';
      const steps = path === undefined ? undefined : parseJsonPath(path);
      return (s) => {
        const part = tokenPart(s.str, member);
        const decoded = part === undefined ? undefined : base64UrlDecode(part);
        if (decoded === undefined) return false;
        s.setStr(decoded);
        return path === undefined ? true : queryJson(s, steps, output === 'int');
      };
    },
  };
}

export const JWT_CONVERTERS: readonly ConverterDefinition[] = [
  memberQuery('jwt_header_query', 0),
  memberQuery('jwt_payload_query', 1),
  jwtVerify,
];
