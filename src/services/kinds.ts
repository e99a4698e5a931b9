/**
 * The services `use-service NAME` can name (HAProxy's applet registry), by name: a new service
 * is one entry here and its own module. Each running configuration instantiates the ones its
 * rules use, once (services.ts).
 */
import type { ServiceKind } from './service.ts';
import { prometheusExporter } from './prometheus/exporter.ts';

export const SERVICE_KINDS: ReadonlyMap<string, ServiceKind> = new Map<string, ServiceKind>([[prometheusExporter.name, prometheusExporter]]);
