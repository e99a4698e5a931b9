/**
 * A server's `redir PREFIX` (HAProxy 2.6's http_perform_server_redirect): a GET or HEAD request
 * assigned to it is not forwarded, the client gets a 302 to PREFIX followed by the request's
 * path and query, and the connection closes. A target without a path (`*`, `http://host`)
 * leaves the request to the server, as HAProxy's http_parse_path finding none does.
 */
import { LocalReply } from '../http/local-reply.ts';
import { uriPathStart } from '../http/codec/request-target.ts';

const NO_BODY = new Uint8Array(0);

/** The 302 always ends the connection (HAProxy's reply carries `Connection: close`). */
class ServerRedirectReply extends LocalReply {
  override get closes(): boolean {
    return true;
  }
}

/** The reply for `target` (as the rules left it), or undefined when the request goes to the server after all. */
export function serverRedirectReply(prefix: string, target: string): LocalReply | undefined {
  const pathStart = uriPathStart(target);
  if (pathStart < 0) return undefined;
  // The prefix "/" alone means: keep the URL as it is (HAProxy's special case).
  const location = (prefix === '/' ? '' : prefix) + (pathStart === 0 ? target : target.slice(pathStart));
  return new ServerRedirectReply(
    302,
    [
      ['cache-control', 'no-cache'],
      ['content-length', '0'],
      ['location', location],
    ],
    NO_BODY,
    'Found',
  );
}
