/**
 * A Linux cpu_set_t (CPU_SETSIZE 1024 bits, as glibc's) with the CPUs listed, for
 * sched_setaffinity through a runtime's foreign-function interface (Bun, Deno).
 */
export const CPU_SET_BYTES = 128;

export function cpuMask(cpus: readonly number[]): Uint8Array {
  const mask = new Uint8Array(CPU_SET_BYTES);
  for (const cpu of cpus) if (cpu >= 0 && cpu < CPU_SET_BYTES * 8) mask[cpu >> 3]! |= 1 << (cpu & 7);
  return mask;
}
