/**
 * `email-alert mailers|from|to|level|myhostname VALUE` (HAProxy 2.6's cfg_parse_listen, with
 * its messages), in any proxy section, copied from defaults. Whether the settings are complete
 * and name a `mailers` section is checked once every section is read (config/email-alerts.ts).
 */
import type { EmailAlertDraft } from '../draft.ts';
import type { KeywordContext, KeywordList, SectionKeyword } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { LOG_LEVELS } from './log.ts';

/** HAProxy's default `email-alert level`: LOG_ALERT. */
export const DEFAULT_EMAIL_ALERT_LEVEL = 1;

type TextSetting = 'mailers' | 'from' | 'to' | 'myhostname';
const TEXT_SETTINGS: ReadonlySet<string> = new Set<TextSetting>(['mailers', 'from', 'to', 'myhostname']);

function parseEmailAlert(ctx: KeywordContext, args: readonly Token[]): void {
  const proxy = ctx.proxy;
  if (proxy === undefined) return;
  const what = args[1]?.text ?? '';
  if (what === '') return ctx.error("missing argument after 'email-alert'.");
  // HAProxy takes the value as it comes, an empty one included (its check for a missing value tests the wrong word).
  const value = args[2]?.text ?? '';
  let settings: EmailAlertDraft;
  if (TEXT_SETTINGS.has(what)) {
    settings = proxy.emailAlert ?? { level: DEFAULT_EMAIL_ALERT_LEVEL };
    settings[what as TextSetting] = value;
  } else if (what === 'level') {
    const level = (LOG_LEVELS as readonly string[]).indexOf(value);
    if (level < 0) return ctx.error(`unknown log level '${value}' after 'level'`, args[2] ?? args[1]);
    settings = proxy.emailAlert ?? { level: DEFAULT_EMAIL_ALERT_LEVEL };
    settings.level = level;
  } else {
    return ctx.error(`email-alert: unknown argument '${what}'.`, args[1]);
  }
  proxy.emailAlert = settings;
}

const keywords: SectionKeyword[] = [{ name: 'email-alert', sections: ['defaults', 'frontend', 'backend', 'listen'], parse: parseEmailAlert }];

export const emailAlertKeywords: KeywordList = { keywords };
