/** `log-forward` sections from draft to model: `log global` lines become the global targets. */
import type { GlobalDraft } from './draft.ts';
import type { LogForwardModel, LogTarget } from './model.ts';

export function resolveLogForwards(global: GlobalDraft): LogForwardModel[] {
  return (global.logForwards ?? []).map((draft) => {
    const logs: LogTarget[] = [];
    for (const log of draft.logs) {
      if ('global' in log) logs.push(...global.logs);
      else logs.push(log);
    }
    return {
      name: draft.name,
      dgramBinds: draft.dgramBinds,
      binds: draft.binds,
      logs,
      maxconn: draft.maxconn,
      ...(draft.backlog === undefined ? {} : { backlog: draft.backlog }),
      ...(draft.timeoutClient === undefined ? {} : { timeoutClient: draft.timeoutClient }),
    };
  });
}
