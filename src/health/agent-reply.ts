/**
 * An agent's reply line (HAProxy's tcpcheck_agent_expect_reply): words separated by spaces,
 * tabs or commas, in any order, the last of each kind winning:
 *   up | down | stopped | fail        the health the agent reports
 *   ready | drain | maint             the administrative state it asks for
 *   N%                                a weight relative to the configured one
 *   maxconn:N                         a new maxconn
 *   # text                            a description (only reported with a health word)
 * Matching is case-insensitive; other words are errors (the first is reported).
 */
export interface AgentReply {
  readonly health: 'up' | 'down' | 'stopped' | 'fail' | undefined;
  readonly admin: 'ready' | 'drain' | 'maint' | undefined;
  readonly weight: string | undefined;
  readonly maxconn: string | undefined;
  readonly error: string | undefined;
  readonly description: string;
}

const HEALTH = ['up', 'down', 'stopped', 'fail'] as const;
const ADMIN = ['ready', 'drain', 'maint'] as const;

export function parseAgentReply(line: string): AgentReply {
  let health: AgentReply['health'];
  let admin: AgentReply['admin'];
  let weight: string | undefined;
  let maxconn: string | undefined;
  let error: string | undefined;
  let description = '';
  let i = 0;
  while (i < line.length) {
    const c = line[i] as string;
    if (c === ' ' || c === '\t' || c === ',') {
      i++;
      continue;
    }
    if (c === '#') {
      description = line.slice(i + 1).replace(/^[\t ]+/, '');
      break;
    }
    let end = i + 1;
    while (end < line.length && !' \t,'.includes(line[end] as string)) end++;
    const word = line.slice(i, end);
    const lower = word.toLowerCase();
    if ((HEALTH as readonly string[]).includes(lower)) health = lower as AgentReply['health'];
    else if ((ADMIN as readonly string[]).includes(lower)) admin = lower as AgentReply['admin'];
    else if (/^\d/.test(word) && word.includes('%')) weight = word;
    else if (lower.startsWith('maxconn:')) maxconn = word.slice(8);
    else error ??= word;
    i = end;
  }
  return { health, admin, weight, maxconn, error, description };
}
