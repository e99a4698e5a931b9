/**
 * Captures (HAProxy's cap_hdr lists of a frontend): what a frontend records of each
 * transaction for its log line (`%hr`, `%hs`, `%CC`, `%CS`) and the `capture.*` fetches.
 *
 * A frontend has two slot lists, request and response, numbered in declaration order:
 * `capture request|response header NAME len N` slots are filled from the message's headers,
 * `declare capture request|response len N` and `http-request capture EXPR len N` slots only
 * by `capture` rules. `capture cookie NAME len N` is the one cookie capture.
 */
import type { ConditionModel, SourceLocation } from './model.ts';

export interface CaptureSlotModel {
  /** The header this slot captures (`capture ... header NAME`); undefined for a rule's slot. */
  readonly header: string | undefined;
  /** At most this many bytes of the value are kept. */
  readonly len: number;
}

export interface CapturesModel {
  readonly request: readonly CaptureSlotModel[];
  readonly response: readonly CaptureSlotModel[];
  /** `capture cookie NAME len N`: the first cookie whose `name=value` starts with NAME. */
  readonly cookie: { readonly name: string; readonly len: number } | undefined;
}

/**
 * `http-request capture EXPR len N|id N`, `http-response capture EXPR id N` (and
 * http-after-response): the expression as a string into the frontend's slot `id` (of the
 * request list for http-request, of the response list otherwise).
 */
export interface HttpCaptureRuleModel {
  readonly action: 'capture';
  readonly expression: string;
  readonly id: number;
  /** `len N`: the rule declared slot `id` itself (frontend or listen only). */
  readonly len: number | undefined;
  readonly condition: ConditionModel | undefined;
  readonly source: SourceLocation;
}

/**
 * `tcp-request content capture EXPR len N`: the expression as a string into request slot `id`,
 * which the rule declared (frontend, listen or named defaults).
 */
export interface TcpCaptureRuleModel {
  readonly action: 'capture';
  readonly expression: string;
  readonly id: number;
  readonly len: number;
  readonly condition: ConditionModel | undefined;
  readonly source: SourceLocation;
}
