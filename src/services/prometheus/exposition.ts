/**
 * The Prometheus text exposition format (version 0.0.4) as HAProxy's exporter writes it: a
 * metric's `# HELP` and `# TYPE` lines come with its first sample (a metric with no sample
 * prints nothing), labels in the given order, integers as they are, floats with six decimals
 * (HAProxy's "%f"), `NaN` where the value is unknown.
 */
import type { MetricType } from './metric-tables.ts';

export type Labels = readonly (readonly [string, string])[];

/** A sample's value: an integer, a float to print with six decimals, or NaN (undefined). */
export type SampleValue = number | { readonly seconds: number } | undefined;

/** Label values escaped as the format requires (HAProxy's object names never need it). */
function escapeLabel(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

function formatValue(value: SampleValue): string {
  if (value === undefined) return 'NaN';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'NaN';
  return value.seconds.toFixed(6);
}

export class ExpositionWriter {
  #text = '';
  #name = '';
  #help = '';
  #type: MetricType = 'gauge';
  /** The current metric's header lines are still to be written. */
  #headerDue = false;
  /** The name whose header was written last: the hrsp_* columns continue one metric. */
  #headed = '';

  /** Starts a metric; its header is written with its first sample, once per run of the same name. */
  begin(name: string, type: MetricType, help: string): void {
    this.#name = name;
    this.#type = type;
    this.#help = help;
    this.#headerDue = name !== this.#headed;
  }

  sample(labels: Labels, value: SampleValue): void {
    if (this.#headerDue) {
      this.#text += `# HELP ${this.#name} ${this.#help}\n# TYPE ${this.#name} ${this.#type}\n`;
      this.#headerDue = false;
      this.#headed = this.#name;
    }
    let line = this.#name;
    if (labels.length > 0) {
      line += '{';
      for (let i = 0; i < labels.length; i++) {
        const [key, v] = labels[i] as readonly [string, string];
        line += `${i > 0 ? ',' : ''}${key}="${escapeLabel(v)}"`;
      }
      line += '}';
    }
    this.#text += `${line} ${formatValue(value)}\n`;
  }

  get text(): string {
    return this.#text;
  }
}
