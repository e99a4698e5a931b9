/** The CLI's own commands (cli.c): help, prompt, quit, the level changes and `set severity-output`. */
import { usage, type CliCommand } from '../command.ts';
import { levelAllows } from '../levels.ts';
import { dump, error, info, NO_ANSWER, PERMISSION_DENIED } from '../output.ts';
import { parseDuration } from '../../config/time.ts';
import type { CommandTable } from '../command-table.ts';
import { usageMessage } from '../usage.ts';
import { isAbstractSocketPath, socketPathText } from '../../config/address.ts';

/** `help` lists the table it belongs to: the table is given once built. */
export function builtinCommands(table: () => CommandTable): CliCommand[] {
  return [
    { words: ['help'], usage: undefined, level: 'user', run: (args, ctx) => info(usageMessage(table().visibleTo(ctx.session), args)) },
    {
      words: ['prompt'],
      usage: undefined,
      level: 'user',
      run: (_args, ctx) => {
        ctx.session.prompt = !ctx.session.prompt;
        return NO_ANSWER;
      },
    },
    {
      words: ['quit'],
      usage: undefined,
      level: 'user',
      run: (_args, ctx) => {
        ctx.session.quit = true;
        return NO_ANSWER;
      },
    },
    ...(['operator', 'user'] as const).map(
      (level): CliCommand => ({
        words: [level],
        usage: usage(level, `lower the level of the current CLI session to ${level}`),
        level: 'user',
        run: (args, ctx) => {
          if (args[1] === '-') ctx.session.noLineFeed = true;
          if (!levelAllows(ctx.session.level, level)) return PERMISSION_DENIED;
          ctx.session.level = level;
          // Lowering the level leaves expert and experimental mode too.
          ctx.session.expertMode = false;
          ctx.session.experimentalMode = false;
          return NO_ANSWER;
        },
      }),
    ),
    ...(['expert', 'experimental'] as const).map(
      (mode): CliCommand => ({
        words: [`${mode}-mode`],
        usage: undefined,
        level: 'user',
        // cli_parse_expert_experimental_mode: admin only; no argument shows it, `on` enters it, anything else leaves it.
        run: (args, ctx) => {
          if (args[1] !== undefined && args[1] !== '' && args[2] === '-') ctx.session.noLineFeed = true;
          if (!levelAllows(ctx.session.level, 'admin')) return PERMISSION_DENIED;
          const key = mode === 'expert' ? 'expertMode' : 'experimentalMode';
          if (args[1] === undefined || args[1] === '') return info(`${mode}-mode is ${ctx.session[key] ? 'ON' : 'OFF'}\n`);
          ctx.session[key] = args[1] === 'on';
          return NO_ANSWER;
        },
      }),
    ),
    {
      words: ['show', 'cli', 'level'],
      usage: usage('show cli level', 'display the level of the current CLI session'),
      level: 'user',
      run: (_args, ctx) => info(`${ctx.session.level}\n`),
    },
    {
      words: ['set', 'timeout'],
      usage: usage('set timeout [cli] <delay>', 'change a timeout setting'),
      level: 'user',
      run: (args, ctx) => {
        if (args[2] !== 'cli') return error("'set timeout' only supports 'cli'.\n");
        const text = args[3] ?? '';
        if (text === '') return error('Expects an integer value.\n');
        // HAProxy reads it in seconds when no unit is given.
        const parsed = parseDuration(/^\d+$/.test(text) ? `${text}s` : text);
        const seconds = parsed.ok ? Math.floor(parsed.ms / 1000) : 0;
        if (seconds < 1) return error('Invalid timeout value.\n');
        ctx.session.timeoutMs = seconds * 1000;
        return NO_ANSWER;
      },
    },
    {
      words: ['show', 'cli', 'sockets'],
      usage: usage('show cli sockets', 'dump list of cli sockets'),
      level: 'user',
      run: (_args, ctx) => {
        let text = '# socket lvl processes\n';
        for (const s of ctx.target.config.global.stats?.sockets ?? []) {
          const a = s.address;
          const where = a.kind === 'unix' ? (isAbstractSocketPath(a.path) ? socketPathText(a.path) : `unix@${a.path}`) : a.kind === 'fd' ? `fd@${a.fd}` : a.host.includes(':') ? `ipv6@[${a.host}]:${a.port}` : `ipv4@${a.host}:${a.port}`;
          text += `${where} ${s.level} all\n`;
        }
        return dump(text);
      },
    },
    {
      words: ['set', 'severity-output'],
      usage: usage('set severity-output [none|number|string]', 'set presence of severity level in feedback information'),
      level: 'user',
      run: (args, ctx) => {
        const value = args[2];
        if (value === 'none' || value === 'number' || value === 'string') {
          ctx.session.severityOutput = value;
          return NO_ANSWER;
        }
        return error("one of 'none', 'number', 'string' is a required argument\n");
      },
    },
  ];
}
