/**
 * `mailers NAME` sections (HAProxy 2.6's cfg_parse_mailers, src/cfgparse.c, with its messages):
 * the SMTP servers a proxy's `email-alert mailers NAME` sends its alerts to. The sections
 * become MailersModels in config/email-alerts.ts (only those some proxy uses, as HAProxy).
 *
 *   mailer NAME ADDRESS:PORT
 *   timeout mail TIME            (default 10s)
 */
import type { MailersDraft } from '../draft.ts';
import type { KeywordContext, KeywordList, SectionHeader, SectionKeyword } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { isIPv4, isIPv6, parseAddress } from '../address.ts';
import { parseDuration } from '../time.ts';
import { invalidNameCharacter } from './names.ts';

const SECTIONS = ['mailers'] as const;

/** HAProxy's DEF_MAILALERTTIME. */
export const DEFAULT_TIMEOUT_MAIL = 10_000;

function current(ctx: KeywordContext): MailersDraft | undefined {
  return ctx.global.mailers?.at(-1);
}

function openMailers(ctx: KeywordContext, args: readonly Token[]): void {
  const header = args[0] as Token;
  const nameToken = args[1];
  const name = nameToken?.text ?? '';
  const sections = (ctx.global.mailers ??= []);
  if (name === '') {
    ctx.error('missing name for mailers section.', header);
  } else {
    const bad = invalidNameCharacter(name);
    if (bad !== undefined) ctx.error(`character '${bad}' is not permitted in 'mailers' name '${name}'.`, nameToken);
    const other = sections.find((m) => m.name === name);
    if (other !== undefined) {
      ctx.error(`mailers section '${name}' has the same name as another mailers section declared at ${other.place.file}:${other.place.line}.`, nameToken);
    }
  }
  sections.push({ name, place: ctx.place(header), timeoutMail: DEFAULT_TIMEOUT_MAIL, mailers: [] });
}

function parseMailer(ctx: KeywordContext, args: readonly Token[]): void {
  const section = current(ctx);
  if (section === undefined) return;
  const nameToken = args[1];
  const addrToken = args[2];
  if (nameToken === undefined || addrToken === undefined || addrToken.text === '') {
    return ctx.error("'mailer' expects <name> and <addr>[:<port>] as arguments.");
  }
  const bad = invalidNameCharacter(nameToken.text);
  if (bad !== undefined) return ctx.error(`character '${bad}' is not permitted in server name '${nameToken.text}'.`, nameToken);
  const what = `'mailer ${nameToken.text}'`;
  const text = addrToken.text;
  if (text.startsWith('unix@') || text.startsWith('/') || text.startsWith('abns@') || text.startsWith('udp')) {
    return ctx.error(`${what} : TCP not supported for this address family.`, addrToken);
  }
  const parsed = parseAddress(text, false);
  if (!parsed.ok) return ctx.error(`${what} : ${parsed.message}.`, addrToken);
  const { host, port } = parsed.value;
  if (port === 0) return ctx.error(`${what} : missing port specification in '${text}'.`, addrToken);
  // HAProxy resolves a name once, while parsing; Switchyard dials addresses only.
  if (!isIPv4(host) && !isIPv6(host)) {
    return ctx.error(`${what} : a mailer must be given by IP address, not by host name ('${host}').`, addrToken);
  }
  section.mailers.push({ name: nameToken.text, host, port, place: ctx.place(nameToken) });
}

function parseTimeout(ctx: KeywordContext, args: readonly Token[]): void {
  const section = current(ctx);
  if (section === undefined) return;
  const which = args[1]?.text ?? '';
  if (which === '') return ctx.error("'timeout' expects 'mail' and <time> as arguments.");
  if (which !== 'mail') return ctx.error(`'timeout' expects 'mail' and <time> as arguments got '${which}'.`, args[1]);
  const value = args[2];
  if (value === undefined || value.text === '') return ctx.error("'timeout mail' expects <time> as argument.");
  const parsed = parseDuration(value.text);
  if (!parsed.ok) return ctx.error(`${parsed.message} in argument to <timeout mail>.`, value);
  section.timeoutMail = parsed.ms;
}

const mailersSection: SectionHeader = { name: 'mailers', open: openMailers };

const keywords: SectionKeyword[] = [
  { name: 'mailer', sections: SECTIONS, parse: parseMailer },
  { name: 'timeout', sections: SECTIONS, parse: parseTimeout },
];

export const mailersKeywords: KeywordList = { sections: [mailersSection], keywords };
