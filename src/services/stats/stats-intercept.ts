/**
 * The stream's entry to the stats page (HAProxy's http_process_req_common, after a proxy's
 * http-request rules): `stats auth` and the `stats http-request` rules first (a 401 or a deny
 * is the rule runner's reply), then the page's service, with admin rights when a `stats admin`
 * condition holds.
 */
import { headerName, type RequestHead } from '../../http/codec/index.ts';
import { Verdict } from '../../rules/http-action.ts';
import type { HttpRuleRunner } from '../../rules/http-rules.ts';
import type { HttpService } from '../service.ts';
import type { StatsPage } from './stats-page.ts';

const H_AUTHORIZATION = headerName('authorization');

/** The service answering, or undefined when `rules.reply` holds the answer (401, deny). */
export function statsAccess(page: StatsPage, rules: HttpRuleRunner, head: RequestHead): HttpService | undefined {
  const challenge = page.checkAuth(head.get(H_AUTHORIZATION));
  if (challenge !== undefined) {
    rules.reply = challenge;
    rules.denied = false;
    return undefined;
  }
  if (page.accessRules !== undefined && rules.requestRules(page.accessRules) === Verdict.reply) return undefined;
  return page.service(rules);
}
