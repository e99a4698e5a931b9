/**
 * The parts of an HTTP check's model beyond one plain request, from its draft: `uri-lf` /
 * `body-lf`, the leading `http-check connect`, the set-var lines before the send, and the
 * further requests each opened by an `http-check connect` (HAProxy's http-check rule list
 * after check_proxy_tcpcheck: a send not merged with `option httpchk` defaults to
 * `OPTIONS / HTTP/1.0`, and the last request without an expect gets the implicit
 * `expect status 200-399`).
 */
import type { HealthCheckDraft } from './draft.ts';
import type { HttpCheckModel, HttpCheckSegmentModel } from './model.ts';

type HttpCheckExtras = Pick<HttpCheckModel, 'uriFormat' | 'bodyFormat' | 'connect' | 'before' | 'next'>;

export function httpCheckSequence(check: HealthCheckDraft, error: (message: string) => void): HttpCheckExtras {
  const extras: { -readonly [K in keyof HttpCheckExtras]: HttpCheckExtras[K] } = {};
  const send = check.send;
  if (send?.uriFormat === true) extras.uriFormat = true;
  if (send?.bodyFormat === true) extras.bodyFormat = true;
  if (check.connect !== undefined) extras.connect = check.connect;
  if (send !== undefined && check.before.length > 0) extras.before = [...check.before];
  if (check.segments.length === 0) return extras;
  const next: HttpCheckSegmentModel[] = [];
  for (const segment of check.segments) {
    const request = segment.send;
    if (request === undefined) {
      // HAProxy would end such a check on the connect alone.
      error("an 'http-check connect' without an 'http-check send' after it is not supported by Switchyard yet.");
      return extras;
    }
    next.push({
      connect: segment.connect,
      before: [...segment.before],
      method: request.method ?? 'OPTIONS',
      uri: request.uri ?? '/',
      uriFormat: request.uriFormat === true,
      version: request.version ?? 'HTTP/1.0',
      headers: [...request.headers],
      body: request.body,
      bodyFormat: request.bodyFormat === true,
      expect: [...segment.expect],
    });
  }
  extras.next = next;
  return extras;
}
