/**
 * Runtime.setFdLimit over libc's setrlimit(2) as each runtime's FFI binds it (HAProxy's main():
 * setrlimit(RLIMIT_NOFILE) with `ulimit-n`, or global.maxsock, as the soft limit).
 */

/** RLIMIT_NOFILE on Linux (every architecture Switchyard runs on). */
const RLIMIT_NOFILE = 7;
/** RLIM_INFINITY: rlim_t's all-ones. */
const RLIM_INFINITY = 0xffff_ffff_ffff_ffffn;

/** setrlimit(resource, struct rlimit *): 0 or -1. */
export type SetRlimitCall = (resource: number, limit: Uint8Array<ArrayBuffer>) => number;

/** struct rlimit { rlim_t rlim_cur, rlim_max; }: two native-endian 64-bit words (Infinity is RLIM_INFINITY). */
function rlimit(soft: number, hard: number): Uint8Array<ArrayBuffer> {
  const words = new BigUint64Array(2);
  words[0] = Number.isFinite(soft) ? BigInt(soft) : RLIM_INFINITY;
  words[1] = Number.isFinite(hard) ? BigInt(hard) : RLIM_INFINITY;
  return new Uint8Array(words.buffer);
}

/** Runtime.setFdLimit over `open`, which binds setrlimit (and may throw: no FFI); false when refused. */
export function setFdLimitWith(open: () => SetRlimitCall): (soft: number, hard: number) => boolean {
  return (soft, hard) => {
    try {
      return open()(RLIMIT_NOFILE, rlimit(soft, hard)) === 0;
    } catch {
      return false;
    }
  };
}
