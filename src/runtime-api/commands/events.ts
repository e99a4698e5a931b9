/**
 * `show events [<sink>] [-w] [-n]` (HAProxy 2.6's cli_parse_show_events, src/sink.c, and
 * cli_io_handler_show_ring, src/ring.c): without a sink, the list of event sinks (any level);
 * with one, the lines its ring holds, oldest first, one per line (operator level). `-n` skips
 * the lines already there; `-w` keeps the session open, writing new lines as they come, until
 * the client closes its side or the session times out (`stats timeout`): HAProxy 2.6.12 prints
 * "Any key to stop" but a key does not stop it.
 */
import type { CliCommand } from '../command.ts';
import { levelAllows } from '../levels.ts';
import { dump, error, follow, PERMISSION_DENIED, SEVERITY_NOTICE, SEVERITY_WARNING, type CliAnswer } from '../output.ts';
import { usage } from '../command.ts';
import type { EventSink } from '../../log/rings.ts';
import type { RingSink } from '../../log/ring-sink.ts';
import { RingFollower, ringLineText } from '../ring-follower.ts';

function listSinks(sinks: readonly EventSink[]): CliAnswer {
  let text = 'Supported events sinks are listed below. Add -w(wait), -n(new). Any key to stop\n';
  for (const sink of sinks) {
    const dropped = sink.type === 'buffer' ? sink.ring.dropped : 0;
    text += `    ${sink.name.padEnd(10)} : type=${sink.type}, ${dropped} dropped, ${sink.description}\n`;
  }
  return { kind: 'message', severity: SEVERITY_WARNING, text };
}

/** The ring's lines from the oldest (or none with `fromEnd`), each ending in a line feed. */
function ringText(ring: RingSink, fromEnd: boolean): string {
  const buffer = ring.buffer;
  let text = '';
  for (let seq = fromEnd ? buffer.end : buffer.first; seq < buffer.end; seq++) text += ringLineText(buffer.at(seq) as Uint8Array);
  return text;
}

export const eventsCommands: readonly CliCommand[] = [
  {
    words: ['show', 'events'],
    usage: usage('show events [<sink>] [-w] [-n]', 'show event sink state'),
    level: 'user',
    run: (args, ctx) => {
      const sinks = ctx.target.eventSinks ?? [];
      const name = args[2];
      if (name === undefined || name === '') return listSinks(sinks);
      if (!levelAllows(ctx.session.level, 'operator')) return PERMISSION_DENIED;
      const sink = sinks.find((s) => s.name === name);
      if (sink === undefined) return error('No such event sink');
      if (sink.type !== 'buffer') return { kind: 'message', severity: SEVERITY_NOTICE, text: 'Nothing to report for this sink' };
      let wait = false;
      let fromEnd = false;
      for (const option of args.slice(3)) {
        if (option === '-w') wait = true;
        else if (option === '-n') fromEnd = true;
        else if (option === '-nw' || option === '-wn') wait = fromEnd = true;
        else return error('unknown option');
      }
      if (!wait) return dump(ringText(sink.ring, fromEnd));
      return follow(new RingFollower(sink.ring, fromEnd));
    },
  },
];
