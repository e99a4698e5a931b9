/**
 * Every `http-request` / `http-response` action Switchyard parses, one family per file. A new
 * family is one file here (its parser) plus its compiler in src/rules/actions/index.ts.
 */
import { authActionParsers } from './auth.ts';
import { captureActionParsers } from './capture.ts';
import { streamControlActionParsers } from './stream-control.ts';
import { finalActionParsers } from './final.ts';
import { headerActionParsers } from './header.ts';
import { statusActionParsers } from './status.ts';
import { streamActionParsers } from './stream.ts';
import { requestLineActionParsers } from './request-line.ts';
import type { HttpActionParser } from './types.ts';
import { varActionParsers } from './vars.ts';
import { stickActionParsers } from './stick.ts';
import { bodyWaitActionParsers } from './body-wait.ts';
import { serviceActionParsers } from './service.ts';
import { strictModeActionParsers } from './strict-mode.ts';
import { mapActionParsers } from './maps.ts';
import { cacheActionParsers } from './cache.ts';
import { resolveActionParsers } from './resolve.ts';

export type { ActionParseInput, HttpActionParser, HttpRuleSet, RuleFields } from './types.ts';

export const HTTP_ACTION_PARSERS: readonly HttpActionParser[] = [
  ...headerActionParsers,
  ...finalActionParsers,
  ...statusActionParsers,
  ...streamActionParsers,
  ...varActionParsers,
  ...requestLineActionParsers,
  ...authActionParsers,
  ...stickActionParsers,
  ...captureActionParsers,
  ...streamControlActionParsers,
  ...bodyWaitActionParsers,
  ...serviceActionParsers,
  ...strictModeActionParsers,
  ...mapActionParsers,
  ...cacheActionParsers,
  ...resolveActionParsers,
];
