/** HTTP/1 fields that mean nothing in HTTP/2 (RFC 9113 §8.2.2): never sent on an HTTP/2 stream. */
const CONNECTION_SPECIFIC = new Set(['connection', 'proxy-connection', 'keep-alive', 'transfer-encoding', 'upgrade']);

export function isConnectionSpecific(lowerName: string): boolean {
  return CONNECTION_SPECIFIC.has(lowerName);
}
