/**
 * Interning of scalar values: one object per set of facts, so that equal values are
 * the same object and the operation memo (memo.ts) can key on identity.
 *
 * A value built anew (an ALU result, a refined branch operand) is looked up by a hash
 * of its facts; a value already made is returned instead of a copy. The hash is cheap
 * rather than perfect (it reads each bound as a double, so huge numbers that differ
 * only in their low bits collide); collisions cost a comparison, never a wrong answer.
 *
 * The table forgets everything past `LIMIT` values rather than growing without bound
 * over a long-running process: values already handed out stay valid, and equal values
 * made later are interned afresh.
 */
import type { Tnum } from './tnum.js';

/** The facts of a value, as `Scalar` holds them. */
export interface Facts {
  readonly tnum: Tnum;
  readonly umin: bigint;
  readonly umax: bigint;
  readonly smin: bigint;
  readonly smax: bigint;
  readonly u32min: bigint;
  readonly u32max: bigint;
  readonly s32min: bigint;
  readonly s32max: bigint;
}

/** Makes a value from its facts (the caller's class). */
export type Make<T> = (
  t: Tnum, umin: bigint, umax: bigint, smin: bigint, smax: bigint,
  u32min: bigint, u32max: bigint, s32min: bigint, s32max: bigint,
) => T;

// The whole corpus makes fewer than 5,000 distinct values; a bound keeps the memory
// of a pathological program (each value remembers up to 64 results) to tens of MB.
const LIMIT = 1 << 14;

/** A prime below 2^20 to fold each bound into the hash. */
const FOLD = 1000003;

export class FactTable<T extends Facts> {
  private readonly buckets = new Map<number, T | T[]>();
  private count = 0;
  /** Constants by their unsigned value, the commonest lookup, without hashing. */
  readonly constants = new Map<bigint, T>();

  constructor(private readonly make: Make<T>) {}

  /** The interned value with exactly these facts. */
  intern(
    t: Tnum, umin: bigint, umax: bigint, smin: bigint, smax: bigint,
    u32min: bigint, u32max: bigint, s32min: bigint, s32max: bigint,
  ): T {
    // Numbers of up to 2^64 read as doubles: exact below 2^53, rounded above.
    let h = Number(t.value) % FOLD;
    h = (h * 31 + (Number(t.mask) % FOLD)) | 0;
    h = (h * 31 + (Number(umin) % FOLD)) | 0;
    h = (h * 31 + (Number(umax) % FOLD)) | 0;
    h = (h * 31 + (Number(smin) % FOLD)) | 0;
    h = (h * 31 + (Number(smax) % FOLD)) | 0;
    h = (h * 31 + (Number(u32min) % FOLD)) | 0;
    h = (h * 31 + (Number(u32max) % FOLD)) | 0;
    const found = this.buckets.get(h);
    if (found !== undefined) {
      if (Array.isArray(found)) {
        for (const x of found) {
          if (same(x, t, umin, umax, smin, smax, u32min, u32max, s32min, s32max)) return x;
        }
      } else if (same(found, t, umin, umax, smin, smax, u32min, u32max, s32min, s32max)) {
        return found;
      }
    }
    const v = this.make(t, umin, umax, smin, smax, u32min, u32max, s32min, s32max);
    if (this.count >= LIMIT) {
      this.buckets.clear();
      this.constants.clear();
      this.count = 0;
      this.buckets.set(h, v);
    } else if (found === undefined) {
      this.buckets.set(h, v);
    } else if (Array.isArray(found)) {
      found.push(v);
    } else {
      this.buckets.set(h, [found, v]);
    }
    this.count++;
    return v;
  }
}

function same(
  x: Facts, t: Tnum, umin: bigint, umax: bigint, smin: bigint, smax: bigint,
  u32min: bigint, u32max: bigint, s32min: bigint, s32max: bigint,
): boolean {
  return x.umin === umin && x.umax === umax && x.smin === smin && x.smax === smax
    && x.u32min === u32min && x.u32max === u32max && x.s32min === s32min && x.s32max === s32max
    && x.tnum.value === t.value && x.tnum.mask === t.mask;
}
