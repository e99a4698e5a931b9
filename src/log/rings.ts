/**
 * The process's event sinks (HAProxy's sink_list): `stdout` and `stderr` (type fd), `buf0` (an
 * in-memory ring every HAProxy has, which nothing here writes to unless a `log ring@buf0` does),
 * then the configuration's rings in order, each with a forwarder per `server`. `show events`
 * lists and dumps them; loggers find their ring by name.
 */
import type { RingModel } from '../config/model.ts';
import type { Runtime } from '../runtime.ts';
import { RingForwarder } from './ring-forwarder.ts';
import { RingSink, type RingHeaderNames } from './ring-sink.ts';

/** A sink as `show events` lists it. */
export type EventSink =
  | { readonly type: 'fd'; readonly name: string; readonly description: string }
  | { readonly type: 'buffer'; readonly name: string; readonly description: string; readonly ring: RingSink };

const FD_SINKS: readonly EventSink[] = [
  { type: 'fd', name: 'stdout', description: 'standard output (fd#1)' },
  // HAProxy's own description of stderr says "output (fd#2)" too.
  { type: 'fd', name: 'stderr', description: 'standard output (fd#2)' },
];

export class Rings {
  readonly sinks: readonly EventSink[];
  readonly #byName = new Map<string, RingSink>();
  readonly #forwarders: RingForwarder[] = [];

  constructor(runtime: Runtime, models: readonly RingModel[], names: RingHeaderNames) {
    const sinks: EventSink[] = [...FD_SINKS];
    const buf0 = new RingSink(runtime, { name: 'buf0', description: 'in-memory ring buffer', format: 'timed', maxLength: 16384, size: 1048576 }, names);
    sinks.push({ type: 'buffer', name: 'buf0', description: buf0.description, ring: buf0 });
    this.#byName.set('buf0', buf0);
    for (const model of models) {
      const ring = new RingSink(runtime, model, names);
      this.#byName.set(model.name, ring);
      sinks.push({ type: 'buffer', name: model.name, description: model.description, ring });
      for (const server of model.servers) {
        this.#forwarders.push(new RingForwarder(runtime, ring, server, { connect: model.timeoutConnect, server: model.timeoutServer }));
      }
    }
    this.sinks = sinks;
  }

  get(name: string): RingSink | undefined {
    return this.#byName.get(name);
  }

  /** Connects the forwarders (once the process serves; not for a configuration check). */
  start(): void {
    for (const forwarder of this.#forwarders) forwarder.start();
  }

  stop(): void {
    for (const forwarder of this.#forwarders) forwarder.stop();
  }
}
