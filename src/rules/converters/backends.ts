/**
 * `nbsrv` as a converter (HAProxy's backend.c): the number of usable servers of the backend the
 * sample names (`req.hdr(x-pool),nbsrv`); absent when no backend has that name.
 */
import { type ConverterDefinition, simpleConverter, spec } from './definition.ts';

export const BACKEND_CONVERTERS: readonly ConverterDefinition[] = [
  simpleConverter('nbsrv', spec(0), 'str', 'sint', () => (s, ctx) => {
    const backend = ctx.backendNamed?.(s.str);
    return backend === undefined ? false : s.setInt(backend.usableServers);
  }),
];
