/**
 * HAProxy's log timers from a stream's t_* fields (sess_build_logline): each step's duration,
 * -1 when the step was not reached.
 */
import type { LogRecord } from './log-record.ts';

/** Time spent before the request started: idle + handshake, or 0. */
export function beforeRequest(r: LogRecord): number {
  return r.tIdle >= 0 ? r.tIdle + r.tHandshake : 0;
}

/** %TR: receiving the request head. */
export function timeRequest(r: LogRecord): number {
  return r.tRequest >= 0 ? r.tRequest - r.tIdle - r.tHandshake : -1;
}

/** %Tw: waiting in queues. */
export function timeWaiting(r: LogRecord): number {
  return r.tQueue >= 0 ? r.tQueue - r.tRequest : -1;
}

/** %Tc: connecting to the server. */
export function timeConnecting(r: LogRecord): number {
  return r.tConnect >= 0 ? r.tConnect - r.tQueue : -1;
}

/** %Tr: waiting for the response head. */
export function timeResponse(r: LogRecord): number {
  return r.tData >= 0 ? r.tData - r.tConnect : -1;
}

/** %Td: transferring data (after the response head in http, after connecting in tcp). */
export function timeData(r: LogRecord): number {
  if (r.mode === 'http') return r.tData >= 0 ? r.tClose - r.tData : -1;
  return r.tConnect >= 0 ? r.tClose - r.tConnect : -1;
}

/** %Ta: active time, from the request's first byte to the end. */
export function timeActive(r: LogRecord): number {
  return r.tClose - beforeRequest(r);
}

/** %Tu: total time as the user saw it (idle excluded). */
export function timeUser(r: LogRecord): number {
  return r.tClose - (r.tIdle >= 0 ? r.tIdle : 0);
}

/** %tr: the date the request started. */
export function requestWall(r: LogRecord): number {
  return r.acceptWall + beforeRequest(r);
}
