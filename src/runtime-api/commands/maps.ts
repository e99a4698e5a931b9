/**
 * Maps and ACL pattern files at runtime (map.c's CLI): `show|get|add|set|del|clear map|acl`,
 * acting on the generation's live references (rules/pattern-ref.ts), which the map converters
 * and `-f FILE` ACLs read at their next lookup. A reference is named by its file or `#ID`, an
 * entry by its key or `#0x...` (the address `show map` prints). HAProxy's texts throughout.
 */
import { entryAddress, type PatternRef, type PatternRefEntry } from '../../rules/pattern-ref.ts';
import { usage, type CliCommand, type CommandContext } from '../command.ts';
import { dump, error, info, NO_ANSWER, type CliAnswer } from '../output.ts';

type Kind = 'map' | 'acl';

function unknown(kind: Kind): CliAnswer {
  return error(kind === 'map' ? 'Unknown map identifier. Please use #<id> or <file>.\n' : 'Unknown ACL identifier. Please use #<id> or <file>.\n');
}

/** pat_ref_lookup_ref, then the map/ACL flag check most commands make. */
function lookup(ctx: CommandContext, name: string, kind: Kind | undefined): PatternRef | undefined {
  const ref = ctx.target.patternRefs?.lookupRef(name);
  if (ref === undefined || kind === undefined) return ref;
  return (kind === 'map' ? ref.usedByMap : ref.usedByAcl) ? ref : undefined;
}

/** The optional `@<ver>` before the name (a version made by `prepare map`). */
function skipVersion(args: readonly string[]): { readonly args: readonly string[]; readonly version: string | undefined } {
  const word = args[2];
  if (word === undefined || !word.startsWith('@')) return { args, version: undefined };
  return { args: [args[0] as string, args[1] as string, ...args.slice(3)], version: word.slice(1) };
}

/** str2uic: the leading decimal digits, 0 without any. */
function versionNumber(text: string): number {
  const digits = /^\d*/.exec(text)?.[0] ?? '';
  return digits === '' ? 0 : Number(digits);
}

function entryLine(entry: PatternRefEntry): string {
  return entry.value === undefined ? `${entryAddress(entry)} ${entry.key}\n` : `${entryAddress(entry)} ${entry.key} ${entry.value}\n`;
}

function show(kind: Kind, all: readonly string[], ctx: CommandContext): CliAnswer {
  const { args, version } = skipVersion(all);
  const name = args[2] ?? '';
  if (name === '' && version === undefined) {
    let text = '# id (file) description\n';
    for (const ref of ctx.target.patternRefs?.all ?? []) {
      if (!(kind === 'map' ? ref.usedByMap : ref.usedByAcl)) continue;
      text += `${ref.uniqueId} (${ref.reference}) ${ref.display}. curr_ver=${ref.currGen} next_ver=${ref.nextGen} entry_cnt=${ref.entries.length}\n`;
    }
    return dump(text);
  }
  const ref = lookup(ctx, name, kind);
  if (ref === undefined) return unknown(kind);
  const gen = version === undefined ? ref.currGen : versionNumber(version);
  let text = '';
  for (const entry of ref.entries) if (entry.gen === gen) text += entryLine(entry);
  return dump(text);
}

function get(kind: Kind, args: readonly string[], ctx: CommandContext): CliAnswer {
  const name = args[2] ?? '';
  const value = args[3] ?? '';
  if (name === '' || value === '') return error(kind === 'map' ? 'Missing map identifier and/or key.\n' : 'Missing ACL identifier and/or key.\n');
  const ref = lookup(ctx, name, undefined);
  if (ref === undefined) return unknown(kind);
  let text = '';
  for (const user of ref.users) {
    text += `type=${user.method}, case=${user.ignoreCase ? 'insensitive' : 'sensitive'}`;
    const found = user.find(value);
    if (found === undefined) {
      text += kind === 'map' ? ', found=no\n' : ', match=no\n';
      continue;
    }
    text += kind === 'map' ? ', found=yes' : ', match=yes';
    text += user.tree ? ', idx=tree' : ', idx=list';
    text += kind === 'map' ? `, key="${found.entry.key}"` : `, pattern="${found.entry.key}"`;
    if (kind === 'map') text += found.type !== undefined && found.entry.value !== undefined ? `, value="${found.entry.value}", type="${found.type}"` : ', value=none';
    text += '\n';
  }
  return dump(text);
}

function add(kind: Kind, all: readonly string[], ctx: CommandContext, payload: string | undefined): CliAnswer {
  const { args, version } = skipVersion(all);
  const name = args[2] ?? '';
  if (kind === 'map') {
    if ((payload === undefined && (name === '' || (args[3] ?? '') === '' || (args[4] ?? '') === '')) || (payload !== undefined && name === '')) {
      return error("'add map' expects three parameters (map identifier, key and value) or one parameter (map identifier) and a payload\n");
    }
  } else if (name === '' || (args[3] ?? '') === '') {
    return error("'add acl' expects two parameters: ACL identifier and pattern.\n");
  }
  const ref = lookup(ctx, name, undefined);
  if (ref === undefined) return unknown(kind);
  const gen = version === undefined ? ref.currGen : versionNumber(version);
  if (gen > ref.nextGen) return error(`Version number in the future, please use 'prepare ${kind}' before.\n`);
  if (kind === 'acl' && ref.withValues) {
    return error("This ACL is shared with a map containing samples. You must use the command 'add map' to add values.\n");
  }
  const pairs: [string, string][] = [];
  if (payload === undefined) {
    pairs.push([args[3] as string, args[4] ?? '']);
  } else {
    // One `key value` per line: the key up to a blank, the value the rest of the line.
    let at = 0;
    while (at < payload.length) {
      let k = at;
      while (k < payload.length && payload[k] !== ' ' && payload[k] !== '\t') k++;
      const key = payload.slice(at, k);
      if (k >= payload.length && kind === 'map') return error(`Missing value for key '${key}'.\n`);
      let v = k + 1;
      while (v < payload.length && (payload[v] === ' ' || payload[v] === '\t')) v++;
      let end = payload.indexOf('\n', v);
      if (end < 0) end = payload.length;
      pairs.push([key, payload.slice(v, end)]);
      at = end + 1;
    }
  }
  for (const [key, value] of pairs) {
    const failed = ref.add(key, kind === 'map' ? value : undefined, gen);
    if (failed !== undefined) return error(`${failed}.\n`);
  }
  return NO_ANSWER;
}

/** An entry named `#0x...`; else undefined (the key is a pattern), or the error to answer. */
function byAddress(ref: PatternRef, word: string): PatternRefEntry | CliAnswer | undefined {
  if (!word.startsWith('#0x')) return undefined;
  const entry = ref.byAddress(word.slice(1));
  if (entry === 'malformed') return error('Malformed identifier. Please use #<id> or <file>.\n');
  return entry ?? error('Key not found.\n');
}

function isEntry(x: PatternRefEntry | CliAnswer): x is PatternRefEntry {
  return 'id' in x;
}

function set(args: readonly string[], ctx: CommandContext): CliAnswer {
  const name = args[2] ?? '';
  const key = args[3] ?? '';
  const value = args[4] ?? '';
  if (name === '' || key === '' || value === '') return error("'set map' expects three parameters: map identifier, key and value.\n");
  const ref = lookup(ctx, name, undefined);
  if (ref === undefined) return unknown('map');
  const named = byAddress(ref, key);
  if (named !== undefined && !isEntry(named)) {
    // pat_ref_set_by_id's message for an address of no entry.
    return named.kind === 'message' && named.text === 'Key not found.\n' ? error('key or pattern not found.\n') : named;
  }
  const failed = named !== undefined ? ref.setEntry(named, value) : ref.set(key, value);
  return failed === undefined ? NO_ANSWER : error(`${failed}.\n`);
}

function del(kind: Kind, args: readonly string[], ctx: CommandContext): CliAnswer {
  const name = args[2] ?? '';
  const key = args[3] ?? '';
  if (name === '' || key === '') {
    return error(kind === 'map' ? 'This command expects two parameters: map identifier and key.\n' : 'This command expects two parameters: ACL identifier and key.\n');
  }
  const ref = lookup(ctx, name, kind);
  // HAProxy answers with the map text for ACLs too.
  if (ref === undefined) return unknown('map');
  const named = byAddress(ref, key);
  if (named !== undefined) {
    if (!isEntry(named)) return named;
    return ref.deleteEntry(named) ? NO_ANSWER : error('Key not found.\n');
  }
  return ref.delete(key) ? NO_ANSWER : error('Key not found.\n');
}

function clear(kind: Kind, all: readonly string[], ctx: CommandContext): CliAnswer {
  const { args, version } = skipVersion(all);
  const name = args[2] ?? '';
  if (name === '') return error(kind === 'map' ? 'Missing map identifier.\n' : 'Missing ACL identifier.\n');
  const ref = lookup(ctx, name, kind);
  if (ref === undefined) return unknown(kind);
  const gen = version === undefined ? ref.currGen : versionNumber(version);
  ref.purge((g) => g === gen);
  return NO_ANSWER;
}

/** `prepare map|acl NAME`: a new version, filled with `add map @VER` and made current by `commit`. */
function prepare(kind: Kind, args: readonly string[], ctx: CommandContext): CliAnswer {
  const ref = lookup(ctx, args[2] ?? '', kind);
  if (ref === undefined) return unknown(kind);
  return info(`New version created: ${ref.newGen()}\n`);
}

/** `commit map|acl @VER NAME`: the version becomes current, older ones are dropped. */
function commit(kind: Kind, args: readonly string[], ctx: CommandContext): CliAnswer {
  const word = args[2] ?? '';
  if (!word.startsWith('@')) return error('Missing version number.\n');
  const name = args[3] ?? '';
  if (name === '') return error(kind === 'map' ? 'Missing map identifier.\n' : 'Missing ACL identifier.\n');
  const ref = lookup(ctx, name, kind);
  if (ref === undefined) return unknown(kind);
  return ref.commit(versionNumber(word.slice(1))) ? NO_ANSWER : error('Version number out of range.\n');
}

/** map.c's cli_kws, in its order. */
export const mapCommands: readonly CliCommand[] = [
  { words: ['add', 'acl'], usage: usage('add acl [@<ver>] <acl> <pattern>', 'add an acl entry'), level: 'user', run: (a, c) => add('acl', a, c, undefined) },
  { words: ['clear', 'acl'], usage: usage('clear acl [@<ver>] <acl>', 'clear the contents of this acl'), level: 'user', run: (a, c) => clear('acl', a, c) },
  { words: ['commit', 'acl'], usage: usage('commit acl @<ver> <acl>', 'commit the ACL at this version'), level: 'user', run: (a, c) => commit('acl', a, c) },
  { words: ['del', 'acl'], usage: usage('del acl <acl> [<key>|#<ref>]', 'delete acl entries matching <key>'), level: 'user', run: (a, c) => del('acl', a, c) },
  { words: ['get', 'acl'], usage: usage('get acl <acl> <value>', 'report the patterns matching a sample for an ACL'), level: 'user', run: (a, c) => get('acl', a, c) },
  { words: ['prepare', 'acl'], usage: usage('prepare acl <acl>', 'prepare a new version for atomic ACL replacement'), level: 'user', run: (a, c) => prepare('acl', a, c) },
  { words: ['show', 'acl'], usage: usage('show acl [@<ver>] <acl>]', "report available acls or dump an acl's contents"), level: 'user', run: (a, c) => show('acl', a, c) },
  {
    words: ['add', 'map'],
    usage: usage('add map [@<ver>] <map> <key> <val>', 'add a map entry (payload supported instead of key/val)'),
    level: 'user',
    run: (a, c, payload) => add('map', a, c, payload),
  },
  { words: ['clear', 'map'], usage: usage('clear map [@<ver>] <map>', 'clear the contents of this map'), level: 'user', run: (a, c) => clear('map', a, c) },
  { words: ['commit', 'map'], usage: usage('commit map @<ver> <map>', 'commit the map at this version'), level: 'user', run: (a, c) => commit('map', a, c) },
  { words: ['del', 'map'], usage: usage('del map <map> [<key>|#<ref>]', 'delete map entries matching <key>'), level: 'user', run: (a, c) => del('map', a, c) },
  { words: ['get', 'map'], usage: usage('get map <acl> <value>', 'report the keys and values matching a sample for a map'), level: 'user', run: (a, c) => get('map', a, c) },
  { words: ['prepare', 'map'], usage: usage('prepare map <acl>', 'prepare a new version for atomic map replacement'), level: 'user', run: (a, c) => prepare('map', a, c) },
  { words: ['set', 'map'], usage: usage('set map <map> [<key>|#<ref>] <value>', 'modify a map entry'), level: 'user', run: (a, c) => set(a, c) },
  { words: ['show', 'map'], usage: usage('show map [@ver] [map]', "report available maps or dump a map's contents"), level: 'user', run: (a, c) => show('map', a, c) },
];
