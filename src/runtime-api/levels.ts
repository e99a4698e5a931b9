/** HAProxy's CLI access levels (ACCESS_LVL_USER < OPER < ADMIN): a session may run a command at or below its level. */
import type { CliLevel } from '../config/model.ts';

export type { CliLevel };

const RANK: Readonly<Record<CliLevel, number>> = { user: 1, operator: 2, admin: 3 };

export function levelAllows(session: CliLevel, required: CliLevel): boolean {
  return RANK[session] >= RANK[required];
}
