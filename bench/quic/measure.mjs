// What the QUIC probes (bench/quic/probe-*.{ts,mjs}) measure alike, whatever the runtime's API:
// timing and CPU of sequential round trips and of one bulk transfer, and how results print.
// Plain JavaScript with JSDoc so that Deno (TypeScript) and Bun import the same file.
import process from 'node:process';

/**
 * @param {readonly string[]} args
 * @param {string} name
 * @param {string} fallback
 * @returns {string}
 */
export function argValue(args, name, fallback) {
  const index = args.indexOf(name);
  const value = index >= 0 ? args[index + 1] : undefined;
  return value ?? fallback;
}

/** @param {readonly number[]} values */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/**
 * Resolves to the promise's value, or to 'timeout' (logged under `label`) after `ms`.
 * @template T
 * @param {Promise<T>} promise
 * @param {number} ms
 * @param {string} label
 * @returns {Promise<T | 'timeout'>}
 */
export function withTimeout(promise, ms, label) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((resolve) => {
      timer = setTimeout(() => {
        console.error(`${label}: timed out`);
        resolve(/** @type {'timeout'} */ ('timeout'));
      }, ms);
    }),
  ]);
}

/**
 * (a) The median and best of `count` handshakes, each made and closed by `handshake`.
 * @param {() => Promise<void>} handshake
 * @param {number} count
 */
export async function measureHandshakes(handshake, count) {
  /** @type {number[]} */
  const ms = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await handshake();
    ms.push(performance.now() - started);
  }
  return { handshakeMsMedian: Number(median(ms).toFixed(3)), handshakeMsMin: Number(Math.min(...ms).toFixed(3)) };
}

/**
 * (b) and (d): `count` sequential round trips after 50 for warm-up; each must bring back
 * `expectedBytes`. CPU is the whole process's, so both ends when they share it.
 * @param {() => Promise<number>} roundTrip resolves to the bytes that came back
 * @param {number} count
 * @param {number} expectedBytes
 */
export async function measureRoundTrips(roundTrip, count, expectedBytes) {
  for (let i = 0; i < 50; i++) await roundTrip();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const got = await roundTrip();
    if (got !== expectedBytes) throw new Error(`round trip ${i}: ${got} bytes back, not ${expectedBytes}`);
  }
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    roundTrips: count,
    roundTripsPerSecond: Math.round(count / (ms / 1000)),
    usPerRoundTrip: Number(((ms * 1000) / count).toFixed(1)),
    cpuUsPerRoundTrip: Number(((cpu.user + cpu.system) / count).toFixed(1)),
  };
}

/**
 * (c) One bulk transfer of `bytes`: `transfer` moves them and resolves to the count the other
 * end reports.
 * @param {() => Promise<number>} transfer
 * @param {number} bytes
 */
export async function measureBulk(transfer, bytes) {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const received = await transfer();
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    bulkBytesReceived: received,
    bulkMBps: Number((bytes / 1e6 / (ms / 1000)).toFixed(1)),
    bulkCpuMsPerMiB: Number(((cpu.user + cpu.system) / 1000 / (bytes / 1048576)).toFixed(2)),
  };
}

/**
 * One JSON line with --json, else "name: value" lines and "feature name: ..." lines.
 * @param {Record<string, unknown>} results
 * @param {Record<string, string>} features
 * @param {boolean} json
 */
export function printResults(results, features, json) {
  if (json) {
    console.log(JSON.stringify({ ...results, features }, (_key, value) => (typeof value === 'bigint' ? String(value) : value)));
    return;
  }
  for (const [name, value] of Object.entries(results)) {
    console.log(`${name}: ${typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}`);
  }
  for (const [name, value] of Object.entries(features)) console.log(`feature ${name}: ${value}`);
}
