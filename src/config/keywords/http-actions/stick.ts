/**
 * Parsers of the stick counter actions (HAProxy 2.6's http_act.c parse_http_track_sc and
 * stick_table.c parse_inc_gpc / parse_set_gpt): `track-sc0|1|2 KEY [table NAME]`,
 * `sc-inc-gpc0(N)`, `sc-inc-gpc1(N)`, `sc-set-gpt0(N) VALUE|EXPR`, and the array forms
 * `sc-inc-gpc(I,N)`, `sc-set-gpt(I,N) VALUE|EXPR` (element I of gpc/gpt). The counter number
 * is part of the action word, so they are prefix actions.
 */
import { compileSampleFetch } from '../../../rules/sample-fetch.ts';
import { STICK_COUNTERS } from '../../../stick/tracking.ts';
import type { ActionParseInput, HttpActionParser, RuleFields } from './types.ts';

// HAProxy 2.6 registers none of them in http-after-response (2.6.12 refuses them there).
const REQUEST_AND_RESPONSE = ['request', 'response'] as const;

/** cfg_parse_track_sc_num: the counter number, or HAProxy's message. */
function counterNumber(text: string, word: string): number | string {
  if (!/^\d+$/.test(text)) return `'${word}' : invalid stick counter '${text}' (expected 0..${STICK_COUNTERS - 1})`;
  const n = Number(text);
  if (n >= STICK_COUNTERS) return `${n} track-sc number exceeding ${STICK_COUNTERS - 1} (MAX_SESS_STKCTR-1) value`;
  return n;
}

function fail(input: ActionParseInput, message: string): undefined {
  const { ctx, word, keyword } = input;
  ctx.error(`error detected in ${ctx.proxy?.kind ?? 'proxy'} '${ctx.proxy?.name ?? ''}' while parsing '${keyword}' rule : ${message}.`, word, keyword);
  return undefined;
}

function trackSc(input: ActionParseInput): RuleFields | undefined {
  const { word, args, extra, direction } = input;
  const slot = counterNumber(word.text.slice('track-sc'.length), word.text);
  if (typeof slot === 'string') return fail(input, slot);
  const key = args[0]?.text;
  if (key === undefined || key === '') return fail(input, "'track-sc' expects a sample expression");
  const compiled = compileSampleFetch(key, { direction });
  if (!compiled.ok) return fail(input, compiled.message);
  let used = 1;
  let table: string | undefined;
  if (args[1]?.text === 'table') {
    table = args[2]?.text;
    if (table === undefined || table === '') return fail(input, 'missing table name');
    used = 3;
  }
  if (extra(used)) return undefined;
  return { action: 'track-sc', slot, key, table };
}

/** `sc-inc-gpc0(N)` / `sc-set-gpt0(N)`: N, 0 when the word has no parentheses. */
function slotOf(input: ActionParseInput): number | string {
  const rest = input.word.text.slice(input.action.length);
  if (rest === '') return 0;
  if (!rest.startsWith('(') || !rest.endsWith(')')) return `invalid stick counter in '${input.word.text}'`;
  return counterNumber(rest.slice(1, -1), input.word.text);
}

function incGpc(input: ActionParseInput): RuleFields | undefined {
  const slot = slotOf(input);
  if (typeof slot === 'string') return fail(input, slot);
  if (input.extra(0)) return undefined;
  return { action: input.action === 'sc-inc-gpc1' ? 'sc-inc-gpc1' : 'sc-inc-gpc0', slot };
}

/** `sc-inc-gpc(I,N)` / `sc-set-gpt(I,N)`: the element and the counter, or HAProxy's message. */
function elementAndSlot(input: ActionParseInput, what: 'gpc' | 'gpt'): { readonly index: number; readonly slot: number } | string {
  const word = input.word.text;
  const usage = what === 'gpc' ? 'sc-inc-gpc(<GPC ID>,<Track ID>)' : 'sc-set-gpt(<GPT ID>,<Track ID>)';
  const rest = word.slice(input.action.length);
  if (!rest.startsWith('(')) return `invalid ${what} ID '${word}'. Expects ${usage}`;
  const m = /^\((\d+),(-?\d+)\)$/.exec(rest);
  if (m === null) {
    if (!/^\(\d+,/.test(rest)) return `Missing ${what} ID '${word}'. Expects ${usage}`;
    return `invalid stick table track ID '${word}'. Expects ${usage}`;
  }
  const slot = Number(m[2]);
  if (slot < 0 || slot >= STICK_COUNTERS) return `invalid stick table track ID '${word}'. The max allowed ID is ${STICK_COUNTERS - 1}`;
  return { index: Number(m[1]), slot };
}

function incGpcArray(input: ActionParseInput): RuleFields | undefined {
  const at = elementAndSlot(input, 'gpc');
  if (typeof at === 'string') return fail(input, at);
  if (input.extra(0)) return undefined;
  return { action: 'sc-inc-gpc', index: at.index, slot: at.slot };
}

/**
 * The VALUE|EXPR of sc-set-gpt0/sc-set-gpt; undefined after reporting. HAProxy reads a missing
 * value as the integer 0 (strtol of an empty word).
 */
function gptValue(input: ActionParseInput): string | undefined {
  const value = input.args[0]?.text;
  if (value === undefined || value === '') return input.extra(0) ? undefined : '0';
  if (!/^-?\d+$/.test(value)) {
    const compiled = compileSampleFetch(value, { direction: input.direction });
    if (!compiled.ok) {
      fail(input, compiled.message);
      return undefined;
    }
  }
  if (input.extra(1)) return undefined;
  return value;
}

function setGpt0(input: ActionParseInput): RuleFields | undefined {
  const slot = slotOf(input);
  if (typeof slot === 'string') return fail(input, slot);
  const value = gptValue(input);
  return value === undefined ? undefined : { action: 'sc-set-gpt0', slot, value };
}

function setGptArray(input: ActionParseInput): RuleFields | undefined {
  const at = elementAndSlot(input, 'gpt');
  if (typeof at === 'string') return fail(input, at);
  const value = gptValue(input);
  return value === undefined ? undefined : { action: 'sc-set-gpt', index: at.index, slot: at.slot, value };
}

export const stickActionParsers: readonly HttpActionParser[] = [
  { name: 'track-sc', sets: REQUEST_AND_RESPONSE, prefix: true, parse: trackSc },
  { name: 'sc-inc-gpc0', sets: REQUEST_AND_RESPONSE, prefix: true, parse: incGpc },
  { name: 'sc-inc-gpc1', sets: REQUEST_AND_RESPONSE, prefix: true, parse: incGpc },
  { name: 'sc-set-gpt0', sets: REQUEST_AND_RESPONSE, prefix: true, parse: setGpt0 },
  { name: 'sc-inc-gpc', sets: REQUEST_AND_RESPONSE, prefix: true, parse: incGpcArray },
  { name: 'sc-set-gpt', sets: REQUEST_AND_RESPONSE, prefix: true, parse: setGptArray },
];
