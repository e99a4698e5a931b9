/**
 * The services of one running configuration: each kind its rules name is instantiated on
 * first use, over the configuration's proxies and counters (the runtime API's target).
 */
import { SERVICE_KINDS } from './kinds.ts';
import type { HttpService, ServiceTarget } from './service.ts';
import type { BackendModel, FrontendModel } from '../config/model.ts';
import type { StatsPageModel } from '../config/stats-page-model.ts';
import { statsPageOf, type StatsPage } from './stats/stats-page.ts';

export class Services {
  readonly #target: () => ServiceTarget;
  readonly #instances = new Map<string, HttpService>();

  constructor(target: () => ServiceTarget) {
    this.#target = target;
  }

  /** The service called `name`, or undefined when no such kind is registered (the config refuses it first). */
  get(name: string): HttpService | undefined {
    let service = this.#instances.get(name);
    if (service === undefined) {
      const kind = SERVICE_KINDS.get(name);
      if (kind === undefined) return undefined;
      service = kind.create(this.#target);
      this.#instances.set(name, service);
    }
    return service;
  }

  /** A proxy's stats page (`stats enable`...), over the same target, built on first use. */
  statsPage(owner: FrontendModel | BackendModel, model: StatsPageModel): StatsPage {
    return statsPageOf(owner, model, this.#target);
  }
}
