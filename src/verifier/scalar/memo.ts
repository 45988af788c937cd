/**
 * Memoisation of the scalar domain's operations.
 *
 * Every transfer function here is a pure function of its operands' facts, and the
 * verifier asks the same questions over and over: the whole ebpf-samples corpus makes
 * about 700,000 `scalarAlu` calls on fewer than 6,000 distinct operand pairs, and
 * 160,000 `refineBranch` calls on fewer than 2,000 (each path through a program repeats
 * the arithmetic of its neighbours on the same values). So a result is remembered on
 * its first operand, keyed by the operation and the second operand's identity, and a
 * repeated question costs a map lookup instead of a cross-refinement and a dozen
 * allocations.
 *
 * Identity stands for the facts because `ScalarDomain` interns the values it builds
 * (one object per set of facts, see `FactTable`): equal values met again are the same
 * object. Nothing depends on that for correctness: an operand that is not interned
 * (made with `new Scalar`) only misses the memo, and a remembered result is the one
 * the computation gives, since it depends on nothing but the facts.
 */

/** What the memo needs of a value: an identity number and a place for its results. */
export interface Memoised {
  /** 0 until the value is first used as a key. */
  memoId: number;
  memo: Map<number, unknown> | undefined;
}

/** Operation codes per key: ALU operations use 0..127, branch conditions 128..255. */
const CODES = 256;
/** A value's remembered results are forgotten past this many (few values see more). */
const MEMO_LIMIT = 64;

// Identities are never reused, so a key never names a value that has been collected.
// (2^45 of them fit the key in a double's exact integers.)
let nextId = 0;

/** The key of operation `code` (0 <= code < 256) with `second` as the other operand. */
export function memoKey(second: Memoised, code: number): number {
  let id = second.memoId;
  if (id === 0) id = second.memoId = ++nextId;
  return id * CODES + code;
}

/** The result remembered on `first` under `key`, if any. */
export function recall<T>(first: Memoised, key: number): T | undefined {
  const m = first.memo;
  return m === undefined ? undefined : (m.get(key) as T | undefined);
}

/** Remembers `value` on `first` under `key`. */
export function remember(first: Memoised, key: number, value: unknown): void {
  let m = first.memo;
  if (m === undefined) m = first.memo = new Map();
  else if (m.size >= MEMO_LIMIT) m.clear();
  m.set(key, value);
}
