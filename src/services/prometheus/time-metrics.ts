/**
 * The timing metrics (`*_average_seconds`, `max_*_time_seconds`) of backends and servers, as
 * HAProxy 2.6's exporter computes them: not from the stats cells but from the counters, the
 * averages always over TIME_STATS_SAMPLES (where `show stat` divides by the streams counted
 * while fewer), in seconds.
 */
import type { StatField } from '../../stats/stat-fields.ts';
import { swrateAvg, TIME_STATS_SAMPLES, type TimeStats } from '../../proxy/time-stats.ts';
import type { SampleValue } from './exposition.ts';

/** The exporter's value of a timing field, or undefined for another field. */
export function timeMetricValue(field: StatField, t: TimeStats): SampleValue | undefined {
  switch (field) {
    case 'qtime':
      return { seconds: swrateAvg(t.qTime, TIME_STATS_SAMPLES) / 1000 };
    case 'ctime':
      return { seconds: swrateAvg(t.cTime, TIME_STATS_SAMPLES) / 1000 };
    case 'rtime':
      return { seconds: swrateAvg(t.dTime, TIME_STATS_SAMPLES) / 1000 };
    case 'ttime':
      return { seconds: swrateAvg(t.tTime, TIME_STATS_SAMPLES) / 1000 };
    case 'qtime_max':
      return { seconds: t.qMax / 1000 };
    case 'ctime_max':
      return { seconds: t.cMax / 1000 };
    case 'rtime_max':
      return { seconds: t.dMax / 1000 };
    case 'ttime_max':
      return { seconds: t.tMax / 1000 };
    default:
      return undefined;
  }
}
