/**
 * `server-template PREFIX NUM|LOW-HIGH FQDN:PORT [options]` (HAProxy 2.6's parse_server for
 * templates): the servers PREFIX<LOW>..PREFIX<HIGH> (NUM alone is 1..NUM), each parsed as a
 * `server` line with the same address and options. With `resolvers` they share one resolution
 * of FQDN and take its A/AAAA records' addresses one each (src/dns/); slots left without an
 * address wait in maintenance. With an SRV name (`_service._proto.name`) each slot takes one
 * SRV answer's target, port and weight (src/dns/srv-request.ts).
 */
import type { KeywordContext, KeywordList, SectionKeyword } from '../registry.ts';
import type { Token } from '../tokenizer.ts';

/** _srv_parse_tmpl_range: `NUM` is 1..NUM, `LOW-HIGH` as written; undefined when invalid. */
function range(text: string): { low: number; high: number } | undefined {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (match === null) return undefined;
  const low = match[2] === undefined ? 1 : Number(match[1]);
  const high = match[2] === undefined ? Number(match[1]) : Number(match[2]);
  return low >= 0 && high >= low && high - low < 10_000 ? { low, high } : undefined;
}

function parseServerTemplate(ctx: KeywordContext, args: readonly Token[]): void {
  const [keyword, prefix, count, address] = args;
  if (prefix === undefined || count === undefined || address === undefined) {
    ctx.error(`'${keyword?.text}' expects <prefix> <nb | range> <addr>[:<port>] as arguments.`);
    return;
  }
  const slots = range(count.text);
  if (slots === undefined) {
    ctx.error(`Wrong ${keyword?.text} number or range arg '${count.text}'.`, count);
    return;
  }
  const server = ctx.registry.lookupKeyword(ctx.section, 'server');
  if (server.kind !== 'found') return;
  const before = ctx.errorCount;
  for (let i = slots.low; i <= slots.high; i++) {
    server.keyword.parse(ctx, [keyword as Token, { text: `${prefix.text}${i}`, column: prefix.column }, ...args.slice(3)]);
    // One report for the line, not one per slot.
    if (ctx.errorCount !== before) return;
    // HAProxy gives the template's `id` to its first slot only; the others keep its forced-id flag.
    const servers = ctx.proxy?.servers;
    const last = servers?.[servers.length - 1];
    if (servers !== undefined && last !== undefined && i > slots.low && last.id !== undefined) servers[servers.length - 1] = { ...last, id: undefined, forcedId: true };
  }
}

const keywords: SectionKeyword[] = [{ name: 'server-template', sections: ['backend', 'listen'], parse: parseServerTemplate }];

export const serverTemplateKeywords: KeywordList = { keywords };
