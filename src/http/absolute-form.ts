/**
 * Absolute-form request targets (`GET http://example.com:80/a HTTP/1.1`), normalised as HAProxy
 * 2.6 does (http_scheme_based_normalize): the scheme's default port (80 for http, 443 for https)
 * is dropped from the target's authority, and a Host header that repeated the authority as sent
 * is rewritten to match. Host and authority that differ only by that default port are the same
 * name (HAProxy accepts `http://a/` with `Host: a:80`); anything else is a 400 in the session.
 * Only absolute-form requests (rare: forward-proxy clients) pay for any of this.
 */
import type { RequestHead } from './codec/head.ts';

/** The target and Host value to forward, when normalisation changes them. */
export interface NormalizedTarget {
  readonly target: string;
  /** The authority without its default port. */
  readonly authority: string;
  /** The Host header repeated the original authority: rewrite it to `authority`. */
  readonly rewriteHost: boolean;
}

function defaultPort(scheme: string): string | undefined {
  const s = scheme.toLowerCase();
  return s === 'http' ? '80' : s === 'https' ? '443' : undefined;
}

/** `authority` without `:port` when port is the scheme's default (IPv6 literals keep their brackets). */
export function stripDefaultPort(authority: string, scheme: string): string {
  const port = defaultPort(scheme);
  if (port === undefined) return authority;
  const colon = authority.lastIndexOf(':');
  if (colon < 0 || authority.indexOf(']', colon) >= 0) return authority;
  return authority.slice(colon + 1) === port ? authority.slice(0, colon) : authority;
}

function schemeOf(head: RequestHead): string {
  const target = head.target;
  const end = target.indexOf('://');
  return end < 0 ? '' : target.slice(0, end);
}

/** True when the request has an absolute-form target (not CONNECT's authority-form). */
export function isAbsoluteForm(head: RequestHead): boolean {
  return head.hostFromTarget && head.method !== 'CONNECT';
}

/** Host header and target authority name the same server (ignoring case and the default port). */
export function hostMatchesAuthority(head: RequestHead, hostHeader: string): boolean {
  const authority = head.host ?? '';
  // The usual case, and always so for HTTP/2, whose Host is made from :authority: no lowercase copies.
  if (hostHeader === authority || hostHeader.toLowerCase() === authority.toLowerCase()) return true;
  const scheme = schemeOf(head);
  return stripDefaultPort(hostHeader, scheme).toLowerCase() === stripDefaultPort(authority, scheme).toLowerCase();
}

/** What to forward for an absolute-form target whose authority carries the default port; undefined when nothing changes. */
export function normalizeAbsoluteForm(head: RequestHead, hostHeader: string | undefined): NormalizedTarget | undefined {
  const original = head.host ?? '';
  const authority = stripDefaultPort(original, schemeOf(head));
  if (authority === original) return undefined;
  const target = head.target;
  const offset = head.targetStart;
  const target2 = target.slice(0, head.hostStart - offset) + authority + target.slice(head.hostEnd - offset);
  return { target: target2, authority, rewriteHost: hostHeader !== undefined && hostHeader.toLowerCase() === original.toLowerCase() };
}
