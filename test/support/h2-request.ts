/**
 * One request on a node:http2 client session, read whole: the response's header fields once
 * its stream ended (its body is read and dropped). For conformance tests that only look at
 * what headers came back.
 */
import type http2 from 'node:http2';

export function h2ResponseHeaders(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders): Promise<http2.IncomingHttpHeaders> {
  return new Promise((resolve, reject) => {
    const req = session.request(headers);
    let head: http2.IncomingHttpHeaders = {};
    req.on('response', (h) => (head = h));
    req.on('data', () => {});
    req.on('end', () => resolve(head));
    req.on('error', reject);
  });
}
