/**
 * The clocks and the random numbers helpers read, injectable so test runs are
 * reproducible.
 *
 * ebee's default clock is *virtual*: it starts at one second after boot and every read
 * of any clock advances it by one microsecond. Two reads are therefore strictly
 * increasing, as on a real machine, and a test that runs the same program twice sees
 * the same values both times. `realClock()` reads the host's clocks instead.
 */
import { HelperError, HelperErrorCode } from './errors.js';

/** What the time helpers read, all in nanoseconds except jiffies. */
export interface HelperClock {
  /** CLOCK_MONOTONIC: bpf_ktime_get_ns. */
  monotonicNs(): bigint;
  /** CLOCK_BOOTTIME (monotonic plus time suspended): bpf_ktime_get_boot_ns. */
  bootNs(): bigint;
  /** CLOCK_MONOTONIC_COARSE (monotonic at the last tick): bpf_ktime_get_coarse_ns. */
  coarseNs(): bigint;
  /** CLOCK_TAI (wall clock without leap seconds): bpf_ktime_get_tai_ns. */
  taiNs(): bigint;
  /** The 64-bit jiffies counter: bpf_jiffies64. */
  jiffies64(): bigint;
}

/** Linux's HZ of common distribution kernels: a tick every 4 ms. */
export const HZ = 250;
const TICK_NS = 1_000_000_000n / BigInt(HZ);
/** Linux starts jiffies five minutes before wrapping the low 32 bits (INITIAL_JIFFIES), to catch wrap bugs early. */
export const INITIAL_JIFFIES = 0x100000000n - 300n * BigInt(HZ);
/** TAI is UTC + 37 s since 2017. */
const TAI_OFFSET_NS = 37_000_000_000n;

export interface VirtualClockOptions {
  /** CLOCK_MONOTONIC at the first read (default 1 s). */
  readonly startNs?: bigint | number;
  /** Advance per read (default 1000 ns; 0 freezes time). */
  readonly stepNs?: bigint | number;
  /** Time spent suspended: CLOCK_BOOTTIME minus CLOCK_MONOTONIC (default 0). */
  readonly suspendedNs?: bigint | number;
  /** CLOCK_TAI at monotonic 0 (default 2024-01-01T00:00:00Z in TAI). */
  readonly bootTaiNs?: bigint | number;
}

function nonNegative(value: bigint | number | undefined, fallback: bigint, what: string): bigint {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new HelperError(HelperErrorCode.BAD_OPTION, `clock ${what} must be an integer, not ${value}`);
  }
  const v = BigInt(value);
  if (v < 0n || v >= 1n << 63n) throw new HelperError(HelperErrorCode.BAD_OPTION, `clock ${what} ${v} is out of range`);
  return v;
}

/** The deterministic clock (see the file comment). `now` is the monotonic time of the next read. */
export class VirtualClock implements HelperClock {
  now: bigint;
  readonly step: bigint;
  readonly suspended: bigint;
  readonly bootTai: bigint;

  constructor(options: VirtualClockOptions = {}) {
    this.now = nonNegative(options.startNs, 1_000_000_000n, 'startNs');
    this.step = nonNegative(options.stepNs, 1000n, 'stepNs');
    this.suspended = nonNegative(options.suspendedNs, 0n, 'suspendedNs');
    this.bootTai = nonNegative(options.bootTaiNs, 1_704_067_200_000_000_000n + TAI_OFFSET_NS, 'bootTaiNs');
  }

  private tick(): bigint {
    const t = this.now;
    this.now += this.step;
    return t;
  }

  monotonicNs(): bigint { return this.tick(); }
  bootNs(): bigint { return this.tick() + this.suspended; }
  coarseNs(): bigint { const t = this.tick(); return t - (t % TICK_NS); }
  taiNs(): bigint { return this.tick() + this.bootTai; }
  jiffies64(): bigint { return INITIAL_JIFFIES + this.tick() / TICK_NS; }
}

/** The host's clocks: `performance.now()` for the monotonic ones, `Date.now()` for TAI. */
export function realClock(): HelperClock {
  const mono = (): bigint => BigInt(Math.floor(performance.now() * 1e6));
  return {
    monotonicNs: mono,
    bootNs: mono,
    coarseNs: () => { const t = mono(); return t - (t % TICK_NS); },
    taiNs: () => BigInt(Date.now()) * 1_000_000n + TAI_OFFSET_NS,
    jiffies64: () => INITIAL_JIFFIES + mono() / TICK_NS,
  };
}

/** A source of random u32s (bpf_get_prandom_u32). */
export interface HelperRandom {
  nextU32(): number;
}

/**
 * xoshiro128** (Blackman and Vigna), seeded through splitmix32 so that any 32-bit seed,
 * 0 included, gives a well-mixed non-zero state. Small, fast and reproducible.
 */
export class SeededRandom implements HelperRandom {
  private readonly s = new Uint32Array(4);

  constructor(seed: number | bigint = 0x5eed) {
    if ((typeof seed !== 'number' && typeof seed !== 'bigint') || (typeof seed === 'number' && !Number.isInteger(seed))) {
      throw new HelperError(HelperErrorCode.BAD_OPTION, `random seed must be an integer, not ${seed}`);
    }
    let x = Number(BigInt.asUintN(32, BigInt(seed)));
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }

  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
