/**
 * The `retry-on` events, apart from the schema (schema.ts re-exports them) so that the
 * keyword parser does not load valibot and the whole model schema to know them.
 */
import type { RetryOnEvent } from './model.ts';

/** Every `retry-on` event but `none`, in the order the model lists them. */
export const RETRY_ON_EVENTS = [
  'conn-failure',
  'empty-response',
  'junk-response',
  'response-timeout',
  '0rtt-rejected',
  '404',
  '408',
  '425',
  '500',
  '501',
  '502',
  '503',
  '504',
] as const satisfies readonly Exclude<RetryOnEvent, 'none'>[];
