/**
 * `email-alert` settings and `mailers` sections from draft to model, with HAProxy 2.6's checks
 * (cfgparse.c check_config_validity): a proxy with some `email-alert` line but without all of
 * `mailers`, `from` and `to` is warned about and mails nothing; one naming an unknown section
 * is an error; a section no proxy names is removed with a warning. Defaults sections are not
 * checked (only what the proxies inherit from them counts).
 */
import type { DiagnosticList } from './errors.ts';
import type { GlobalDraft, ProxyDraft } from './draft.ts';
import type { EmailAlertModel, MailersModel } from './model.ts';

export interface ResolvedEmailAlerts {
  /** The sections some proxy uses, in file order. */
  readonly mailers: MailersModel[];
  /** The complete settings of each proxy that mails. */
  readonly byProxy: Map<ProxyDraft, EmailAlertModel>;
}

function typeWord(proxy: ProxyDraft): string {
  return proxy.kind === 'listen' ? 'listener' : proxy.kind;
}

export function resolveEmailAlerts(global: GlobalDraft, proxies: readonly ProxyDraft[], diagnostics: DiagnosticList): ResolvedEmailAlerts {
  const sections = global.mailers ?? [];
  const used = new Set<string>();
  const byProxy = new Map<ProxyDraft, EmailAlertModel>();
  for (const proxy of proxies) {
    const settings = proxy.emailAlert;
    if (proxy.kind === 'defaults' || settings === undefined) continue;
    const at = { ...proxy.place, keyword: 'email-alert' };
    const { mailers, from, to } = settings;
    if (mailers === undefined || from === undefined || to === undefined) {
      diagnostics.warning({
        ...at,
        message:
          `'email-alert' will be ignored for ${typeWord(proxy)} '${proxy.name}' (the presence any of 'email-alert from', 'email-alert level' 'email-alert mailers', ` +
          `'email-alert myhostname', or 'email-alert to' requires each of 'email-alert from', 'email-alert mailers' and 'email-alert to' to be present).`,
      });
      continue;
    }
    if (!sections.some((s) => s.name === mailers)) {
      diagnostics.error({ ...at, message: `Proxy '${proxy.name}': unable to find mailers '${mailers}'.` });
      continue;
    }
    used.add(mailers);
    byProxy.set(proxy, { mailers, from, to, level: settings.level, ...(settings.myhostname !== undefined ? { myhostname: settings.myhostname } : {}) });
  }
  const models: MailersModel[] = [];
  for (const section of sections) {
    if (!used.has(section.name)) {
      diagnostics.warning({ ...section.place, keyword: 'mailers', message: `Removing incomplete section 'mailers ${section.name}'.` });
      continue;
    }
    models.push({ name: section.name, timeoutMail: section.timeoutMail, mailers: section.mailers.map(({ name, host, port }) => ({ name, host, port })) });
  }
  return { mailers: models, byProxy };
}
