/**
 * The tcp-check parts of a proxy's health-check model, from its draft: the `tcp-check` rules
 * apply only under `option tcp-check` (HAProxy keeps them "unused" otherwise, with a warning),
 * a protocol option (`option redis-check`...) brings its own rule set instead.
 */
import type { HealthCheckDraft } from './draft.ts';
import type { HealthCheckModel } from './model.ts';

type TcpCheckExtras = Pick<HealthCheckModel, 'tcpRules' | 'protocol' | 'logHealthChecks' | 'sendState' | 'disableOn404'>;

export function tcpCheckExtras(check: HealthCheckDraft, warn: (message: string) => void): TcpCheckExtras {
  const extras: { -readonly [K in keyof TcpCheckExtras]: TcpCheckExtras[K] } = {};
  if (check.logHealthChecks) extras.logHealthChecks = true;
  if (check.sendState && check.kind === 'http') extras.sendState = true;
  // HAProxy drops the option (with a warning, resolve.ts) only under `option tcp-check` or a protocol check.
  if (check.disableOn404 && !(check.kind === 'tcp' && (check.tcpOption || check.protocol !== undefined))) extras.disableOn404 = true;
  if (check.kind !== 'tcp') return extras;
  if (check.protocol !== undefined) {
    extras.protocol = check.protocol;
    if (check.tcpRules.length > 0 && !check.tcpRulesInherited) warn("uses tcp-check rules with a protocol check option, so the rules are ignored.");
    return extras;
  }
  if (check.tcpRules.length > 0) {
    if (check.tcpOption) extras.tcpRules = check.tcpRules.map((r) => ({ ...r }));
    else if (!check.tcpRulesInherited) warn("uses tcp-check rules without 'option tcp-check', so the rules are ignored.");
  }
  return extras;
}
