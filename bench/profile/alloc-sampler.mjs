// Preload for `profile-http.mjs alloc`: node --import ./bench/profile/alloc-sampler.mjs ...
// Starts V8's sampling heap profiler at startup, counting objects that the GC already collected
// too (Node's own --heap-prof keeps only objects still alive at exit, which says little about
// allocation rate), and writes the profile synchronously when the process exits (Switchyard
// exits with process.exit(0) after a graceful SIGTERM). Output: $ALLOC_PROFILE_OUT
// (default /tmp/prof/alloc-<pid>.heapprofile), loadable in Chrome DevTools' Memory panel.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const out = process.env.ALLOC_PROFILE_OUT ?? `/tmp/prof/alloc-${process.pid}.heapprofile`;
const interval = Number(process.env.ALLOC_SAMPLING_INTERVAL ?? 8192);
const session = new Session();
session.connect();
session.post('HeapProfiler.startSampling', {
  samplingInterval: interval,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
process.on('exit', () => {
  // On the main thread the inspector session answers synchronously, so this runs before exit.
  session.post('HeapProfiler.stopSampling', (err, res) => {
    if (err) process.stderr.write(`alloc-sampler: ${err.message}\n`);
    else writeFileSync(out, JSON.stringify(res.profile));
  });
});
