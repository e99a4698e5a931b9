/** Parser of `http-request use-service NAME` (HAProxy 2.6's parse_http_req_use_service / service_parse_action). */
import { SERVICE_NAMES } from '../../../services/service-names.ts';
import type { ActionParseInput, HttpActionParser, RuleFields } from './types.ts';

function fail({ ctx, keyword, word }: ActionParseInput, message: string): undefined {
  ctx.error(`error detected in ${ctx.proxy?.kind ?? 'proxy'} '${ctx.proxy?.name ?? ''}' while parsing '${keyword}' rule : ${message}.`, word, keyword);
  return undefined;
}

function useService(input: ActionParseInput): RuleFields | undefined {
  const name = input.args[0]?.text;
  if (name === undefined || name === '') return fail(input, "'use-service' expects a service name.");
  if (!SERVICE_NAMES.has(name)) return fail(input, `'${name}' unknown service name.`);
  if (input.extra(1)) return undefined;
  return { action: 'use-service', service: name };
}

export const serviceActionParsers: readonly HttpActionParser[] = [{ name: 'use-service', sets: ['request'], parse: useService }];
