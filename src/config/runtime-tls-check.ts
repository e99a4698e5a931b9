/**
 * Refuses, at the line that wrote it, a TLS option the runtime running the configuration cannot
 * honour (Runtime.tlsUnsupported; docs/runtimes.md lists them), rather than accepting a setting
 * that would silently do nothing.
 */

import type { ConfigDraft, TlsOptionPlace } from './draft.ts';
import type { DiagnosticList } from './errors.ts';
import type { TlsFeature } from '../runtime.ts';
import type { TlsFiles } from './tls-files.ts';

export interface RuntimeTlsLimits {
  /** "node", "bun", "deno". */
  readonly runtime: string;
  readonly unsupported: ReadonlySet<TlsFeature>;
}

const RUNTIME_NAMES: Readonly<Record<string, string>> = { node: 'Node', bun: 'Bun', deno: 'Deno' };

const WHY: Readonly<Record<TlsFeature, string>> = {
  ciphers: 'its TLS stack ignores cipher lists',
  ciphersuites: 'its TLS stack ignores TLSv1.3 cipher suite lists',
  curves: 'its TLS stack ignores curve lists',
  'client-certificates': 'its TLS listener cannot verify client certificates against a CA',
  'server-ciphers': 'its TLS stack ignores cipher lists',
  'server-ciphersuites': 'its TLS stack ignores TLSv1.3 cipher suite lists',
  'server-curves': 'its TLS stack ignores curve lists',
  'server-crl-file': 'its TLS client does not check certificates against CRLs',
  'dh-params': 'its TLS stack has no DHE key exchange',
  'tls-ticket-keys': 'its TLS listener ignores ticket keys given to it: a ticket resumes only on the listener that issued it',
  'tls-ticket-keys-aes256': 'its TLS listener takes one AES-128 ticket key, of 48 bytes',
};

function bindFeature(word: string): TlsFeature | undefined {
  if (word.startsWith('ssl-default-bind-')) return bindFeature(word.slice(17));
  if (word === 'ciphers' || word === 'ciphersuites' || word === 'curves' || word === 'tls-ticket-keys') return word;
  return undefined;
}

function serverFeature(word: string): TlsFeature | undefined {
  if (word.startsWith('ssl-default-server-')) return serverFeature(word.slice(19));
  if (word === 'ciphers' || word === 'ciphersuites' || word === 'curves' || word === 'crl-file') return `server-${word}`;
  return undefined;
}

export function checkRuntimeTls(draft: ConfigDraft, limits: RuntimeTlsLimits | undefined, diagnostics: DiagnosticList): void {
  if (limits === undefined || limits.unsupported.size === 0) return;
  const runtime = RUNTIME_NAMES[limits.runtime] ?? limits.runtime;
  const refuse = (use: TlsOptionPlace, feature: TlsFeature | undefined, what: string): void => {
    if (feature === undefined || !limits.unsupported.has(feature)) return;
    diagnostics.error({
      ...use.place,
      keyword: use.word,
      message: `${what}'${use.word}' is not supported on ${runtime} (${WHY[feature]}); see docs/runtimes.md.`,
    });
  };
  const ssl = draft.global.ssl;
  if (ssl?.dhParamFile !== undefined) refuse({ word: 'ssl-dh-param-file', place: ssl.dhParamFile.place }, 'dh-params', '');
  for (const use of ssl?.bindUses ?? []) refuse(use, bindFeature(use.word), '');
  for (const use of ssl?.serverUses ?? []) refuse(use, serverFeature(use.word), '');
  for (const proxy of draft.proxies) {
    for (const bind of proxy.binds) {
      const tls = bind.tls;
      if (tls === undefined) continue;
      for (const use of tls.uses) {
        const feature = use.word === 'verify' && tls.verify !== undefined && tls.verify !== 'none' ? 'client-certificates' : bindFeature(use.word);
        refuse(use, feature, `'bind ${bind.address}' : `);
      }
    }
    for (const server of proxy.servers) {
      for (const use of server.tls?.uses ?? []) refuse(use, serverFeature(use.word), `'server ${server.name}' : `);
    }
  }
}

/**
 * 80-byte `tls-ticket-keys` (AES-256 tickets), refused on a runtime that takes 48-byte keys
 * only; known once the files are read. A runtime refusing ticket keys altogether was told so
 * by checkRuntimeTls.
 */
export function checkRuntimeTicketKeys(draft: ConfigDraft, files: TlsFiles | undefined, limits: RuntimeTlsLimits | undefined, diagnostics: DiagnosticList): void {
  if (limits === undefined || files === undefined || !limits.unsupported.has('tls-ticket-keys-aes256') || limits.unsupported.has('tls-ticket-keys')) return;
  const runtime = RUNTIME_NAMES[limits.runtime] ?? limits.runtime;
  for (const proxy of draft.proxies) {
    for (const bind of proxy.binds) {
      const reference = bind.tls?.ticketKeys;
      if (reference === undefined || files.ticketKeys.get(reference.path)?.bits !== 256) continue;
      diagnostics.error({
        ...reference.place,
        keyword: 'tls-ticket-keys',
        message: `'bind ${bind.address}' : '${reference.path}' : 80-byte ticket keys (AES-256) are not supported on ${runtime} (${WHY['tls-ticket-keys-aes256']}); see docs/runtimes.md.`,
      });
    }
  }
}
